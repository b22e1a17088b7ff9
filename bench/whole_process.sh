#!/usr/bin/env bash
# Where the whole process goes for the issue's two end-to-end targets, with
# steadier numbers than wall clock on a shared machine. Usage, from the
# repository root after `cmake --workflow --preset release`:
#
#   bench/whole_process.sh [RUNS] [BEFORE_BINARY]
#
# For each case: mean wall clock, mean CPU time (task-clock: every thread,
# user + system) and page faults over RUNS runs (perf stat -r, default 10);
# the I/O floor of the 19 MB CSV (one write + fsync, best of 3); and the load
# average before and after. With BEFORE_BINARY (another build of the tool),
# every tool case is measured with it too, interleaved, for a before/after.
set -euo pipefail
runs=${1:-10}
before=${2:-}
tool=build/release/distance_matrix
floor=build/release/bench/distance_matrix_io_floor
folder=$(mktemp -d)
trap 'rm -rf "$folder"' EXIT

# The peers' n = 10,000 input (bench/peers/peers.py generates the same points).
/usr/bin/python3 -c "import sys; sys.path.insert(0, 'bench/peers'); import peers; peers.generate('$folder/10k.csv', 10000)"

measure() {  # name binary arguments...
  local name=$1 binary=$2; shift 2
  local stats
  stats=$(perf stat -r "$runs" -x, -e task-clock,page-faults "$binary" "$@" --quiet 2>&1 >/dev/null |
    awk -F, '$3 == "task-clock" { cpu = $1 } $3 == "page-faults" { faults = $1 } END { printf "%8.1f ms CPU %7d faults", cpu, faults }')
  # perf stat -x prints no elapsed time: time the same runs with hyperfine-free bash.
  local start end
  start=$(date +%s%N)
  for ((i = 0; i < runs; i++)); do "$binary" "$@" --quiet >/dev/null; done
  end=$(date +%s%N)
  printf '%-44s %8.1f ms wall %s\n' "$name" "$(echo "($end - $start) / $runs / 1000000" | bc -l)" "$stats"
}

case_both() {  # name arguments...
  local name=$1; shift
  measure "$name" "$tool" "$@"
  if [[ -n $before ]]; then measure "  (before: $before)" "$before" "$@"; fi
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $runs runs per case"
case_both "1k CSV -> file (fsync, rename)" data/1k_locations.csv -o "$folder/out.csv"
case_both "1k CSV -> /dev/null" data/1k_locations.csv -o /dev/null
case_both "10k NPY condensed float64 -> /dev/null" "$folder/10k.csv" --format npy --layout condensed -o /dev/null
case_both "start-up only (--version)" --version
best=
for _ in 1 2 3; do
  seconds=$("$floor" "$(stat -c %s "$folder/out.csv")" "$folder")
  if [[ -z $best ]] || (($(echo "$seconds < $best" | bc -l))); then best=$seconds; fi
done
printf '%-44s %8.1f ms wall (best of 3: one write + fsync of %s bytes)\n' "I/O floor of the 1k CSV" \
  "$(echo "$best * 1000" | bc -l)" "$(stat -c %s "$folder/out.csv")"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
