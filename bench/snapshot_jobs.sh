#!/usr/bin/env bash
# Benchmark: the snapshot jobs on zfs-fuse, each figure side by side with its
# floor, in one run. Prints and saves to bench/results/snapshot_jobs.txt:
#   1. taking one due class on N datasets (one recursive policy): ZFS programs
#      started, the tool's CPU (user+sys, children excluded), wall; against the
#      floor (one `zfs snapshot -r` over the same tree) and `sanoid
#      --take-snapshots` configured for the same tree (when it runs here);
#   2. the same N datasets each with its own policy entry (no -r possible);
#   3. a history of S = (N + 1) x K snapshots (K `zfs snapshot -r` calls):
#      deciding a prune of nearly all of them (dry run, keep daily 3), then a
#      real prune of PRUNE_DAYS x (N + 1) of them (keep daily K - PRUNE_DAYS:
#      zfs-fuse destroys one name a call, ~80 ms each, so all of them would take
#      ~14 min at S = 10,000), against the floor (FLOOR one-name `zfs destroy`
#      from a shell loop);
#   4. the layout `plan` with no snapshot and with the S snapshots (target:
#      within 1.2x): a twin pool with the same tree and no snapshot, the two
#      plans run in turn R times (the medians, so a load burst on this shared
#      machine hits both); the plan of a config with the policy, whose
#      `= snapshots:` line reads every snapshot of the policy's datasets (one
#      program), against its floor (`zfs list -H -t snapshot -o name -r`); and
#      the old read (`zfs get -p -r all`, snapshots included) for comparison.
# Unique pools (bench<PID>, bench<PID>b), their datasets unmounted
# (canmount=off: zfs-fuse has ~1,000 FUSE mounts for everyone), destroyed at
# the end.
#   N=100 K=100 bench/snapshot_jobs.sh     (the default: 10,100 snapshots)
#   N=50 K=20 PRUNE_DAYS=17 bench/snapshot_jobs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100}
K=${K:-100}
PRUNE_DAYS=${PRUNE_DAYS:-10}
FLOOR=${FLOOR:-100}
R=${R:-5}
POOL=bench$$
TWIN=bench$$b
D=$(mktemp -d /var/tmp/phoenix-bench-snap.XXXXXX)
scripts/start-zfs.sh >/dev/null
make -s build/phoenix-storage
P=$PWD/build/phoenix-storage
export PHOENIX_LOCK=$D/apply.lock
cleanup() {
	local p
	for p in "$POOL" "$TWIN"; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			zpool list "$p" >/dev/null 2>&1 || break
			zpool destroy -f "$p" >/dev/null 2>&1 && break
			sleep 1
		done
	done
	rm -rf "$D"
}
trap cleanup EXIT
for p in "$POOL" "$TWIN"; do
	truncate -s 3G "$D/disk-$p"
	zpool create -m none "$p" "$D/disk-$p" >/dev/null 2>&1
	zfs create -o canmount=off -o mountpoint=none "$p/t"
	for ((i = 0; i < N; i++)); do zfs create -o canmount=off "$p/t/d$i"; done
done

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

