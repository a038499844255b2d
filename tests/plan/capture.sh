#!/usr/bin/env bash
# Makes the live host state of each zfs-fuse planner case and records it with
# tests/plan/record: one capture_CASE function per case directory. Run as root
# with zfs-fuse up (scripts/start-zfs.sh); pools get this run's unique names
# (t<PID>NAME, destroyed at the end) and are renamed to NAME in the case.
#   tests/plan/capture.sh            every case below
#   tests/plan/capture.sh NAME...    the cases whose name contains NAME
# Where a state needs apply (a post/ state, or a state drifted after apply),
# the real apply makes it.
here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
source "$here/../integration/lib.sh"
set -u
REC=$here/record

# new_case NAME: a work directory W laid out like a case (W/root, W/disks).
new_case() {
	CASE=$1
	W=$WORK/$CASE
	rm -rf "$W"
	mkdir -p "$W/root" "$W/disks"
}

# about TEXT: the case's README line (what it shows; how it was made, when by hand).
about() { mkdir -p "$here/$CASE"; printf '%s\n' "$*" >"$here/$CASE/README"; }

# disk NAME [SIZE]: a sparse file vdev W/disks/NAME.
disk() { truncate -s "${2:-2G}" "$W/disks/$1"; echo "$W/disks/$1"; }

# pool NAME DISK...: a pool that is NAME in the case, mounted at W/root/LIVE (W/root/NAME in the case); sets $L_NAME.
pool() {
	local name=$1 live
	shift
	live=$(pool_name "c${CASE_N}$name")
	zpool create -m "$W/root/$live" "$live" "$@" >/dev/null || return 1
	POOLS_CREATED+=("$live")
	printf -v "L_$name" %s "$live"
	POOLMAP+=(--pool "$name=$live")
}

# live NAME: the live name of the case's pool NAME.
live() { local v="L_$1"; echo "${!v}"; }

# managed DATASET...: datasets as the tool makes them (phoenix:managed=true).
managed() { local d; for d; do zfs create -o phoenix:managed=true "$d" || return 1; done; }

# record [post] -- PLAN-ARGS: records W into tests/plan/CASE (or its post/).
record() {
	local dest=$here/$CASE
	if [ "${1:-}" = post ]; then dest+=/post; shift; fi
	[ "${1:-}" = -- ] && shift
	local cfg=(-c "$W/config.json")
	[ -f "$W/lxc.json" ] && cfg+=(--lxc-config "$W/lxc.json")
	[ -f "$W/vm.json" ] && cfg+=(--vm-config "$W/vm.json")
	"$REC" "$dest" "${cfg[@]}" --root "$W/root" "${POOLMAP[@]}" --force -- "$@"
}

# apply_live [ARGS]: the real apply of W's config. Its `exportfs -ra` does
# nothing: under --root the kernel never reads the drop-in (load_exports does).
EXPORTFS_RA=$WORK/exportfs-ra
printf '#!/bin/sh\n[ "$1" = -ra ] && exit 0\nexec exportfs "$@"\n' >"$EXPORTFS_RA"
chmod +x "$EXPORTFS_RA"
apply_live() {
	local cfg=(-c "$W/config.json")
	[ -f "$W/lxc.json" ] && cfg+=(--lxc-config "$W/lxc.json")
	[ -f "$W/vm.json" ] && cfg+=(--vm-config "$W/vm.json")
	PHOENIX_LOCK=$WORK/apply.lock PHOENIX_EXPORTFS=$EXPORTFS_RA "$PH" apply "${cfg[@]}" --root "$W/root" --yes "$@" >"$W/apply.log" 2>&1 ||
		{ cat "$W/apply.log" >&2; return 1; }
}

# tank: the usual pool, "tank" on W/disks/a, mounted at W/root/tank; $P is its live name.
tank() { disk a >/dev/null; pool tank "$W/disks/a"; P=$(live tank); }

# ---- ZFS ----

capture_zfs-fresh-host-creates-pool-and-nested-datasets() {
	new_case zfs-fresh-host-creates-pool-and-nested-datasets
	about "No pool yet: the pool is created on its disk, then the datasets, parents before children. post/: after the real apply."
	disk a >/dev/null
	P=$(pool_name "c${CASE_N}tank")
	POOLMAP+=(--pool "tank=$P")
	cat >"$W/config.json" <<JSON
{ "zfs": {
    "pools": [ { "name": "$P", "raid_level": "single", "disks": ["$W/disks/a"], "mountpoint": "$W/root/$P" } ],
    "datasets": [
      { "name": "data", "pool": "$P", "properties": "compression=on,quota=1G,atime=off" },
      { "name": "data/projects", "pool": "$P", "properties": { "recordsize": "16K" } },
      { "name": "backup", "pool": "$P", "properties": "compression=gzip-6,reservation=64M" } ] } }
JSON
	record
	apply_live
	POOLS_CREATED+=("$P")
	record post
}

capture_zfs-property-drift-is-changed-and-an-unnamed-property-left-alone() {
	new_case zfs-property-drift-is-changed-and-an-unnamed-property-left-alone
	about "quota, compression and recordsize set by hand to other values are planned back; checksum, which the config does not name, is left alone. post/: after apply."
	tank
	managed "$P/data" "$P/logs"
	zfs set quota=512M "$P/data"
	zfs set compression=on "$P/data"
	zfs set atime=off "$P/data"
	zfs set recordsize=32K "$P/logs"
	zfs set checksum=fletcher4 "$P/data"   # the config does not name checksum: left alone
	cat >"$W/config.json" <<JSON
{ "zfs": {
    "pools": [ { "name": "$P", "raid_level": "single", "disks": ["$W/disks/a"], "mountpoint": "$W/root/$P" } ],
    "datasets": [
      { "name": "data", "pool": "$P", "properties": "quota=1G,compression=off,atime=off" },
      { "name": "logs", "pool": "$P", "properties": { "recordsize": "128K", "quota": "none" } } ] } }
JSON
	record
	apply_live
	record post
}

capture_zfs-pool-mountpoint-converges-on-an-existing-pool() {
	new_case zfs-pool-mountpoint-converges-on-an-existing-pool
	about "The config gives an existing pool another mountpoint: zfs set mountpoint= on its root dataset (its children inherit it). post/: after apply."
	tank
	managed "$P/data"
	cat >"$W/config.json" <<JSON
{ "zfs": {
    "pools": [ { "name": "$P", "raid_level": "single", "disks": ["$W/disks/a"], "mountpoint": "$W/root/srv/$P/" } ],
    "datasets": [ { "name": "data", "pool": "$P" } ] } }
JSON
	record
	apply_live
	record post
}

