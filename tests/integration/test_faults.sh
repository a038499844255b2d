#!/usr/bin/env bash
# Integration: crash safety. One realistic apply (two pools on file vdevs,
# nested datasets, a persistent directory, an NFS kernel export, a Samba share
# with its user, Proxmox storage.cfg, an LXC container with a bind mount and a
# new volume, the ARC limit) is interrupted at every step it takes:
#   fail K  the K-th mutating zfs/zpool/exportfs/smbpasswd command fails
#   kill K  the K-th mutating command runs, then the tool is SIGKILLed
#   write K the tool SIGKILLs itself before its K-th file commit
#           (PHOENIX_FAULT_RENAME, the test hook of write_file_atomic)
# for every K until the fault no longer fires. After each: a plain apply
# converges, the next plan has nothing to do, the host is exactly what an
# uninterrupted apply makes (files, datasets, ownership records, unmanaged
# list: nothing the tool made became foreign, nothing leaked), and no
# *.phoenix-tmp.* file is left under --root.
# Also: two applies with different --root on one pool (the host lock), and
# programs are never taken from PATH.
#
# exportfs is the real one: it reads only /etc, so its wrapper mirrors the
# drop-in the tool writes under --root into /etc/exports.d/phoenix-faults-RUN.exports
# before it runs the real `exportfs -ra` (removed at the end). Samba runs no
# smbd: testparm and smbpasswd use the smb.conf under --root.
source "$(dirname "$0")/lib.sh"
zfs_fuse_ensure || exit 1
command -v exportfs >/dev/null || { echo "exportfs not installed (nfs-kernel-server)"; exit 1; }

U=phf${RUN_ID}
useradd -M -s /usr/sbin/nologin "$U" || exit 1
MIRROR=/etc/exports.d/phoenix-faults-$RUN_ID.exports
EXPORTS_D_EXISTED=0; [ -d /etc/exports.d ] && EXPORTS_D_EXISTED=1
suite_cleanup() {
	rm -f "$MIRROR"
	[ "$EXPORTS_D_EXISTED" = 0 ] && rmdir /etc/exports.d 2>/dev/null
	exportfs -ra >/dev/null 2>&1
	userdel "$U" >/dev/null 2>&1
	cleanup_all
}
trap suite_cleanup EXIT
# Samba reads the root from its own user: the tree must be reachable.
chmod 755 "$WORK"
export TMPDIR=$WORK/tmp
mkdir -p "$TMPDIR"

PA=$(pool_name fa)
PB=$(pool_name fb)
R=$WORK/root
BIN=$WORK/bin
F=$WORK/fault
mkdir -p "$BIN" "$F"

# ---- the fault wrapper -------------------------------------------------------
# fault-wrap REAL ARGS...: runs REAL ARGS. Mutating commands are counted in
# $F/count; with FAULT_MODE=fail the FAULT_K-th fails without running, with
# FAULT_MODE=kill it runs and then the tool (the parent) is SIGKILLed. Firing
# is logged to $F/fired; every mutating command to $F/log.
cat >"$BIN/fault-wrap" <<'SH'
#!/bin/bash
real=$1; shift
mut=0
case "$(basename "$real"):${1:-}" in
zfs:create | zfs:destroy | zfs:set | zfs:inherit | zfs:snapshot | zfs:rename | zfs:mount | zfs:unmount | \
zfs:promote | zfs:rollback | zfs:clone | zfs:receive | zfs:recv | zfs:hold | zfs:release) mut=1 ;;
zpool:create | zpool:destroy | zpool:set | zpool:add | zpool:attach | zpool:detach | zpool:export | \
zpool:labelclear | zpool:online | zpool:offline | zpool:replace | zpool:upgrade | zpool:clear) mut=1 ;;
zpool:import)
	# `zpool import -d DIR...` only lists; with a pool name (or -a) it imports
	shift_args=("${@:2}")
	i=0
	while [ $i -lt ${#shift_args[@]} ]; do
		a=${shift_args[$i]}
		case "$a" in
		-d | -o | -c | -R | -O) i=$((i + 2)); continue ;;
		-a) mut=1 ;;
		-*) ;;
		*) mut=1 ;;
		esac
		i=$((i + 1))
	done ;;
