#!/usr/bin/env bash
# Benchmark: the snapshot jobs on zfs-fuse, each figure side by side with its
# floor, in one run. Prints and saves to bench/results/snapshot_jobs.txt:
#   1. taking one due class on N datasets (one recursive policy): ZFS programs
#      started, the tool's CPU (user+sys, children excluded), wall; against the
#      floor (one `zfs snapshot -r` over the same tree) and `sanoid
#      --take-snapshots` configured for the same tree (when it runs here);
#   2. the same N datasets each with its own policy entry (no -r possible);
#   3. pruning S snapshots (S = N x K, laid down with K `zfs snapshot -r`
#      calls): programs, CPU, wall, and the floor (the same destroys from a
#      shell loop, one `zfs destroy` a name, as zfs-fuse needs);
#   4. the layout `plan` on the same tree with no snapshot and with the S
#      snapshots (target: within 1.2x), and the old read (`zfs get -p -r all`,
#      snapshots included) for comparison.
# A unique pool (bench<PID>), its datasets unmounted (canmount=off: zfs-fuse
# has ~1,000 FUSE mounts for everyone), destroyed at the end.
#   N=200 K=50 bench/snapshot_jobs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200}
K=${K:-50}
POOL=bench$$
D=$(mktemp -d /var/tmp/phoenix-bench-snap.XXXXXX)
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
truncate -s 2G "$D/disk"
zpool create -m none "$POOL" "$D/disk" >/dev/null
zfs create -o canmount=off -o mountpoint=none "$POOL/t"
for ((i = 0; i < N; i++)); do zfs create -o canmount=off "$POOL/t/d$i"; done

cat >"$D/zfs" <<EOF2
#!/bin/sh
echo "zfs \$*" >>"$D/calls"
exec zfs "\$@"
EOF2
chmod +x "$D/zfs"
export PHOENIX_ZFS=$D/zfs

# stats CMD...: runs the tool with PHOENIX_STATS; sets progs, cpu (ms), wall (ms).
stats() {
	: >"$D/calls"
	local t0 t1 s
	t0=$(date +%s%N)
	PHOENIX_STATS=1 "$@" >"$D/out" 2>"$D/err" || true
	t1=$(date +%s%N)
	s=$(grep '^stats:' "$D/err" | tail -1)
	progs=$(wc -l <"$D/calls")
	cpu=$(( $(sed 's/.*cpu_user_ms=\([0-9]*\).*/\1/' <<<"$s") + $(sed 's/.*cpu_sys_ms=\([0-9]*\).*/\1/' <<<"$s") ))
	wall=$(( (t1 - t0) / 1000000 ))
}
floor() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s%N); wall=$(( (t1 - t0) / 1000000 )); }

pools='"pools": [ { "name": "'$POOL'", "raid_level": "single", "disks": ["'$D'/disk"], "mountpoint": "none" } ]'
cat >"$D/rec.json" <<JSON
{ "zfs": { $pools, "snapshot_policies": { "p": { "keep": { "daily": 3 } } },
  "datasets": [ { "name": "t", "pool": "$POOL", "snapshots": { "policy": "p", "recursive": true } } ] } }
JSON
{
	echo "{ \"zfs\": { $pools, \"snapshot_policies\": { \"p\": { \"keep\": { \"daily\": 3 } } }, \"datasets\": ["
	for ((i = 0; i < N; i++)); do
		sep=,; ((i == N - 1)) && sep=
		echo "  { \"name\": \"t/d$i\", \"pool\": \"$POOL\", \"snapshots\": { \"policy\": \"p\" } }$sep"
	done
	echo "] } }"
} >"$D/each.json"

