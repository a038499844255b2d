#!/usr/bin/env bash
# Integration: snapshot policies against real ZFS (zfs-fuse here): run
# --snapshot/--prune/--dry-run at a fixed --now, the survivors checked against
# a computation made here (not the tool's engine), the snapshots listing,
# status, and the systemd units.
source "$(dirname "$0")/lib.sh"
zfs_fuse_ensure || exit 1

# cfg FILE POOL KEEP_JSON [RECURSIVE]: one pool, dataset "data" with policy "p".
cfg() {
	local f=$1 pool=$2 keep=$3 rec=${4:-false}
	cat >"$f" <<JSON
{
  "zfs": {
    "pools": [ { "name": "$pool", "raid_level": "single", "disks": ["$WORK/vdev-$pool"], "mountpoint": "$WORK/mnt-$pool" } ],
    "snapshot_policies": { "p": { "keep": $keep, "timezone": "UTC" } },
    "datasets": [ { "name": "data", "pool": "$pool", "snapshots": { "policy": "p", "recursive": $rec } } ]
  }
}
JSON
}

# newpool SUFFIX: a pool with dataset data; prints its name.
newpool() {
	local p; p=$(pool_name "$1")
	mkpool "$p" "$(vdev "$p" 128M)" 2>/dev/null
	zfs create "$p/data"
	echo "$p"
}

snaps() { zfs list -H -t snapshot -o name -r "$1" | sed 's/.*@//' | sort; }

# epoch UTC-TEXT -> seconds; name SECONDS CLASS -> our snapshot name.
epoch() { date -u -d "$1" +%s; }
sname() { echo "phoenix_$(date -u -d "@$1" +%Y-%m-%dT%H%M%SZ)_$2"; }

test_run_takes_each_due_class_once_then_nothing() {
	local p; p=$(newpool a); POOLS_CREATED+=("$p")
	cfg "$WORK/c.json" "$p" '{ "hourly": 24, "daily": 3 }'
	ph run -c "$WORK/c.json" --root "$WORK/r" --now 2026-01-05T10:20:00Z
	assert_rc 0
	assert_contains "$out" "+ snapshot $p/data@phoenix_2026-01-05T102000Z_hourly"
	assert_contains "$out" "+ snapshot $p/data@phoenix_2026-01-05T102000Z_daily"
	assert_contains "$out" "~ set phoenix:snapshot-policy on $p/data"
	# the run is in the audit trail: one line, every change it made
	local log=$WORK/r/var/log/phoenix-storage/changes.jsonl
	assert_eq "$(jq -r '[.command, .result, .config_sha256] | join(" ")' "$log")" "run ok $(sha256sum <"$WORK/c.json" | cut -d' ' -f1)"
	assert_eq "$(jq -r '.actions[] | "\(.op) \(.kind) \(.summary): \(.result)"' "$log" | sort)" \
"+ snapshot snapshot $p/data@phoenix_2026-01-05T102000Z_daily: done
+ snapshot snapshot $p/data@phoenix_2026-01-05T102000Z_hourly: done
~ policy-marker set phoenix:snapshot-policy on $p/data: done"
	assert_eq "$(snaps "$p/data" | tr '\n' ' ')" "phoenix_2026-01-05T102000Z_daily phoenix_2026-01-05T102000Z_hourly "
	assert_eq "$(zfs get -H -o value phoenix:snapshot-policy "$p/data")" "v1 frequent_minutes=15 keep=0,24,3,0,0,0 timezone=UTC"
	# the same hour: nothing is due; --dry-run says so with exit 0
	ph run -c "$WORK/c.json" --now 2026-01-05T10:59:59Z --dry-run
	assert_rc 0
	assert_eq "$out" "Nothing to do: no snapshot is due and none is to be destroyed."
	ph run -c "$WORK/c.json" --now 2026-01-05T11:00:00Z --dry-run --json
	assert_rc 2
	assert_contains "$out" "\"$p/data@phoenix_2026-01-05T110000Z_hourly\""
	assert_eq "$(snaps "$p/data" | wc -l)" 2
	# a --now that is no time at all (one parser for run, snapshots and status)
	ph run -c "$WORK/c.json" --now 2026-01-05
	assert_rc 1
	assert_eq "$err" "error: --now '2026-01-05' is not a time
  hint: give YYYY-MM-DDTHH:MM:SSZ (UTC), @EPOCH, YYYY-MM-DDTHH:MM[:SS] (local time) or +N with s, m, h or d"
}

