#!/usr/bin/env bash
# Integration: NFS exports through the kernel server's real exportfs.
# exportfs maintains its export table (/var/lib/nfs/etab) without a running
# nfsd, so this runs on the real /etc without --root: the suite backs up
# /etc/exports.d/phoenix.exports and restores it at the end, and touches
# /etc/exports only to append test lines it owns (marked) and remove them.
source "$(dirname "$0")/lib.sh"
zfs_fuse_ensure || exit 1
command -v exportfs >/dev/null || { echo "exportfs not installed (nfs-kernel-server)"; exit 1; }

DROPIN=/etc/exports.d/phoenix.exports
MARK="# phoenix-storage-test-$RUN_ID"
HAD_DROPIN=0
if [ -e "$DROPIN" ]; then cp -p "$DROPIN" "$WORK/dropin.bak"; HAD_DROPIN=1; fi
cp -p /etc/exports "$WORK/exports.bak"
EXPORTS_D_EXISTED=0; [ -d /etc/exports.d ] && EXPORTS_D_EXISTED=1

suite_cleanup() {
	if [ "$HAD_DROPIN" = 1 ]; then cp -p "$WORK/dropin.bak" "$DROPIN"; else rm -f "$DROPIN"; fi
	# drop only the lines this run appended
	if grep -qF -- "$MARK" /etc/exports; then
		grep -vF -- "$MARK" /etc/exports >"$WORK/exports.new"
		cat "$WORK/exports.new" >/etc/exports
	fi
	[ "$EXPORTS_D_EXISTED" = 0 ] && rmdir /etc/exports.d 2>/dev/null
	exportfs -ra >/dev/null 2>&1
	cleanup_all
}
trap suite_cleanup EXIT

POOL=$(pool_name k)
mkpool "$POOL" "$(vdev k)" || exit 1
MP=$WORK/mnt-$POOL

# managed DATASET: a dataset of the test pool marked as managed by the tool.
managed() { zfs create -o phoenix:managed=true "$POOL/$1" >/dev/null; }

# kcfg FILE EXPORTS_JSON [ZFS_JSON]: a config with the kernel back end; the zfs
# section describes the test pool (made by hand above) unless ZFS_JSON is given.
kcfg() {
	local z=${3:-"{ \"pools\": [ { \"name\": \"$POOL\", \"raid_level\": \"single\", \"disks\": [\"$WORK/vdev-k\"], \"mountpoint\": \"$MP\" } ] }"}
	cat >"$1" <<JSON
{
  "zfs": $z,
  "nfs": { "exports": $2 }
}
JSON
}

# table_opts PATH CLIENT: the option list exportfs -v shows for PATH and CLIENT.
table_opts() {
	exportfs -v | awk -v p="$1" -v c="$2" '
		/^[^ \t]/ { split($0, a, "\t"); path = a[1]; sub(/ +$/, "", path); rest = a[2] }
		/^\t/ { rest = $0 }
		{ gsub(/^\t+/, "", rest); if (rest != "" && path == p && index(rest, c "(") == 1) { sub(/^[^(]*\(/, "", rest); sub(/\)$/, "", rest); print rest } rest = "" }'
}

exportfs_logging() {
	cat >"$WORK/exportfs-log" <<EOF
#!/bin/sh
echo "exportfs \$*" >>"$WORK/exportfs-calls"
exec exportfs "\$@"
EOF
	chmod +x "$WORK/exportfs-log"
	: >"$WORK/exportfs-calls"
	export PHOENIX_EXPORTFS="$WORK/exportfs-log"
}

test_apply_makes_the_export_table_match_the_config() {
	managed ka; managed kb
	kcfg "$WORK/c.json" "[
	  { \"path\": \"$MP/ka\", \"clients\": [\"127.0.0.1\", \"10.0.0.0/24\"], \"options\": [\"rw\", \"sync\", \"root_squash\", \"no_subtree_check\"] },
	  { \"path\": \"$MP/kb\", \"clients\": [\"*.example.com\"], \"options\": [\"ro\", \"async\", \"no_subtree_check\", \"anonuid=1000\", \"anongid=1000\"] } ]"
	ph plan -c "$WORK/c.json"
	assert_rc 2
	assert_contains "$out" "+ nfs export $MP/ka to 127.0.0.1, 10.0.0.0/24 (rw,sync,root_squash,no_subtree_check)"
	assert_contains "$out" "+ nfs export $MP/kb to *.example.com (ro,async,no_subtree_check,anonuid=1000,anongid=1000)"
	assert_contains "$out" "+ nfs write $DROPIN (2 exports) and run exportfs -ra"
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	assert_eq "$(head -1 "$DROPIN")" "# Managed by phoenix-storage from the nfs section of its config. Do not edit:"
	assert_eq "$(table_opts "$MP/ka" 127.0.0.1)" "sync,wdelay,hide,no_subtree_check,sec=sys,rw,root_squash,no_all_squash"
	assert_eq "$(table_opts "$MP/ka" 10.0.0.0/24)" "sync,wdelay,hide,no_subtree_check,sec=sys,rw,root_squash,no_all_squash"
	assert_eq "$(table_opts "$MP/kb" '*.example.com')" "async,wdelay,hide,no_subtree_check,anonuid=1000,anongid=1000,sec=sys,ro,root_squash,no_all_squash"
	ph status -c "$WORK/c.json"
	assert_rc 0
	assert_contains "$out" "active   $MP/ka 127.0.0.1(rw,sync,root_squash,no_subtree_check) 10.0.0.0/24(rw,sync,root_squash,no_subtree_check)"
	assert_contains "$out" "active   $MP/kb *.example.com("
	ph plan -c "$WORK/c.json"
	assert_rc 0
	assert_contains "$out" "No changes: the host matches the config."
}

test_second_apply_runs_no_exportfs_ra() {
	managed k2
	kcfg "$WORK/c.json" "[ { \"path\": \"$MP/k2\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"] } ]"
	exportfs_logging
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	assert_eq "$(grep -c -- '-ra' "$WORK/exportfs-calls")" 1
	: >"$WORK/exportfs-calls"
	local before; before=$(stat -c %Y.%i "$DROPIN")
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	assert_contains "$out" "Nothing to do: the host matches the config."
	assert_eq "$(cat "$WORK/exportfs-calls")" "exportfs -v"
	assert_eq "$(stat -c %Y.%i "$DROPIN")" "$before" "(drop-in rewritten)"
}

