#!/usr/bin/env bash
# Integration: the ZFS core against real ZFS (zfs-fuse here; OpenZFS in the guest tier).
source "$(dirname "$0")/lib.sh"
zfs_fuse_ensure || exit 1

# cfg_two_pools FILE QUICK FAST: a realistic mirror + single config with nested datasets.
cfg_two_pools() {
	local f=$1 q=$2 fa=$3
	local a b c
	a=$(vdev "$q-a"); b=$(vdev "$q-b"); c=$(vdev "$fa-c")
	cat >"$f" <<JSON
{
  "zfs": {
    "pools": [
      { "name": "$q", "raid_level": "mirror", "disks": ["$a", "$b"], "mountpoint": "$WORK/mnt/$q" },
      { "name": "$fa", "raid_level": "single", "disks": ["$c"], "mountpoint": "$WORK/mnt/$fa" }
    ],
    "datasets": [
      { "name": "vm-disks", "pool": "$q", "properties": "recordsize=128K,compression=lzjb,quota=100M" },
      { "name": "shared", "pool": "$fa", "properties": { "quota": "60M", "atime": "off" } },
      { "name": "shared/iso", "pool": "$fa", "properties": "recordsize=16K,quota=1.5M,copies=2" },
      { "name": "shared/iso/templates", "pool": "$fa", "properties": "compression=gzip-9" }
    ]
  }
}
JSON
}

# A zfs wrapper that logs every invocation, to count and inspect what the tool runs.
logging_zfs() {
	cat >"$WORK/zfs-log" <<EOF2
#!/bin/sh
echo "zfs \$*" >>"$WORK/calls"
exec zfs "\$@"
EOF2
	cat >"$WORK/zpool-log" <<EOF2
#!/bin/sh
echo "zpool \$*" >>"$WORK/calls"
exec zpool "\$@"
EOF2
	chmod +x "$WORK/zfs-log" "$WORK/zpool-log"
	: >"$WORK/calls"
	export PHOENIX_ZFS="$WORK/zfs-log" PHOENIX_ZPOOL="$WORK/zpool-log"
}

test_fresh_apply_creates_pools_and_nested_datasets() {
	local q f; q=$(pool_name q1); f=$(pool_name f1)
	cfg_two_pools "$WORK/c.json" "$q" "$f"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "+ create pool $q (mirror: $WORK/vdev-$q-a, $WORK/vdev-$q-b; ashift=12)"
	assert_contains "$out" "+ create pool $f (stripe: $WORK/vdev-$f-c; ashift=12)"
	assert_contains "$out" "+ create dataset $q/vm-disks (recordsize=128K, compression=lzjb, quota=100M)"
	assert_contains "$out" "+ create dataset $f/shared/iso (recordsize=16K, quota=1.5M, copies=2)"
	# parent before child in the printed order
	local lp lc
	lp=$(grep -n "create dataset $f/shared " <<<"$out" | cut -d: -f1)
	lc=$(grep -n "create dataset $f/shared/iso " <<<"$out" | cut -d: -f1)
	[ "$lp" -lt "$lc" ] || fail "parent printed after child"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_contains "$out" "Applied 6 changes."
	assert_eq "$(zpool list -H -o name "$q")" "$q"
	assert_eq "$(zpool status "$q" | grep -c 'mirror-0')" 1
	assert_eq "$(zget recordsize "$q/vm-disks")" 131072
	assert_eq "$(zget compression "$q/vm-disks")" lzjb
	assert_eq "$(zget quota "$q/vm-disks")" $((100 * 1024 * 1024))
	assert_eq "$(zget quota "$f/shared/iso")" 1572864
	assert_eq "$(zget copies "$f/shared/iso")" 2
	assert_eq "$(zget atime "$f/shared")" off
	assert_eq "$(zget compression "$f/shared/iso/templates")" gzip-9
	assert_eq "$(zget phoenix:managed "$f/shared/iso/templates")" true
	assert_eq "$(zget mountpoint "$f/shared/iso")" "$WORK/mnt/$f/shared/iso"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_contains "$out" "No changes: the host matches the config."
}