capture_zfs-undeclared-datasets-are-listed-unmanaged-and-left-alone() {
	new_case zfs-undeclared-datasets-are-listed-unmanaged-and-left-alone
	about "A dataset made by hand and one the tool made once (phoenix:managed=true) but the config dropped: both listed as unmanaged, nothing destroyed."
	tank
	managed "$P/data" "$P/old"          # old: made by the tool once, dropped from the config since
	zfs create "$P/scratch"             # made by hand
	zfs create "$P/scratch/deep"
	cat >"$W/config.json" <<JSON
{ "zfs": {
    "pools": [ { "name": "$P", "raid_level": "single", "disks": ["$W/disks/a"], "mountpoint": "$W/root/$P" } ],
    "datasets": [ { "name": "data", "pool": "$P" } ] } }
JSON
	record
}

capture_zfs-existing-dataset-without-the-marker-is-adopted() {
	new_case zfs-existing-dataset-without-the-marker-is-adopted
	about "A dataset the config declares exists without phoenix:managed: it is adopted (the marker set), not re-created. post/: after apply."
	tank
	zfs create -o compression=on "$P/media"
	cat >"$W/config.json" <<JSON
{ "zfs": {
    "pools": [ { "name": "$P", "raid_level": "single", "disks": ["$W/disks/a"], "mountpoint": "$W/root/$P" } ],
    "datasets": [ { "name": "media", "pool": "$P", "properties": "compression=on,quota=200M" } ] } }
JSON
	record
	apply_live
	record post
}

capture_zfs-exported-pool-is-imported-not-created() {
	new_case zfs-exported-pool-is-imported-not-created
	about "The configured pool is exported: zpool import -d finds it on its disk, and the plan imports it instead of creating it. post/: after apply."
	tank
	managed "$P/data"
	cat >"$W/config.json" <<JSON
{ "zfs": {
    "pools": [ { "name": "$P", "raid_level": "single", "disks": ["$W/disks/a"], "mountpoint": "$W/root/$P" } ],
    "datasets": [ { "name": "data", "pool": "$P" }, { "name": "new", "pool": "$P" } ] } }
JSON
	zpool export "$P"
	record
	apply_live
	record post
}

capture_zfs-disk-with-a-signature-is-refused-without-allow-wipe() {
	new_case zfs-disk-with-a-signature-is-refused-without-allow-wipe
	about "disks/b carries a swap signature (mkswap on a 1 MiB file, kept in the case): refused, the hint names --allow-wipe."
	disk a >/dev/null
	truncate -s 1M "$W/disks/b"
	mkswap "$W/disks/b" >/dev/null 2>&1
	P=$(pool_name "c${CASE_N}fast")
	POOLMAP+=(--pool "fast=$P")
	cat >"$W/config.json" <<JSON
{ "zfs": {
    "pools": [ { "name": "$P", "raid_level": "mirror", "disks": ["$W/disks/a", "$W/disks/b"], "mountpoint": "$W/root/$P" } ] } }
JSON
	record
}

capture_zfs-disk-with-a-signature-is-wiped-only-with-allow-wipe() {
	new_case zfs-disk-with-a-signature-is-wiped-only-with-allow-wipe
	about "The same disk with --allow-wipe (args): a destructive wipe before the pool is created; safety accepts it because the case allows that disk and no recorded pool holds it."
	disk a >/dev/null
	truncate -s 1M "$W/disks/b"
	mkswap "$W/disks/b" >/dev/null 2>&1
	P=$(pool_name "c${CASE_N}fast")
	POOLMAP+=(--pool "fast=$P")
	cat >"$W/config.json" <<JSON
{ "zfs": {
    "pools": [ { "name": "$P", "raid_level": "mirror", "disks": ["$W/disks/a", "$W/disks/b"], "mountpoint": "$W/root/$P" } ] } }
JSON
	record -- --allow-wipe "$W/disks/b"
}

capture_zfs-disk-of-an-imported-pool-is-refused-even-with-allow-wipe() {
	new_case zfs-disk-of-an-imported-pool-is-refused-even-with-allow-wipe
	about "A new pool on a disk of the imported pool tank: refused although both disks are given with --allow-wipe."
	tank
	disk b >/dev/null
	Q=$(pool_name "c${CASE_N}fast")
	POOLMAP+=(--pool "fast=$Q")
	cat >"$W/config.json" <<JSON
{ "zfs": {
    "pools": [ { "name": "$Q", "raid_level": "mirror", "disks": ["$W/disks/b", "$W/disks/a"], "mountpoint": "$W/root/$Q" } ] } }
JSON
	record -- --allow-wipe "$W/disks/a" --allow-wipe "$W/disks/b"
}

capture_zfs-pool-lacks-vdevs-data-needs-allow-grow-pool-spare-does-not() {
	new_case zfs-pool-lacks-vdevs-data-needs-allow-grow-pool-spare-does-not
	about "The pool is one mirror; the config has a second mirror and a spare: the mirror is a warning naming --allow-grow-pool, the spare is added (zpool remove undoes it)."
	disk a >/dev/null
	disk b >/dev/null
	pool tank mirror "$W/disks/a" "$W/disks/b"
	P=$(live tank)
	disk c >/dev/null
	disk d >/dev/null
	disk j >/dev/null
	cat >"$W/config.json" <<JSON
{ "zfs": {
    "pools": [ { "name": "$P", "mountpoint": "$W/root/$P",
                 "vdevs": [ { "type": "mirror", "disks": ["$W/disks/a", "$W/disks/b"] },
                            { "type": "mirror", "disks": ["$W/disks/c", "$W/disks/d"] } ],
                 "spares": ["$W/disks/j"] } ] } }
JSON
	record
}

capture_zfs-pool-vdev-is-added-with-allow-grow-pool() {
	new_case zfs-pool-vdev-is-added-with-allow-grow-pool
	about "The pool is one mirror; the config has a second one: with --allow-grow-pool it is added by zpool add, marked irreversible."
	disk a >/dev/null
	disk b >/dev/null
	pool tank mirror "$W/disks/a" "$W/disks/b"
	P=$(live tank)
	disk c >/dev/null
	disk d >/dev/null
	cat >"$W/config.json" <<JSON
{ "zfs": {
    "pools": [ { "name": "$P", "mountpoint": "$W/root/$P",
                 "vdevs": [ { "type": "mirror", "disks": ["$W/disks/a", "$W/disks/b"] },
                            { "type": "mirror", "disks": ["$W/disks/c", "$W/disks/d"] } ] } ] } }
JSON
	record -- --allow-grow-pool
}

capture_zfs-missing-disk-is-an-error() {
	new_case zfs-missing-disk-is-an-error
	about "The configured disk does not exist."
	P=$(pool_name "c${CASE_N}tank")
	POOLMAP+=(--pool "tank=$P")
	cat >"$W/config.json" <<JSON
{ "zfs": {
    "pools": [ { "name": "$P", "raid_level": "single", "disks": ["$W/disks/missing"], "mountpoint": "$W/root/$P" } ],
    "datasets": [ { "name": "data", "pool": "$P" } ] } }
JSON
	record
}

