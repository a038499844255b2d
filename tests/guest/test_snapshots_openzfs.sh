#!/usr/bin/env bash
# Guest suite: the snapshot jobs where kernel OpenZFS differs from zfs-fuse (the
# host tier's test_snapshots.sh covers the rules): many names in one `zfs
# snapshot` (one name of a dataset a call), comma batches of `zfs destroy` (at
# most snapshot_destroy_batch names) and their retry without a held or cloned
# name, then one by one; discovery with `zfs get -t` and `clones`; `userrefs`
# and clones kept; `zfs destroy -nvp` for --explain. Each test asserts the ZFS
# programs the tool ran (a PHOENIX_ZFS wrapper logs them to $WORK/calls) and
# the snapshots left. File vdevs (no guest disk needed); runs only in the guest
# tier (tests/guest/run 2.3 tests/guest/test_snapshots_openzfs.sh runs it alone).
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/guest-lib.sh"

D=phoenix_2026-02   # the daily names below: $D-DDT000000Z_daily

# cfg FILE POOL KEEP_JSON [SNAPSHOTS_JSON] [EXTRA_ZFS_MEMBERS]: one pool, dataset
# "data" with policy "p".
cfg() {
	local snaps=${4:-'{ "policy": "p" }'}
	cat >"$1" <<JSON
{ "zfs": {
    "pools": [ { "name": "$2", "raid_level": "single", "disks": ["$WORK/vdev-$2"], "mountpoint": "$WORK/mnt-$2" } ],
    "snapshot_policies": { "p": { "keep": $3, "timezone": "UTC" } }${5:-},
    "datasets": [ { "name": "data", "pool": "$2", "snapshots": $snaps } ] } }
JSON
}

# newpool SUFFIX: a pool with dataset data; prints its name.
newpool() {
	local p; p=$(pool_name "$1")
	mkpool "$p" "$(vdev "$p" 128M)" 2>/dev/null || return 1
	zfs create "$p/data"
	echo "$p"
}

# daily POOL DAY...: our daily snapshots of POOL/data at 00:00 of 2026-02-DAY,
# and the marker of keep daily 1 (so the policy-change guard holds nothing back).
daily() {
	local p=$1 d; shift
	for d; do zfs snapshot "$p/data@$D-${d}T000000Z_daily"; done
	zfs set "phoenix:snapshot-policy=v1 frequent_minutes=15 keep=0,0,1,0,0,0 timezone=UTC" "$p/data"
}

# wrap_zfs: PHOENIX_ZFS logs each call to $WORK/calls; before the Nth destroy it
# runs $WORK/on-destroy-N when that exists (a hold or a clone made by "someone
# else" between the tool's read and its destroy).
wrap_zfs() {
	cat >"$WORK/zfs-wrap" <<EOF2
#!/bin/sh
echo "zfs \$*" >>"$WORK/calls"
if [ "\$1" = destroy ]; then
	n=\$((\$(cat "$WORK/n-destroy" 2>/dev/null || echo 0) + 1))
	echo \$n >"$WORK/n-destroy"
	[ -f "$WORK/on-destroy-\$n" ] && sh "$WORK/on-destroy-\$n"
fi
exec zfs "\$@"
EOF2
	chmod +x "$WORK/zfs-wrap"
	: >"$WORK/calls"
	rm -f "$WORK/n-destroy" "$WORK"/on-destroy-*
	export PHOENIX_ZFS="$WORK/zfs-wrap"
}

# calls VERB: the logged calls of `zfs VERB`, one a line.
calls() { grep "^zfs $1 " "$WORK/calls" || true; }

# left DATASET: the short names of its snapshots, sorted, on one line.
left() { zfs list -H -t snapshot -o name -d 1 "$1" | sed 's/.*@//' | sort | tr '\n' ' '; }

# show: what the tool printed, kept in the suite log (the exact OpenZFS messages).
show() { { echo "  stdout: $out"; echo "  stderr: $err"; sed 's/^/  call: /' "$WORK/calls"; } >&2; }

