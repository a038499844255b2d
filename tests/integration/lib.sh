# Shared helpers for integration suites. A suite defines test_* functions,
# sources this file and calls run_tests at the end. Each test runs in its own
# subshell; it fails when it returns non-zero (the assert helpers do that).
# Output lines: "PASS name", "FAIL name", "SKIP name: why", then "SUITE-DONE".
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PH=${PHOENIX_BIN:-$TOP/build-san/phoenix-storage}
# The Phoenix Hypervisor's reference configs, kept in the repository as test
# data; PHOENIX_REFERENCE_DIR points the suites at another copy.
REFERENCE=${PHOENIX_REFERENCE_DIR:-$TOP/tests/data/reference}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}
RUN_ID=${RUN_ID:-$$}
WORK=$(mktemp -d /tmp/phoenix-it.XXXXXX)
POOLS_CREATED=()

# destroy_pool NAME: zfs-fuse reports "pool is busy" for a moment after use; retry.
destroy_pool() {
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		zpool list "$1" >/dev/null 2>&1 || return 0
		zpool destroy -f "$1" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	echo "cleanup: cannot destroy pool $1; keeping $WORK (its disks)" >&2
	KEEP_WORK=1
}

cleanup_all() {
	for p in "${POOLS_CREATED[@]+"${POOLS_CREATED[@]}"}"; do
		destroy_pool "$p"
	done
	# Pools made by the tool itself under this run's prefix.
	for p in $(zpool list -H -o name 2>/dev/null | grep "^t${RUN_ID}" || true); do
		destroy_pool "$p"
	done
	# Never delete the disk files of a pool zfs-fuse still holds.
	[ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup_all EXIT

# Makes sure a ZFS answers (starts zfs-fuse where there is no kernel ZFS). Never kills one.
zfs_fuse_ensure() {
	"$TOP/scripts/start-zfs.sh"
}

# zfs_has FEATURE: true when the ZFS in use has FEATURE: lz4, zstd, sync
# (dataset properties), special (special vdevs: special_small_blocks), autotrim (pool property),
# feature-flags (pool version 5000), json (zfs/zpool -j, OpenZFS 2.3), volumes (zvols), encryption,
# acltype, xattr-sa (xattr=sa). zfs-fuse has none of them.
zfs_has() {
	case "$1" in
	lz4 | zstd) zfs get 2>&1 | grep -E '^[[:space:]]+compression[[:space:]]' | grep -qw "$1" ;;
	sync) zfs get 2>&1 | grep -qE '^[[:space:]]+sync[[:space:]]' ;;
	special) zfs get 2>&1 | grep -qE '^[[:space:]]+special_small_blocks[[:space:]]' ;;   # special vdevs
	autotrim) zpool get 2>&1 | grep -qE '^[[:space:]]+autotrim[[:space:]]' ;;
	feature-flags) zpool upgrade -v 2>&1 | grep -q 'feature flags' ;;
	json) zfs list -j -o name >/dev/null 2>&1 ;;
	get-types) zfs get 2>&1 | grep -qF "[-t type" ;;
	volumes) [ -e /dev/zfs ] ;;   # zvols need kernel ZFS: zfs-fuse aborts on zfs create -V
	encryption | acltype) zfs get 2>&1 | grep -qE "^[[:space:]]+$1[[:space:]]" ;;
	resume) zfs get 2>&1 | grep -qE '^[[:space:]]+receive_resume_token[[:space:]]' ;;   # receive -s, send -t
	xattr-sa) zfs get 2>&1 | grep -E '^[[:space:]]+xattr[[:space:]]' | grep -qw sa ;;
	*) echo "zfs_has: unknown feature '$1'" >&2; return 2 ;;
	esac
}

# zfs_flavour: "zfs-fuse" or "OpenZFS VERSION".
zfs_flavour() {
	if [ -r /sys/module/zfs/version ]; then echo "OpenZFS $(cut -d- -f1 /sys/module/zfs/version)"
	else echo zfs-fuse; fi
}

# need FEATURE...: skips the current test, by name, on a ZFS that lacks one.
need() {
	local f
	for f; do zfs_has "$f" || skip "needs $f, which this ZFS ($(zfs_flavour)) lacks"; done
}

# pool_name SUFFIX: a pool name unique to this run.
pool_name() { echo "t${RUN_ID}$1"; }