capture_zfs-feature-this-zfs-lacks-is-a-plan-error() {
	new_case zfs-feature-this-zfs-lacks-is-a-plan-error
	about "lz4, zstd, sync and 1M records on zfs-fuse (its zfs get usage text lacks them): plan errors naming the dataset and what this ZFS supports."
	tank
	managed "$P/data"
	cat >"$W/config.json" <<JSON
{ "zfs": {
    "pools": [ { "name": "$P", "raid_level": "single", "disks": ["$W/disks/a"], "mountpoint": "$W/root/$P" } ],
    "datasets": [ { "name": "data", "pool": "$P", "properties": "compression=lz4,sync=always,recordsize=1M" },
                  { "name": "fast", "pool": "$P", "properties": "compression=zstd" } ] } }
JSON
	record
}

capture_zfs-values-with-a-newline-are-warned-once-and-a-managed-one-replaced() {
	new_case zfs-values-with-a-newline-are-warned-once-and-a-managed-one-replaced
	about "User properties set by hand with a newline and a TAB: warned once on the dataset that sets them; the one the config manages is replaced. post/: after apply."
	tank
	managed "$P/data" "$P/data/sub"
	zfs set phoenix:note="$(printf 'line one\nline two')" "$P/data"
	zfs set phoenix:owner="$(printf 'ops\tteam')" "$P/data"
	cat >"$W/config.json" <<JSON
{ "zfs": {
    "pools": [ { "name": "$P", "raid_level": "single", "disks": ["$W/disks/a"], "mountpoint": "$W/root/$P" } ],
    "datasets": [ { "name": "data", "pool": "$P", "properties": { "phoenix:owner": "ops" } },
                  { "name": "data/sub", "pool": "$P" } ] } }
JSON
	record
	apply_live
	record post
}

capture_zfs-pool-layout-drift-is-a-warning-never-a-change() {
	new_case zfs-pool-layout-drift-is-a-warning-never-a-change
	about "The config says mirror, the pool is a single disk: a warning, never an action."
	tank
	disk b >/dev/null
	managed "$P/data"
	cat >"$W/config.json" <<JSON
{ "zfs": {
    "pools": [ { "name": "$P", "raid_level": "mirror", "disks": ["$W/disks/a", "$W/disks/b"], "mountpoint": "$W/root/$P" } ],
    "datasets": [ { "name": "data", "pool": "$P" } ] } }
JSON
	record
}

capture_zfs-quotas-above-the-pool-size-are-a-warning() {
	new_case zfs-quotas-above-the-pool-size-are-a-warning
	about "Quotas that add up to more than the pool holds: the capacity warning."
	tank
	managed "$P/a" "$P/b"
	cat >"$W/config.json" <<JSON
{ "zfs": {
    "pools": [ { "name": "$P", "raid_level": "single", "disks": ["$W/disks/a"], "mountpoint": "$W/root/$P" } ],
    "datasets": [ { "name": "a", "pool": "$P", "properties": "quota=100G" },
                  { "name": "b", "pool": "$P", "properties": "quota=200G" } ] } }
JSON
	record
}

# ---- ARC ----

capture_arc-limit-goes-to-modprobe-and-the-running-module() {
	new_case arc-limit-goes-to-modprobe-and-the-running-module
	about "arc_max_gb with an existing modprobe.d line of another option and a loaded module (root/sys/module/zfs): both changed, other lines kept. post/: after apply."
	tank
	mkdir -p "$W/root/etc/modprobe.d" "$W/root/sys/module/zfs/parameters"
	printf '# local tuning\noptions zfs zfs_prefetch_disable=1\n' >"$W/root/etc/modprobe.d/zfs.conf"
	echo 0 >"$W/root/sys/module/zfs/parameters/zfs_arc_max"
	cat >"$W/config.json" <<JSON
{ "zfs": { "arc_max_gb": 4,
    "pools": [ { "name": "$P", "raid_level": "single", "disks": ["$W/disks/a"], "mountpoint": "$W/root/$P" } ] } }
JSON
	record
	apply_live
	record post
}

capture_arc-limit-above-half-the-ram-is-a-warning() {
	new_case arc-limit-above-half-the-ram-is-a-warning
	about "arc_max_gb above half of the recorded host's RAM (state/sysinfo.ram, 23.5G): the warning, whatever the RAM of the machine running the case."
	cat >"$W/config.json" <<JSON
{ "zfs": { "arc_max_gb": 64 } }
JSON
	record
}

capture_zfs-property-source-inherit-recreate-and-pool-properties() {
	new_case zfs-property-source-inherit-recreate-and-pool-properties
	about "Property rules on an existing pool: atime matching only by inheritance is set locally, compression=inherit runs zfs inherit (with the value it gets), quota=none with source default is converged, a create-only casesensitivity is recreate needed, utf8only equal is converged; the pool's failmode (zpool get, header form) and its root option compression converge. No post/: the recreate stays pending."
	tank
	zfs set atime=off "$P"
	managed "$P/a" "$P/b"
	zfs create -o phoenix:managed=true -o casesensitivity=sensitive "$P/c"
	zfs set compression=gzip-9 "$P/b"
	cat >"$W/config.json" <<JSON
{ "zfs": {
    "pools": [ { "name": "$P", "raid_level": "single", "disks": ["$W/disks/a"], "mountpoint": "$W/root/$P",
                 "properties": { "failmode": "continue" }, "options": { "compression": "lzjb" } } ],
    "datasets": [
      { "name": "a", "pool": "$P", "properties": "atime=off,quota=none" },
      { "name": "b", "pool": "$P", "properties": { "compression": "inherit" } },
      { "name": "c", "pool": "$P", "properties": "casesensitivity=insensitive,utf8only=off" } ] } }
JSON
	record
}

# ---- persistent directories ----

# tank_zfs DATASET...: the zfs section for pool tank with those datasets (JSON, no braces around).
tank_zfs() {
	local d sep= ds=
	for d; do ds+="$sep{ \"name\": \"$d\", \"pool\": \"$P\" }"; sep=", "; done
	cat <<JSON
  "zfs": {
    "pools": [ { "name": "$P", "raid_level": "single", "disks": ["$W/disks/a"],
                 "mountpoint": "$W/root/$P" } ],
    "datasets": [ $ds ] }
JSON
}

capture_dirs-are-created-parents-first-with-owner-and-mode() {
	new_case dirs-are-created-parents-first-with-owner-and-mode
	about "persistent_storage directories on a mounted managed dataset: parents first, owner, group and mode, the world-writable warning. post/: after apply."
	tank
	managed "$P/data"
	cat >"$W/config.json" <<JSON
{
$(tank_zfs data),
  "persistent_storage": {
    "base": "/$P/data",
    "directories": [
      { "path": "app/portainer/data", "owner": 0, "group": 0, "mode": "0750" },
      { "service": "qdrant", "path": "app/qdrant/storage", "owner": "nobody", "group": 65534, "mode": "2770" },
      { "path": "/$P/data/open", "mode": "0777" },
      { "path": "/$P/data/tmp", "mode": "1777" } ] }
}
JSON
	record
	apply_live
	record post
}