test_recursive_policy_with_an_excluded_child_takes_one_name_of_a_dataset_a_call() {
	local p; p=$(newpool x)
	zfs create "$p/data/a"; zfs create "$p/data/b"; zfs create "$p/data/tmp"; zfs create "$p/data/tmp/y"
	cfg "$WORK/c.json" "$p" '{ "hourly": 2, "daily": 2 }' '{ "policy": "p", "recursive": true, "exclude": ["data/tmp"] }'
	wrap_zfs
	ph run --snapshot -c "$WORK/c.json" --now 2026-01-05T10:20:00Z
	show
	assert_rc 0
	local h=phoenix_2026-01-05T102000Z_hourly d=phoenix_2026-01-05T102000Z_daily
	# discovery: one zfs get with -t and clones (both exist on OpenZFS)
	assert_eq "$(calls get)" "zfs get -H -p -r -t filesystem,volume,snapshot guid,createtxg,creation,userrefs,clones,phoenix:snapshot-policy $p/data"
	# hourly and daily are due on each dataset: two calls, each one name of every dataset
	assert_eq "$(calls snapshot)" "zfs snapshot $p/data@$h $p/data/a@$h $p/data/b@$h
zfs snapshot $p/data@$d $p/data/a@$d $p/data/b@$d"
	assert_contains "$out" "+ snapshot $p/data/b@$d"
	assert_contains "$out" "Took 6, destroyed 0, kept 0."
	local ds
	for ds in data data/a data/b; do assert_eq "$(left "$p/$ds")" "$d $h " "($ds)"; done
	assert_eq "$(zfs list -H -t snapshot -o name -r "$p/data/tmp" | wc -l)" 0
}

test_comma_batches_hold_at_most_snapshot_destroy_batch_names() {
	local p; p=$(newpool b)
	daily "$p" 01 02 03 04 05 06 07
	zfs snapshot "$p/data@manual-keep"
	cfg "$WORK/c.json" "$p" '{ "daily": 1 }' "" ', "snapshot_destroy_batch": 3'
	wrap_zfs
	ph run --prune -c "$WORK/c.json" --now 2026-02-07T12:00:00Z
	show
	assert_rc 0
	assert_eq "$(calls destroy)" "zfs destroy $p/data@$D-01T000000Z_daily,$D-02T000000Z_daily,$D-03T000000Z_daily
zfs destroy $p/data@$D-04T000000Z_daily,$D-05T000000Z_daily,$D-06T000000Z_daily"
	assert_contains "$out" "- destroy $p/data@$D-06T000000Z_daily"
	assert_contains "$out" "Took 0, destroyed 6, kept 0."
	assert_eq "$(left "$p/data")" "manual-keep $D-07T000000Z_daily "
}

# A hold placed between the read and the destroy: OpenZFS refuses the whole
# comma batch and names the held snapshot; the rest is destroyed in one call.
test_a_name_held_after_the_read_is_kept_and_the_rest_destroyed_in_one_batch() {
	local p; p=$(newpool h)
	daily "$p" 01 02 03 04
	cfg "$WORK/c.json" "$p" '{ "daily": 1 }'
	wrap_zfs
	echo "zfs hold racer '$p/data@$D-02T000000Z_daily'" >"$WORK/on-destroy-1"
	ph run --prune -c "$WORK/c.json" --now 2026-02-04T12:00:00Z
	show
	assert_rc 0
	assert_eq "$(calls destroy)" "zfs destroy $p/data@$D-01T000000Z_daily,$D-02T000000Z_daily,$D-03T000000Z_daily
zfs destroy $p/data@$D-01T000000Z_daily,$D-03T000000Z_daily"
	assert_contains "$out" "= kept $p/data@$D-02T000000Z_daily ("
	assert_contains "$err" "warning: kept '$p/data@$D-02T000000Z_daily': "
	assert_contains "$out" "Took 0, destroyed 2, kept 1."
	assert_eq "$(left "$p/data")" "$D-02T000000Z_daily $D-04T000000Z_daily "
	zfs release racer "$p/data@$D-02T000000Z_daily"
}