test_recursive_policy_takes_children_and_excludes() {
	local p; p=$(newpool r); POOLS_CREATED+=("$p")
	zfs create "$p/data/a"; zfs create "$p/data/tmp"
	cfg "$WORK/c.json" "$p" '{ "daily": 2 }' true
	ph run --snapshot -c "$WORK/c.json" --now 2026-01-05T00:00:00Z
	assert_rc 0
	assert_eq "$(zfs list -H -t snapshot -o name -r "$p" | sort | tr '\n' ' ')" \
		"$p/data/a@phoenix_2026-01-05T000000Z_daily $p/data/tmp@phoenix_2026-01-05T000000Z_daily $p/data@phoenix_2026-01-05T000000Z_daily "
	sed -i 's/"recursive": true/"recursive": true, "exclude": ["data\/tmp"]/' "$WORK/c.json"
	ph run --snapshot -c "$WORK/c.json" --now 2026-01-06T00:00:00Z -v
	assert_rc 0
	assert_eq "$(zfs list -H -t snapshot -o name -r "$p/data/tmp" | wc -l)" 1
	assert_eq "$(zfs list -H -t snapshot -o name -r "$p/data/a" | wc -l)" 2
}

test_run_only_scopes_the_jobs_to_subsystems_and_names_a_bad_one() {
	local p; p=$(newpool o); POOLS_CREATED+=("$p")
	cfg "$WORK/c.json" "$p" '{ "daily": 2 }'
	ph run -c "$WORK/c.json" --now 2026-01-05T00:00:00Z --only zfs,nfss
	assert_rc 1
	assert_eq "$err" "error: --only: run has no job for subsystem 'zfs' (run does the jobs of: snapshots,health)
  hint: name subsystems from this list, separated by commas: snapshots,health (e.g. --only snapshots); plan, apply and status take --only zfs
error: --only: unknown subsystem 'nfss'
  hint: name subsystems from this list, separated by commas: snapshots,health (e.g. --only snapshots)"
	assert_eq "$out" ""
	assert_eq "$(snaps "$p/data" | wc -l)" 0
	# the health jobs alone (scrub, TRIM: none scheduled here) take no snapshot
	ph run -c "$WORK/c.json" --now 2026-01-05T00:00:00Z --only health
	assert_rc 0
	assert_eq "$(snaps "$p/data" | wc -l)" 0
	ph run -c "$WORK/c.json" --now 2026-01-05T00:00:00Z --only snapshots --json
	assert_rc 0
	assert_eq "$(jq -r '.taken | join(" ")' <<<"$out")" "$p/data@phoenix_2026-01-05T000000Z_daily"
	assert_eq "$(snaps "$p/data")" "phoenix_2026-01-05T000000Z_daily"
}

# keep_expected NOW KEEP PERIOD CLASS < times: the independent rule: newest KEEP,
# and every one at most KEEP x PERIOD seconds old.
keep_expected() {
	sort -rn | awk -v now="$1" -v keep="$2" -v per="$3" -v cls="$4" \
		'{ if (NR <= keep || now - $1 <= keep * per) print $1 }' |
		while read -r t; do sname "$t" "$4"; done
}