capture_dirs-owner-and-mode-drift-is-changed-nothing-deleted() {
	new_case dirs-owner-and-mode-drift-is-changed-nothing-deleted
	about "Existing directories with another mode and owner (and a file inside): only the difference is changed. post/: after apply."
	tank
	managed "$P/data"
	mkdir -p "$W/root/$P/data/app/cache" "$W/root/$P/data/app/logs"
	echo keep >"$W/root/$P/data/app/logs/old.log"
	chmod 0777 "$W/root/$P/data/app/cache"
	chown 1234:1234 "$W/root/$P/data/app/logs"
	cat >"$W/config.json" <<JSON
{
$(tank_zfs data),
  "persistent_storage": {
    "directories": [
      { "path": "/$P/data/app/cache", "owner": 0, "group": 0, "mode": "0750" },
      { "path": "/$P/data/app/logs", "owner": 33, "group": 33, "mode": "0755" } ] }
}
JSON
	record
	apply_live
	record post
}

capture_dirs-symlink-in-the-path-is-refused-never-followed() {
	new_case dirs-symlink-in-the-path-is-refused-never-followed
	about "A symlink where a directory is expected: refused, never followed."
	tank
	managed "$P/data"
	mkdir -p "$W/root/etc/secret" "$W/root/$P/data/app"
	ln -s ../../../etc/secret "$W/root/$P/data/app/logs"
	cat >"$W/config.json" <<JSON
{
$(tank_zfs data),
  "persistent_storage": {
    "directories": [ { "path": "/$P/data/app/logs/nginx", "owner": 33, "group": 33, "mode": "0750" } ] }
}
JSON
	record
}

capture_dirs-not-on-a-managed-dataset-are-refused() {
	new_case dirs-not-on-a-managed-dataset-are-refused
	about "The mount guard for directories: on an unmanaged dataset, on a dataset that does not exist, on no dataset at all; outside_zfs passes."
	tank
	managed "$P/data"
	zfs create "$P/scratch"
	cat >"$W/config.json" <<JSON
{
$(tank_zfs data),
  "persistent_storage": {
    "directories": [
      { "path": "/$P/scratch/app", "mode": "0750" },
      { "path": "/$P/media/films", "mode": "0750" },
      { "path": "/srv/app", "mode": "0750" },
      { "path": "/srv/outside", "mode": "0750", "outside_zfs": true } ] }
}
JSON
	record
}

capture_dirs-on-an-unmounted-dataset-are-refused() {
	new_case dirs-on-an-unmounted-dataset-are-refused
	about "The mount guard: the dataset exists but is not mounted."
	tank
	managed "$P/data"
	zfs umount "$P/data"
	cat >"$W/config.json" <<JSON
{
$(tank_zfs data),
  "persistent_storage": { "directories": [ { "path": "/$P/data/app", "mode": "0750" } ] }
}
JSON
	record
}

capture_dirs-on-a-dataset-the-plan-creates-come-right-after-it() {
	new_case dirs-on-a-dataset-the-plan-creates-come-right-after-it
	about "Directories on datasets the same plan creates: planned after them. post/: after apply."
	tank
	managed "$P/data"
	cat >"$W/config.json" <<JSON
{
$(tank_zfs data services services/web),
  "persistent_storage": {
    "base": "/$P/services",
    "directories": [ { "path": "web/htdocs", "owner": 33, "group": 33, "mode": "0755" },
                     { "path": "db", "mode": "0700" } ] }
}
JSON
	record
	apply_live
	record post
}

# ---- NFS, kernel server ----

# The kernel's exportfs reads only /etc: load_exports copies the case's drop-in
# (and EXTRA lines) into a file of this run in /etc/exports.d and reloads.
KFILE=/etc/exports.d/phoenix-plan-capture-$RUN_ID.exports
# (exportfs -ra fails when any file of /etc/exports.d names a vanished path,
# another suite's for instance: it still loads the rest, checked here.)
load_exports() {
	mkdir -p /etc/exports.d
	{ cat "$W/root/etc/exports.d/phoenix.exports" 2>/dev/null || true; printf '%s\n' "$@"; } >"$KFILE"
	exportfs -ra 2>/dev/null || true
	local p
	for p in $(grep -v '^#' "$KFILE" | awk '{ print $1 }'); do
		exportfs -v | grep -qE "^$p([[:space:]]|\$)" || { echo "load_exports: $p is not in the export table" >&2; return 1; }
	done
}
unload_exports() { rm -f "$KFILE"; exportfs -ra 2>/dev/null || true; }
trap 'unload_exports; cleanup_all' EXIT

# nfs_cfg EXPORTS-JSON [DATASETS...]: config with tank's datasets and the nfs section.
nfs_cfg() {
	local ex=$1
	shift
	cat <<JSON
{
$(tank_zfs "$@"),
  "nfs": { "exports": $ex }
}
JSON
}

capture_nfs-kernel-exports-are-written-to-the-dropin-and-loaded() {
	new_case nfs-kernel-exports-are-written-to-the-dropin-and-loaded
	about "Two exports on managed datasets: the drop-in is written. post/: after apply, with the drop-in loaded into the kernel table (exportfs -v)."
	tank
	managed "$P/data" "$P/media"
	nfs_cfg "[
      { \"path\": \"$W/root/$P/data\", \"clients\": [\"127.0.0.1\", \"10.0.0.0/24\"],
        \"options\": [\"rw\", \"sync\", \"root_squash\", \"no_subtree_check\"] },
      { \"path\": \"$W/root/$P/media\", \"clients\": [\"*.example.com\"],
        \"options\": [\"ro\", \"async\", \"no_subtree_check\", \"anonuid=1000\", \"anongid=1000\"] } ]" data media >"$W/config.json"
	record
	apply_live
	load_exports
	record post
	unload_exports
}

capture_nfs-export-in-the-dropin-but-not-the-server-is-reloaded() {
	new_case nfs-export-in-the-dropin-but-not-the-server-is-reloaded
	about "After apply under --root the kernel has not read the drop-in: the export is reported missing in the server. post/: once loaded."
	tank
	managed "$P/data"
	nfs_cfg "[ { \"path\": \"$W/root/$P/data\", \"clients\": [\"127.0.0.1\"],
        \"options\": [\"rw\", \"sync\", \"no_subtree_check\"] } ]" data >"$W/config.json"
	apply_live          # writes the drop-in under --root: the kernel does not read it
	record
	load_exports
	record post
	unload_exports
}

capture_nfs-export-dropped-from-the-config-is-removed-from-the-dropin() {
	new_case nfs-export-dropped-from-the-config-is-removed-from-the-dropin
	about "An export of the tool's drop-in that the config dropped is removed (safety: the drop-in is the tool's). post/: after apply."
	tank
	managed "$P/data" "$P/old"
	nfs_cfg "[ { \"path\": \"$W/root/$P/data\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"] },
      { \"path\": \"$W/root/$P/old\", \"clients\": [\"10.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"] } ]" data old >"$W/config.json"
	apply_live
	load_exports
	nfs_cfg "[ { \"path\": \"$W/root/$P/data\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"] } ]" data old >"$W/config.json"
	record
	apply_live
	load_exports
	record post
	unload_exports
}