test_second_apply_runs_no_mutating_command() {
	local q f; q=$(pool_name q2); f=$(pool_name f2)
	cfg_two_pools "$WORK/c.json" "$q" "$f"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	logging_zfs
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_contains "$out" "Nothing to do: the host matches the config."
	# Only read-only invocations: zfs get, zpool status (-P where zpool has it), zfs get -H or -j
	# with -r -t; without `get -t` (zfs-fuse) zfs list of the filesystems and volumes, then
	# zfs get of those names (snapshots are never read).
	if grep -vE "^(zfs get|zfs get -[Hj] -p -r -t filesystem,volume all ($q|$f) ($q|$f)|zfs list -H -o name -t filesystem,volume -r ($q|$f) ($q|$f)|zfs get -H -p all ($q|$f)[^ ]*( [^ ]+)*|zpool status( -P)?)\$" "$WORK/calls"; then
		fail "a mutating or unexpected command ran on a converged host"
	fi
	local most=3
	zfs_has get-types || most=4
	[ "$(wc -l <"$WORK/calls")" -le $most ] || fail "more than $most zfs/zpool invocations: $(cat "$WORK/calls")"
}

test_drift_is_shown_and_repaired() {
	local q f; q=$(pool_name q3); f=$(pool_name f3)
	cfg_two_pools "$WORK/c.json" "$q" "$f"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	zfs set quota=20M "$f/shared"
	zfs set compression=off "$q/vm-disks"
	zfs set atime=on "$q/vm-disks"   # a property the config does not name: left alone
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "~ $f/shared quota 20M -> 60M"
	assert_contains "$out" "~ $q/vm-disks compression off -> lzjb"
	assert_not_contains "$out" "atime"
	ph status -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_contains "$out" "drift: quota is 20M, the config says 60M"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(zget quota "$f/shared")" $((60 * 1024 * 1024))
	assert_eq "$(zget compression "$q/vm-disks")" lzjb
	assert_eq "$(zget atime "$q/vm-disks")" on
}

test_unmanaged_dataset_is_listed_and_left_alone() {
	local q f; q=$(pool_name q4); f=$(pool_name f4)
	cfg_two_pools "$WORK/c.json" "$q" "$f"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	zfs create -o quota=5M "$q/operator-data"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_contains "$out" "= unmanaged: $q/operator-data (left alone)"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(zget quota "$q/operator-data")" $((5 * 1024 * 1024))
	assert_eq "$(zfs get -H -o value phoenix:managed "$q/operator-data")" "-"
	ph status -c "$WORK/c.json" --root "$WORK/root" --json
	assert_rc 0
	assert_eq "$(jq -r '.zfs.unmanaged[]' <<<"$out")" "$q/operator-data"
	assert_eq "$(jq -r ".zfs.pools[] | select(.name==\"$q\") | .health" <<<"$out")" ONLINE
}

test_disk_in_a_pool_blocks_creation_even_with_allow_wipe() {
	local other q; other=$(pool_name o5); q=$(pool_name q5)
	local d; d=$(vdev "$other-x")
	mkpool "$other" "$d"
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/mnt/$q" } ] } }
JSON
	ph plan -c "$WORK/c.json" --root "$WORK/root" --allow-wipe "$d"
	assert_rc 1
	assert_contains "$err" "error: zfs.pools[0].disks[0]: cannot create pool '$q': disk '$d' is a member of pool '$other'"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes --allow-wipe "$d"
	assert_rc 1
	assert_contains "$err" "nothing was changed"
	zpool list "$q" >/dev/null 2>&1 && fail "pool was created"
	assert_eq "$(zpool list -H -o health "$other")" ONLINE
}

test_ext4_signature_blocks_creation_until_allow_wipe() {
	local q; q=$(pool_name q6)
	local d; d=$(vdev "$q-e")
	mkfs.ext4 -q -F "$d"
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/mnt/$q" } ] } }
JSON
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 1
	assert_contains "$err" "cannot create pool '$q': disk '$d' is not empty (ext4 filesystem found)"
	assert_contains "$err" "hint: if its data may be destroyed, run apply with --allow-wipe $d"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 1
	assert_eq "$(blkid -p -o value -s TYPE "$d")" ext4
	ph plan -c "$WORK/c.json" --root "$WORK/root" --allow-wipe "$d"
	assert_rc 2
	assert_contains "$out" "! destructive: wipe $d (it is not empty (ext4 filesystem found)) before creating pool $q"
	assert_contains "$out" "1 destructive"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes --allow-wipe "$d"
	assert_rc 0
	POOLS_CREATED+=("$q")
	assert_eq "$(zpool list -H -o health "$q")" ONLINE
}

test_lz4_on_zfs_fuse_is_a_plan_time_error() {
	local q; q=$(pool_name q7)
	local d; d=$(vdev "$q-a")
	if zfs_has lz4; then skip "this ZFS supports lz4"; fi
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/mnt/$q" } ],
  "datasets": [ { "name": "data", "pool": "$q", "properties": "compression=lz4,quota=10M" } ] } }
