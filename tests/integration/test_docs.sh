#!/usr/bin/env bash
# Integration: what is generated from the command table stays complete.
# Every command and option of the table (phoenix-storage --dump-commands) is
# in phoenix-storage(8), every member the config loaders read
# (scripts/config-keys) in phoenix-storage.json(5); both pages render with
# man -l without a warning; the bash completion made by `make doc` completes
# commands, options and option values; --version names the build. No ZFS needed.
source "$(dirname "$0")/lib.sh"
# The pages and the completion: `make doc` of the build under test, or, for an
# installed binary (PHOENIX_BIN=/usr/sbin/phoenix-storage), the installed ones.
case $PH in
"$TOP"/*)
	BUILD=$(dirname "$PH")
	make -s -C "$TOP" SAN=$([ "$(basename "$BUILD")" = build-san ] && echo 1 || echo 0) doc >"$WORK/make-doc.log" 2>&1 ||
		{ echo "make doc failed:"; cat "$WORK/make-doc.log"; }
	PAGE8=$BUILD/doc/phoenix-storage.8 PAGE5=$BUILD/doc/phoenix-storage.json.5
	COMPLETION=$BUILD/doc/phoenix-storage.bash ;;
*)
	PAGE8=$(man -w 8 phoenix-storage 2>/dev/null) PAGE5=$(man -w 5 phoenix-storage.json 2>/dev/null)
	COMPLETION=/usr/share/bash-completion/completions/phoenix-storage ;;
esac
MAN8=$TOP/doc/phoenix-storage.8.scd
MAN5=$TOP/doc/phoenix-storage.json.5.scd

# man8_missing PAGE: prints what of the command table PAGE lacks, one line each.
man8_missing() {
	local kind a b c name
	while IFS=$'\t' read -r kind a b c _; do
		case $kind in
		command)
			# a command is a definition-list term of COMMANDS: a line "*NAME*"
			grep -qxF "*$a*" "$1" || echo "command '$a' is not described" ;;
		option) for name in "$b" "$c"; do
				[ "$name" = - ] && continue
				grep -qF -- "*$name*" "$1" || echo "option '$name' of '$a' is not described"
			done ;;
		global) grep -qF -- "*$a*" "$1" || echo "option '$a' is not described" ;;
		esac
	done < <("$PH" --dump-commands)
}

test_every_command_and_option_of_the_table_is_in_the_man_page() {
	local miss
	[ "$("$PH" --dump-commands | grep -c '^command')" -ge 5 ] || fail "fewer than 5 commands in --dump-commands"
	miss=$(man8_missing "$MAN8")
	assert_eq "$miss" "" "(doc/phoenix-storage.8.scd)"
}

test_a_command_missing_from_the_man_page_is_found() {
	# the check on a page without 'history' and '--since' must name both
	grep -vxF '*history*' "$MAN8" | sed 's/\*--since\*//g' >"$WORK/short.scd"
	assert_eq "$(man8_missing "$WORK/short.scd")" "command 'history' is not described
option '--since' of 'history' is not described"
}

# json5_words: every word inside a bold span of the json(5) page.
json5_words() { grep -o '\*[^*]*\*' "$MAN5" | tr -c 'A-Za-z0-9_\n' '\n' | sort -u; }

test_every_config_member_the_loaders_read_is_in_the_json_page() {
	local keys k missing=()
	keys=$("$TOP/scripts/config-keys")
	# the scanner must see the members every section is built on
	for k in zfs pools datasets raid_level persistent_storage exports shares lxc_configs mount_points vms storage_size_gb ro; do
		grep -qxF "$k" <<<"$keys" || fail "scripts/config-keys does not see '$k'"
	done
	local words
	words=$(json5_words)
	while read -r k; do
		grep -qxF "$k" <<<"$words" || missing+=("$k")
	done <<<"$keys"
	[ ${#missing[@]} -eq 0 ] || fail "config members not in doc/phoenix-storage.json.5.scd: ${missing[*]}"
}

test_both_man_pages_render_without_warnings() {
	local p w
	for p in "$PAGE8" "$PAGE5"; do
		[ -s "$p" ] || fail "man page '$p' was not built (make doc) or is not installed"
		w=$(MANWIDTH=80 man --warnings -l "$p" 2>&1 >/dev/null)
		assert_eq "$w" "" "(warnings of man -l $p)"
	done
	assert_contains "$(MANWIDTH=80 man -l "$PAGE8" 2>/dev/null)" "EXIT STATUS"
	assert_contains "$(MANWIDTH=80 man -l "$PAGE5" 2>/dev/null)" "zfs.pools[].raid_level"
}

# complete WORD...: the completion's answer for the command line WORD... (the last is completed).
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _phoenix_storage; echo "${COMPREPLY[*]}"' \
		_ "$COMPLETION" "$@"
}

test_bash_completion_completes_commands_options_and_values() {
	assert_eq "$(bash -c '. "$1"; complete -p phoenix-storage' _ "$COMPLETION")" \
		"complete -F _phoenix_storage phoenix-storage"
	assert_eq "$(complete_words phoenix-storage pl)" "plan"
	assert_eq "$(complete_words phoenix-storage --v)" "--version"
	assert_eq "$(complete_words phoenix-storage apply --allow-)" "--allow-wipe --allow-destroy --allow-grow-pool"
	assert_eq "$(complete_words phoenix-storage history --)" "--root --json --since --help"
	# an option another command has is not offered
	assert_eq "$(complete_words phoenix-storage validate --y)" ""
	mkdir -p "$WORK/cfgdir" && : >"$WORK/cfgdir/main.json"
	assert_eq "$(complete_words phoenix-storage plan -c "$WORK/cfgdir/ma")" "$WORK/cfgdir/main.json"
	assert_eq "$(complete_words phoenix-storage apply --wait "")" ""
}

test_completion_follows_the_command_table() {
	# every command and every option of each command in the table is offered
	local dump c o got
	dump=$("$PH" --dump-commands)
	for c in $(awk -F'\t' '$1 == "command" {print $2}' <<<"$dump"); do
		got=" $(complete_words phoenix-storage "$c" -) "
		for o in $(awk -F'\t' -v c="$c" '$1 == "option" && $2 == c {print $3}' <<<"$dump"); do
			[[ "$got" == *" $o "* ]] || fail "completion of '$c' lacks '$o'"
		done
	done
}

test_version_names_the_build() {
	ph --version
	assert_rc 0
	local v d
	v=$(sed -n 's/^VERSION := //p' "$TOP/Makefile")
	d=$(git -C "$TOP" describe --always --dirty --tags 2>/dev/null || echo unknown)
	assert_eq "$out" "phoenix-storage $v (build $d)"
	assert_eq "$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version 2>/dev/null || sed -n '1s/.*(\(.*\)).*/\1/p' "$TOP/debian/changelog")" "$v" \
		"(debian/changelog and the Makefile's VERSION)"
}

run_tests
