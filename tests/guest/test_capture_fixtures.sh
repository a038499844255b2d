#!/usr/bin/env bash
# Guest suite: captures what real OpenZFS prints for pools in known states, as
# fixtures for the parsers (src/state/zpool_health.c and friends). Every output
# is saved exactly as printed, under $GUEST_FIXTURES_DIR (default
# /host/results/fixtures, the 9p share of tests/guest/run); the host script
# tests/guest/capture-fixtures copies them to tests/unit/data/zpool/openzfs-LINE/.
# Not in the default guest suite list: run it with
#   PHOENIX_GUEST_SUITES=tests/guest/test_capture_fixtures.sh tests/guest/run 2.3
# Each test checks that its capture shows the state it was made for (so a ZFS
# that prints something else fails here, not later in a unit test).
# File names per case NAME: NAME.status (`zpool status POOL`), NAME.status-x,
# NAME.list (`zpool list -H`), NAME.status.json (`zpool status -j`, 2.3 only),
# NAME.status-p.json (`-j -p`), NAME.status-int.json (`-j -p --json-int`), plus
# the extra outputs named in each test.
# Disks: 1-5 for the special/cache pool (blanked again afterwards).
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/guest-lib.sh"

FX=${GUEST_FIXTURES_DIR:-/host/results/fixtures}
mkdir -p "$FX"
TUNE=/sys/module/zfs/parameters/zfs_scan_suspend_progress

# has_json: true when this zpool/zfs has -j (OpenZFS 2.3).
has_json() { zfs_has json; }

# save NAME POOL: the status, status -x, list and (2.3) JSON outputs of POOL.
save() {
	local n=$1 p=$2
	zpool status "$p" >"$FX/$n.status" 2>&1
	zpool status -x "$p" >"$FX/$n.status-x" 2>&1
	zpool list -H "$p" >"$FX/$n.list" 2>&1
	if has_json; then
		zpool status -j "$p" >"$FX/$n.status.json" 2>&1
		zpool status -j -p "$p" >"$FX/$n.status-p.json" 2>&1
		zpool status -j -p --json-int "$p" >"$FX/$n.status-int.json" 2>&1
	fi
	echo "captured $n"
}

# fvdev NAME...: prints the paths of new 128 MiB file vdevs.
fvdevs() {
	local n
	for n; do vdev "$n" 128M; done
}

# fill POOL MIB: writes MIB MiB of random data into the pool's root dataset.
fill() {
	dd if=/dev/urandom of="$WORK/mnt-$1/data" bs=1M count="$2" status=none
	zpool sync "$1"
}

# suspend_scans 0|1: holds every scrub and resilver where it is (a ZFS test
# tunable), so "in progress" can be captured on a small pool.
suspend_scans() { echo "$1" >"$TUNE"; }

# wait_status POOL PATTERN: waits (up to 60 s) until zpool status shows PATTERN:
# a resilver starts asynchronously, at the next transaction group.
wait_status() {
	local i
	for ((i = 0; i < 300; i++)); do
		zpool status "$1" | grep -q -- "$2" && return 0
		sleep 0.2
	done
	fail "zpool status $1 never showed '$2'"
}

# scan_of NAME: the scan line of a captured status.
scan_of() { grep -E '^ *scan:' "$FX/$1.status" || true; }

test_layouts_of_file_vdevs() {
	local p
	p=$(pool_name single); mkpool "$p" $(fvdevs s1); save single "$p"; drop_pools "$p"
	assert_contains "$(cat "$FX/single.status")" "state: ONLINE"
	p=$(pool_name mirror); mkpool "$p" mirror $(fvdevs m1 m2); save mirror "$p"; drop_pools "$p"
	assert_contains "$(cat "$FX/mirror.status")" "mirror-0"
	p=$(pool_name raidz1); mkpool "$p" raidz1 $(fvdevs r1 r2 r3); save raidz1 "$p"; drop_pools "$p"
	assert_contains "$(cat "$FX/raidz1.status")" "raidz1-0"
	p=$(pool_name raidz2); mkpool "$p" raidz2 $(fvdevs z1 z2 z3 z4); save raidz2 "$p"; drop_pools "$p"
	assert_contains "$(cat "$FX/raidz2.status")" "raidz2-0"
	p=$(pool_name raidz3); mkpool "$p" raidz3 $(fvdevs y1 y2 y3 y4 y5); save raidz3 "$p"; drop_pools "$p"
	assert_contains "$(cat "$FX/raidz3.status")" "raidz3-0"
	p=$(pool_name draid); mkpool "$p" draid1:2d:5c:1s $(fvdevs d1 d2 d3 d4 d5); save draid "$p"
	drop_pools "$p"
	assert_contains "$(cat "$FX/draid.status")" "draid1:2d:5c:1s-0"
	p=$(pool_name mlsc)
	mkpool "$p" mirror $(fvdevs a1 a2) mirror $(fvdevs a3 a4) log $(fvdevs a5) cache $(fvdevs a6) \
		spare $(fvdevs a7)
	save mirrors-log-cache-spare "$p"; drop_pools "$p"
	assert_contains "$(cat "$FX/mirrors-log-cache-spare.status")" "AVAIL"
	local q
	p=$(pool_name twoa); q=$(pool_name twob)
	mkpool "$p" $(fvdevs ta); mkpool "$q" mirror $(fvdevs tb tc)
	zpool status "$p" "$q" >"$FX/two-pools.status" 2>&1
	! has_json || zpool status -j "$p" "$q" >"$FX/two-pools.status.json" 2>&1
	drop_pools "$p" "$q"
	assert_contains "$(cat "$FX/two-pools.status")" "pool: $q"
}

