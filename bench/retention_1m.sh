#!/usr/bin/env bash
# Benchmark: the retention engine deciding 1,000,000 synthetic snapshots
# (1,000 datasets x 1,000 snapshots; bench/retention_1m.c), the pure part of
# one prune run. No ZFS involved. Prints and saves to
# bench/results/retention_1m.txt:
#   - CPU time of the decisions (user+sys; target: < 1 s),
#   - the same plus every reason text formatted (what `snapshots --explain` prints),
#   - CPU time of the due check over the same datasets,
#   - peak RSS of the whole program (the names themselves are ~36 MB).
# Usage: bench/retention_1m.sh   (DATASETS=, PER=, RUNS= override the sizes)
set -euo pipefail
cd "$(dirname "$0")/.."
DATASETS=${DATASETS:-1000}
PER=${PER:-1000}
RUNS=${RUNS:-5}
make -s build/bench/retention_1m
mkdir -p bench/results
decide=() reasons=() due=() rss=()
for ((r = 0; r < RUNS; r++)); do
	s=$(build/bench/retention_1m "$DATASETS" "$PER")
	get() { sed "s/.* $1=\([0-9]*\).*/\1/" <<<"$s"; }
	decide+=($(get decide_ms)); reasons+=($(get reasons_ms)); due+=($(get due_ms)); rss+=($(get max_rss_kb))
	last=$s
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
get() { sed "s/.* $1=\([0-9]*\).*/\1/" <<<"$last"; }
out=bench/results/retention_1m.txt
{
	echo "retention engine, $(get snapshots) synthetic snapshots in $(get datasets) datasets ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, build/ -O2)"
	echo "decisions: keep $(get keep), destroy $(get destroy), foreign $(get foreign)"
	echo "decide CPU ms (user+sys): ${decide[*]}; median $(median "${decide[@]}") (target: < 1000)"
	echo "decide + every reason text CPU ms: ${reasons[*]}; median $(median "${reasons[@]}")"
	echo "due check over the same datasets CPU ms: ${due[*]}; median $(median "${due[@]}")"
	echo "peak RSS KiB (names and inputs included): median $(median "${rss[@]}")"
} | tee "$out"