# A clone made before the first destroy (zfs refuses the batch before trying it:
# "has dependent clones"), a hold before the second (the kernel refuses that
# batch): both kept, the rest destroyed one by one.
test_a_clone_then_a_hold_leave_the_rest_to_one_name_destroys() {
	local p; p=$(newpool c)
	daily "$p" 01 02 03 04 05
	cfg "$WORK/c.json" "$p" '{ "daily": 1 }'
	wrap_zfs
	echo "zfs clone '$p/data@$D-02T000000Z_daily' '$p/clone2'" >"$WORK/on-destroy-1"
	echo "zfs hold racer '$p/data@$D-03T000000Z_daily'" >"$WORK/on-destroy-2"
	ph run --prune -c "$WORK/c.json" --now 2026-02-05T12:00:00Z
	show
	assert_rc 0
	assert_eq "$(calls destroy)" "zfs destroy $p/data@$D-01T000000Z_daily,$D-02T000000Z_daily,$D-03T000000Z_daily,$D-04T000000Z_daily
zfs destroy $p/data@$D-01T000000Z_daily,$D-03T000000Z_daily,$D-04T000000Z_daily
zfs destroy $p/data@$D-01T000000Z_daily
zfs destroy $p/data@$D-04T000000Z_daily"
	assert_contains "$out" "= kept $p/data@$D-02T000000Z_daily (has clones: "
	assert_contains "$out" "= kept $p/data@$D-03T000000Z_daily ("
	assert_contains "$out" "Took 0, destroyed 2, kept 2."
	assert_eq "$(left "$p/data")" "$D-02T000000Z_daily $D-03T000000Z_daily $D-05T000000Z_daily "
	zfs release racer "$p/data@$D-03T000000Z_daily"
}

# Held (userrefs) and cloned (clones) snapshots found by the read are kept
# without a destroy being tried; --explain asks `zfs destroy -n -v -p` what the
# rest frees.
test_userrefs_and_clones_read_keep_them_and_explain_tells_the_bytes() {
	local p; p=$(newpool u)
	daily "$p" 01 02 03 04 05
	zfs hold keepme "$p/data@$D-02T000000Z_daily"
	zfs clone "$p/data@$D-03T000000Z_daily" "$p/clone3"
	cfg "$WORK/c.json" "$p" '{ "daily": 1 }'
	wrap_zfs
	ph snapshots --explain -c "$WORK/c.json" --now 2026-02-05T12:00:00Z "$p/data"
	show
	assert_rc 0
	assert_contains "$(grep -F "$D-02T000000Z_daily" <<<"$out")" "keep: held"
	assert_contains "$(grep -F "$D-03T000000Z_daily" <<<"$out")" "keep: has clones"
	assert_contains "$(grep -F "$D-04T000000Z_daily" <<<"$out")" "destroy: "
	grep -qE '^  destroy would free: [0-9]+ bytes$' <<<"$out" || fail "no byte count from zfs destroy -nvp in: $out"
	assert_eq "$(calls destroy)" "zfs destroy -n -v -p $p/data@$D-01T000000Z_daily,$D-04T000000Z_daily"
	: >"$WORK/calls"
	ph run --prune -c "$WORK/c.json" --now 2026-02-05T12:00:00Z
	show
	assert_rc 0
	assert_eq "$(calls destroy)" "zfs destroy $p/data@$D-01T000000Z_daily,$D-04T000000Z_daily"
	assert_contains "$out" "Took 0, destroyed 2, kept 0."
	assert_eq "$(left "$p/data")" "$D-02T000000Z_daily $D-03T000000Z_daily $D-05T000000Z_daily "
	zfs release keepme "$p/data@$D-02T000000Z_daily"
}

run_tests
