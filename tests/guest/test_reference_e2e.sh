#!/usr/bin/env bash
# Guest suite: the reference config end to end on kernel OpenZFS with real
# block devices (/dev/disk/by-id/virtio-phx-disk-N), and the pool-level
# behaviour that file vdevs cannot show: refusing partitioned or formatted
# disks, importing an exported pool. Runs only in the guest tier (tests/guest/run).
# Disks: 1+2 quickOS (mirror), 3 fastData (single), 4 wipe checks, 5 export/import.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/guest-lib.sh"

# ref_config FILE: the reference config, ZFS section, with its disk ids
# replaced by the guest's disks (quickOS on disks 1+2, fastData on disk 3).
ref_config() {
	jq --arg a "$(disk 1)" --arg b "$(disk 2)" --arg c "$(disk 3)" '
		{ zfs: .zfs }
		| (.zfs.pools[] | select(.name == "quickOS") | .disks) = [$a, $b]
		| (.zfs.pools[] | select(.name == "fastData") | .disks) = [$c]' \
		"$REF/phoenix_hypervisor_config.json" >"$1"
}

# check_reference_datasets FILE: every dataset of the config exists, is
# mounted, managed, and has every property the config gives it.
check_reference_datasets() {
	local name pool props kv k v full n=0
	while IFS=$'\t' read -r name pool props; do
		full=$pool/$name
		assert_eq "$(zget mounted "$full")" yes "($full)"
		assert_eq "$(zget phoenix:managed "$full")" true "($full)"
		IFS=, read -ra kv <<<"$props"
		for x in "${kv[@]}"; do
			k=${x%%=*} v=${x#*=}
			case "$k" in
			quota | refquota | reservation | refreservation | recordsize)
				assert_eq "$(zget "$k" "$full")" "$(bytes "$v")" "($full $k=$v)" ;;
			*) assert_eq "$(zget "$k" "$full")" "$v" "($full $k)" ;;
			esac
		done
		n=$((n + 1))
	done < <(jq -r '.zfs.datasets[] | [.name, .pool, .properties] | @tsv' "$1")
	assert_eq "$n" 11 "datasets checked"
}

test_reference_config_applies_end_to_end_and_second_apply_is_a_no_op() {
	trap 'drop_pools quickOS fastData' EXIT
	blank_disks 1 2 3
	ref_config "$WORK/c.json"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "+ create pool quickOS (mirror: $(disk 1), $(disk 2); ashift=12)"
	assert_contains "$out" "+ create pool fastData (stripe: $(disk 3); ashift=12)"
	assert_contains "$out" "+ create dataset quickOS/shared-prod-data-sync (recordsize=16K, compression=lz4, sync=always, quota=100G)"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_contains "$out" "+ create dataset fastData/shared-backups (recordsize=1M, compression=zstd, sync=standard, quota=2T)"
	assert_not_contains "$err" "error:"
	# the pools, on the by-id disks, with their layouts
	assert_eq "$(zpool list -H -o health quickOS)" ONLINE
	assert_eq "$(zpool list -H -o health fastData)" ONLINE
	local st; st=$(zpool status -P quickOS)
	assert_contains "$st" "mirror-0"
	assert_contains "$st" "$(disk 1)"
	assert_contains "$st" "$(disk 2)"
	st=$(zpool status -P fastData)
	assert_not_contains "$st" "mirror"
	assert_contains "$st" "$(disk 3)"
	assert_eq "$(zpool get -H -o value ashift quickOS)" 12
	check_reference_datasets "$WORK/c.json"
	assert_eq "$(zget mountpoint quickOS/vm-disks)" /quickOS/vm-disks
	# idempotent: the second apply changes nothing and runs only read-only commands
	logging_zfs
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_contains "$out" "Nothing to do: the host matches the config."
	if grep -vE '^(zfs (get|list)( .*)?|zpool (status|list|get)( .*)?)$' "$WORK/calls"; then
		fail "a mutating or unexpected command ran on a converged host"
	fi
	unset PHOENIX_ZFS PHOENIX_ZPOOL
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_contains "$out" "No changes: the host matches the config."
	ph status -c "$WORK/c.json" --root "$WORK/root" --json
	assert_rc 0
	assert_eq "$(jq -r '.zfs.pools[] | select(.name=="quickOS") | .health' <<<"$out")" ONLINE
	assert_eq "$(jq -r '.zfs.pools[] | select(.name=="quickOS") | .layout' <<<"$out")" mirror
}