test_handwritten_line_in_etc_exports_survives() {
	managed k3; mkdir -p "$WORK/handmade"
	echo "$WORK/handmade 127.0.0.9(ro,no_subtree_check) $MARK" >>/etc/exports
	local hand_before; hand_before=$(cat /etc/exports)
	kcfg "$WORK/c.json" "[ { \"path\": \"$MP/k3\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"] } ]"
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	assert_eq "$(cat /etc/exports)" "$hand_before" "(/etc/exports was modified)"
	assert_contains "$(table_opts "$WORK/handmade" 127.0.0.9)" "ro,root_squash"
	assert_contains "$(table_opts "$MP/k3" 127.0.0.1)" "rw,root_squash"
	ph plan -c "$WORK/c.json"
	assert_rc 0
	assert_contains "$out" "= unmanaged: nfs export $WORK/handmade (not in the config) (left alone)"
}

test_warns_when_etc_exports_already_exports_the_path() {
	managed k4
	echo "$MP/k4 127.0.0.8(ro,no_subtree_check) $MARK" >>/etc/exports
	local line; line=$(grep -nF "$MP/k4 " /etc/exports | cut -d: -f1)
	kcfg "$WORK/c.json" "[ { \"path\": \"$MP/k4\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"] } ]"
	ph plan -c "$WORK/c.json"
	assert_rc 2
	assert_contains "$err" "warning: nfs.exports[0].path: '/etc/exports' line $line also exports '$MP/k4'"
	assert_contains "$err" "hint: remove one of the two"
}

test_removed_export_leaves_the_table_and_the_others_stay() {
	managed k5; managed k6
	kcfg "$WORK/c.json" "[
	  { \"path\": \"$MP/k5\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"] },
	  { \"path\": \"$MP/k6\", \"clients\": [\"127.0.0.1\"], \"options\": [\"ro\", \"no_subtree_check\"] } ]"
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	assert_contains "$(table_opts "$MP/k6" 127.0.0.1)" "ro"
	kcfg "$WORK/c.json" "[ { \"path\": \"$MP/k5\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"] } ]"
	ph plan -c "$WORK/c.json"
	assert_rc 2
	assert_contains "$out" "- nfs export $MP/k6"
	assert_contains "$out" "    was: to 127.0.0.1 (ro,no_subtree_check)"
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	assert_eq "$(table_opts "$MP/k6" 127.0.0.1)" ""
	assert_contains "$(table_opts "$MP/k5" 127.0.0.1)" "rw"
	assert_not_contains "$(cat "$DROPIN")" "$MP/k6"
}

test_changed_clients_and_options_show_old_and_new() {
	managed k7
	kcfg "$WORK/c.json" "[ { \"path\": \"$MP/k7\", \"clients\": [\"127.0.0.1\"], \"options\": [\"ro\", \"no_subtree_check\"] } ]"
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	kcfg "$WORK/c.json" "[ { \"path\": \"$MP/k7\", \"clients\": [\"127.0.0.1\", \"127.0.0.2\"], \"options\": [\"rw\", \"no_subtree_check\"] } ]"
	ph plan -c "$WORK/c.json"
	assert_rc 2
	assert_contains "$out" "~ nfs export $MP/k7 clients 127.0.0.1 -> 127.0.0.1, 127.0.0.2, options (ro,no_subtree_check) -> (rw,no_subtree_check)"
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	assert_contains "$(table_opts "$MP/k7" 127.0.0.2)" "rw,root_squash"
}