JSON
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 1
	assert_contains "$err" "c.json:2:"
	assert_contains "$err" "error: zfs.datasets[0].properties: dataset '$q/data': compression 'lz4' is not supported by this ZFS"
	assert_contains "$err" "hint: use one of: on, off, lzjb, gzip, gzip-[1-9], zle"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 1
	zpool list "$q" >/dev/null 2>&1 && fail "pool was created despite the plan error"
	return 0
}

test_exported_pool_is_imported_not_recreated() {
	local q f; q=$(pool_name q8); f=$(pool_name f8)
	cfg_two_pools "$WORK/c.json" "$q" "$f"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	echo "keep me" >"$WORK/mnt/$q/vm-disks/file"
	zpool export "$q"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "+ import pool $q (found on its disks, not imported; state ONLINE)"
	assert_not_contains "$out" "create pool $q"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(cat "$WORK/mnt/$q/vm-disks/file")" "keep me"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
}

test_failed_apply_stops_and_rerun_converges() {
	local q f; q=$(pool_name q9); f=$(pool_name f9)
	local a b; a=$(vdev "$q-a"); b=$(vdev "$f-b")
	# A zpool whose create of the second pool fails at apply time (as when its
	# disk goes away between plan and apply), on every ZFS; it behaves normally
	# once $WORK/fail-create is gone.
	cat >"$WORK/zpool-flaky" <<EOF2
#!/bin/sh
if [ "\$1" = create ] && [ -e "$WORK/fail-create" ]; then
	for a; do [ "\$a" = "$f" ] && { echo "cannot create '$f': I/O error" >&2; exit 1; }; done
fi
exec zpool "\$@"
EOF2
	chmod +x "$WORK/zpool-flaky"
	touch "$WORK/fail-create"
	export PHOENIX_ZPOOL="$WORK/zpool-flaky"
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [
  { "name": "$q", "raid_level": "single", "disks": ["$a"], "mountpoint": "$WORK/mnt/$q" },
  { "name": "$f", "raid_level": "single", "disks": ["$b"], "mountpoint": "$WORK/mnt/$f" } ],
  "datasets": [ { "name": "d", "pool": "$f" } ] } }
JSON
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 1
	assert_contains "$out" "+ create pool $q"
	assert_contains "$err" "error: create pool $f (stripe: $b; ashift=12) failed: '$WORK/zpool-flaky create -o ashift=12 -m $WORK/mnt/$f $f $b' exited with status 1: cannot create '$f': I/O error"
	assert_contains "$err" "note: already done: 1 of 3 actions: create pool $q"
	assert_not_contains "$out" "create dataset $f/d"
	assert_eq "$(zpool list -H -o name "$q")" "$q"
	# the cause goes away; run again: it continues from there
	rm "$WORK/fail-create"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_not_contains "$out" "create pool $q"
	assert_contains "$out" "+ create pool $f"
	assert_contains "$out" "+ create dataset $f/d"
}

test_apply_without_terminal_needs_yes() {
	local q; q=$(pool_name qa)
	local d; d=$(vdev "$q-a")
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/mnt/$q" } ] } }
JSON
	ph apply -c "$WORK/c.json" --root "$WORK/root" </dev/null
	assert_rc 1
	assert_contains "$out" "+ create pool $q"
	assert_contains "$err" "refusing to apply without confirmation: no terminal to ask on"
	assert_contains "$err" "hint: review the plan above and pass --yes"
	zpool list "$q" >/dev/null 2>&1 && fail "pool created without confirmation"
	return 0
}

test_second_concurrent_apply_is_refused() {
	local q; q=$(pool_name qb)
	local d; d=$(vdev "$q-a")
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/mnt/$q" } ] } }
JSON
	# Hold the host lock as a running apply would (a private lock file: suites run in parallel).
	export PHOENIX_LOCK=$WORK/apply.lock
	exec 9>>"$PHOENIX_LOCK"
	flock 9
	local me=$BASHPID cmd
	cmd=$(tr '\0' ' ' </proc/$me/cmdline | sed 's/ $//')
	printf 'pid=%s\nstarted=2026-01-02 03:04:05 +0000\ncommand=%s\n' "$me" "$cmd" >"$PHOENIX_LOCK"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 1
	assert_contains "$err" "error: another phoenix-storage apply is running (pid $me, started 2026-01-02 03:04:05 +0000, command: $cmd; lock '$WORK/apply.lock')"
	assert_contains "$err" "hint: wait for it to finish, or give --wait SECONDS to wait for it; nothing was changed"
	zpool list "$q" >/dev/null 2>&1 && fail "pool created while locked"
	exec 9>&-
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
}