test_degraded_and_faulted_devices() {
	local p a b
	p=$(pool_name m2off); a=$(vdev o1 128M)
	mkpool "$p" mirror "$a" $(fvdevs o2); zpool offline "$p" "$a"; save mirror2-offline "$p"; drop_pools "$p"
	assert_contains "$(cat "$FX/mirror2-offline.status")" "OFFLINE"
	p=$(pool_name m3off); a=$(vdev t1 128M)
	mkpool "$p" mirror "$a" $(fvdevs t2 t3); zpool offline "$p" "$a"; save mirror3-offline "$p"; drop_pools "$p"
	p=$(pool_name rz1off); a=$(vdev u1 128M)
	mkpool "$p" raidz1 "$a" $(fvdevs u2 u3); zpool offline "$p" "$a"; save raidz1-offline "$p"; drop_pools "$p"
	p=$(pool_name rz2off); a=$(vdev w1 128M); b=$(vdev w2 128M)
	mkpool "$p" raidz2 "$a" "$b" $(fvdevs w3 w4)
	zpool offline "$p" "$a"; zpool offline "$p" "$b"; save raidz2-two-offline "$p"; drop_pools "$p"
	assert_contains "$(cat "$FX/raidz2-two-offline.status")" "DEGRADED"
	# -f: a forced fault, as the fault manager would mark a failing disk
	p=$(pool_name fault); a=$(vdev f1 128M)
	mkpool "$p" mirror "$a" $(fvdevs f2); zpool offline -f "$p" "$a"; save mirror-faulted-leg "$p"
	drop_pools "$p"
	assert_contains "$(cat "$FX/mirror-faulted-leg.status")" "FAULTED"
}

test_scrub_lines() {
	local p; p=$(pool_name scrub)
	trap 'suspend_scans 0' EXIT
	mkpool "$p" mirror $(fvdevs c1 c2)
	fill "$p" 40
	suspend_scans 1
	zpool scrub "$p"
	wait_status "$p" "scrub in progress since"
	save scrub-in-progress "$p"
	zpool scrub -p "$p"
	save scrub-paused "$p"
	zpool scrub "$p"          # resumes the paused scrub
	zpool scrub -s "$p"
	save scrub-canceled "$p"
	suspend_scans 0
	zpool scrub -w "$p"
	save scrub-completed "$p"
	zpool status -v "$p" >"$FX/scrub-completed.status-v" 2>&1
	# dates are printed in the zone of the zpool process
	if [ -e /usr/share/zoneinfo/America/New_York ]; then
		TZ=America/New_York zpool status "$p" >"$FX/scrub-completed-new-york.status" 2>&1
	fi
	drop_pools "$p"
	assert_contains "$(scan_of scrub-in-progress)" "scrub in progress since"
	assert_contains "$(scan_of scrub-paused)" "scrub paused since"
	assert_contains "$(scan_of scrub-canceled)" "scrub canceled on"
	assert_contains "$(scan_of scrub-completed)" "scrub repaired"
}