test_history_pruned_to_an_independent_computation() {
	local p; p=$(newpool h); POOLS_CREATED+=("$p")
	local now; now=$(epoch 2026-07-15T12:30:00Z)
	local h d m
	: >"$WORK/hourly"; : >"$WORK/daily"; : >"$WORK/monthly"
	for ((h = 0; h < 72; h++)); do echo $((now - 1800 - h * 3600)) >>"$WORK/hourly"; done
	for ((d = 0; d < 40; d++)); do echo $((now - 45000 - d * 86400)) >>"$WORK/daily"; done
	for m in 01 02 03 04 05 06; do epoch "2026-$m-01T00:00:00Z" >>"$WORK/monthly"; done
	for c in hourly daily monthly; do
		while read -r t; do zfs snapshot "$p/data@$(sname "$t" $c)"; done <"$WORK/$c"
	done
	zfs snapshot "$p/data@manual-before-upgrade"
	zfs snapshot "$p/data@autosnap_2026-01-01_00:00:00_daily"
	local held; held=$(sname "$(tail -1 "$WORK/hourly")" hourly)
	zfs hold keepme "$p/data@$held"
	cfg "$WORK/c.json" "$p" '{ "hourly": 24, "daily": 30, "monthly": 3 }'
	local before; before=$(snaps "$p/data")
	# dry run: lists, changes nothing, exit 2
	ph run --prune --dry-run -c "$WORK/c.json" --now 2026-07-15T12:30:00Z --allow-destroy
	assert_rc 2
	assert_eq "$(snaps "$p/data")" "$before"
	# without --allow-destroy (no policy recorded yet): held back, nothing destroyed, exit 1
	ph run --prune -c "$WORK/c.json" --now 2026-07-15T12:30:00Z
	assert_rc 1
	assert_contains "$out" "! destructive: destroy $p/data@"
	assert_contains "$err" "held back: the policy recorded on the dataset (phoenix:snapshot-policy)"
	assert_eq "$(snaps "$p/data")" "$before"
	ph run --prune -c "$WORK/c.json" --now 2026-07-15T12:30:00Z --allow-destroy
	assert_rc 0
	{
		keep_expected "$now" 24 3600 hourly <"$WORK/hourly"
		keep_expected "$now" 30 86400 daily <"$WORK/daily"
		keep_expected "$now" 3 $((31 * 86400)) monthly <"$WORK/monthly"
		echo "$held"
		echo manual-before-upgrade
		echo autosnap_2026-01-01_00:00:00_daily
	} | sort -u >"$WORK/expected"
	snaps "$p/data" >"$WORK/got"
	diff "$WORK/expected" "$WORK/got" >&2 || fail "survivors differ from the independent computation"
	assert_eq "$(wc -l <"$WORK/got")" $((24 + 30 + 3 + 1 + 2))
	assert_eq "$(zfs get -H -o value phoenix:snapshot-policy "$p/data")" "v1 frequent_minutes=15 keep=0,24,30,0,3,0 timezone=UTC"
	# the listing: the held one is kept as held, the foreign ones are left alone
	ph snapshots -c "$WORK/c.json" --now 2026-07-15T12:30:00Z "$p/data"
	assert_rc 0
	assert_contains "$out" "$held"
	assert_contains "$(grep -F "$held" <<<"$out")" "keep: held"
	assert_contains "$(grep -F manual-before-upgrade <<<"$out")" "foreign: left alone"
	zfs release keepme "$p/data@$held"
}