exportfs:*) case " $* " in *" -v "*) ;; *) mut=1 ;; esac ;;
smbpasswd:*) mut=1 ;;
smbcontrol:*) case " $* " in *" reload-config "*) mut=1 ;; esac ;;
wipefs:*) mut=1 ;;
esac
if [ "$mut" = 1 ] && [ -n "${FAULT_MODE:-}" ]; then
	n=$(( $(cat "$FAULT_DIR/count" 2>/dev/null || echo 0) + 1 ))
	echo "$n" >"$FAULT_DIR/count"
	echo "$n $(basename "$real") $*" >>"$FAULT_DIR/log"
	if [ "$n" = "$FAULT_K" ]; then
		echo "$FAULT_MODE $n $(basename "$real") $*" >>"$FAULT_DIR/fired"
		if [ "$FAULT_MODE" = fail ]; then
			echo "fault injected: $(basename "$real") $*" >&2
			exit 1
		fi
		"$real" "$@"; rc=$?
		kill -KILL "$PPID"
		exit $rc
	fi
fi
exec "$real" "$@"
SH
for p in zfs:/usr/sbin/zfs zpool:/usr/sbin/zpool smbpasswd:/usr/bin/smbpasswd; do
	printf '#!/bin/sh\nexec "%s/fault-wrap" %s "$@"\n' "$BIN" "${p#*:}" >"$BIN/${p%%:*}"
done
# exportfs: the real one reads /etc only; mirror the drop-in under the root there first.
cat >"$BIN/exportfs" <<SH
#!/bin/sh
case " \$* " in *" -v "*) ;; *)
	if [ -f "$R/etc/exports.d/phoenix.exports" ]; then
		mkdir -p /etc/exports.d
		cp "$R/etc/exports.d/phoenix.exports" "$MIRROR.tmp" && mv "$MIRROR.tmp" "$MIRROR"
	else rm -f "$MIRROR"; fi ;;