test_resilver_lines() {
	local p a n; p=$(pool_name resil); a=$(vdev l1 128M)
	trap 'suspend_scans 0' EXIT
	mkpool "$p" mirror "$a" $(fvdevs l2)
	zpool offline "$p" "$a"
	fill "$p" 40
	suspend_scans 1
	zpool online "$p" "$a"
	wait_status "$p" "resilver in progress since"
	save resilver-in-progress "$p"
	suspend_scans 0
	zpool wait -t resilver "$p"
	wait_status "$p" "scan: resilvered"
	save resilver-completed "$p"
	# replacing a leg: a "replacing-0" vdev while it runs
	n=$(vdev l3 128M)
	suspend_scans 1
	zpool replace "$p" "$a" "$n"
	wait_status "$p" "resilver in progress since"
	save replace-in-progress "$p"
	suspend_scans 0
	zpool wait -t resilver "$p"
	wait_status "$p" "scan: resilvered"
	save replace-completed "$p"
	drop_pools "$p"
	assert_contains "$(scan_of resilver-in-progress)" "resilver in progress since"
	assert_contains "$(scan_of resilver-completed)" "resilvered"
	assert_contains "$(cat "$FX/replace-in-progress.status")" "replacing-0"
	# a sequential reconstruction (attach -s): "resilvered (mirror-0)" lines
	p=$(pool_name rebuild); a=$(vdev q1 128M)
	mkpool "$p" "$a"
	fill "$p" 20
	zpool attach -s -w "$p" "$a" "$(vdev q2 128M)"
	save rebuild-completed "$p"
	drop_pools "$p"
	assert_contains "$(scan_of rebuild-completed)" "resilvered (mirror-0)"
}

test_checksum_errors_repaired_by_scrub() {
	local p b; p=$(pool_name cksum); b=$(vdev k2 512M)
	mkpool "$p" mirror "$(vdev k1 512M)" "$b"
	fill "$p" 150   # 1,200 records of 128K: counters past 1,000 print as "1.17K"
	zpool export "$p"
	# garbage past the front labels and boot area (4 MiB), before the back labels
	# (last 4 MiB); OpenZFS keeps back slop space, so a 256M pool holds ~100M only
	dd if=/dev/urandom of="$b" bs=1M seek=4 count=504 conv=notrunc status=none
	zpool import -d "$WORK" "$p"
	zpool scrub -w "$p"
	save checksum-errors "$p"
	drop_pools "$p"
	assert_contains "$(cat "$FX/checksum-errors.status")" "repaired"
}

# l0_blocks DATASET OBJECT: "offset size" (hex) of the object's L0 data blocks.
l0_blocks() {
	zdb -ddddd "$1" "$2" | grep -oE ' L0 [0-9]+:[0-9a-f]+:[0-9a-f]+' | awk -F: '{print $2, $3}'
}

# A permanent data error: the only copy of a file's block overwritten on a
# single-vdev pool (its blocks found with zdb), then the file read and the
# pool scrubbed. The steps are logged, so a ZFS that behaves differently
# shows where.
test_data_errors() {
	local p f off size file; p=$(pool_name derr); f=$(vdev e1 256M)
	mkpool "$p" "$f"
	zfs create -o compression=off -o recordsize=128K -o primarycache=metadata "$p/d"
	file=$WORK/mnt-$p/d/file
	dd if=/dev/urandom of="$file" bs=128K count=4 status=none
	zpool sync "$p"
	zdb -ddddd "$p/d" "$(stat -c %i "$file")" | grep -E ' L[01] ' | sed 's/^/  zdb: /'
	read -r off size < <(l0_blocks "$p/d" "$(stat -c %i "$file")" | head -n1)
	[ -n "${off:-}" ] || fail "zdb showed no L0 block of the file"
	echo "  first L0 block at 0x$off, 0x$size bytes (+4 MiB of labels in the file)"
	zpool export "$p"
	dd if=/dev/urandom of="$f" bs=512 seek=$(((0x400000 + 0x$off) / 512)) count=$((0x$size / 512)) \
		conv=notrunc status=none
	zpool import -d "$WORK" "$p"
	zfs mount -a || true
	[ -f "$file" ] || fail "the file is not there after the import: $(zfs get -H -o value mounted "$p/d")"
	if cat "$file" >/dev/null 2>"$WORK/cat.err"; then
		fail "the damaged file read back without an error"
	fi
	echo "  reading it: $(cat "$WORK/cat.err")"
	# the error log is written at the next transaction group; a scrub finds it too
	zpool sync "$p"
	zpool status "$p" | grep -q "data errors, use '-v' for a list" || sleep 10
	save data-errors "$p"
	zpool status -v "$p" >"$FX/data-errors.status-v" 2>&1
	zpool scrub -w "$p"
	save data-errors-scrubbed "$p"
	drop_pools "$p"
	sed 's/^/  status: /' "$FX/data-errors.status"
	assert_contains "$(cat "$FX/data-errors-scrubbed.status")" "data errors, use '-v' for a list"
}