{
	echo "snapshot jobs on zfs-fuse, $N datasets, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, build/ -O2"
	stats "$P" run --snapshot -c "$D/rec.json" --now 2026-01-05T00:00:00Z
	echo "take, one recursive policy:     programs $progs, tool CPU ${cpu} ms, wall ${wall} ms"
	floor zfs snapshot -r "$POOL/t@floor1"
	echo "  floor, one zfs snapshot -r:   programs 1, wall ${wall} ms"
	mkdir -p "$D/sanoid" "$D/sanoid-cache"
	printf '[%s]\n\tuse_template = b\n\trecursive = yes\n\n[template_b]\n\tdaily = 3\n\thourly = 0\n\tmonthly = 0\n\tyearly = 0\n\tautosnap = yes\n\tautoprune = no\n' \
		"$POOL/t" >"$D/sanoid/sanoid.conf"
	cp /usr/share/sanoid/sanoid.defaults.conf "$D/sanoid/" 2>/dev/null || true
	if command -v sanoid >/dev/null; then
		local_before=$(zfs list -H -t snapshot -o name -r "$POOL" | wc -l)
		t0=$(date +%s%N)
		sanoid --configdir="$D/sanoid" --cache-dir="$D/sanoid-cache" --run-dir="$D/sanoid" --take-snapshots >"$D/sanoid.out" 2>&1 && srs=ok || srs="failed: $(grep -m1 -i 'cannot\|invalid\|error\|usage' "$D/sanoid.out" || tail -1 "$D/sanoid.out")"
		t1=$(date +%s%N)
		made=$(( $(zfs list -H -t snapshot -o name -r "$POOL" | wc -l) - local_before ))
		echo "  sanoid --take-snapshots:      wall $(( (t1 - t0) / 1000000 )) ms, snapshots made $made ($srs)"
	else
		echo "  sanoid: not installed (apt-get install sanoid)"
	fi
	stats "$P" run --snapshot -c "$D/each.json" --now 2026-01-06T00:00:00Z
	echo "take, one entry per dataset:    programs $progs, tool CPU ${cpu} ms, wall ${wall} ms (zfs-fuse: one zfs snapshot a name)"

	cat >"$D/layout.json" <<JSON
{ "zfs": { $pools, "datasets": [ { "name": "t", "pool": "$POOL", "properties": "canmount=off" } ] } }
JSON
	zfs list -H -t snapshot -o name -r "$POOL" | while read -r s; do zfs destroy "$s"; done
	stats "$P" plan -c "$D/layout.json"
	zero_wall=$wall zero_cpu=$cpu zero_progs=$progs
	# history: K recursive snapshots, one a day back from 2026-03-01
	for ((k = 0; k < K; k++)); do
		zfs snapshot -r "$POOL/t@phoenix_$(date -u -d "2026-03-01 - $k days" +%Y-%m-%dT000000Z)_daily"
	done
	S=$(zfs list -H -t snapshot -o name -r "$POOL" | wc -l)
	stats "$P" plan -c "$D/layout.json"
	with_wall=$wall with_cpu=$cpu with_progs=$progs
	floor zfs get -H -p -r all "$POOL"
	old_wall=$wall
	stats "$P" run --prune --dry-run -c "$D/rec.json" --now 2026-03-01T12:00:00Z
	todo=$(grep -c '^- destroy' "$D/out" || true)
	echo "history: $S snapshots ($K daily x $((N + 1)) datasets), $todo to destroy (keep daily 3)"
	echo "  dry run (decide + list):      programs $progs, tool CPU ${cpu} ms, wall ${wall} ms"
	stats "$P" run --prune --allow-destroy -c "$D/rec.json" --now 2026-03-01T12:00:00Z
	echo "prune:                          programs $progs, tool CPU ${cpu} ms, wall ${wall} ms"
	left=$(zfs list -H -t snapshot -o name -r "$POOL" | wc -l)
	echo "  snapshots left: $left"
	echo "  per destroyed snapshot: $(( wall / (todo > 0 ? todo : 1) )) ms"
	# floor: one-name destroys from a shell loop (what zfs-fuse allows), on the snapshots left
	zfs list -H -t snapshot -o name -r "$POOL" >"$D/floor-names"
	t0=$(date +%s%N)
	while read -r s; do zfs destroy "$s" >/dev/null 2>&1 || true; done <"$D/floor-names"
	t1=$(date +%s%N)
	fl=$(wc -l <"$D/floor-names")
	echo "  floor, $fl one-name zfs destroy from a shell: wall $(( (t1 - t0) / 1000000 )) ms, $(( (t1 - t0) / 1000000 / (fl > 0 ? fl : 1) )) ms each"
	echo "layout plan, no snapshots:      programs $zero_progs, tool CPU ${zero_cpu} ms, wall ${zero_wall} ms"
	echo "layout plan, $S snapshots:    programs $with_progs, tool CPU ${with_cpu} ms, wall ${with_wall} ms (ratio $(echo "scale=2; $with_wall / $zero_wall" | bc); target <= 1.2)"
	echo "  the old read, zfs get -H -p -r all over the same $S snapshots: wall ${old_wall} ms"
} | tee bench/results/snapshot_jobs.txt