esac
exec "$BIN/fault-wrap" /usr/sbin/exportfs "\$@"
SH
chmod +x "$BIN"/*
export FAULT_DIR=$F
export PHOENIX_ZFS=$BIN/zfs PHOENIX_ZPOOL=$BIN/zpool PHOENIX_EXPORTFS=$BIN/exportfs PHOENIX_SMBPASSWD=$BIN/smbpasswd

# ---- the host before the apply ---------------------------------------------------
CFG=$WORK/config.json
LXC=$WORK/lxc.json
cat >"$CFG" <<JSON
{
  "zfs": {
    "arc_max_gb": 1,
    "pools": [
      { "name": "$PA", "raid_level": "mirror", "disks": ["$WORK/vdev-a1", "$WORK/vdev-a2"], "mountpoint": "$R/$PA" },
      { "name": "$PB", "raid_level": "single", "disks": ["$WORK/vdev-b1"], "mountpoint": "$R/$PB" }
    ],
    "datasets": [
      { "name": "data", "pool": "$PA", "properties": "compression=lzjb,quota=50M" },
      { "name": "data/share", "pool": "$PA" },
      { "name": "data/nfs", "pool": "$PA", "properties": { "atime": "off" } },
      { "name": "ct-disks", "pool": "$PB", "proxmox_storage_type": "zfspool", "proxmox_content_type": "rootdir,images" },
      { "name": "iso", "pool": "$PB", "proxmox_storage_type": "dir", "proxmox_content_type": "iso" }
    ]
  },
  "proxmox_storage_ids": { "${PB}_ct": "ct-store", "${PB}_iso": "iso-store" },
  "persistent_storage": { "directories": [
    { "path": "/$PA/data/svc/db", "owner": 0, "group": 0, "mode": "0750" } ] },
  "nfs": { "exports": [
    { "path": "$R/$PA/data/nfs", "clients": ["127.0.0.1"], "options": ["rw", "sync", "root_squash", "no_subtree_check"] } ] },
  "samba": { "user": "$U", "password_file": "/secrets/samba.pass",
    "shares": [ { "name": "share", "path": "/$PA/data/share", "valid_users": ["$U"] } ] }
}
JSON
cat >"$LXC" <<JSON
{ "lxc_configs": { "201": { "name": "web",
    "mount_points": [ { "host_path": "/$PA/data/svc", "container_path": "/srv/svc", "ro": true } ],
    "zfs_volumes": [ { "name": "data", "pool": "ct-store", "size_gb": 1, "mount_point": "/data" } ] } } }
JSON
ARGS=(-c "$CFG" --root "$R" --lxc-config "$LXC")

# fresh: no pools, new empty vdevs, the root tree as the host has it before any apply.
fresh() {
	destroy_pool "$PA"; destroy_pool "$PB"
	if zpool list "$PA" >/dev/null 2>&1 || zpool list "$PB" >/dev/null 2>&1; then
		fail "a test pool could not be destroyed"; return 1
	fi
	rm -rf "$R" "$F"/* "$TMPDIR"/*
	rm -f "$WORK"/vdev-a1 "$WORK"/vdev-a2 "$WORK"/vdev-b1
	vdev a1 128M >/dev/null; vdev a2 128M >/dev/null; vdev b1 128M >/dev/null
	mkdir -p "$R/etc/samba" "$R/var/run" "$R/var/lock" "$R/var/state" "$R/var/cache" "$R/var/private" \
		"$R/secrets" "$R/etc/pve/lxc" "$R/etc/modprobe.d"
	cat >"$R/etc/samba/smb.conf" <<CONF
[global]
	smb ports = 1
	bind interfaces only = yes
	interfaces = lo
	disable netbios = yes
	pid directory = $R/var/run
	lock directory = $R/var/lock
	state directory = $R/var/state
	cache directory = $R/var/cache
	private dir = $R/var/private
	ncalrpc dir = $R/var/run/ncalrpc
	passdb backend = tdbsam:$R/var/private/passdb.tdb
	log file = $R/var/log.%m
	load printers = no
	printcap name = /dev/null
	disable spoolss = yes
CONF
	printf 'Pw-%s-secret\n' "$RUN_ID" >"$R/secrets/samba.pass"
	chmod 600 "$R/secrets/samba.pass"
	printf 'dir: local\n\tpath /var/lib/vz\n\tcontent iso,vztmpl,backup\n' >"$R/etc/pve/storage.cfg"
	printf 'arch: amd64\nhostname: web\nmemory: 512\nostype: debian\nunprivileged: 1\n' >"$R/etc/pve/lxc/201.conf"
}

# state PLAN_OUT PLAN_ERR: everything an apply leaves that a fault could get wrong, as text.
state() {
	local f
	for f in etc/pve/storage.cfg etc/pve/lxc/201.conf var/lib/phoenix-storage/pve-owned.json \
		etc/exports.d/phoenix.exports etc/samba/smb.conf etc/samba/phoenix-shares.conf etc/modprobe.d/zfs.conf; do
		echo "== $f"; cat "$R/$f" 2>&1
	done
	echo "== datasets"
	zfs get -H -o name,property,value -r phoenix:managed,phoenix:volume-for,compression,quota,atime,refquota "$PA" "$PB" 2>&1 |
		grep -v '	-$' | sort
	echo "== directories"
	stat -c '%n %u:%g %a' "$R/$PA/data/svc" "$R/$PA/data/svc/db" "$R/$PA/data/share" 2>&1
	echo "== samba user"
	pdbedit -s "$R/etc/samba/smb.conf" -L 2>/dev/null | cut -d: -f1
	echo "== exported"
	exportfs -v | grep -F -- "$R/$PA/data/nfs" | sed 's/[[:space:]]\+/ /g'
	echo "== unmanaged and ownership (plan)"
	printf '%s\n%s\n' "$1" "$2" | grep -E '^= |created by|written by' | grep -v '^= unmanaged: nfs export '
}

# One apply with no fault: the state every interrupted apply must end in.
fresh || exit 1
ph apply "${ARGS[@]}" --yes
[ "$rc" = 0 ] || { echo "the uninterrupted apply failed (exit $rc):"; echo "$out"; echo "$err"; exit 1; }
ph plan "${ARGS[@]}"
[ "$rc" = 0 ] || { echo "plan after the uninterrupted apply exited $rc:"; echo "$out"; echo "$err"; exit 1; }
REFERENCE_STATE=$(state "$out" "$err")
grep -qF "mp1: ct-store:subvol-201-disk-0,mp=/data" <<<"$REFERENCE_STATE" || { echo "reference apply incomplete:"; echo "$REFERENCE_STATE"; exit 1; }

# converged_after FAULT_DESCRIPTION: a plain apply converges, plan is empty, the state is the reference.
# (The faults are only ever set for one command, FAULT_MODE=... ph ..., so nothing here fires.)
converged_after() {
	local what=$1
	ph apply "${ARGS[@]}" --yes
	[ "$rc" = 0 ] || { echo "  stdout: $out" >&2; echo "  stderr: $err" >&2; fail "$what: the next apply exited $rc"; return 1; }
	ph plan "${ARGS[@]}"
	[ "$rc" = 0 ] || { echo "  stdout: $out" >&2; echo "  stderr: $err" >&2; fail "$what: the plan after it exited $rc"; return 1; }
	assert_contains "$out" "No changes: the host matches the config." || return 1
	local leftovers; leftovers=$(find "$R" -name '*.phoenix-tmp.*' 2>/dev/null)
	[ -z "$leftovers" ] || { fail "$what: temp files left under --root: $leftovers"; return 1; }
	diff -u <(printf '%s\n' "$REFERENCE_STATE") <(state "$out" "$err") >&2 || { fail "$what: the host differs from an uninterrupted apply"; return 1; }
}

# every_k MODE: runs the fault at K = 1, 2, ... until it no longer fires. Prints the count on fd 3.
every_k() {
	local mode=$1 k fired
	for k in $(seq 1 80); do
		fresh || return 1
		if [ "$mode" = write ]; then
			PHOENIX_FAULT_RENAME=$k ph apply "${ARGS[@]}" --yes
			fired=$([ "$rc" = 137 ] && echo yes || echo no)
		else
			FAULT_MODE=$mode FAULT_K=$k ph apply "${ARGS[@]}" --yes
			fired=$([ -s "$F/fired" ] && echo yes || echo no)
		fi
		if [ "$fired" = no ]; then
			assert_rc 0 "($mode $k never fired: the apply must simply complete)" || return 1
			[ "$k" -gt 3 ] || { fail "$mode: only $((k - 1)) fault points"; return 1; }
			echo "  $mode: $((k - 1)) fault points, each converged" >&2
			return 0
		fi
		local what="$mode $k ($(cat "$F/fired" 2>/dev/null || echo "file commit $k"))"
		case "$mode" in
		fail) assert_rc 1 "($what)" || return 1
		      assert_contains "$err" "fault injected:" || return 1 ;;
		*) assert_rc 137 "($what: killed)" || return 1 ;;
		esac
		converged_after "$what" || return 1
	done
	fail "$mode: still firing at K=80"
}

test_every_failing_command_is_recovered_by_the_next_apply() { every_k fail; }
test_a_kill_after_every_command_is_recovered_by_the_next_apply() { every_k kill; }
test_a_kill_at_every_file_write_is_recovered_by_the_next_apply() { every_k write; }

test_kill_between_storage_cfg_and_its_record_keeps_the_storage_owned() {
	# One storage: its add writes the intent (commit 1), storage.cfg (2), the record (3).
	local q; q=$(pool_name fo)
	mkpool "$q" "$(vdev fo 128M)" || return 1
	local r=$WORK/ro own=$WORK/ro/var/lib/phoenix-storage/pve-owned.json
	mkdir -p "$r/etc/pve"
	cat >"$WORK/fo.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$WORK/vdev-fo"], "mountpoint": "$WORK/mnt-$q" } ],
  "datasets": [ { "name": "ct", "pool": "$q", "proxmox_storage_type": "zfspool", "proxmox_content_type": "rootdir" } ] } }
JSON
	# killed after storage.cfg, before the record: the intent says what happened
	PHOENIX_FAULT_RENAME=3 ph apply -c "$WORK/fo.json" --root "$r" --yes
	assert_rc 137
	assert_contains "$(cat "$r/etc/pve/storage.cfg")" "zfspool: $q-ct"
	assert_eq "$(jq -c '[.storages, (.pending[] | [.op, .id, .type, .key, .value])]' "$own")" "[[],[\"add\",\"$q-ct\",\"zfspool\",\"pool\",\"$q/ct\"]]"
	ph plan -c "$WORK/fo.json" --root "$r"
	assert_rc 2
	assert_eq "$out" "~ complete the ownership record an interrupted apply left in /var/lib/phoenix-storage/pve-owned.json
    storage '$q-ct': its add was interrupted after storage.cfg changed: created by phoenix-storage
Plan: 0 to create, 1 to change, 0 to remove."
	assert_not_contains "$err" "not created by phoenix-storage"
	ph apply -c "$WORK/fo.json" --root "$r" --yes
	assert_rc 0
	assert_eq "$(jq -c '[.storages, .pending]' "$own")" "[[\"$q-ct\"],null]"
	ph plan -c "$WORK/fo.json" --root "$r"
	assert_rc 0
	# the removal (--allow-destroy), killed after storage.cfg: the storage is forgotten
	jq 'del(.zfs.datasets[0].proxmox_storage_type, .zfs.datasets[0].proxmox_content_type)' "$WORK/fo.json" >"$WORK/fo2.json"
	PHOENIX_FAULT_RENAME=3 ph apply -c "$WORK/fo2.json" --root "$r" --yes --allow-destroy
	assert_rc 137
	assert_not_contains "$(cat "$r/etc/pve/storage.cfg")" "$q-ct"
	ph plan -c "$WORK/fo2.json" --root "$r"
	assert_rc 2
	assert_contains "$out" "    storage '$q-ct': its removal was interrupted after storage.cfg changed: forgotten"
	ph apply -c "$WORK/fo2.json" --root "$r" --yes
	assert_rc 0
	assert_eq "$(jq -c '[.storages, .pending]' "$own")" "[[],null]"
	# killed after the intent, before storage.cfg: the add never happened, the next apply makes it
	PHOENIX_FAULT_RENAME=2 ph apply -c "$WORK/fo.json" --root "$r" --yes
	assert_rc 137
	ph plan -c "$WORK/fo.json" --root "$r"
	assert_rc 2
	assert_contains "$out" "    storage '$q-ct': its add was interrupted before storage.cfg changed: not recorded"
	assert_contains "$out" "+ add Proxmox storage '$q-ct': zfspool on $q/ct, content rootdir"
	ph apply -c "$WORK/fo.json" --root "$r" --yes
	assert_rc 0
	assert_eq "$(jq -c '[.storages, .pending]' "$own")" "[[\"$q-ct\"],null]"
	ph plan -c "$WORK/fo.json" --root "$r"
	assert_rc 0
	assert_not_contains "$out$err" "not created by phoenix-storage"
}

test_kill_between_volume_and_its_mount_line_reuses_the_volume() {
	fresh
	# the mutating commands of the apply, in order: the subvolume is the last zfs create
	FAULT_MODE=count FAULT_K=0 ph apply "${ARGS[@]}" --yes
	assert_rc 0
	local k; k=$(grep -n 'zfs create .*subvol-201-disk-0' "$F/log" | cut -d: -f1)
	[ -n "$k" ] || fail "no subvolume created: $(cat "$F/log")" || return 1
	k=$(sed -n "${k}p" "$F/log" | cut -d' ' -f1)
	fresh
	FAULT_MODE=kill FAULT_K=$k ph apply "${ARGS[@]}" --yes
	assert_rc 137
	assert_eq "$(zget phoenix:volume-for "$PB/ct-disks/subvol-201-disk-0")" "ct201:/data"
	assert_not_contains "$(cat "$R/etc/pve/lxc/201.conf")" "subvol-201-disk-0"
	ph plan "${ARGS[@]}"
	assert_rc 2
	assert_contains "$out" "    uses $PB/ct-disks/subvol-201-disk-0, which an interrupted apply created for it"
	assert_not_contains "$out" "subvol-201-disk-1"
	converged_after "kill after the subvolume was created"
	zfs list "$PB/ct-disks/subvol-201-disk-1" >/dev/null 2>&1 && fail "a second volume was made"
	return 0
}

test_without_o_tmpfile_the_killed_writers_temp_file_is_removed_by_the_next_apply() {
	# zfs-fuse has no O_TMPFILE: write_file_atomic writes a named temp file there.
	local q; q=$(pool_name ft)
	mkpool "$q" "$(vdev ft 128M)" || return 1
	local r=$WORK/mnt-$q/root
	mkdir -p "$r/etc/modprobe.d"
	cat >"$WORK/ft.json" <<JSON
{ "zfs": { "arc_max_gb": 1,
  "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$WORK/vdev-ft"], "mountpoint": "$WORK/mnt-$q" } ] } }
JSON
	PHOENIX_FAULT_RENAME=1 ph apply -c "$WORK/ft.json" --root "$r" --yes
	assert_rc 137
	local tmp; tmp=$(ls "$r/etc/modprobe.d")
	[[ "$tmp" =~ ^zfs\.conf\.phoenix-tmp\.[0-9]+$ ]] || fail "expected the killed writer's temp file, found: $tmp" || return 1
	ph apply -c "$WORK/ft.json" --root "$r" --yes
	assert_rc 0
	assert_eq "$(ls "$r/etc/modprobe.d")" "zfs.conf"
	assert_eq "$(cat "$r/etc/modprobe.d/zfs.conf")" "options zfs zfs_arc_max=1073741824"
}

# ---- one lock per host ----------------------------------------------------------

# slow PROG: $BIN/PROG-slow, a zfs or zpool whose `create` takes 3 s (it touches $WORK/creating first).
slow() {
	cat >"$BIN/$1-slow" <<SH
#!/bin/sh
if [ "\$1" = create ]; then touch "$WORK/creating"; sleep 3; fi
exec /usr/sbin/$1 "\$@"
SH
	chmod +x "$BIN/$1-slow"
}

test_two_applies_with_different_roots_on_one_pool_exactly_one_runs() {
	local q; q=$(pool_name lk)
	local d; d=$(vdev lk 128M)
	mkdir -p "$WORK/r1" "$WORK/r2"
	cat >"$WORK/lk.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/mnt-$q" } ],
  "datasets": [ { "name": "a", "pool": "$q" }, { "name": "a/b", "pool": "$q" } ] } }
JSON
	slow zpool
	slow zfs
	export PHOENIX_LOCK=$WORK/host.lock   # private: other suites may run at the same time on this host
	rm -f "$WORK/creating"
	PHOENIX_ZPOOL=$BIN/zpool-slow "$PH" apply -c "$WORK/lk.json" --root "$WORK/r1" --yes >"$WORK/first.out" 2>&1 &
	local first=$!
	for _ in $(seq 1 100); do [ -e "$WORK/creating" ] && break; sleep 0.1; done
	[ -e "$WORK/creating" ] || fail "the first apply did not start creating" || return 1
	ph apply -c "$WORK/lk.json" --root "$WORK/r2" --yes
	assert_rc 1
	assert_contains "$err" "error: another phoenix-storage apply is running (pid $first, started $(date +%Y-%m-%d) "
	assert_contains "$err" ", command: $PH apply -c $WORK/lk.json --root $WORK/r1 --yes; lock '$WORK/host.lock')"
	assert_contains "$err" "hint: wait for it to finish, or give --wait SECONDS to wait for it; nothing was changed"
	assert_not_contains "$out" "create"
	wait "$first" || { cat "$WORK/first.out" >&2; fail "the first apply failed"; return 1; }
	assert_contains "$(cat "$WORK/first.out")" "+ create dataset $q/a/b"
	# nothing under the second root: it never got as far as reading the state
	assert_eq "$(find "$WORK/r2" -mindepth 1 | wc -l)" 0
	# with --wait: it waits for the first, then finds nothing to do
	cat >"$WORK/lk2.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/mnt-$q" } ],
  "datasets": [ { "name": "a", "pool": "$q" }, { "name": "a/b", "pool": "$q" }, { "name": "c", "pool": "$q" } ] } }
JSON
	rm -f "$WORK/creating"
	PHOENIX_ZFS=$BIN/zfs-slow "$PH" apply -c "$WORK/lk2.json" --root "$WORK/r1" --yes >"$WORK/first.out" 2>&1 &
	first=$!
	for _ in $(seq 1 100); do [ -e "$WORK/creating" ] && break; sleep 0.1; done
	ph apply -c "$WORK/lk2.json" --root "$WORK/r2" --yes --wait 60
	assert_rc 0
	assert_contains "$err" "waiting up to 60 s for another phoenix-storage apply to finish (pid $first, "
	assert_contains "$out" "Nothing to do: the host matches the config."
	wait "$first" || { cat "$WORK/first.out" >&2; fail "the first apply failed"; return 1; }
	assert_contains "$(cat "$WORK/first.out")" "+ create dataset $q/c"
}

test_wait_gives_up_after_the_timeout_and_changes_nothing() {
	export PHOENIX_LOCK=$WORK/host2.lock
	local q; q=$(pool_name lw)
	local d; d=$(vdev lw 128M)
	echo "{ \"zfs\": { \"pools\": [ { \"name\": \"$q\", \"raid_level\": \"single\", \"disks\": [\"$d\"], \"mountpoint\": \"$WORK/mnt-$q\" } ] } }" >"$WORK/lw.json"
	exec 9>>"$PHOENIX_LOCK"
	flock 9
	printf 'pid=%s\nstarted=2026-01-02 03:04:05 +0000\ncommand=phoenix-storage apply --yes\n' 999999999 >"$PHOENIX_LOCK"
	local t0=$SECONDS
	ph apply -c "$WORK/lw.json" --root "$WORK/rw" --yes --wait 2
	assert_rc 1
	[ $((SECONDS - t0)) -ge 2 ] || fail "did not wait"
	assert_contains "$err" "error: another phoenix-storage apply is still running after 2 s (pid 999999999, started 2026-01-02 03:04:05 +0000, command: phoenix-storage apply --yes (no longer running: another process holds the lock); lock '$PHOENIX_LOCK')"
	assert_contains "$err" "hint: try again when it has finished (or wait longer with --wait SECONDS); nothing was changed"
	zpool list "$q" >/dev/null 2>&1 && fail "pool created while locked"
	exec 9>&-
	ph apply -c "$WORK/lw.json" --root "$WORK/rw" --yes --wait x
	assert_rc 1
	assert_eq "$err" "error: --wait 'x' is not a number of seconds
  hint: give a whole number from 0 to 86400, e.g. --wait 60"
	ph plan -c "$WORK/lw.json" --wait 5
	assert_rc 1
	assert_contains "$err" "error: option '--wait' does not apply to plan"
}

test_the_lock_is_in_run_not_under_root() {
	unset PHOENIX_LOCK
	local q; q=$(pool_name lr)
	local d; d=$(vdev lr 128M)
	echo "{ \"zfs\": { \"pools\": [ { \"name\": \"$q\", \"raid_level\": \"single\", \"disks\": [\"$d\"], \"mountpoint\": \"$WORK/mnt-$q\" } ] } }" >"$WORK/lr.json"
	ph apply -c "$WORK/lr.json" --root "$WORK/re" --yes --wait 30
	assert_rc 0
	assert_contains "$(cat /run/phoenix-storage/apply.lock)" "command=$PH apply -c $WORK/lr.json --root $WORK/re --yes --wait 30"
	[ ! -e "$WORK/re/run" ] || fail "a lock file was made under --root"
}

# ---- trusted programs -------------------------------------------------------------

test_programs_are_never_taken_from_path() {
	mkdir -p "$WORK/evil"
	for p in zfs zpool exportfs testparm pdbedit smbcontrol smbpasswd; do
		printf '#!/bin/sh\ntouch "%s/ran-%s"\nexit 0\n' "$WORK/evil" "$p" >"$WORK/evil/$p"
		chmod +x "$WORK/evil/$p"
	done
	unset PHOENIX_ZFS PHOENIX_ZPOOL PHOENIX_EXPORTFS PHOENIX_SMBPASSWD
	fresh
	PATH="$WORK/evil:$PATH" ph plan -v "${ARGS[@]}"
	assert_rc 2
	assert_contains "$err" "+ /usr/sbin/zfs get"
	assert_contains "$err" "+ /usr/sbin/zpool status"
	assert_contains "$err" "+ /usr/sbin/exportfs -v"
	assert_contains "$err" "+ /usr/bin/pdbedit -s $R/etc/samba/smb.conf -L"
	assert_contains "$err" "+ /usr/bin/smbcontrol -s $R/etc/samba/smb.conf -t 5 smbd ping"
	[ -z "$(ls "$WORK/evil" | grep ran-)" ] || fail "a program from PATH ran: $(ls "$WORK/evil")"
}

test_a_missing_program_is_named_with_the_path_and_the_variable() {
	local q; q=$(pool_name lm)
	local d; d=$(vdev lm 128M)
	cat >"$WORK/m.json" <<JSON
{ "zfs": { "pools": [ { "name": "$q", "raid_level": "single", "disks": ["$d"], "mountpoint": "$WORK/mnt-$q" } ] },
  "nfs": { "exports": [ { "path": "/srv/x", "clients": ["127.0.0.1"], "options": ["ro", "no_subtree_check"], "outside_zfs": true } ] } }
JSON
	PHOENIX_EXPORTFS=phoenix-no-such-exportfs ph plan -c "$WORK/m.json" --root "$WORK/rm"
	assert_rc 1
	assert_contains "$err" "cannot read the kernel export table: 'phoenix-no-such-exportfs -v' could not be started: program 'phoenix-no-such-exportfs' not found in /usr/sbin:/usr/bin:/sbin:/bin"
	PHOENIX_ZFS="$WORK/nothing-here/zfs" ph plan -c "$WORK/m.json" --root "$WORK/rm"
	assert_rc 1
	assert_contains "$err" "'$WORK/nothing-here/zfs get' could not be started: cannot run '$WORK/nothing-here/zfs': No such file or directory"
	assert_contains "$err" "hint: install ZFS (zfsutils-linux, or zfs-fuse) or point PHOENIX_ZFS/PHOENIX_ZPOOL at it"
}

run_tests