test_arc_limit_written_to_modprobe_and_runtime() {
	local r="$WORK/arcroot"
	mkdir -p "$r/etc/modprobe.d" "$r/sys/module/zfs/parameters"
	printf '# local tuning\noptions zfs zfs_prefetch_disable=1\n' >"$r/etc/modprobe.d/zfs.conf"
	echo 0 >"$r/sys/module/zfs/parameters/zfs_arc_max"
	echo '{ "zfs": { "arc_max_gb": 2 } }' >"$WORK/c.json"
	ph plan -c "$WORK/c.json" --root "$r"
	assert_rc 2
	assert_contains "$out" "~ set zfs_arc_max=2147483648 (2G) in /etc/modprobe.d/zfs.conf"
	assert_contains "$out" "~ runtime zfs_arc_max 0 (default) -> 2G"
	ph apply -c "$WORK/c.json" --root "$r" --yes
	assert_rc 0
	assert_eq "$(cat "$r/etc/modprobe.d/zfs.conf")" "# local tuning
options zfs zfs_prefetch_disable=1 zfs_arc_max=2147483648"
	assert_eq "$(cat "$r/sys/module/zfs/parameters/zfs_arc_max")" 2147483648
	ph plan -c "$WORK/c.json" --root "$r"
	assert_rc 0
	# without a ZFS module: said, and skipped
	rm -rf "$r/sys"
	echo '{ "zfs": { "arc_max_gb": 3 } }' >"$WORK/c.json"
	ph apply -c "$WORK/c.json" --root "$r" --yes
	assert_rc 0
	assert_contains "$err" "no ZFS kernel module is loaded"
	assert_contains "$(cat "$r/etc/modprobe.d/zfs.conf")" "zfs_arc_max=3221225472"
}

test_capacity_overcommit_is_a_warning() {
	local q; q=$(pool_name qc)
	local d; d=$(vdev "$q-a")
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/mnt/$q" } ],
  "datasets": [ { "name": "a", "pool": "$q", "properties": "quota=200M" },
                { "name": "b", "pool": "$q", "properties": "quota=200M,reservation=10M" } ] } }
JSON
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	ph validate -c "$WORK/c.json"
	assert_rc 0
	assert_contains "$err" "warning: zfs.pools[0]: the quotas of pool '$q' add up to 400M, more than its"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_contains "$err" "the quotas of pool '$q' add up to 400M"
}

test_existing_dataset_is_adopted() {
	local q; q=$(pool_name qd)
	local d; d=$(vdev "$q-a")
	mkpool "$q" "$d"
	zfs create -o quota=10M "$q/legacy"
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"] } ],
  "datasets": [ { "name": "legacy", "pool": "$q", "properties": "quota=10M" } ] } }
JSON
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "~ adopt existing dataset $q/legacy (set phoenix:managed=true)"
	assert_not_contains "$out" "quota"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(zget phoenix:managed "$q/legacy")" true
}

test_modern_dataset_properties_are_applied() {
	need lz4 zstd sync
	local q; q=$(pool_name qm)
	local d; d=$(vdev "$q-a")
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/mnt/$q" } ],
  "datasets": [ { "name": "fast", "pool": "$q", "properties": "recordsize=16K,compression=lz4,sync=always,quota=100M" },
                { "name": "backups", "pool": "$q", "properties": "recordsize=1M,compression=zstd,sync=standard" } ] } }
JSON
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(zget compression "$q/fast")" lz4
	assert_eq "$(zget sync "$q/fast")" always
	assert_eq "$(zget compression "$q/backups")" zstd
	assert_eq "$(zget recordsize "$q/backups")" 1048576
	zfs set sync=disabled "$q/fast"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "~ $q/fast sync disabled -> always"
}

test_pool_autotrim_is_set_at_creation() {
	need autotrim
	local q; q=$(pool_name qt)
	local d; d=$(vdev "$q-a")
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/mnt/$q", "properties": { "autotrim": "on" } } ] } }
JSON
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(zpool get -H -o value autotrim "$q")" on
}