pools="\"pools\": [ { \"name\": \"$POOL\", \"raid_level\": \"single\", \"disks\": [\"$D/disk-$POOL\"], \"mountpoint\": \"none\" } ]"
twin_pools="\"pools\": [ { \"name\": \"$TWIN\", \"raid_level\": \"single\", \"disks\": [\"$D/disk-$TWIN\"], \"mountpoint\": \"none\" } ]"
# median V...: the middle value.
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
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
	cat >"$D/twin.json" <<JSON
{ "zfs": { $twin_pools, "datasets": [ { "name": "t", "pool": "$TWIN", "properties": "canmount=off" } ] } }
JSON
	sed 's/"keep": { "daily": 3 }/"keep": { "daily": '$((K - PRUNE_DAYS))' }/' "$D/rec.json" >"$D/part.json"
	zfs list -H -t snapshot -o name -r "$POOL" | while read -r s; do zfs destroy "$s"; done
	# history: K recursive snapshots, one a day back from 2026-03-01
	t0=$(date +%s%N)
	for ((k = 0; k < K; k++)); do
		zfs snapshot -r "$POOL/t@phoenix_$(date -u -d "2026-03-01 - $k days" +%Y-%m-%dT000000Z)_daily"
	done
	t1=$(date +%s%N)
	S=$(zfs list -H -t snapshot -o name -r "$POOL" | wc -l)
	echo "history: $S snapshots ($K daily x $((N + 1)) datasets), laid down by $K zfs snapshot -r in $(( (t1 - t0) / 1000000 )) ms"
	sleep 5   # let zfs-fuse finish syncing them before anything is timed
	# the layout plan, twin (no snapshot) and this pool (S snapshots) in turn
	zero=() with=() pol=() flo=()
	for ((r = 0; r < R; r++)); do
		stats "$P" plan -c "$D/twin.json"; zero+=("$wall"); zero_progs=$progs zero_cpu=$cpu
		stats "$P" plan -c "$D/layout.json"; with+=("$wall"); with_progs=$progs with_cpu=$cpu
	done
	for ((r = 0; r < R; r++)); do
		stats "$P" plan -c "$D/rec.json"; pol+=("$wall"); pol_progs=$progs pol_cpu=$cpu
		floor zfs list -H -t snapshot -o name -r "$POOL/t"; flo+=("$wall")
	done
	zm=$(median "${zero[@]}") wm=$(median "${with[@]}") pm=$(median "${pol[@]}") fm=$(median "${flo[@]}")
	echo "layout plan, no snapshot (twin pool): programs $zero_progs, tool CPU ${zero_cpu} ms, wall median ${zm} ms (${zero[*]})"
	echo "layout plan, $S snapshots:         programs $with_progs, tool CPU ${with_cpu} ms, wall median ${wm} ms (${with[*]}); ratio $(echo "scale=2; $wm / $zm" | bc) (target <= 1.2)"
	echo "plan with the policy (its = snapshots: line reads the $S snapshots): programs $pol_progs, tool CPU ${pol_cpu} ms, wall median ${pm} ms (${pol[*]})"
	echo "  floor, zfs list -H -t snapshot -o name -r over them: wall median ${fm} ms (${flo[*]})"
	floor zfs get -H -p -r all "$POOL"
	echo "  the old read, zfs get -H -p -r all over the same $S snapshots: wall ${wall} ms"
	stats "$P" run --prune --dry-run -c "$D/rec.json" --now 2026-03-01T12:00:00Z
	todo=$(grep -c '^- destroy' "$D/out" || true)
	echo "  dry run, keep daily 3 (decide + list $todo destroys): programs $progs, tool CPU ${cpu} ms, wall ${wall} ms"
	stats "$P" run --prune --dry-run -c "$D/part.json" --now 2026-03-01T12:00:00Z
	todo=$(grep -c '^- destroy' "$D/out" || true)
	stats "$P" run --prune --allow-destroy -c "$D/part.json" --now 2026-03-01T12:00:00Z
	echo "prune $todo of them (keep daily $((K - PRUNE_DAYS))): programs $progs, tool CPU ${cpu} ms, wall ${wall} ms, $(( wall / (todo > 0 ? todo : 1) )) ms a snapshot"
	left=$(zfs list -H -t snapshot -o name -r "$POOL" | wc -l)
	echo "  snapshots left: $left"
	# floor: one-name destroys from a shell loop (what zfs-fuse allows), on FLOOR of the snapshots left
	zfs list -H -t snapshot -o name -r "$POOL" | sed -n "1,${FLOOR}p" >"$D/floor-names"   # sed reads all: no SIGPIPE
	t0=$(date +%s%N)
	while read -r s; do zfs destroy "$s" >/dev/null 2>&1 || true; done <"$D/floor-names"
	t1=$(date +%s%N)
	fl=$(wc -l <"$D/floor-names")
	echo "  floor, $fl one-name zfs destroy from a shell: wall $(( (t1 - t0) / 1000000 )) ms, $(( (t1 - t0) / 1000000 / (fl > 0 ? fl : 1) )) ms each"
	echo "  load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee bench/results/snapshot_jobs.txt