test_exported_and_missing_leg() {
	local p d; p=$(pool_name exp); d=$WORK/exp
	mkdir -p "$d"
	truncate -s 128M "$d/e1" "$d/e2"
	mkpool "$p" mirror "$d/e1" "$d/e2"
	zpool export "$p"
	zpool import -d "$d" >"$FX/exported.import" 2>&1
	rm -f "$d/e2"
	zpool import -d "$d" >"$FX/exported-missing-leg.import" 2>&1
	zpool import -d "$d" "$p"
	save imported-missing-leg "$p"
	drop_pools "$p"
	mkdir -p "$WORK/empty"
	zpool import -d "$WORK/empty" >"$FX/no-pools.import" 2>&1 || true
	assert_contains "$(cat "$FX/exported.import")" "pool: $p"
	assert_contains "$(cat "$FX/imported-missing-leg.status")" "UNAVAIL"
}

# Special, cache and log vdevs on real (virtio) disks: the by-id names, and
# what -P (full paths) and -L (symlinks resolved) make of them.
test_special_and_cache_on_disks() {
	local p; p=$(pool_name disks)
	blank_disks 1 2 3 4 5
	zpool create -f -o ashift=12 -m "$WORK/mnt-$p" "$p" mirror "$(disk 1)" "$(disk 2)" \
		special mirror "$(disk 3)" "$(disk 4)" cache "$(disk 5)"
	save disks-special-cache "$p"
	zpool status -P "$p" >"$FX/disks-special-cache.status-P" 2>&1
	zpool status -P -L "$p" >"$FX/disks-special-cache.status-PL" 2>&1
	zpool status -L "$p" >"$FX/disks-special-cache.status-L" 2>&1
	! has_json || zpool status -j -P -L "$p" >"$FX/disks-special-cache.status-PL.json" 2>&1
	zpool export "$p"
	zpool import >"$FX/disks-special-cache.import" 2>&1 || true
	zpool import -d /dev/disk/by-id >"$FX/disks-special-cache.import-by-id" 2>&1 || true
	zpool import -d /dev/disk/by-id "$p"
	drop_pools "$p"
	blank_disks 1 2 3 4 5
	assert_contains "$(cat "$FX/disks-special-cache.status")" "special"
	assert_contains "$(cat "$FX/disks-special-cache.status")" "cache"
	assert_contains "$(cat "$FX/disks-special-cache.status-PL")" "/dev/"
}

test_properties_and_usage_text() {
	local p; p=$(pool_name props)
	mkpool "$p" $(fvdevs p1)
	zfs create "$p/d"
	zpool get -H -p all "$p" >"$FX/zpool-get-Hp-all.txt" 2>&1
	zpool get all "$p" >"$FX/zpool-get-all.txt" 2>&1
	zpool list -H -p -o name,size,allocated,free,capacity,fragmentation,health "$p" \
		>"$FX/zpool-list-Hp.txt" 2>&1
	zfs get -H -p all "$p/d" >"$FX/zfs-get-Hp-all.txt" 2>&1
	zfs get >"$FX/zfs-get-usage.txt" 2>&1 || true
	zpool get >"$FX/zpool-get-usage.txt" 2>&1 || true
	zpool status -x >"$FX/all-healthy.status-x" 2>&1
	if has_json; then
		zfs get -j all "$p/d" >"$FX/zfs-get-j-all.json" 2>&1
		zfs get -j -p --json-int all "$p/d" >"$FX/zfs-get-jp-all.json" 2>&1
		zfs list -j "$p" >"$FX/zfs-list-j.json" 2>&1
		zpool get -j all "$p" >"$FX/zpool-get-j-all.json" 2>&1
		zpool list -j "$p" >"$FX/zpool-list-j.json" 2>&1
	fi
	drop_pools "$p"
	assert_contains "$(cat "$FX/zfs-get-usage.txt")" "PROPERTY"
	assert_contains "$(cat "$FX/zpool-get-Hp-all.txt")" "health"
	if has_json; then jq -e .output_version "$FX/zfs-get-j-all.json" >/dev/null || fail "zfs get -j is not JSON"; fi
}

test_zz_record_versions() {
	{ zfs version 2>&1; uname -r; } >"$FX/VERSION"
	assert_contains "$(cat "$FX/VERSION")" "zfs"
}

suspend_scans_off() { [ ! -w "$TUNE" ] || echo 0 >"$TUNE"; }
trap 'suspend_scans_off; cleanup_all' EXIT
run_tests