test_trim_auto_is_autotrim_on_at_creation_and_on_an_existing_pool() {
	need autotrim
	local q; q=$(pool_name qu)
	local d; d=$(vdev "$q-a")
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/mnt/$q", "trim": "auto" } ] } }
JSON
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(zpool get -H -o value autotrim "$q")" on
	# Debian's cron is handed the pool off: one mechanism
	assert_eq "$(zfs get -H -o value org.debian:periodic-trim "$q")" disable
	# turned off by hand: the plan sets it on again
	zpool set autotrim=off "$q"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "autotrim off -> on"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(zpool get -H -o value autotrim "$q")" on
}

test_pool_has_feature_flags() {
	need feature-flags
	local q; q=$(pool_name qg)
	local d; d=$(vdev "$q-a")
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/mnt/$q" } ],
  "datasets": [ { "name": "z", "pool": "$q", "properties": "compression=zstd" } ] } }
JSON
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	# the pool is created with all features enabled; zstd in use makes it active
	assert_eq "$(zpool get -H -o value feature@zstd_compress "$q")" active
}

test_volume_is_created_grown_and_never_shrunk() {
	need volumes
	local q; q=$(pool_name qv)
	local d; d=$(vdev "$q-a" 512M)
	vol_cfg() {
		cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/mnt/$q" } ],
  "datasets": [ { "name": "vm-101-disk-1", "pool": "$q", "type": "volume", "volsize": "$1",
                  "properties": "volblocksize=16K" } ] } }
JSON
	}
	vol_cfg 64M
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "+ create volume $q/vm-101-disk-1 (volsize=64M, volblocksize=16K)"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(zget type "$q/vm-101-disk-1")" volume
	assert_eq "$(zget volsize "$q/vm-101-disk-1")" $((64 * 1024 * 1024))
	assert_eq "$(zget volblocksize "$q/vm-101-disk-1")" 16384
	vol_cfg 96M
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "~ $q/vm-101-disk-1 volsize 64M -> 96M"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(zget volsize "$q/vm-101-disk-1")" $((96 * 1024 * 1024))
	vol_cfg 32M
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 1
	assert_contains "$err" "volume '$q/vm-101-disk-1' is 96M, the config asks for 32M"
	assert_contains "$err" "hint: volumes only grow"
	assert_eq "$(zget volsize "$q/vm-101-disk-1")" $((96 * 1024 * 1024))
}

# cfg_props FILE POOL DISK POOLPROPS OPTIONS DATASETS: one single-disk pool with pool properties and root options.
cfg_props() {
	cat >"$1" <<JSON
{ "zfs": { "pools": [ { "name": "$2", "raid_level": "single", "disks": ["$3"], "mountpoint": "$WORK/mnt/$2",
                        "properties": { $4 }, "options": { $5 } } ],
  "datasets": [ $6 ] } }
JSON
}

test_pool_properties_and_options_converge_on_an_existing_pool() {
	local q; q=$(pool_name qp)
	local d; d=$(vdev "$q-a")
	cfg_props "$WORK/c.json" "$q" "$d" "" "" ""
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(zpool get failmode "$q" | awk 'NR==2 {print $3}')" wait
	local was; was=$(zget compression "$q")   # the default: off on zfs-fuse, on or lz4 on OpenZFS
	cfg_props "$WORK/c.json" "$q" "$d" '"failmode": "continue"' '"compression": "gzip"' ""
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "~ pool $q failmode wait -> continue"
	assert_contains "$out" "~ $q compression $was -> gzip"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_contains "$out" "Applied 2 changes."
	assert_eq "$(zpool get failmode "$q" | awk 'NR==2 {print $3}')" continue
	assert_eq "$(zget compression "$q")" gzip
	assert_eq "$(zsrc compression "$q")" local
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_contains "$out" "Nothing to do: the host matches the config."
}

# The pool's mountpoint (the root dataset's) converges on an existing pool, children that
# inherit it follow; a system directory is refused as for a dataset, before anything runs.
# (A value equal to ZFS's default is set locally, as for a dataset: unit test_zfs_plan.)
test_pool_mountpoint_converges_on_an_existing_pool() {
	local q; q=$(pool_name pm)
	local d; d=$(vdev "$q-a")
	mkpool "$q" "$d"
	zfs create -o phoenix:managed=true "$q/data"
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/moved-$q/" } ],
           "datasets": [ { "name": "data", "pool": "$q" } ] } }