# vdev NAME [SIZE]: a sparse file vdev under this run's work dir; prints its path.
vdev() {
	local f="$WORK/vdev-$1"
	truncate -s "${2:-256M}" "$f"
	echo "$f"
}

# mkpool NAME VDEV... : a pool made by hand (tracked for cleanup).
mkpool() {
	local name=$1; shift
	zpool create -m "$WORK/mnt-$name" "$name" "$@" >/dev/null || return 1
	POOLS_CREATED+=("$name")
}

# ph ARGS...: runs the tool; sets $out, $err and $rc.
ph() {
	local o e
	o=$(mktemp "$WORK/out.XXXX"); e=$(mktemp "$WORK/err.XXXX")
	"$PH" "$@" >"$o" 2>"$e" && rc=0 || rc=$?
	out=$(cat "$o"); err=$(cat "$e")
	rm -f "$o" "$e"
	if grep -q 'Sanitizer' <<<"$err"; then
		echo "sanitizer report from: $PH $*" >&2
		echo "$err" >&2
		rc=99
	fi
	return 0
}

fail() { echo "  assertion failed: $*" >&2; return 1; }
assert_eq() { [ "$1" = "$2" ] || fail "expected '$2', got '$1' ${3:-}"; }
assert_rc() {
	[ "$rc" = "$1" ] || { echo "  stdout: $out" >&2; echo "  stderr: $err" >&2; fail "exit status $rc, expected $1 ${2:-}"; }
}
assert_contains() { grep -qF -- "$2" <<<"$1" || fail "expected to find '$2' in: $1"; }
assert_not_contains() { ! grep -qF -- "$2" <<<"$1" || fail "did not expect '$2' in: $1"; }
# zget PROP DATASET: exact value of a property.
zget() { zfs get -H -p -o value "$1" "$2"; }
# zsrc PROP DATASET: the source of a property (local, default, inherited from X, -).
zsrc() { zfs get -H -o source "$1" "$2"; }

skip() { echo "SKIP $CURRENT_TEST: $*"; exit 77; }

# need_reference: fails the current test, saying where it looked, when the
# reference configs are missing (never a skip: a test that cannot run must not pass).
need_reference() {
	[ -f "$REFERENCE/phoenix_hypervisor_config.json" ] ||
		fail "reference configs not found: no phoenix_hypervisor_config.json in '$REFERENCE'" \
			"(PHOENIX_REFERENCE_DIR=${PHOENIX_REFERENCE_DIR-unset}; the repository keeps them in tests/data/reference/)"
}

# A real prometheus-node-exporter (textfile collector only, loopback):
# prom_start DIR starts one on DIR/*.prom and sets PROM_URL; prom_scrape prints
# /metrics; prom_stop ends it (the suite's own process, by its pid).
PROM_BIN=${PHOENIX_NODE_EXPORTER:-prometheus-node-exporter}
PROM_PID=

# prom_start DIR: an exporter reading DIR/*.prom on a free loopback port.
prom_start() {
	local port i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		port=$((20000 + (RANDOM % 20000)))
		"$PROM_BIN" --collector.disable-defaults --collector.textfile \
			--collector.textfile.directory="$1" --web.listen-address="127.0.0.1:$port" \
			>"$WORK/exporter.log" 2>&1 &
		PROM_PID=$!
		PROM_URL=http://127.0.0.1:$port/metrics
		for _ in $(seq 1 50); do
			curl -fsS "$PROM_URL" >/dev/null 2>&1 && return 0
			kill -0 "$PROM_PID" 2>/dev/null || break
			sleep 0.1
		done
		prom_stop
	done
	echo "node_exporter did not start; its log:" >&2
	cat "$WORK/exporter.log" >&2
	return 1
}

prom_stop() {
	if [ -n "$PROM_PID" ]; then
		kill "$PROM_PID" 2>/dev/null
		wait "$PROM_PID" 2>/dev/null || true
	fi
	PROM_PID=
}

prom_scrape() { curl -fsS "$PROM_URL"; }

run_tests() {
	local filter=${TEST_FILTER:-}
	for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
		[ -n "$filter" ] && [[ "$t" != *"$filter"* ]] && continue
		export CURRENT_TEST=$t
		echo "--- $t"
		( set -eu; "$t" ); local r=$?
		if [ $r -eq 0 ]; then echo "PASS $t"
		elif [ $r -eq 77 ]; then :
		else echo "FAIL $t"; fi
	done
	echo SUITE-DONE
}