capture_nfs-export-clients-and-options-drift-is-changed() {
	new_case nfs-export-clients-and-options-drift-is-changed
	about "Loaded export with other clients and options, and the export root's group and mode: changed. post/: after apply."
	tank
	managed "$P/data"
	nfs_cfg "[ { \"path\": \"$W/root/$P/data\", \"clients\": [\"10.0.0.1\"], \"options\": [\"ro\", \"no_subtree_check\"] } ]" data >"$W/config.json"
	apply_live
	load_exports
	nfs_cfg "[ { \"path\": \"$W/root/$P/data\", \"clients\": [\"10.0.0.1\", \"10.0.0.2\"],
        \"options\": [\"rw\", \"sync\", \"no_subtree_check\"], \"owner\": \"root\", \"group\": \"100\", \"mode\": \"2770\" } ]" data >"$W/config.json"
	record
	apply_live
	load_exports
	record post
	unload_exports
}

capture_nfs-export-on-an-unmounted-dataset-is-refused() {
	new_case nfs-export-on-an-unmounted-dataset-is-refused
	about "The mount guard for exports: the dataset is not mounted."
	tank
	managed "$P/data"
	zfs umount "$P/data"
	nfs_cfg "[ { \"path\": \"$W/root/$P/data\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"] } ]" data >"$W/config.json"
	record
}

capture_nfs-export-not-on-a-managed-dataset-is-refused() {
	new_case nfs-export-not-on-a-managed-dataset-is-refused
	about "The mount guard for exports: an unmanaged dataset and a missing one; outside_zfs passes."
	tank
	managed "$P/data"
	zfs create "$P/scratch"
	mkdir -p "$W/root/srv/iso"
	nfs_cfg "[ { \"path\": \"$W/root/$P/scratch\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"] },
      { \"path\": \"$W/root/$P/media\", \"clients\": [\"127.0.0.1\"], \"options\": [\"ro\", \"no_subtree_check\"] },
      { \"path\": \"$W/root/srv/iso\", \"clients\": [\"127.0.0.1\"], \"options\": [\"ro\", \"no_subtree_check\"], \"outside_zfs\": true } ]" data >"$W/config.json"
	record
}

capture_nfs-dropin-without-the-header-is-never-overwritten() {
	new_case nfs-dropin-without-the-header-is-never-overwritten
	about "An exports.d/phoenix.exports written by hand (no header): refused, never overwritten."
	tank
	managed "$P/data"
	mkdir -p "$W/root/etc/exports.d"
	printf '# written by hand\n%s 192.168.1.0/24(ro,no_subtree_check)\n' "$W/root/$P/data" >"$W/root/etc/exports.d/phoenix.exports"
	nfs_cfg "[ { \"path\": \"$W/root/$P/data\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"] } ]" data >"$W/config.json"
	record
}

capture_nfs-foreign-exports-are-warned-and-left-alone() {
	new_case nfs-foreign-exports-are-warned-and-left-alone
	about "The same path in /etc/exports: warned; an export in the kernel table that is not the tool's: listed unmanaged."
	tank
	managed "$P/data"
	zfs create "$P/other"
	mkdir -p "$W/root/etc"
	printf '# /etc/exports, by hand\n%s 10.9.9.9(ro,no_subtree_check)\n' "$W/root/$P/data" >"$W/root/etc/exports"
	nfs_cfg "[ { \"path\": \"$W/root/$P/data\", \"clients\": [\"127.0.0.1\"], \"options\": [\"rw\", \"no_subtree_check\"] } ]" data >"$W/config.json"
	load_exports "$W/root/$P/other 10.1.1.1(ro,no_subtree_check)"
	record
	unload_exports
}

capture_nfs-risky-export-options-are-warnings() {
	new_case nfs-risky-export-options-are-warnings
	about "no_root_squash to a network and a netgroup, insecure, rw to *, a 0777 root: warnings."
	tank
	managed "$P/data" "$P/pub"
	nfs_cfg "[ { \"path\": \"$W/root/$P/data\", \"clients\": [\"10.0.0.0/24\", \"@trusted\"], \"options\": [\"rw\", \"no_root_squash\", \"insecure\"] },
      { \"path\": \"$W/root/$P/pub\", \"clients\": [\"*\"], \"options\": [\"rw\", \"no_subtree_check\"], \"mode\": \"0777\" } ]" data pub >"$W/config.json"
	record
}

# ---- NFS, nfs-ganesha ----

# ganesha_conf: a hand-written ganesha.conf under the root, with one EXPORT of its own.
ganesha_conf() {
	mkdir -p "$W/root/etc/ganesha"
	cat >"$W/root/etc/ganesha/ganesha.conf" <<EOF
# ganesha.conf, written by hand
NFS_CORE_PARAM { Protocols = 3, 4; }
EXPORT {
	Export_Id = 7;
	Path = "/srv/handmade";
	Pseudo = "/srv/handmade";
	Access_Type = RO;
	FSAL { Name = VFS; }
}
EOF
}

capture_nfs-ganesha-exports-are-written-and-the-include-added() {
	new_case nfs-ganesha-exports-are-written-and-the-include-added
	about "nfs-ganesha: the include file and the %include line added to a hand-written ganesha.conf; paths outside the case (a new export's Export_Id is a hash of its path) that do not exist on the host."
	ganesha_conf
	# paths outside the case: a new export's Export_Id is a hash of its path
	cat >"$W/config.json" <<JSON
{ "nfs": { "server": "ganesha", "exports": [
    { "path": "/srv/phoenix-plan-case/iso", "clients": ["10.0.0.0/24"],
      "options": ["ro", "no_subtree_check", "all_squash", "anonuid=1000"], "outside_zfs": true },
    { "path": "/srv/phoenix-plan-case/backup", "clients": ["10.0.0.5", "10.0.0.6"],
      "options": ["rw", "sync", "no_root_squash", "sec=krb5p"], "outside_zfs": true } ] } }
JSON
	record
}

# gexport DATASET CLIENT OPTIONS: one ganesha export of tank's DATASET (JSON).
gexport() { printf '{ "path": "%s", "clients": ["%s"], "options": [%s] }' "$W/root/$P/$1" "$2" "$3"; }

capture_nfs-ganesha-export-ids-stay-when-exports-change() {
	new_case nfs-ganesha-export-ids-stay-when-exports-change
	about "nfs-ganesha after apply: one export dropped, one changed, ids read back from the include file. post/: after apply."
	tank
	managed "$P/a" "$P/b" "$P/c"
	ganesha_conf
	cat >"$W/config.json" <<JSON
{
$(tank_zfs a b c),
  "nfs": { "server": "ganesha", "exports": [ $(gexport a 10.0.0.1 '"rw"'), $(gexport b 10.0.0.2 '"rw"'), $(gexport c 10.0.0.3 '"ro"') ] }
}
JSON
	apply_live
	cat >"$W/config.json" <<JSON
{
$(tank_zfs a b c),
  "nfs": { "server": "ganesha", "exports": [ $(gexport c 10.0.0.3 '"rw", "root_squash"'), $(gexport a 10.0.0.1 '"rw"') ] }
}
JSON
	record
	apply_live
	record post
}

# ---- Samba ----

# smb_root: smb.conf under the root (loopback only, state outside the root in
# W/samba), with a hand-written share [handmade]; user nobody in its passdb
# unless NOPASSDB=1.
smb_root() {
	mkdir -p "$W/root/etc/samba" "$W/samba/private" "$W/samba/lock" "$W/samba/state" "$W/samba/cache" \
		"$W/samba/run" "$W/root/srv/hand"
	cat >"$W/root/etc/samba/smb.conf" <<EOF
# smb.conf, written by hand
[global]
	bind interfaces only = yes
	interfaces = lo
	disable netbios = yes
	pid directory = $W/samba/run
	lock directory = $W/samba/lock
	state directory = $W/samba/state
	cache directory = $W/samba/cache
	private dir = $W/samba/private
	passdb backend = tdbsam:$W/samba/private/passdb.tdb
	load printers = no

[handmade]
	path = $W/root/srv/hand
	comment = written by hand
	read only = yes
EOF
	if [ "${NOPASSDB:-0}" = 0 ]; then
		printf 'Secret-1\nSecret-1\n' | smbpasswd -c "$W/root/etc/samba/smb.conf" -s -a nobody >/dev/null
	fi
}

# smb_cfg SHARES-JSON [SAMBA-MEMBERS]: config with tank's datasets data and media and a samba section.
smb_cfg() {
	cat >"$W/config.json" <<JSON
{
$(tank_zfs data media),
  "samba": { "user": "nobody", ${2:-}
    "shares": $1 }
}
JSON
}

capture_samba-share-is-published-with-the-include-line() {
	new_case samba-share-is-published-with-the-include-line
	about "Two shares on managed datasets, a hand-written smb.conf with its own share: the shares file and one include line. post/: after apply."
	tank
	managed "$P/data" "$P/media"
	smb_root
	smb_cfg '[ { "name": "data", "path": "/'"$P"'/data", "options": "browseable=yes writable=yes create_mask=0660",
	             "valid_users": ["nobody", "@daemon"] },
	           { "name": "media", "path": "'"$P"'/media", "options": { "read only": true, "comment": "Films and music" } } ]'
	record
	apply_live
	record post
}