JSON
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "~ $q mountpoint $WORK/mnt-$q -> $WORK/moved-$q"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(zget mountpoint "$q")" "$WORK/moved-$q"
	assert_eq "$(zsrc mountpoint "$q")" local
	assert_eq "$(zget mountpoint "$q/data")" "$WORK/moved-$q/data" "(the child inherits it)"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_contains "$out" "No changes: the host matches the config."
	# the dataset lint: no system directory, refused before anything runs
	sed -i "s|\"mountpoint\": \"$WORK/moved-$q/\"|\"mountpoint\": \"/usr/$q\"|" "$WORK/c.json"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 1
	assert_contains "$err" "zfs.pools[0].mountpoint"
	assert_contains "$err" "is at or under /usr"
	assert_eq "$(zget mountpoint "$q")" "$WORK/moved-$q"
}

test_plan_reads_pool_properties_within_four_programs() {
	local q; q=$(pool_name pb)
	local d; d=$(vdev "$q-a")
	cfg_props "$WORK/c.json" "$q" "$d" '"failmode": "continue", "autoexpand": "on"' '"atime": "off"' \
		'{ "name": "a", "pool": "'"$q"'", "properties": "quota=10M" }'
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	logging_zfs
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_contains "$out" "No changes: the host matches the config."
	# 4 programs; one more where zfs get has no -t (zfs-fuse): the layout is listed first (zfs list)
	local most=4
	zfs_has get-types || most=5
	[ "$(wc -l <"$WORK/calls")" -le "$most" ] || fail "more than $most zfs/zpool invocations: $(cat "$WORK/calls")"
	# zpool get -H -p where zpool has it (OpenZFS), the header form on zfs-fuse: one call for the pool
	[ "$(grep -cE "^zpool get( -H -p)? all $q\$" "$WORK/calls")" = 1 ] || fail "no single zpool get: $(cat "$WORK/calls")"
	if grep -vE "^(zfs get|zfs get -[Hj] -p -r( -t filesystem,volume)? all $q|zfs list -H -o name -t filesystem,volume -r $q|zfs get -H -p all $q $q/a|zpool status( -P)?|zpool get( -H -p)? all $q)\$" "$WORK/calls"; then
		fail "an unexpected command ran"
	fi
}

test_inherit_runs_zfs_inherit_and_is_then_converged() {
	local q; q=$(pool_name qi)
	local d; d=$(vdev "$q-a")
	cfg_props "$WORK/c.json" "$q" "$d" "" '"compression": "lzjb"' \
		'{ "name": "x", "pool": "'"$q"'", "properties": "compression=gzip" }'
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(zget compression "$q/x")" gzip
	cfg_props "$WORK/c.json" "$q" "$d" "" '"compression": "lzjb"' \
		'{ "name": "x", "pool": "'"$q"'", "properties": "compression=inherit" }'
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "~ $q/x compression gzip -> inherit (lzjb from $q)"
	ph plan -c "$WORK/c.json" --root "$WORK/root" --json
	assert_eq "$(jq -c '.actions[] | select(.kind=="inherit-property") | .commands[0][1:]' <<<"$out")" \
		"[\"inherit\",\"compression\",\"$q/x\"]"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(zget compression "$q/x")" lzjb
	assert_eq "$(zsrc compression "$q/x")" "inherited from $q"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
	assert_contains "$out" "No changes: the host matches the config."
}

test_value_that_matches_only_by_inheritance_is_set_locally() {
	local q; q=$(pool_name qs)
	local d; d=$(vdev "$q-a")
	mkpool "$q" "$d"
	zfs set atime=off "$q"
	zfs create "$q/x"
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"] } ],
  "datasets": [ { "name": "x", "pool": "$q", "properties": "atime=off,quota=none" } ] } }
JSON
	assert_eq "$(zsrc atime "$q/x")" "inherited from $q"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "~ $q/x atime off (inherited from $q) -> off"
	# quota cannot be inherited: none with source default is already what the config says
	assert_not_contains "$out" "quota"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(zsrc atime "$q/x")" local
	# a change of the parent no longer reaches the dataset
	zfs set atime=on "$q"
	assert_eq "$(zget atime "$q/x")" off
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 0
}

test_create_only_property_on_an_existing_dataset_is_recreate_needed() {
	local q; q=$(pool_name pc)
	local d; d=$(vdev "$q-a")
	mkpool "$q" "$d"
	zfs create -o casesensitivity=sensitive "$q/docs"
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"] } ],
  "datasets": [ { "name": "docs", "pool": "$q", "properties": "casesensitivity=insensitive,utf8only=off" } ] } }