test_table_drift_is_seen_in_status_and_repaired() {
	managed k8
	kcfg "$WORK/c.json" "[ { \"path\": \"$MP/k8\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"] } ]"
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	exportfs -u "127.0.0.1:$MP/k8"
	ph status -c "$WORK/c.json" --json
	assert_rc 0
	assert_eq "$(jq -r --arg p "$MP/k8" '.nfs.exports[] | select(.path == $p) | .state' <<<"$out")" missing
	ph plan -c "$WORK/c.json"
	assert_rc 2
	assert_contains "$out" "~ nfs export $MP/k8 to 127.0.0.1 (rw,no_subtree_check) (missing in the server: not in the export table (exportfs -v))"
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	assert_contains "$(table_opts "$MP/k8" 127.0.0.1)" "rw"
	ph status -c "$WORK/c.json"
	assert_contains "$out" "active   $MP/k8 127.0.0.1(rw,no_subtree_check)"
}

test_dataset_the_same_plan_creates_counts_as_mounted() {
	local v; v=$WORK/vdev-k
	kcfg "$WORK/c.json" "[ { \"path\": \"$MP/fresh\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"], \"mode\": \"0750\" } ]" \
		"{ \"pools\": [ { \"name\": \"$POOL\", \"raid_level\": \"single\", \"disks\": [\"$v\"], \"mountpoint\": \"$MP\" } ],
		   \"datasets\": [ { \"name\": \"fresh\", \"pool\": \"$POOL\" } ] }"
	ph plan -c "$WORK/c.json"
	assert_rc 2
	assert_contains "$out" "+ create dataset $POOL/fresh"
	assert_contains "$out" "+ nfs export root $MP/fresh, mode 0750"
	assert_contains "$out" "+ nfs export $MP/fresh to 127.0.0.1 (rw,no_subtree_check)"
	ph apply -c "$WORK/c.json" --yes
	assert_rc 0
	assert_eq "$(zget mounted "$POOL/fresh")" yes
	assert_eq "$(stat -c %a "$MP/fresh")" 750
	assert_contains "$(table_opts "$MP/fresh" 127.0.0.1)" "rw"
}

test_export_not_on_a_managed_dataset_is_a_plan_error() {
	mkdir -p "$MP/plain"
	kcfg "$WORK/c.json" "[ { \"path\": \"$MP/plain\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"] } ]"
	local before; before=$(exportfs -v)
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 1
	assert_contains "$err" "error: nfs.exports[0].path: export '$MP/plain' is not on a managed zfs dataset: expected dataset '$POOL/plain' mounted at '$MP/plain'"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 1
	[ ! -e "$WORK/root$DROPIN" ] || fail "drop-in written despite the error"
	assert_eq "$(exportfs -v)" "$before"
	# deliberately outside ZFS: accepted
	kcfg "$WORK/c.json" "[ { \"path\": \"$MP/plain\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"], \"outside_zfs\": true } ]"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
}

test_unmounted_dataset_is_named_in_the_error() {
	managed k9
	zfs unmount "$POOL/k9"
	kcfg "$WORK/c.json" "[ { \"path\": \"$MP/k9\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"] } ]"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 1
	assert_contains "$err" "dataset '$POOL/k9' that holds export '$MP/k9' is not mounted (mountpoint '$MP/k9')"
	assert_contains "$err" "hint: mount it with 'zfs mount $POOL/k9' and run again"
}

test_export_root_gets_owner_and_mode_only_when_asked() {
	managed k10
	chmod 0711 "$MP/k10"
	kcfg "$WORK/c.json" "[ { \"path\": \"$MP/k10\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"] } ]"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(stat -c %a "$MP/k10")" 711 "(mode changed without being asked)"
	kcfg "$WORK/c.json" "[ { \"path\": \"$MP/k10\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"], \"owner\": \"nobody\", \"group\": \"4242\", \"mode\": \"2770\" } ]"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "~ nfs export root $MP/k10 owner 0 -> nobody, group 0 -> 4242, mode 0711 -> 2770"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(stat -c '%U %g %a' "$MP/k10")" "nobody 4242 2770"
	kcfg "$WORK/c.json" "[ { \"path\": \"$MP/k10\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"], \"owner\": \"no-such-user-x\" } ]"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 1
	assert_contains "$err" "error: nfs.exports[0].owner: unknown user 'no-such-user-x'"
}

