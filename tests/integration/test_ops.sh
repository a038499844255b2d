#!/usr/bin/env bash
# Integration: operations. The audit trail (each apply that ran actions
# appends one JSON line to /var/log/phoenix-storage/changes.jsonl under
# --root: who, when, where, which config and its sha256, every action with its
# result; earlier lines never change), `history` (text, --json, --since, a
# broken line), journal priority prefixes when stderr is the journal
# (JOURNAL_STREAM), and --quiet.
source "$(dirname "$0")/lib.sh"
zfs_fuse_ensure || exit 1
LOGREL=/var/log/phoenix-storage/changes.jsonl

# setup NAME SUFFIX: root $R, pool $P on vdev $V, config $C with datasets "$@" (after the two).
setup() {
	R=$WORK/$1
	P=$(pool_name "$2")
	V=$(vdev "$2")
	C=$WORK/$1.json
	mkdir -p "$R"
	shift 2
	write_config "$@"
}
write_config() {
	local ds="" d
	for d in "$@"; do ds+="${ds:+, }{ \"name\": \"$d\", \"pool\": \"$P\" }"; done
	cat >"$C" <<JSON
{ "zfs": { "pools": [ { "name": "$P", "raid_level": "single", "disks": ["$V"], "mountpoint": "$R/$P" } ],
           "datasets": [ $ds ] } }
JSON
}

test_apply_appends_one_record_with_every_action_and_keeps_earlier_lines() {
	setup a1 o1 data
	ph apply -c "$C" --root "$R" --yes
	assert_rc 0
	POOLS_CREATED+=("$P")
	local log=$R$LOGREL first
	assert_eq "$(wc -l <"$log")" 1
	assert_eq "$(stat -c %a "$log")" 640
	assert_eq "$(jq -r '[.command, .result, .user, (.uid|tostring), .node, .config, .config_sha256] | join(" ")' "$log")" \
		"apply ok root 0 $(hostname) $(realpath "$C") $(sha256sum <"$C" | cut -d' ' -f1)"
	jq -e '.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")' "$log" >/dev/null || fail "bad time: $(jq .time "$log")"
	# one entry per action line apply printed, in order, each done
	assert_eq "$(jq -r '.actions[] | "\(.op) \(.summary)"' "$log")" "$(grep -E '^[-+~!] ' <<<"$out")"
	assert_eq "$(jq -r '[.actions[].result] | unique | join(",")' "$log")" "done"
	assert_eq "$(jq -r '.actions[0] | [.subsystem, .kind, .target] | join(" ")' "$log")" "zfs create-pool $P"
	first=$(cat "$log")
	# nothing to do: no record
	ph apply -c "$C" --root "$R" --yes
	assert_rc 0
	assert_contains "$out" "Nothing to do"
	assert_eq "$(wc -l <"$log")" 1
	# a second change: a second line, the first byte for byte as it was
	write_config data more
	ph apply -c "$C" --root "$R" --yes
	assert_rc 0
	assert_eq "$(wc -l <"$log")" 2
	assert_eq "$(head -1 "$log")" "$first"
	assert_eq "$(tail -1 "$log" | jq -r '.actions[] | "\(.summary): \(.result)"')" "create dataset $P/more: done"
	assert_eq "$(tail -1 "$log" | jq -r .config_sha256)" "$(sha256sum <"$C" | cut -d' ' -f1)"
}