capture_samba-user-is-added-from-the-password-file() {
	new_case samba-user-is-added-from-the-password-file
	about "The Samba user is not in passdb: added from the password file (mode 0640: a warning)."
	tank
	managed "$P/data" "$P/media"
	NOPASSDB=1 smb_root
	mkdir -p "$W/root/secrets"
	printf 'Secret-1\n' >"$W/root/secrets/samba.pass"
	chmod 0640 "$W/root/secrets/samba.pass"
	smb_cfg '[ { "name": "data", "path": "/'"$P"'/data" } ]' '"password_file": "/secrets/samba.pass",'
	record
}

capture_samba-user-without-a-samba-password-needs-a-password() {
	new_case samba-user-without-a-samba-password-needs-a-password
	about "The Samba user is not in passdb and no password file is set: an error."
	tank
	managed "$P/data" "$P/media"
	NOPASSDB=1 smb_root
	smb_cfg '[ { "name": "data", "path": "/'"$P"'/data" } ]'
	record
}

capture_samba-share-dropped-from-the-config-is-removed() {
	new_case samba-share-dropped-from-the-config-is-removed
	about "A share of the tool's shares file the config dropped is removed. post/: after apply."
	tank
	managed "$P/data" "$P/media"
	smb_root
	smb_cfg '[ { "name": "data", "path": "/'"$P"'/data" }, { "name": "media", "path": "/'"$P"'/media" } ]'
	apply_live
	smb_cfg '[ { "name": "data", "path": "/'"$P"'/data" } ]'
	record
	apply_live
	record post
}

capture_samba-hand-edit-of-the-shares-file-is-drift() {
	new_case samba-hand-edit-of-the-shares-file-is-drift
	about "phoenix-shares.conf edited by hand after apply: drift, rewritten. post/: after apply."
	tank
	managed "$P/data" "$P/media"
	smb_root
	smb_cfg '[ { "name": "data", "path": "/'"$P"'/data", "options": "writable=yes" } ]'
	apply_live
	sed -i 's/writable = yes/writable = no\n\tguest ok = yes/' "$W/root/etc/samba/phoenix-shares.conf"
	record
	apply_live
	record post
}

capture_samba-share-not-on-a-managed-dataset-is-refused() {
	new_case samba-share-not-on-a-managed-dataset-is-refused
	about "The mount guard for shares: an unmanaged dataset and a missing one; outside_zfs passes."
	tank
	managed "$P/data" "$P/media"
	zfs create "$P/scratch"
	smb_root
	smb_cfg '[ { "name": "scratch", "path": "/'"$P"'/scratch" }, { "name": "music", "path": "/'"$P"'/music" },
	           { "name": "tmp", "path": "/srv/tmp", "outside_zfs": true } ]'
	record
}

capture_samba-share-named-like-a-hand-written-one-is-refused() {
	new_case samba-share-named-like-a-hand-written-one-is-refused
	about "A share named like a section of smb.conf (case does not matter): refused."
	tank
	managed "$P/data" "$P/media"
	smb_root
	smb_cfg '[ { "name": "HandMade", "path": "/'"$P"'/data" } ]'
	record
}

# ---- Proxmox VE ----

G=$TOP/tests/golden/pve

# pve_root: the Proxmox tree of tests/golden/pve/apply (storage.cfg with three
# foreign storages, containers 201 and 202) under W/root, container 202 running,
# and tank with the datasets the config below names.
pve_root() {
	tank
	managed "$P/vm-disks" "$P/ct-disks" "$P/iso" "$P/shared"
	mkdir -p "$W/root/etc/pve/lxc" "$W/root/sys/fs/cgroup/lxc/202" "$W/root/$P/shared/www" "$W/root/$P/shared/models"
	cp "$G/apply/root/etc/pve/storage.cfg" "$W/root/etc/pve/"
	local f
	for f in 201 202; do
		sed -e "s|/mnt/@POOL@|/$P|g" -e "s|@POOL@|$P|g" "$G/apply/root/etc/pve/lxc/$f.conf" >"$W/root/etc/pve/lxc/$f.conf"
	done
	# what pct create made: the rootfs subvolumes
	zfs create -o refquota=512M "$P/ct-disks/subvol-201-disk-0"
	zfs create -o refquota=1G "$P/ct-disks/subvol-202-disk-0"
}