test_foreign_dropin_file_is_not_overwritten() {
	managed k11
	mkdir -p "$WORK/root/etc/exports.d"
	echo "/srv 10.0.0.1(rw)" >"$WORK/root$DROPIN"
	kcfg "$WORK/c.json" "[ { \"path\": \"$MP/k11\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"] } ]"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 1
	assert_contains "$err" "error: nfs: '$WORK/root$DROPIN' exists but was not written by phoenix-storage"
	assert_eq "$(cat "$WORK/root$DROPIN")" "/srv 10.0.0.1(rw)"
}

# invalid_case NAME EXPORTS_JSON EXPECTED_MESSAGE: rejected with exactly that message, nothing changed.
invalid_case() {
	kcfg "$WORK/bad.json" "$1"
	local table_before dropin_before
	table_before=$(exportfs -v)
	dropin_before=$(cat "$DROPIN" 2>/dev/null)
	for cmd in validate plan apply; do
		if [ $cmd = apply ]; then ph apply -c "$WORK/bad.json" --yes; else ph $cmd -c "$WORK/bad.json"; fi
		assert_rc 1 "($cmd)" || return 1
		assert_contains "$err" "$2" || return 1
	done
	assert_eq "$(exportfs -v)" "$table_before" "(export table changed)"
	assert_eq "$(cat "$DROPIN" 2>/dev/null)" "$dropin_before" "(drop-in changed)"
}

test_invalid_client_is_rejected_with_its_position() {
	invalid_case '[ { "path": "/tank/x", "clients": ["10.0.0.1", "10.0.0.300"], "options": ["rw"], "outside_zfs": true } ]' \
		"bad.json:3:70: error: nfs.exports[0].clients[1]: invalid client '10.0.0.300'"
	assert_contains "$err" "  hint: use an IP address, CIDR (10.0.0.0/24), hostname or wildcard (*, *.example.com, @netgroup)"
}

test_unknown_option_is_rejected_with_a_suggestion() {
	invalid_case '[ { "path": "/tank/x", "clients": ["10.0.0.1"], "options": ["rw", "no_subtre_check"], "outside_zfs": true } ]' \
		"error: nfs.exports[0].options[1]: unknown export option 'no_subtre_check'"
	assert_contains "$err" "  hint: did you mean 'no_subtree_check'? (see exports(5))"
}

test_relative_path_is_rejected() {
	invalid_case '[ { "path": "tank/x", "clients": ["10.0.0.1"], "options": ["rw"], "outside_zfs": true } ]' \
		"error: nfs.exports[0].path: path 'tank/x' is not absolute"
	assert_contains "$err" "  hint: write the full path, such as /tank/data"
}

test_unnormalised_path_is_rejected_with_its_normal_form() {
	invalid_case '[ { "path": "/tank/./x/", "clients": ["10.0.0.1"], "options": ["rw"], "outside_zfs": true } ]' \
		"error: nfs.exports[0].path: path '/tank/./x/' is not normalised"
	assert_contains "$err" "  hint: write it as '/tank/x'"
}

test_duplicate_export_is_rejected() {
	invalid_case '[ { "path": "/tank/x", "clients": ["10.0.0.1"], "options": ["rw"], "outside_zfs": true },
	  { "path": "/tank/x", "clients": ["10.0.0.2"], "options": ["ro"], "outside_zfs": true } ]' \
		"error: nfs.exports[1].path: path '/tank/x' is already exported by nfs.exports[0]"
	assert_contains "$err" "  hint: merge its clients into nfs.exports[0]"
}

test_bad_option_value_and_contradiction_are_rejected() {
	invalid_case '[ { "path": "/tank/x", "clients": ["10.0.0.1"], "options": ["rw", "anonuid=abc", "ro"], "outside_zfs": true } ]' \
		"error: nfs.exports[0].options[1]: invalid value in 'anonuid=abc'"
	assert_contains "$err" "error: nfs.exports[0].options[2]: options 'rw' and 'ro' contradict each other"
}

test_security_lint_warns_but_does_not_fail() {
	kcfg "$WORK/c.json" '[ { "path": "/tank/x", "clients": ["*"], "options": ["rw", "no_root_squash", "insecure"], "outside_zfs": true } ]'
	ph validate -c "$WORK/c.json"
	assert_rc 0
	assert_contains "$err" "warning: nfs.exports[0].options[1]: 'no_root_squash' lets root on the clients act as root on '/tank/x'"
	assert_contains "$err" "warning: nfs.exports[0].options[2]: 'insecure' accepts requests from unprivileged ports on '/tank/x'"
	assert_contains "$err" "warning: nfs.exports[0].clients[0]: '/tank/x' is writable by every host ('*')"
	assert_contains "$err" "warning: nfs.exports[0].options: 'no_subtree_check' is missing on '/tank/x'"
}

run_tests