test_failed_apply_records_what_was_done_failed_and_not_run() {
	setup a2 o2 a b c
	mkdir -p "$WORK/bin"
	cat >"$WORK/bin/zfs" <<SH
#!/bin/sh
if [ "\$1" = create ]; then for a; do [ "\$a" = "$P/b" ] && { echo "cannot create '$P/b': injected failure" >&2; exit 1; }; done; fi
exec $(command -v zfs) "\$@"
SH
	chmod +x "$WORK/bin/zfs"
	PHOENIX_ZFS=$WORK/bin/zfs ph apply -c "$C" --root "$R" --yes
	POOLS_CREATED+=("$P")
	assert_rc 1
	local log=$R$LOGREL
	assert_eq "$(jq -r .result "$log")" "failed"
	assert_eq "$(jq -r '.actions[] | "\(.summary): \(.result)"' "$log")" "create pool $P (stripe: $V; ashift=12): done
create dataset $P/a: done
create dataset $P/b: failed
create dataset $P/c: not run"
	assert_contains "$(jq -r '.actions[2].error' "$log")" "injected failure"
	assert_eq "$(jq -r '[.actions[] | has("error")] | map(tostring) | join(",")' "$log")" "false,false,true,false"
}

# a trail written by hand: two records and a broken line
write_trail() {
	mkdir -p "$1/var/log/phoenix-storage"
	local now
	now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	cat >"$1$LOGREL" <<JSONL
{"time":"2026-11-30T08:00:00Z","command":"apply","user":"root","uid":0,"sudo_user":"ann","node":"pve1","config":"/etc/p.json","config_sha256":"0123456789abcdef0123","result":"ok","actions":[{"op":"+","subsystem":"zfs","kind":"create-dataset","target":"tank/a","summary":"create dataset tank/a","destructive":false,"result":"done"}]}
{"time":"2026-11-30T09:00:
{"time":"$now","command":"apply","user":"root","uid":0,"sudo_user":null,"node":"pve1","config":"/etc/p.json","config_sha256":"fedcba9876543210fedc","result":"failed","actions":[{"op":"~","subsystem":"zfs","kind":"set-property","target":"tank/a","summary":"tank/a quota 1G -> 2G","destructive":false,"result":"failed","error":"zfs set failed"},{"op":"+","subsystem":"dirs","kind":"create-directory","target":"/tank/a/x","summary":"create directory /tank/a/x","destructive":false,"result":"not run"}]}
JSONL
	NOW=$now
}

test_history_prints_the_records_and_skips_a_broken_line_with_a_warning() {
	local r=$WORK/h1
	write_trail "$r"
	ph history --root "$r"
	assert_rc 0
	assert_eq "$out" "2026-11-30T08:00:00Z apply ok by root on pve1: 1 action (config /etc/p.json, sha256 0123456789ab)
  + create dataset tank/a: done
$NOW apply failed by root on pve1: 2 actions (config /etc/p.json, sha256 fedcba987654)
  ~ tank/a quota 1G -> 2G: failed: zfs set failed
  + create directory /tank/a/x: not run"
	assert_eq "$err" "$r$LOGREL:2:1: warning: not an audit record (skipped)"
	ph history --root "$r" --json
	assert_rc 0
	assert_eq "$(jq -r '[.[].sudo_user] | map(tostring) | join(",")' <<<"$out")" "ann,null"
}

test_history_since_filters_by_date_time_and_age_and_refuses_anything_else() {
	local r=$WORK/h2
	write_trail "$r"
	ph history --root "$r" --since 2026-11-30T08:30 --json
	assert_eq "$(jq length <<<"$out")" 1
	ph history --root "$r" --since 2026-11-30 --json
	assert_eq "$(jq length <<<"$out")" 2
	ph history --root "$r" --since 1h --json
	assert_eq "$(jq -r '.[].time' <<<"$out")" "$NOW"
	ph history --root "$r" --since 2099-01-01
	assert_rc 0
	assert_eq "$out" "No changes recorded since then."
	ph history --root "$r" --since yesterday
	assert_rc 1
	assert_eq "$err" "error: --since 'yesterday' is not a date, a time or an age
  hint: give 2026-12-01, 2026-12-01T08:00 (UTC), or an age such as 30m, 12h, 7d"
	ph history --root "$WORK/empty-root"
	assert_rc 0
	assert_eq "$out" "No changes recorded."
	ph history --root "$r" --yes
	assert_rc 1
	assert_contains "$err" "error: option '--yes' does not apply to history"
}

# a config with one error (and its hint) and one warning (and its hint)
bad_config() {
	cat >"$1" <<'JSON'
{ "zfs": { "settings": { "allow_destructive_operations": true },
  "pools": [ { "name": "p", "raid_level": "mirror", "disks": ["/dev/x"] } ] } }
JSON
}

test_journal_stream_gives_each_stderr_line_its_priority() {
	bad_config "$WORK/j.json"
	local e=$WORK/j.err plain
	ph validate -c "$WORK/j.json"
	plain=$err
	: >"$e"
	JOURNAL_STREAM=$(stat -c %d:%i "$e") "$PH" validate -c "$WORK/j.json" 2>"$e" >"$WORK/j.out" && rc=0 || rc=$?
	assert_rc 1
	assert_eq "$(cat "$e")" "<3>$WORK/j.json:2:62: error: zfs.pools[0].disks: raid_level 'mirror' needs at least 2 disks, 1 given
<3>  hint: add disks or choose another raid_level
<4>$WORK/j.json:1:58: warning: zfs.settings.allow_destructive_operations: this setting is ignored: wiping a disk always needs --allow-wipe DISK on the command line
<4>  hint: pass --allow-wipe DISK to apply for each disk that may be wiped"
	# the same text without the prefixes; stdout is untouched
	assert_eq "$(sed 's/^<[0-9]>//' "$e")" "$plain"
	assert_eq "$(cat "$WORK/j.out")" "$WORK/j.json: invalid: 1 error, 1 warning"
	# a JOURNAL_STREAM that is not stderr (a pipe, another file) changes nothing
	JOURNAL_STREAM=$(stat -c %d:%i "$WORK/j.json") "$PH" validate -c "$WORK/j.json" 2>"$e" >/dev/null || true
	assert_eq "$(cat "$e")" "$plain"
}

test_journal_notes_are_info_and_a_hint_keeps_its_diagnostic_level() {
	# an apply error: the error, the note of what was done, the final line
	setup j2 o3 a b
	mkdir -p "$WORK/bin2"
	printf '#!/bin/sh\n[ "$1" = create ] && for a; do [ "$a" = "%s/b" ] && { echo "no b" >&2; exit 1; }; done\nexec %s "$@"\n' \
		"$P" "$(command -v zfs)" >"$WORK/bin2/zfs"
	chmod +x "$WORK/bin2/zfs"
	local e=$WORK/j2.err
	: >"$e"
	PHOENIX_ZFS=$WORK/bin2/zfs JOURNAL_STREAM=$(stat -c %d:%i "$e") "$PH" apply -c "$C" --root "$R" --yes 2>"$e" >/dev/null || true
	POOLS_CREATED+=("$P")
	assert_eq "$(cut -c1-3 "$e" | tr '\n' ' ')" "<3> <6> <6> "
	assert_contains "$(sed -n 1p "$e")" "<3>error: create dataset $P/b failed"
	assert_contains "$(sed -n 2p "$e")" "<6>note: already done: 2 of 3 actions: "
	assert_contains "$(sed -n 3p "$e")" "<6>  hint: fix the cause and run apply again"
}

test_quiet_prints_only_warnings_and_errors() {
	bad_config "$WORK/q.json"
	ph validate -c "$WORK/q.json" --quiet
	assert_rc 1
	assert_eq "$out" ""
	assert_contains "$err" "error: zfs.pools[0].disks"
	assert_contains "$err" "warning: zfs.settings.allow_destructive_operations"
	# apply --quiet: nothing on stdout, the change made and recorded
	setup q2 o4 data
	ph apply -c "$C" --root "$R" --yes --quiet
	POOLS_CREATED+=("$P")
	assert_rc 0
	assert_eq "$out" ""
	assert_eq "$err" ""
	assert_eq "$(zget type "$P/data")" "filesystem"
	assert_eq "$(wc -l <"$R$LOGREL")" 1
	ph apply -c "$C" --root "$R" --yes -q
	assert_eq "$out$err" ""
}

run_tests
