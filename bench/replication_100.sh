#!/usr/bin/env bash
# Benchmark: replicating N datasets (default 100) with one new snapshot each,
# on zfs-fuse, side by side in one run with a hand-written loop of
# `zfs send -i | zfs receive` doing the same work. Prints and saves to
# bench/results/replication_100.txt: ZFS programs started and wall time of
#   1. the first replication (N full sends) by the tool;
#   2. the tool's `run --replicate` after one new snapshot on each dataset;
#   3. the hand loop after one more snapshot on each (2 programs a dataset).
# A unique pool (bench<PID>), nothing mounted (mountpoint=none), destroyed at the end.
#   N=100 bench/replication_100.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100}
POOL=bench$$
D=$(mktemp -d /var/tmp/phoenix-bench-repl.XXXXXX)
scripts/start-zfs.sh >/dev/null
make -s build/phoenix-storage
P=$PWD/build/phoenix-storage
export PHOENIX_LOCK=$D/apply.lock
cleanup() {
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		zpool list "$POOL" >/dev/null 2>&1 || break
		zpool destroy -f "$POOL" >/dev/null 2>&1 && break
		sleep 1
	done
	rm -rf "$D"
}
trap cleanup EXIT
truncate -s 1G "$D/disk"
zpool create -m none "$POOL" "$D/disk" 2>/dev/null
zfs create -o canmount=off "$POOL/t"
zfs create -o mountpoint=none "$POOL/r"
for ((i = 0; i < N; i++)); do zfs create -o canmount=off "$POOL/t/d$i"; done

{
	echo "{ \"zfs\": { \"snapshot_policies\": { \"p\": { \"keep\": { \"hourly\": 24 } } },"
	echo "  \"datasets\": [ { \"name\": \"t\", \"pool\": \"$POOL\", \"snapshots\": { \"policy\": \"p\", \"recursive\": true } } ],"
	echo "  \"replication\": ["
	for ((i = 0; i < N; i++)); do
		echo "    { \"source\": \"$POOL/t/d$i\", \"target\": \"$POOL/r/d$i\" }$([ $i -lt $((N - 1)) ] && echo ,)"
	done
	echo "  ] } }"
} >"$D/c.json"

cat >"$D/zfs" <<EOF2
#!/bin/sh
echo "zfs \$*" >>"$D/calls"
exec zfs "\$@"
EOF2
chmod +x "$D/zfs"

# measure CMD...: sets progs and wall (ms); the tool's programs through the counting wrapper.
measure() {
	: >"$D/calls"
	local t0 t1
	t0=$(date +%s%N)
	PHOENIX_ZFS=$D/zfs "$@" >"$D/out" 2>"$D/err" || { cat "$D/out" "$D/err" >&2; exit 1; }
	t1=$(date +%s%N)
	progs=$(wc -l <"$D/calls")
	wall=$(( (t1 - t0) / 1000000 ))
}

$P run --snapshot -c "$D/c.json" --now 2026-01-05T10:00:00Z >/dev/null
measure "$P" run --replicate -c "$D/c.json" --now 2026-01-05T10:00:00Z
full_progs=$progs full_wall=$wall
grep -q "Replicated $N, failed 0" "$D/out"

$P run --snapshot -c "$D/c.json" --now 2026-01-05T11:00:00Z >/dev/null
measure "$P" run --replicate -c "$D/c.json" --now 2026-01-05T11:00:00Z
tool_progs=$progs tool_wall=$wall
grep -q "Replicated $N, failed 0" "$D/out"

# the hand loop: the same work (one new snapshot a dataset), no holds, no checks
zfs snapshot -r "$POOL/t@phoenix_2026-01-05T120000Z_hourly"
cat >"$D/loop" <<EOF2
#!/bin/bash
set -e
for ((i = 0; i < $N; i++)); do
	$D/zfs send -i @phoenix_2026-01-05T110000Z_hourly $POOL/t/d\$i@phoenix_2026-01-05T120000Z_hourly | $D/zfs receive $POOL/r/d\$i
done
EOF2
chmod +x "$D/loop"
measure "$D/loop"
loop_progs=$progs loop_wall=$wall
for i in 0 $((N - 1)); do
	[ "$(zfs get -H -p -o value guid "$POOL/t/d$i@phoenix_2026-01-05T120000Z_hourly")" = \
	  "$(zfs get -H -p -o value guid "$POOL/r/d$i@phoenix_2026-01-05T120000Z_hourly")" ] || { echo "loop: guids differ" >&2; exit 1; }
done

mkdir -p bench/results
{
	echo "replication of $N datasets on $(zfs_v=$(cat /sys/module/zfs/version 2>/dev/null || echo zfs-fuse); echo "$zfs_v"), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
	printf '%-46s %8s %10s\n' "job" "programs" "wall"
	printf '%-46s %8d %8d ms\n' "tool: first replication (N full sends)" "$full_progs" "$full_wall"
	printf '%-46s %8d %8d ms\n' "tool: run --replicate, one new snapshot each" "$tool_progs" "$tool_wall"
	printf '%-46s %8d %8d ms\n' "hand loop: zfs send -i | zfs receive" "$loop_progs" "$loop_wall"
	echo "per dataset: tool $((tool_progs / N)).$(( (tool_progs * 10 / N) % 10 )) programs, $((tool_wall / N)) ms; loop $((loop_progs / N)) programs, $((loop_wall / N)) ms"
} | tee bench/results/replication_100.txt