test_48_hourly_runs_from_an_empty_dataset() {
	local p; p=$(newpool s); POOLS_CREATED+=("$p")
	cfg "$WORK/c.json" "$p" '{ "hourly": 24, "daily": 3 }'
	local t0 i t; t0=$(epoch 2026-03-01T00:05:00Z)
	for ((i = 0; i < 48; i++)); do
		t=$((t0 + i * 3600))
		ph run -c "$WORK/c.json" --now "$(date -u -d "@$t" +%Y-%m-%dT%H:%M:%SZ)"
		assert_rc 0 "at run $i"
	done
	local last=$((t0 + 47 * 3600))
	{
		for ((i = 0; i < 48; i++)); do echo $((t0 + i * 3600)); done | keep_expected "$last" 24 3600 hourly
		sname "$t0" daily
		sname $((t0 + 24 * 3600)) daily
	} | sort >"$WORK/expected"
	snaps "$p/data" >"$WORK/got"
	diff "$WORK/expected" "$WORK/got" >&2 || fail "after 48 runs the snapshots differ from the rule"
	assert_eq "$(grep -c _hourly "$WORK/got")" 25
}

test_status_and_snapshots_json() {
	local p; p=$(newpool j); POOLS_CREATED+=("$p")
	cfg "$WORK/c.json" "$p" '{ "hourly": 2 }'
	ph run -c "$WORK/c.json"
	assert_rc 0
	ph status -c "$WORK/c.json" --json
	assert_rc 0
	assert_eq "$(jq -r '.snapshots[0].dataset + " " + .snapshots[0].policy' <<<"$out")" "$p/data p"
	assert_contains "$(jq -r '.snapshots[0].newest.hourly.name' <<<"$out")" "phoenix_"
	ph status -c "$WORK/c.json"
	assert_contains "$out" "Snapshots:"
	ph snapshots -c "$WORK/c.json" --json
	assert_rc 0
	assert_eq "$(jq -r '.datasets[0].snapshots[0].decision' <<<"$out")" keep
	ph snapshots -c "$WORK/c.json" --explain
	assert_contains "$out" "destroy would free: "
	# plan lists the due work as information; its exit status is the same without the policy
	sed 's/"hourly": 2 }/"hourly": 2, "yearly": 1 }/' "$WORK/c.json" >"$WORK/c2.json"
	printf '#!/bin/sh\necho "zfs $*" >>"%s/calls"\nexec zfs "$@"\n' "$WORK" >"$WORK/zfs-log"
	chmod +x "$WORK/zfs-log"
	: >"$WORK/calls"
	PHOENIX_ZFS="$WORK/zfs-log" ph plan -c "$WORK/c2.json"
	local with=$rc
	# the snapshots cost plan one program: their read (the zfs door's usage text serves both)
	assert_eq "$(grep -c '^zfs get$' "$WORK/calls")" 1
	assert_eq "$(grep -c "^zfs get -H -p -r .*guid,createtxg,creation,userrefs" "$WORK/calls")" 1
	assert_contains "$out" "= snapshots: take $p/data@phoenix_"
	assert_contains "$out" "_yearly (information: 'phoenix-storage run' does it)"
	assert_contains "$out" "(information: 'phoenix-storage run' does it)"
	sed 's/"snapshots": { "policy": "p", "recursive": false }/"properties": {}/' "$WORK/c.json" >"$WORK/nopol.json"
	ph plan -c "$WORK/nopol.json"
	assert_eq "$with" "$rc" "(plan's exit status with and without the policy)"
	assert_not_contains "$out" "= snapshots:"
}

test_validate_names_a_bad_snapshot_policy() {
	local p; p=$(pool_name v)
	cfg "$WORK/c.json" "$p" '{ "hourly": -1 }'
	ph validate -c "$WORK/c.json"
	assert_rc 1
	assert_contains "$err" "c.json:4:55: error: zfs.snapshot_policies.p.keep.hourly: must be a whole number from 0 to 100000"
	assert_contains "$err" "zfs.snapshot_policies.p.keep.hourly"
}