JSON
	zfs set phoenix:managed=true "$q/docs"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "! recreate needed: $q/docs casesensitivity sensitive -> insensitive: ZFS sets it only when the dataset is created; create a new dataset with it, copy the data (rsync -aHAX), then swap the names with 'zfs rename'"
	assert_not_contains "$out" "utf8only"     # same value: its source "-" is what a create-only property has
	assert_contains "$out" "No changes apply can make; 1 needs a recreate by hand (see 'recreate needed')."
	ph plan -c "$WORK/c.json" --root "$WORK/root" --json
	assert_eq "$(jq -r '.summary.recreate_needed' <<<"$out")" 1
	assert_eq "$(jq -r '.actions | length' <<<"$out")" 0
	logging_zfs
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 2
	assert_contains "$out" "! recreate needed: $q/docs casesensitivity sensitive -> insensitive"
	assert_contains "$out" "Nothing apply can do: 1 change needs a recreate by hand (see 'recreate needed')."
	if grep -vE "^(zfs get.*|zfs list -H -o name -t filesystem,volume -r .*|zpool status.*)\$" "$WORK/calls"; then
		fail "apply ran a command for a recreate"
	fi
	unset PHOENIX_ZFS PHOENIX_ZPOOL
	assert_eq "$(zget casesensitivity "$q/docs")" sensitive
}

test_inherit_of_a_property_zfs_cannot_inherit_is_a_config_error() {
	local q; q=$(pool_name qn)
	local d; d=$(vdev "$q-a")
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"] } ],
  "datasets": [ { "name": "x", "pool": "$q", "properties": { "quota": "inherit" } } ] } }
JSON
	ph validate -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 1
	assert_contains "$err" "c.json:2:"
	assert_contains "$err" "error: zfs.datasets[0].properties.quota: 'quota' cannot be inherited"
	assert_contains "$err" "hint: give it a value (none clears it), or remove it from the config"
}

test_key_file_readable_by_others_is_refused() {
	local q; q=$(pool_name qk)
	local d; d=$(vdev "$q-a")
	head -c 32 /dev/urandom >"$WORK/tank.key"
	chmod 0644 "$WORK/tank.key"
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/mnt/$q" } ],
  "datasets": [ { "name": "secret", "pool": "$q",
                  "properties": { "encryption": "on", "keyformat": "raw", "keylocation": "file://$WORK/tank.key" } } ] } }
JSON
	ph validate -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 1
	assert_contains "$err" "error: zfs.datasets[0].properties.keylocation: key file '$WORK/tank.key' has mode 0644: others than its owner can read it (0600 or stricter is needed)"
	assert_contains "$err" "hint: chmod 600 $WORK/tank.key"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 1
	zpool list "$q" >/dev/null 2>&1 && fail "the pool was created despite the key file error"
	rm "$WORK/tank.key"
	ph validate -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 1
	assert_contains "$err" "key file '$WORK/tank.key' does not exist"
	return 0
}

test_encryption_on_zfs_fuse_is_a_plan_time_error() {
	local q; q=$(pool_name qe)
	local d; d=$(vdev "$q-a")
	if zfs_has encryption; then skip "this ZFS supports encryption"; fi
	head -c 32 /dev/urandom >"$WORK/tank.key"
	chmod 0600 "$WORK/tank.key"
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/mnt/$q" } ],
  "datasets": [ { "name": "secret", "pool": "$q",
                  "properties": { "encryption": "on", "keyformat": "raw", "keylocation": "file://$WORK/tank.key" } } ] } }
JSON
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 1
	assert_contains "$err" "error: zfs.datasets[0].properties: dataset '$q/secret': this ZFS does not support the property 'encryption'"
	assert_contains "$err" "hint: remove it from the config, or run a ZFS that has it (OpenZFS 2.x)"
	zpool list "$q" >/dev/null 2>&1 && fail "pool was created despite the plan error"
	return 0
}

test_value_this_zfs_does_not_list_is_a_plan_time_error() {
	local q; q=$(pool_name pv)
	local d; d=$(vdev "$q-a")
	if zfs_has xattr-sa; then skip "this ZFS supports xattr=sa"; fi
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/mnt/$q" } ],
  "datasets": [ { "name": "x", "pool": "$q", "properties": "xattr=sa" } ] } }
JSON
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 1
	assert_contains "$err" "error: zfs.datasets[0].properties: dataset '$q/x': xattr 'sa' is not supported by this ZFS"
	assert_contains "$err" "hint: use one of: on, off"
	zpool list "$q" >/dev/null 2>&1 && fail "pool was created despite the plan error"
	return 0
}