# pve_cfg [DROP]: the main config of the apply fixture; DROP=iso or ct drops that storage,
# DROP=models the shared volume (its mount points in 201 and 202).
pve_cfg() {
	local iso='"proxmox_storage_type": "dir", "proxmox_content_type": "vztmpl, iso"'
	local ct='"proxmox_storage_type": "zfspool", "proxmox_content_type": "rootdir,images"'
	local models='"models": { "host_path": "/'"$P"'/shared/models", "ro": true, "mounts": { "201": "/models", "202": "/models/" } }'
	case ${1:-} in iso) iso='"properties": "quota=50M"' ;; ct) ct='"properties": "quota=100M"' ;; models) models= ;; esac
	cat >"$W/config.json" <<JSON
{
  "network": { "nfs_server": "10.0.0.13", "interfaces": { "address": "10.0.0.13/24" } },
  "zfs": {
    "pools": [ { "name": "$P", "raid_level": "single", "disks": ["$W/disks/a"],
                 "mountpoint": "$W/root/$P" } ],
    "datasets": [
      { "name": "vm-disks", "pool": "$P", "proxmox_storage_type": "zfspool", "proxmox_content_type": "images", "proxmox_sparse": true },
      { "name": "ct-disks", "pool": "$P", $ct },
      { "name": "iso", "pool": "$P", $iso },
      { "name": "shared", "pool": "$P" } ] },
  "proxmox_storage_ids": { "${P}_vm": "tank-vm", "${P}-CT": "tank-ct" },
  "shared_volumes": {
    $models }
}
JSON
}

# pve_lxc [SIZE201]: the LXC config of the apply fixture (201: a bind mount, a new volume, rootfs SIZE201 GiB).
pve_lxc() {
	cat >"$W/lxc.json" <<JSON
{ "lxc_configs": {
    "201": { "name": "web", "storage_pool": "tank-ct", "storage_size_gb": ${1:-1},
      "mount_points": [ { "host_path": "/$P/shared/www", "container_path": "/srv/www", "ro": false } ],
      "zfs_volumes": [ { "name": "data", "pool": "tank-ct", "size_gb": 1, "mount_point": "/data" } ] },
    "202": { "name": "worker", "storage_pool": "tank-ct", "storage_size_gb": 1 } } }
JSON
}

capture_pve-storages-are-added-for-datasets-foreign-ones-kept() {
	new_case pve-storages-are-added-for-datasets-foreign-ones-kept
	about "zfspool and dir storages for the datasets, the three foreign storages of storage.cfg left alone, shared_volumes mounts added. post/: after apply."
	pve_root
	pve_cfg
	record
	apply_live
	record post
}

capture_pve-storage-with-the-same-id-made-by-hand-is-left-alone() {
	new_case pve-storage-with-the-same-id-made-by-hand-is-left-alone
	about "A storage with the wanted id that the tool did not create: warned and left alone."
	pve_root
	printf '\nzfspool: tank-vm\n\tpool rpool/other\n\tcontent images\n' >>"$W/root/etc/pve/storage.cfg"
	pve_cfg
	record
}

capture_pve-owned-storage-dropped-from-the-config-is-kept-without-allow-destroy() {
	new_case pve-owned-storage-dropped-from-the-config-is-kept-without-allow-destroy
	about "A storage the tool created, dropped from the config: kept, with a warning."
	pve_root
	pve_cfg
	apply_live
	pve_cfg iso
	record
}

capture_pve-owned-storage-dropped-from-the-config-is-removed-with-allow-destroy() {
	new_case pve-owned-storage-dropped-from-the-config-is-removed-with-allow-destroy
	about "The same with --allow-destroy: removed (safety: pve-owned.json lists it). post/: after apply --allow-destroy."
	pve_root
	pve_cfg
	apply_live
	pve_cfg iso
	record -- --allow-destroy
	apply_live --allow-destroy
	record post -- --allow-destroy
}

capture_pve-owned-storage-a-container-uses-is-never-removed() {
	new_case pve-owned-storage-a-container-uses-is-never-removed
	about "An owned storage the config dropped that containers use: not removed even with --allow-destroy."
	pve_root
	pve_cfg
	apply_live
	pve_cfg ct
	record -- --allow-destroy
}

capture_pve-container-mounts-and-rootfs-size-are-converged() {
	new_case pve-container-mounts-and-rootfs-size-are-converged
	about "Container 201: a bind mount's option changed, a new volume, the rootfs grown; 202 running. post/: after apply."
	pve_root
	pve_cfg
	apply_live           # the storages first: no container config yet
	pve_lxc
	record
	apply_live
	record post
}

capture_pve-container-rootfs-is-never-shrunk() {
	new_case pve-container-rootfs-is-never-shrunk
	about "A rootfs larger than the config says: refused, never shrunk."
	pve_root
	pve_cfg
	apply_live
	sed -i 's/^rootfs: tank-ct:subvol-202-disk-0,size=1G$/rootfs: tank-ct:subvol-202-disk-0,size=2G/' "$W/root/etc/pve/lxc/202.conf"
	pve_lxc
	record
}

capture_pve-missing-container-is-warned-never-created() {
	new_case pve-missing-container-is-warned-never-created
	about "A configured container without a Proxmox config: warned, never invented."
	pve_root
	pve_cfg
	apply_live
	cat >"$W/lxc.json" <<JSON
{ "lxc_configs": {
    "950": { "name": "ghost", "storage_pool": "tank-ct", "storage_size_gb": 4,
      "mount_points": [ { "host_path": "/$P/shared/www", "container_path": "/srv/www" } ] } } }
JSON
	record
}

capture_pve-container-mount-on-an-unmounted-dataset-is-refused() {
	new_case pve-container-mount-on-an-unmounted-dataset-is-refused
	about "The mount guard for container bind mounts: the dataset is not mounted."
	pve_root
	pve_cfg
	apply_live
	pve_lxc
	zfs umount "$P/shared"
	record
}

capture_pve-cli-mode-plans-the-exact-pvesm-and-pct-commands() {
	new_case pve-cli-mode-plans-the-exact-pvesm-and-pct-commands
	about "PHOENIX_PVE_MODE=cli (env): expected.json holds the exact pvesm and pct argv."
	pve_root
	pve_cfg
	pve_lxc
	mkdir -p "$here/$CASE"
	echo PHOENIX_PVE_MODE=cli >"$here/$CASE/env"
	record
}

capture_pve-ownership-intent-of-an-interrupted-apply-is-completed() {
	new_case pve-ownership-intent-of-an-interrupted-apply-is-completed
	about "pve-owned.json with the intent a kill between storage.cfg and its record leaves: the record is completed. post/: after apply."
	pve_root
	pve_cfg
	apply_live
	# as a kill between storage.cfg and its record leaves it: the intent, and the entry in storage.cfg
	mkdir -p "$W/root/var/lib/phoenix-storage"
	jq '.storages -= ["tank-vm"] | .pending = [{"op": "add", "id": "tank-vm", "type": "zfspool", "key": "pool", "value": "'"$P"'/vm-disks"}]' \
		"$W/root/var/lib/phoenix-storage/pve-owned.json" >"$W/owned.json"
	mv "$W/owned.json" "$W/root/var/lib/phoenix-storage/pve-owned.json"
	record
	apply_live
	record post
}