test_systemd_units_verify() {
	command -v systemd-analyze >/dev/null || fail "systemd-analyze not found (apt-get install systemd)"
	# PREFIX inside the work dir: the units' ExecStart names a binary that exists
	local d="$WORK/inst" u units=""
	make -s -C "$TOP" install PREFIX="$d" >/dev/null
	for u in phoenix-storage-snapshot.service phoenix-storage-snapshot.timer \
		phoenix-storage-prune.service phoenix-storage-prune.timer \
		phoenix-storage-scrub.service phoenix-storage-scrub.timer; do
		[ -f "$d/lib/systemd/system/$u" ] || fail "make install did not install $u"
		units="$units $d/lib/systemd/system/$u"
	done
	grep -qx "ExecStart=$d/sbin/phoenix-storage run --snapshot --quiet" "$d/lib/systemd/system/phoenix-storage-snapshot.service" ||
		fail "ExecStart does not name the installed binary"
	grep -qx 'Persistent=true' "$d/lib/systemd/system/phoenix-storage-snapshot.timer" || fail "timer not Persistent"
	grep -qx "ExecStart=$d/sbin/phoenix-storage run --scrub --quiet" "$d/lib/systemd/system/phoenix-storage-scrub.service" ||
		fail "the scrub unit's ExecStart does not name the installed binary"
	grep -qx 'Persistent=true' "$d/lib/systemd/system/phoenix-storage-scrub.timer" || fail "scrub timer not Persistent"
	grep -qx 'OnCalendar=daily' "$d/lib/systemd/system/phoenix-storage-scrub.timer" || fail "scrub timer not daily"
	grep -q '^RandomizedDelaySec=' "$d/lib/systemd/system/phoenix-storage-scrub.timer" || fail "scrub timer not randomized"
	local o2
	# shellcheck disable=SC2086
	o2=$(systemd-analyze verify $units 2>&1) || { echo "$o2" >&2; fail "systemd-analyze verify failed"; }
	assert_eq "$(grep -v 'Failed to .* bus\|^$' <<<"$o2")" ""
	make -s -C "$TOP" uninstall PREFIX="$d" >/dev/null
	assert_eq "$(find "$d" -type f | wc -l)" 0
}

# A hold placed between the read and the destroy (another tool, a replication):
# ZFS refuses that name; the retry rule keeps it with a warning and destroys the
# rest (on OpenZFS the comma batch fails whole and is tried again without it).
test_a_name_held_after_the_read_is_kept_and_the_rest_destroyed() {
	local p; p=$(newpool k); POOLS_CREATED+=("$p")
	cfg "$WORK/c.json" "$p" '{ "daily": 1 }'
	local d
	for d in 01 02 03 04; do zfs snapshot "$p/data@phoenix_2026-02-${d}T000000Z_daily"; done
	zfs set "phoenix:snapshot-policy=v1 frequent_minutes=15 keep=0,0,1,0,0,0 timezone=UTC" "$p/data"
	cat >"$WORK/zfs-racer" <<EOF2
#!/bin/sh
if [ "\$1" = destroy ] && [ ! -e "$WORK/held" ]; then
	touch "$WORK/held"
	zfs hold racer "$p/data@phoenix_2026-02-02T000000Z_daily"
fi
exec zfs "\$@"
EOF2
	chmod +x "$WORK/zfs-racer"
	PHOENIX_ZFS="$WORK/zfs-racer" ph run --prune -c "$WORK/c.json" --now 2026-02-04T12:00:00Z
	assert_rc 0
	assert_contains "$out" "= kept $p/data@phoenix_2026-02-02T000000Z_daily ("
	assert_contains "$err" "warning: kept '$p/data@phoenix_2026-02-02T000000Z_daily': "
	assert_contains "$out" "- destroy $p/data@phoenix_2026-02-01T000000Z_daily"
	assert_contains "$out" "- destroy $p/data@phoenix_2026-02-03T000000Z_daily"
	assert_eq "$(snaps "$p/data" | tr '\n' ' ')" "phoenix_2026-02-02T000000Z_daily phoenix_2026-02-04T000000Z_daily "
	zfs release racer "$p/data@phoenix_2026-02-02T000000Z_daily"
}

run_tests
