#!/usr/bin/env bash
# Integration: disks are compared by what they are, not by name (a symlink or
# hard link of a live pool's file vdev, a swap file, a file behind a loop
# device: refused even with --allow-wipe; one file named twice: a validation
# error), and values someone set by hand with a newline or TAB never break
# reading the state. Real ZFS (zfs-fuse here; OpenZFS 2.1/2.3 in the guest tier).
source "$(dirname "$0")/lib.sh"
zfs_fuse_ensure || exit 1

# one_pool FILE POOL DISK: a config with one single-disk pool.
one_pool() {
	cat >"$1" <<JSON
{ "zfs": { "pools": [ { "name": "$2", "raid_level": "single", "disks": ["$3"], "mountpoint": "$WORK/mnt/$2" } ] } }
JSON
}

# refused_in_use CONFIG DISK MESSAGE: plan and apply refuse DISK, with and without
# --allow-wipe, with MESSAGE; the hint never offers --allow-wipe; nothing runs.
refused_in_use() {
	local c=$1 d=$2 msg=$3
	ph plan -c "$c" --root "$WORK/root"
	assert_rc 1
	assert_contains "$err" "$msg"
	assert_contains "$err" "a disk in use is never wiped, not even with --allow-wipe"
	assert_not_contains "$err" "run apply with --allow-wipe"
	ph plan -c "$c" --root "$WORK/root" --allow-wipe "$d"
	assert_rc 1
	assert_contains "$err" "$msg"
	assert_not_contains "$out" "wipe"
	ph apply -c "$c" --root "$WORK/root" --yes --allow-wipe "$d"
	assert_rc 1
	assert_contains "$err" "$msg"
	assert_contains "$err" "nothing was changed"
}

# live_pool_survives POOL FILE: the pool still answers and its label is still on FILE.
live_pool_survives() {
	assert_eq "$(blkid -p -o value -s TYPE "$2")" zfs_member "(label of $2)"
	assert_eq "$(zpool list -H -o health "$1")" ONLINE
	zpool status "$1" >/dev/null || fail "zpool status $1 failed"
	zfs list -H -o name "$1" >/dev/null || fail "zfs list $1 failed"
}

test_symlink_of_a_live_pool_vdev_is_never_wiped() {
	local live q f; live=$(pool_name l1); q=$(pool_name n1)
	f=$(vdev "$live-f")
	mkpool "$live" "$f"
	ln -s "$f" "$WORK/flink"
	one_pool "$WORK/c.json" "$q" "$WORK/flink"
	refused_in_use "$WORK/c.json" "$WORK/flink" \
		"error: zfs.pools[0].disks[0]: cannot create pool '$q': disk '$WORK/flink' is a member of pool '$live' (vdev '$f')"
	assert_contains "$err" "hint: a disk in use is never wiped, not even with --allow-wipe; remove it from the config, or detach it from pool '$live' first"
	zpool list "$q" >/dev/null 2>&1 && fail "pool $q was created"
	live_pool_survives "$live" "$f"
}

test_hard_link_of_a_live_pool_vdev_is_never_wiped() {
	local live q f; live=$(pool_name l2); q=$(pool_name n2)
	f=$(vdev "$live-f")
	mkpool "$live" "$f"
	mkdir -p "$WORK/other"
	ln "$f" "$WORK/other/fhard"
	one_pool "$WORK/c.json" "$q" "$WORK/other/fhard"
	refused_in_use "$WORK/c.json" "$WORK/other/fhard" \
		"cannot create pool '$q': disk '$WORK/other/fhard' is a member of pool '$live' (vdev '$f')"
	zpool list "$q" >/dev/null 2>&1 && fail "pool $q was created"
	live_pool_survives "$live" "$f"
}

test_one_file_named_twice_is_a_validation_error() {
	local a b f; a=$(pool_name d1); b=$(pool_name d2)
	f=$(vdev "$a-f"); vdev "$a-g" >/dev/null
	ln -s "vdev-$a-f" "$WORK/link-$a"
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [
    { "name": "$a", "raid_level": "mirror", "disks": ["$f", "$WORK/../$(basename "$WORK")/vdev-$a-f"] },
    { "name": "$b", "raid_level": "single", "disks": ["$WORK/link-$a"] } ] } }