test_encrypted_dataset_with_a_key_file_children_inherit() {
	need encryption
	local q; q=$(pool_name qx)
	local d; d=$(vdev "$q-a")
	head -c 32 /dev/urandom >"$WORK/tank.key"
	chmod 0600 "$WORK/tank.key"
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/mnt/$q" } ],
  "datasets": [ { "name": "secret", "pool": "$q",
                  "properties": { "encryption": "on", "keyformat": "raw", "keylocation": "file://$WORK/tank.key" } },
                { "name": "secret/db", "pool": "$q", "properties": "recordsize=16K" } ] } }
JSON
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_not_contains "$out$err" "$(od -An -tx1 "$WORK/tank.key" | tr -d ' \n' | head -c 16)"
	assert_eq "$(zfs get -H -o value encryptionroot "$q/secret/db")" "$q/secret"
	assert_eq "$(zget keystatus "$q/secret/db")" available
	assert_eq "$(zget keyformat "$q/secret")" raw
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_contains "$out" "Nothing to do: the host matches the config."
	ph status -c "$WORK/c.json" --root "$WORK/root" --json
	assert_rc 0
	assert_eq "$(jq -r ".zfs.datasets[] | select(.name==\"$q/secret/db\") | .properties.keystatus" <<<"$out")" available
	ph status -c "$WORK/c.json" --root "$WORK/root"
	assert_contains "$out" " key available"
	# an unloaded key is reported, never loaded
	zfs unmount "$q/secret/db" && zfs unmount "$q/secret" && zfs unload-key "$q/secret"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_contains "$err" "warning: zfs.datasets[0]: dataset '$q/secret': its encryption key is not loaded (keystatus unavailable, encryption root '$q/secret'): it cannot be mounted"
	assert_contains "$err" "hint: load it with 'zfs load-key $q/secret' (then 'zfs mount -a'); phoenix-storage never loads keys"
	assert_eq "$(zget keystatus "$q/secret")" unavailable
	zfs load-key "$q/secret"
	# encryption is fixed at creation: a change is a recreate, never run
	sed -i 's/"encryption": "on"/"encryption": "aes-128-ccm"/' "$WORK/c.json"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "! recreate needed: $q/secret encryption aes-256-gcm -> aes-128-ccm: ZFS sets it only when the dataset is created"
}

test_alias_properties_are_idempotent() {
	need acltype xattr-sa
	local q; q=$(pool_name pa)
	local d; d=$(vdev "$q-a")
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/mnt/$q" } ],
  "datasets": [ { "name": "posix", "pool": "$q", "properties": "acltype=posixacl,xattr=sa" },
                { "name": "dir", "pool": "$q", "properties": "acltype=noacl,xattr=dir" } ] } }
JSON
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	echo "  captured: $(zfs get -H -o name,property,value,source acltype,xattr "$q/posix" "$q/dir" | tr '\t\n' ' ;')" >&2
	# xattr=sa as the line shows it: "on" from OpenZFS 2.2 (on means sa there), "sa" before
	local want=sa
	case $(cut -d. -f1,2 /sys/module/zfs/version 2>/dev/null) in 2.[2-9] | 2.[1-9][0-9] | [3-9].*) want=on ;; esac
	assert_eq "$(zget xattr "$q/posix")" "$want" "(xattr=sa on ZFS $(cat /sys/module/zfs/version 2>/dev/null))"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_contains "$out" "Nothing to do: the host matches the config."
}

test_sparse_volume_has_no_reservation() {
	need volumes
	local q; q=$(pool_name qz)
	local d; d=$(vdev "$q-a" 512M)
	cat >"$WORK/c.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/mnt/$q" } ],
  "datasets": [ { "name": "thin", "pool": "$q", "type": "volume", "volsize": "2G", "sparse": true,
                  "properties": "volblocksize=16K" } ] } }
JSON
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "+ create volume $q/thin (volsize=2G, sparse, volblocksize=16K)"
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_rc 0
	assert_eq "$(zget volsize "$q/thin")" $((2 * 1024 * 1024 * 1024))
	assert_eq "$(zget refreservation "$q/thin")" 0
	ph apply -c "$WORK/c.json" --root "$WORK/root" --yes
	assert_contains "$out" "Nothing to do: the host matches the config."
	sed -i 's/volblocksize=16K/volblocksize=64K/' "$WORK/c.json"
	ph plan -c "$WORK/c.json" --root "$WORK/root"
	assert_rc 2
	assert_contains "$out" "! recreate needed: $q/thin volblocksize 16K -> 64K: ZFS sets it only when the volume is created; create a new volume with it, copy the data (dd), then swap the names with 'zfs rename'"
}

run_tests
