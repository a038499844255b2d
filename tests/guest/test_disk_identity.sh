#!/usr/bin/env bash
# Guest suite: block devices are compared by what they are. The same virtio
# disk named /dev/vdX in the config while its pool was made on
# /dev/disk/by-id/virtio-phx-disk-N, the disk of a member partition, a mounted
# partition's disk, and an exported pool's disk under another name. Runs only in
# the guest tier (tests/guest/run). Disks: 4 and 5 (blanked before each test).
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/guest-lib.sh"

# kname N: the kernel name of guest disk N (/dev/vdX).
kname() { readlink -f "$(disk "$1")"; }

# one_pool FILE POOL DISK: a config with one single-disk pool.
one_pool() {
	cat >"$1" <<JSON
{ "zfs": { "pools": [ { "name": "$2", "raid_level": "single", "disks": ["$3"], "mountpoint": "$WORK/mnt/$2" } ] } }
JSON
}

# refused_even_with_allow_wipe CONFIG DISK MESSAGE
refused_even_with_allow_wipe() {
	ph plan -c "$1" --root "$WORK/root"
	assert_rc 1
	assert_contains "$err" "$3"
	assert_not_contains "$err" "run apply with --allow-wipe"
	ph apply -c "$1" --root "$WORK/root" --yes --allow-wipe "$2"
	assert_rc 1
	assert_contains "$err" "$3"
	assert_contains "$err" "a disk in use is never wiped, not even with --allow-wipe"
	assert_contains "$err" "nothing was changed"
}

test_disk_of_a_live_pool_by_its_kernel_name_is_never_wiped() {
	local live q k; live=$(pool_name il); q=$(pool_name iq)
	trap "drop_pools '$q' '$live'" EXIT
	blank_disks 4
	mkpool "$live" "$(disk 4)"
	udevadm settle --timeout=30
	k=$(kname 4)
	case "$k" in /dev/vd*) ;; *) fail "disk 4 is '$k', not a virtio kernel name" ;; esac
	one_pool "$WORK/c.json" "$q" "$k"
	refused_even_with_allow_wipe "$WORK/c.json" "$k" \
		"cannot create pool '$q': disk '$k' is a member of pool '$live' (vdev '$(disk 4)-part1')"
	# the partition ZFS made, by its kernel name, is the vdev itself
	one_pool "$WORK/c.json" "$q" "${k}1"
	refused_even_with_allow_wipe "$WORK/c.json" "${k}1" \
		"cannot create pool '$q': disk '${k}1' is a member of pool '$live' (vdev '$(disk 4)-part1')"
	zpool list "$q" >/dev/null 2>&1 && fail "pool $q was created"
	assert_eq "$(blkid -p -o value -s TYPE "$(disk 4)-part1")" zfs_member
	assert_eq "$(zpool list -H -o health "$live")" ONLINE
	zpool scrub "$live" || fail "the live pool does not answer"
}

test_disk_of_a_member_partition_is_never_wiped_but_its_free_partition_is_usable() {
	local live q d; live=$(pool_name pl); q=$(pool_name pq); d=$(disk 5)
	trap "drop_pools '$q' '$live'" EXIT
	blank_disks 5
	printf 'label: gpt\n,300M,L\n,300M,L\n' | sfdisk -q "$d"
	udevadm settle --timeout=30
	[ -e "$d-part2" ] || fail "the test partitions did not appear"
	mkpool "$live" "$d-part1"
	one_pool "$WORK/c.json" "$q" "$d"
	refused_even_with_allow_wipe "$WORK/c.json" "$d" \
		"cannot create pool '$q': disk '$d' is a member of pool '$live' (vdev '$d-part1')"
	assert_eq "$(sfdisk -d "$d" | grep -c "^/dev/")" 2 "(both partitions are still there)"
	assert_eq "$(blkid -p -o value -s TYPE "$d-part1")" zfs_member
	# one device named twice, as a disk and as its partition: a validation error
	cat >"$WORK/c2.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "mirror", "disks": ["$d", "$(kname 5)2"] } ] } }
JSON
	ph validate -c "$WORK/c2.json"
	assert_rc 1
	assert_contains "$err" "error: zfs.pools[0].disks[1]: disk '$(kname 5)2' is a partition of '$d' (zfs.pools[0].disks[0])"
	# another partition of the same disk is a disk of its own
	one_pool "$WORK/c.json" "$q" "$d-part2"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(zpool list -H -o health "$q")" ONLINE
	assert_eq "$(zpool list -H -o health "$live")" ONLINE
}

test_disk_with_a_mounted_partition_is_never_wiped() {
	local q d; q=$(pool_name mq); d=$(disk 4)
	trap "umount '$WORK/m' 2>/dev/null || true; drop_pools '$q'" EXIT
	blank_disks 4
	printf 'label: gpt\n,200M,L\n' | sfdisk -q "$d"
	udevadm settle --timeout=30
	mkfs.ext4 -q -F "$d-part1"
	mkdir -p "$WORK/m"
	mount "$d-part1" "$WORK/m"
	local k; k=$(kname 4)
	one_pool "$WORK/c.json" "$q" "$k"
	refused_even_with_allow_wipe "$WORK/c.json" "$k" \
		"cannot create pool '$q': disk '$k' is mounted at '$WORK/m'"
	assert_eq "$(blkid -p -o value -s PTTYPE "$d")" gpt
	umount "$WORK/m"
	# unmounted, the partition table is a signature like any other
	ph plan -c "$WORK/c.json" --root "$WORK/root" --allow-wipe "$k"
	assert_rc 2
	assert_contains "$out" "! destructive: wipe $k (it is not empty (gpt partition table found)) before creating pool $q"
}

test_disk_of_an_exported_pool_under_another_name_needs_allow_wipe() {
	local old q k; old=$(pool_name eo); q=$(pool_name eq)
	trap "drop_pools '$q' '$old'" EXIT
	blank_disks 4
	zpool create -f -m none "$old" "$(disk 4)" || fail "zpool create failed"
	zpool export "$old"
	k=$(kname 4)
	one_pool "$WORK/c.json" "$q" "$k"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 1
	assert_contains "$err" "cannot create pool '$q': disk '$k' belongs to exported pool '$old'"
	assert_contains "$err" "hint: if its data may be destroyed, run apply with --allow-wipe $k"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes --allow-wipe "$k"
	assert_rc 0
	assert_contains "$out" "! destructive: wipe $k (it belongs to exported pool '$old'"
	assert_eq "$(zpool list -H -o health "$q")" ONLINE
}

run_tests
