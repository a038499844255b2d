#!/usr/bin/env bash
# Guest suite across two boots: the first boot (TEST_FILTER=test_boot1_) makes a
# mirror on disks 6 and 7 and leaves it imported, as a running host would; the
# second boot (TEST_FILTER=test_boot2_) starts without disk 7, as after a disk
# failure, and checks what the tool reports and does. Runs only in the guest
# tier (tests/guest/run boots the guest twice).
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/guest-lib.sh"

POOL=degr
mirror_config() {
	cat >"$1" <<JSON
{ "zfs": { "pools": [ { "name": "$POOL", "raid_level": "mirror", "disks": ["$(disk 6)", "$(disk 7)"], "mountpoint": "/mnt/$POOL" } ],
  "datasets": [ { "name": "data", "pool": "$POOL", "properties": "compression=lz4,quota=200M" } ] } }
JSON
}

test_boot1_mirror_is_created_and_left_imported() {
	drop_pools "$POOL"
	blank_disks 6 7
	mirror_config "$WORK/c.json"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(zpool list -H -o health "$POOL")" ONLINE
	echo "written before the disk failed" >"/mnt/$POOL/data/file"
	zpool sync "$POOL"
}

test_boot2_degraded_mirror_is_reported_imported_and_usable() {
	trap 'drop_pools "$POOL"' EXIT
	[ ! -e "$(disk 7)" ] || fail "disk 7 is present: this is not the degraded boot"
	[ -e "$(disk 6)" ] || fail "disk 6 is missing"
	mirror_config "$WORK/c.json"
	# Nothing imports pools at this guest's boot: the tool finds it on its disks.
	ph status -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_contains "$out" "DEGRADED"
	assert_contains "$out" "(not imported)"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "+ import pool $POOL (found on its disks, not imported; state DEGRADED)"
	assert_not_contains "$out" "create pool"
	assert_not_contains "$out" "wipe"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(zpool list -H -o health "$POOL")" DEGRADED
	assert_eq "$(cat "/mnt/$POOL/data/file")" "written before the disk failed"
	# status names the pool's health and the missing disk
	ph status -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_contains "$out" "$POOL"
	assert_contains "$(grep "^  $POOL " <<<"$out")" "DEGRADED"
	assert_contains "$out" "UNAVAIL"
	ph status -c "$WORK/c.json" --root "$WORK/root" --json
	assert_rc 0
	assert_eq "$(jq -r ".zfs.pools[] | select(.name==\"$POOL\") | .health" <<<"$out")" DEGRADED
	assert_eq "$(jq -r ".zfs.pools[] | select(.name==\"$POOL\") | [.vdevs[] | select(.state==\"UNAVAIL\")] | length" <<<"$out")" 1
	# the check a monitoring agent runs: critical, naming the pool; the virtio disk's SMART is unknown
	ph status -c "$WORK/c.json" --root "$WORK/root" --check
	assert_rc 2
	assert_contains "$(head -1 <<<"$out")" "CRITICAL: 1 critical"
	assert_contains "$out" "CRITICAL pool $POOL: DEGRADED, mirror-0 has no redundancy left"
	ph status -c "$WORK/c.json" --root "$WORK/root"
	assert_contains "$out" " (pool $POOL): unknown ("
	# a degraded pool is not re-created or wiped: a second plan has no pool action
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_not_contains "$out" "create pool"
	assert_not_contains "$out" "import pool"
}

run_tests
