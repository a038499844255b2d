#!/usr/bin/env bash
# Benchmark: `plan` on a converged host with 1,000 managed datasets (zfs-fuse,
# file vdev). Prints and saves to bench/results/plan_1000.txt:
#   - how many zfs/zpool programs plan starts (target: at most 3; 4 on zfs-fuse, which lists the datasets before asking for their properties),
#   - the tool's own CPU time (user+sys, children excluded; target: < 50 ms),
#   - wall time (dominated by zfs itself), peak RSS,
#   - for reference, the time of the first apply that creates the datasets.
# Usage: bench/plan_1000.sh [--keep]   (--keep leaves the pool for reruns)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000}
RUNS=${RUNS:-5}
D=/var/tmp/phoenix-bench
POOL=bench1k
scripts/start-zfs.sh
make -s build/phoenix-storage
P=$PWD/build/phoenix-storage
mkdir -p "$D" bench/results
[ -e "$D/disk" ] || truncate -s 2G "$D/disk"

# 20 parents, the rest spread below them: N datasets in all.
{
	echo '{ "zfs": { "pools": [ { "name": "'$POOL'", "raid_level": "single", "disks": ["'$D'/disk"], "mountpoint": "'$D'/mnt" } ],'
	echo '  "datasets": ['
	for ((i = 0; i < N; i++)); do
		p=$((i % 20))
		if ((i < 20)); then name="p$p"; props="quota=10G,atime=off"
		else name="p$p/d$i"; props="recordsize=16K,compression=on,quota=100M"; fi
		sep=,; ((i == N - 1)) && sep=
		echo "    { \"name\": \"$name\", \"pool\": \"$POOL\", \"properties\": \"$props\" }$sep"
	done
	echo '] } }'
} >"$D/config.json"

# Logging wrappers count the programs plan starts.
cat >"$D/zfs" <<EOF2
#!/bin/sh
echo "zfs \$*" >>"$D/calls"
exec zfs "\$@"
EOF2
cat >"$D/zpool" <<EOF2
#!/bin/sh
echo "zpool \$*" >>"$D/calls"
exec zpool "\$@"
EOF2
chmod +x "$D/zfs" "$D/zpool"

apply_s=-
if ! zpool list "$POOL" >/dev/null 2>&1 || [ "$(zfs list -H -r -o name "$POOL" | wc -l)" -lt $((N + 1)) ]; then
	t0=$(date +%s.%N)
	"$P" apply -c "$D/config.json" --root "$D/root" --yes >"$D/apply.log" 2>&1
	t1=$(date +%s.%N)
	apply_s=$(echo "$t1 - $t0" | bc)
fi

export PHOENIX_ZFS=$D/zfs PHOENIX_ZPOOL=$D/zpool PHOENIX_STATS=1
walls=() cpus=() progs=() rss=()
for ((r = 0; r < RUNS; r++)); do
	: >"$D/calls"
	t0=$(date +%s%N)
	rc=0; "$P" plan -c "$D/config.json" --root "$D/root" >"$D/plan.out" 2>"$D/plan.err" || rc=$?
	t1=$(date +%s%N)
	[ $rc -eq 0 ] || { echo "plan did not converge (exit $rc)"; cat "$D/plan.out" "$D/plan.err" | head; exit 1; }
	walls+=($(((t1 - t0) / 1000000)))
	s=$(grep '^stats:' "$D/plan.err")
	u=$(sed 's/.*cpu_user_ms=\([0-9]*\).*/\1/' <<<"$s"); y=$(sed 's/.*cpu_sys_ms=\([0-9]*\).*/\1/' <<<"$s")
	cpus+=($((u + y)))
	progs+=($(wc -l <"$D/calls"))
	rss+=($(sed 's/.*max_rss_kb=\([0-9]*\).*/\1/' <<<"$s"))
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
out=bench/results/plan_1000.txt
{
	echo "phoenix-storage plan, converged host, $N managed datasets on zfs-fuse ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
	echo "zfs/zpool programs per plan: ${progs[*]} (target: <= 3; 4 without zfs get -t)"
	echo "  $(sort "$D/calls" | uniq -c | tr -s ' ' | paste -sd ';')"
	echo "tool CPU ms (user+sys, children excluded): ${cpus[*]}; median $(median "${cpus[@]}") (target: < 50)"
	echo "wall ms: ${walls[*]}; median $(median "${walls[@]}")"
	echo "peak RSS KiB: median $(median "${rss[@]}")"
	echo "first apply creating the datasets: ${apply_s} s"
} | tee "$out"
if [ "${1:-}" != --keep ]; then
	# zfs-fuse can say "pool is busy" for a while after use: never delete the disk of a live pool
	destroyed=no
	for _ in $(seq 1 20); do zpool destroy -f "$POOL" 2>/dev/null && { destroyed=yes; break; }; sleep 1; done
	if [ $destroyed = yes ]; then rm -rf "$D"
	else echo "pool $POOL is still busy; destroy it later with: zpool destroy -f $POOL && rm -rf $D" >&2; fi
fi