JSON
	# the column of each second name (its opening quote)
	local c2 c3
	c2=$(awk -v s="\"$WORK/../" 'NR == 2 { print index($0, s) }' "$WORK/c.json")
	c3=$(awk -v s="\"$WORK/link-" 'NR == 3 { print index($0, s) }' "$WORK/c.json")
	local want="c.json:2:$c2: error: zfs.pools[0].disks[1]: disk '$WORK/../$(basename "$WORK")/vdev-$a-f' is the same device as '$f' (zfs.pools[0].disks[0])
  hint: a device can belong to one pool only, named once; keep one of the two entries
c.json:3:$c3: error: zfs.pools[1].disks[0]: disk '$WORK/link-$a' is the same device as '$f' (zfs.pools[0].disks[0])
  hint: a device can belong to one pool only, named once; keep one of the two entries"
	cd "$WORK"
	ph validate -c c.json
	assert_rc 1
	assert_eq "$err" "$want"
	assert_eq "$out" "c.json: invalid: 2 errors, 0 warnings"
	ph plan -c c.json --root "$WORK/root"
	assert_rc 1
	assert_eq "$err" "$want"
	ph apply -c c.json --root "$WORK/root" --yes
	assert_rc 1
	assert_contains "$err" "nothing was changed"
	zpool list "$a" >/dev/null 2>&1 && fail "pool $a was created"
	zpool list "$b" >/dev/null 2>&1 && fail "pool $b was created"
	assert_eq "$(blkid -p -o value -s TYPE "$f" || true)" ""
}

test_swap_file_is_never_wiped() {
	local q; q=$(pool_name s1)
	# Not in /tmp: a tmpfs cannot hold swap.
	local sd; sd=$(mktemp -d /var/tmp/phoenix-swap.XXXXXX)
	local s="$sd/swapfile"
	trap "swapoff '$s' 2>/dev/null || true; rm -rf '$sd'" EXIT
	dd if=/dev/zero of="$s" bs=1M count=64 status=none
	chmod 600 "$s"
	mkswap "$s" >/dev/null || skip "mkswap failed"
	swapon "$s" 2>/dev/null || skip "this host does not allow swapon (no swap to test)"
	ln -s "$s" "$WORK/swaplink"
	one_pool "$WORK/c.json" "$q" "$WORK/swaplink"
	refused_in_use "$WORK/c.json" "$WORK/swaplink" "cannot create pool '$q': disk '$WORK/swaplink' is in use as swap ('$s')"
	assert_contains "$err" "hint: turn it off first (swapoff $s, and remove it from /etc/fstab), or remove the disk from the config"
	assert_eq "$(blkid -p -o value -s TYPE "$s")" swap
	grep -q "^$s " /proc/swaps || fail "the swap file is no longer in use"
}

test_file_behind_a_loop_device_is_never_wiped_until_detached() {
	local q f dev; q=$(pool_name o1)
	f=$(vdev "$q-img" 64M)
	mkfs.ext4 -q -F "$f"
	dev=$(losetup -f --show "$f" 2>/dev/null) || skip "no loop device available"
	trap "losetup -d '$dev' 2>/dev/null || true" EXIT
	one_pool "$WORK/c.json" "$q" "$f"
	refused_in_use "$WORK/c.json" "$f" "cannot create pool '$q': disk '$f' backs loop device '$dev'"
	assert_contains "$err" "hint: detach it first (losetup -d $dev), or remove the disk from the config"
	assert_eq "$(blkid -p -o value -s TYPE "$f")" ext4
	# Detached, it is an ordinary disk with a file system: --allow-wipe DISK as always.
	losetup -d "$dev"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 1
	assert_contains "$err" "cannot create pool '$q': disk '$f' is not empty (ext4 filesystem found)"
	assert_contains "$err" "hint: if its data may be destroyed, run apply with --allow-wipe $f"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes --allow-wipe "$f"
	assert_rc 0
	POOLS_CREATED+=("$q")
	assert_contains "$out" "! destructive: wipe $f (it is not empty (ext4 filesystem found)) before creating pool $q"
	assert_eq "$(zpool list -H -o health "$q")" ONLINE
}

test_values_with_newline_or_tab_set_by_hand_never_break_reading() {
	local q d; q=$(pool_name v1)
	d=$(vdev "$q-a")
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/mnt/$q" } ],
  "datasets": [ { "name": "data", "pool": "$q", "properties": { "quota": "50M", "phoenix:owner": "ops" } },
                { "name": "data/sub", "pool": "$q" }, { "name": "other", "pool": "$q" } ] } }
