#!/usr/bin/env bash
# Guest suite: cache and special vdevs on real block devices (kernel OpenZFS; zfs-fuse
# has no special vdevs and refuses a file as a cache device). Runs only in the guest
# tier (tests/guest/run). Disks: 1+2 (data mirror), 3 (cache), 4+5 (special mirror),
# blanked before each test.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/guest-lib.sh"

# layout_cfg FILE POOL EXTRA: a pool on the mirror of disks 1+2, with EXTRA layout members.
layout_cfg() {
	cat >"$1" <<JSON
{ "zfs": { "pools": [ { "name": "$2", "mountpoint": "$WORK/mnt/$2",
  "vdevs": [ { "type": "mirror", "disks": ["$(disk 1)", "$(disk 2)"] } ]$3 } ] } }
JSON
}

extras() {
	echo ", \"cache\": [ { \"type\": \"stripe\", \"disks\": [\"$(disk 3)\"] } ],
	  \"special\": [ { \"type\": \"mirror\", \"disks\": [\"$(disk 4)\", \"$(disk 5)\"] } ]"
}

# groups POOL: the group headers and top-level vdevs of zpool status, one a line.
groups() { zpool status "$1" | awk '/NAME/ {on=1; next} /^errors:/ {on=0} on && NF && $1 !~ /^virtio/ {print $1}'; }

test_cache_and_special_vdevs_are_created_then_nothing_to_do() {
	local p; p=$(pool_name cs)
	trap "drop_pools '$p'" EXIT
	blank_disks 1 2 3 4 5
	layout_cfg "$WORK/c.json" "$p" "$(extras)"
	ph plan -v -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "+ create pool $p (mirror: $(disk 1), $(disk 2); cache: $(disk 3); special mirror: $(disk 4), $(disk 5); ashift=12)"
	assert_contains "$out" "$p mirror $(disk 1) $(disk 2) cache $(disk 3) special mirror $(disk 4) $(disk 5)"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(groups "$p")" "$(printf '%s\n' "$p" mirror-0 special mirror-1 cache)"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_contains "$out" "No changes: the host matches the config."
	assert_eq "$err" ""
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_contains "$out" "Nothing to do: the host matches the config."
}

test_special_is_added_only_with_allow_grow_pool_cache_without() {
	local p; p=$(pool_name cg)
	trap "drop_pools '$p'" EXIT
	blank_disks 1 2 3 4 5
	layout_cfg "$WORK/c.json" "$p" ""
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	layout_cfg "$WORK/c.json" "$p" "$(extras)"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "+ add vdev cache: $(disk 3) to pool $p"
	assert_not_contains "$out" "special mirror"
	assert_contains "$err" "warning: zfs.pools[0].special[0]: pool '$p' lacks the config's special mirror: $(disk 4), $(disk 5)"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes --allow-grow-pool
	assert_rc 0
	assert_eq "$(groups "$p")" "$(printf '%s\n' "$p" mirror-0 special mirror-1 cache)"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_eq "$err" ""
}

run_tests