capture_pve-container-mount-dropped-from-the-config-needs-allow-destroy-and-waits-while-running() {
	new_case pve-container-mount-dropped-from-the-config-needs-allow-destroy-and-waits-while-running
	about "The shared volume whose mount points the tool added to 201 and 202 dropped from the config: 201's line is a destructive removal and an error without --allow-destroy; 202 runs, so its removal waits for a stop."
	pve_root
	pve_cfg
	apply_live           # the storages first: no container config yet
	pve_lxc
	apply_live
	pve_cfg models
	record
}

capture_pve-container-mount-dropped-from-the-config-is-removed-with-allow-destroy() {
	new_case pve-container-mount-dropped-from-the-config-is-removed-with-allow-destroy
	about "The same with --allow-destroy and 202 stopped: both lines removed, found by source and target (201's mp1 renumbered to mp5 by hand before recording, as an operator may), a line added by hand with the same source kept. post/: after apply --allow-destroy."
	pve_root
	pve_cfg
	apply_live
	pve_lxc
	apply_live
	rmdir "$W/root/sys/fs/cgroup/lxc/202"
	sed -i -e 's|^mp1: \(/[^,]*/shared/models,mp=/models\)|mp5: \1|' -e '/^mp5:/a mp7: /'"$P"'/shared/models,mp=/hand-models' \
		"$W/root/etc/pve/lxc/201.conf"
	pve_cfg models
	record -- --allow-destroy
	apply_live --allow-destroy
	record post -- --allow-destroy
}

capture_pve-shared-volume-on-an-unmounted-dataset() {
	new_case pve-shared-volume-on-an-unmounted-dataset
	about "shared_volumes on an unmounted dataset: today the mounts are planned without the mount guard (issue 9: shared_volumes escape it); the fix changes this case's expected output."
	pve_root
	pve_cfg
	zfs umount "$P/shared"
	record
}

# ---- invalid states ----

capture_invalid-config-is-refused-before-any-program-runs() {
	new_case invalid-config-is-refused-before-any-program-runs
	about "Every error at once; state/ records no call, so any program the tool ran would fail the case."
	cat >"$W/config.json" <<JSON
{ "zfs": {
    "pools": [ { "name": "tank", "raid_level": "mirror", "disks": ["$W/disks/a"] } ],
    "datasets": [ { "name": "data", "pool": "tnak", "properties": "quota=12Q" } ] },
  "nfs": { "exports": [ { "path": "/tank/data/", "clients": ["10.0.0.300"], "options": ["rw", "ro"] } ] } }
JSON
	record
}

# edit_state FILE SED-SCRIPT: a hand-made change to a recorded program output
# (each use is named in the case's README line), then the expected files again.
edit_state() { sed -i "$2" "$here/$CASE/state/$1"; }
rebless() { "$here/run" --bless "$here/$CASE" >/dev/null; }

capture_zfs-state-that-cannot-be-read-is-an-error-naming-the-command() {
	new_case zfs-state-that-cannot-be-read-is-an-error-naming-the-command
	about "Hand-made from a recording: zpool status fails (exit 1, the message of a host without the ZFS module; its zfs get recording removed): the error names the command and its stderr."
	tank
	managed "$P/data"
	cat >"$W/config.json" <<JSON
{ "zfs": {
    "pools": [ { "name": "$P", "raid_level": "single", "disks": ["$W/disks/a"], "mountpoint": "$W/root/$P" } ],
    "datasets": [ { "name": "data", "pool": "$P" } ] } }
JSON
	record
	# hand-made: zpool status fails as it does when /dev/zfs cannot be opened
	: >"$here/$CASE/state/zpool.status.out"
	echo "The ZFS modules are not loaded." >"$here/$CASE/state/zpool.status.err"
	echo "Try running '/sbin/modprobe zfs' as root to load them." >>"$here/$CASE/state/zpool.status.err"
	echo 1 >"$here/$CASE/state/zpool.status.rc"
	rm -f "$here/$CASE/state/"zfs.list_-H_* "$here/$CASE/state/"zfs.get_-H_-p_all_*
	rebless
}

capture_zfs-faulted-pool-is-not-read-and-is-a-plan-error() {
	new_case zfs-faulted-pool-is-not-read-and-is-a-plan-error
	about "Hand-made from a recording: the pool and its disk edited to FAULTED in zpool status (zfs-fuse cannot fault a file vdev) and its zfs get recording removed: the pool's datasets are not read, a plan error names it."
	tank
	managed "$P/data"
	cat >"$W/config.json" <<JSON
{ "zfs": {
    "pools": [ { "name": "$P", "raid_level": "single", "disks": ["$W/disks/a"], "mountpoint": "$W/root/$P" } ],
    "datasets": [ { "name": "data", "pool": "$P", "properties": "quota=1G" } ] } }
JSON
	record
	# hand-made: the pool and its disk FAULTED (zfs-fuse cannot fault a file vdev on demand)
	edit_state zpool.status.out 's/ONLINE/FAULTED/g; s/ 0     0     0$/ 0     0     0  too many errors/'
	rm -f "$here/$CASE/state/"zfs.list_-H_* "$here/$CASE/state/"zfs.get_-H_-p_all_*
	rebless
}

# ---- the reference configs ----

REFERENCE_DIR=${PHOENIX_REFERENCE_DIR:-$REFERENCE}

capture_reference-configs-on-a-fresh-zfs-fuse-host() {
	new_case reference-configs-on-a-fresh-zfs-fuse-host
	about "The reference configs (copies of tests/data/reference, the Phoenix Hypervisor's shipped configs) with the Proxmox tree of tests/golden/pve/ref, container 101 running, no pool yet, on zfs-fuse: disks missing, lz4/zstd/sync/1M refused, the mount guard errors the reference LXC paths carry."
	[ -f "$REFERENCE_DIR/phoenix_hypervisor_config.json" ] || { echo "no reference configs in $REFERENCE_DIR" >&2; return 1; }
	cp -r "$G/ref/etc" "$W/root/"
	mkdir -p "$W/root/sys/fs/cgroup/lxc/101"
	cp "$REFERENCE_DIR/phoenix_hypervisor_config.json" "$W/config.json"
	cp "$REFERENCE_DIR/phoenix_lxc_configs.json" "$W/lxc.json"
	cp "$REFERENCE_DIR/phoenix_vm_configs.json" "$W/vm.json"
	record
}

filter=("$@")
CASE_N=0
for f in $(declare -F | awk '{ print $3 }' | grep '^capture_'); do
	name=${f#capture_}
	if [ ${#filter[@]} -gt 0 ]; then
		m=0
		for x in "${filter[@]}"; do [[ $name == *"$x"* ]] && m=1; done
		[ $m = 1 ] || continue
	fi
	CASE_N=$((CASE_N + 1))
	POOLMAP=()
	echo "--- $name"
	( set -e; "$f" )
	rc=$?
	[ $rc = 0 ] || echo "FAILED: $name (exit $rc)"
	for p in $(zpool list -H -o name 2>/dev/null | grep "^$(pool_name "c${CASE_N}")" || true); do destroy_pool "$p"; done
done