test_reference_config_drift_is_shown_and_repaired() {
	trap 'drop_pools quickOS fastData' EXIT
	blank_disks 1 2 3
	ref_config "$WORK/c.json"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	zfs set compression=off quickOS/vm-disks
	zfs set sync=disabled fastData/shared-test-data-sync
	zfs set compression=lz4 fastData/shared-backups
	zfs set recordsize=128K fastData/shared-backups
	zfs set quota=1G quickOS/lxc-disks
	zfs set atime=off quickOS/vm-disks   # a property the config does not name: left alone
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "~ quickOS/vm-disks compression off -> lz4"
	assert_contains "$out" "~ fastData/shared-test-data-sync sync disabled -> always"
	assert_contains "$out" "~ fastData/shared-backups compression lz4 -> zstd"
	assert_contains "$out" "~ fastData/shared-backups recordsize 128K -> 1M"
	assert_contains "$out" "~ quickOS/lxc-disks quota 1G -> 600G"
	assert_not_contains "$out" "atime"
	ph status -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_contains "$out" "drift: sync is disabled, the config says always"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	check_reference_datasets "$WORK/c.json"
	assert_eq "$(zget atime quickOS/vm-disks)" off
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
}

# single_pool_config FILE POOL DISK: one single-disk pool with one dataset.
single_pool_config() {
	cat >"$1" <<JSON
{ "zfs": { "pools": [ { "name": "$2", "raid_level": "single", "disks": ["$3"], "mountpoint": "$WORK/mnt/$2" } ],
  "datasets": [ { "name": "data", "pool": "$2", "properties": "compression=lz4,quota=100M" } ] } }
JSON
}

test_partition_table_blocks_creation_until_allow_wipe() {
	local q d; q=$(pool_name w1); d=$(disk 4)
	trap "drop_pools '$q'" EXIT
	blank_disks 4
	printf 'label: gpt\n,200M,L\n' | sfdisk -q "$d"
	udevadm settle --timeout=30
	[ -e "$d-part1" ] || fail "the test partition did not appear"
	single_pool_config "$WORK/c.json" "$q" "$d"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 1
	assert_contains "$err" "error: zfs.pools[0].disks[0]: cannot create pool '$q': disk '$d' is not empty (gpt partition table found)"
	assert_contains "$err" "hint: if its data may be destroyed, run apply with --allow-wipe $d"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 1
	assert_contains "$err" "nothing was changed"
	assert_eq "$(blkid -p -o value -s PTTYPE "$d")" gpt
	assert_eq "$(sfdisk -d "$d" | grep -c "^$d")" 1 "(the partition is still there)"
	zpool list "$q" >/dev/null 2>&1 && fail "pool was created"
	ph plan -c "$WORK/c.json" --root "$WORK/root" --allow-wipe "$d"
	assert_rc 2
	assert_contains "$out" "! destructive: wipe $d (it is not empty (gpt partition table found)) before creating pool $q"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes --allow-wipe "$d"
	assert_rc 0
	assert_eq "$(zpool list -H -o health "$q")" ONLINE
	assert_contains "$(zpool status -P "$q")" "$d"
	assert_eq "$(zget compression "$q/data")" lz4
}

test_foreign_filesystem_blocks_creation_and_mounted_disk_is_never_wiped() {
	local q d; q=$(pool_name w2); d=$(disk 4)
	trap "umount '$WORK/m' 2>/dev/null || true; drop_pools '$q'" EXIT
	blank_disks 4
	mkfs.ext4 -q -F -L foreign "$d"
	single_pool_config "$WORK/c.json" "$q" "$d"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 1
	assert_contains "$err" "cannot create pool '$q': disk '$d' is not empty (ext4 filesystem found)"
	mkdir -p "$WORK/m"
	mount "$d" "$WORK/m"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes --allow-wipe "$d"
	umount "$WORK/m"
	assert_rc 1
	assert_contains "$err" "nothing was changed"
	assert_contains "$err" "cannot create pool '$q': disk '$d' is mounted at '$WORK/m'"
	assert_eq "$(blkid -p -o value -s TYPE "$d")" ext4
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes --allow-wipe "$d"
	assert_rc 0
	assert_eq "$(zpool list -H -o health "$q")" ONLINE
}

test_exported_pool_on_real_disk_is_imported_not_recreated() {
	local q d; q=$(pool_name e1); d=$(disk 5)
	trap "drop_pools '$q'" EXIT
	blank_disks 5
	single_pool_config "$WORK/c.json" "$q" "$d"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	echo "keep me" >"$WORK/mnt/$q/data/file"
	zpool export "$q"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "+ import pool $q (found on its disks, not imported; state ONLINE)"
	assert_not_contains "$out" "create pool $q"
	assert_not_contains "$out" "wipe"
	ph status -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_contains "$out" "(not imported)"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(cat "$WORK/mnt/$q/data/file")" "keep me"
	assert_contains "$(zpool status -P "$q")" "$d"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
}

run_tests