JSON
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	# Set by hand: an unmanaged property with a newline, one with a TAB, one made to look
	# like a record of another property, and a managed property with a newline.
	zfs set phoenix:note="$(printf 'a\nb')" "$q/data"
	zfs set phoenix:tab="$(printf 'x\ty')" "$q/data"
	zfs set phoenix:fake="$(printf 'q\tlocal\n%s/data\tquota\t1\tlocal' "$q")" "$q/data"
	zfs set phoenix:owner="$(printf 'bad\nvalue')" "$q/data"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_not_contains "$err" "error"
	assert_contains "$out" "~ $q/data phoenix:owner bad\\nvalue -> ops"
	assert_eq "$(grep -c '^~\|^+\|^!' <<<"$out")" 1 "(only the managed property changes)"
	assert_eq "$(grep -c "property 'phoenix:note' has a value with a newline, TAB or other control character ('a\\\\nb'); phoenix-storage leaves it alone" <<<"$err")" 1
	assert_contains "$err" "hint: give it a one-line value with 'zfs set phoenix:note=VALUE $q/data', or remove it with 'zfs inherit phoenix:note $q/data'"
	assert_eq "$(grep -c "property 'phoenix:tab' has a value with a newline, TAB or other control character ('x\\\\ty')" <<<"$err")" 1
	assert_eq "$(grep -c "property 'phoenix:fake' has a value" <<<"$err")" 1
	assert_eq "$(grep -c "property 'phoenix:owner' has a value with a newline, TAB or other control character ('bad\\\\nvalue'); apply replaces it with the config's value" <<<"$err")" 1
	# inherited copies on children are not reported again
	assert_not_contains "$err" "dataset '$q/data/"
	ph status -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_contains "$out" "drift: phoenix:owner is bad\\nvalue, the config says ops"
	assert_eq "$(grep -c "property 'phoenix:note' has a value" <<<"$err")" 1
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(zget phoenix:owner "$q/data")" ops
	assert_eq "$(zget quota "$q/data")" $((50 * 1024 * 1024))
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_contains "$out" "No changes: the host matches the config."
	assert_eq "$(grep -c "property 'phoenix:note' has a value" <<<"$err")" 1
	assert_not_contains "$err" "phoenix:owner"
	# the hand-set values are left as they were
	assert_eq "$(zfs get -H -o value phoenix:note "$q/data")" "$(printf 'a\nb')"
	assert_eq "$(zfs get -H -o value phoenix:tab "$q/data")" "$(printf 'x\ty')"
}

test_a_pool_that_vanishes_while_it_is_read_is_not_an_error() {
	# A zpool that lists one more pool than zfs can open, as when another program
	# destroys a pool between `zpool status` and `zfs get`.
	local gone; gone=$(pool_name gone)
	cat >"$WORK/zpool-ghost" <<EOF2
#!/bin/sh
zpool "\$@"; rc=\$?
if [ "\$1" = status ]; then
	printf '  pool: %s\n state: ONLINE\nconfig:\n\n\tNAME   STATE     READ WRITE CKSUM\n\t%s  ONLINE  0 0 0\n\t  /nonexistent/%s  ONLINE  0 0 0\n\nerrors: No known data errors\n' $gone $gone $gone
fi
exit \$rc
EOF2
	chmod +x "$WORK/zpool-ghost"
	export PHOENIX_ZPOOL="$WORK/zpool-ghost"
	mkdir -p "$WORK/ghostroot/etc/modprobe.d"
	echo '{ "zfs": { "arc_max_gb": 1 } }' >"$WORK/c.json"
	ph plan -c "$WORK/c.json" --root "$WORK/ghostroot"
	assert_rc 2
	assert_not_contains "$err" "error"
	assert_contains "$out" "set zfs_arc_max=1073741824 (1G) in /etc/modprobe.d/zfs.conf"
	ph status -c "$WORK/c.json" --root "$WORK/ghostroot" --json
	assert_rc 0
	assert_eq "$(jq -r ".zfs.pools[] | select(.name == \"$gone\") | .name" <<<"$out")" ""
	# A configured pool that cannot be read stays an error.
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$gone", "raid_level": "single", "disks": ["/nonexistent/$gone"] } ] } }
JSON
	ph plan -c "$WORK/c.json" --root "$WORK/ghostroot"
	assert_rc 1
	assert_contains "$err" "cannot open '$gone': dataset does not exist"
}

run_tests
