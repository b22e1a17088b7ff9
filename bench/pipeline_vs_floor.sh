#!/usr/bin/env bash
# File-to-file time and peak memory of the tool for each format and layout,
# against the I/O floor of the same output (one write + fsync of the same
# byte count into the same folder). Usage, from the repository root after
# `cmake --workflow --preset release`:
#
#   bench/pipeline_vs_floor.sh [LOCATIONS] [FOLDER]    # default 10000, /tmp
#   bench/pipeline_vs_floor.sh 20000 /dev/null          # peak RSS of every case, no files
#
# Prints one line per case: wall seconds, CPU seconds (user + system), floor
# seconds, ratio, peak RSS (MB). On a shared machine compare CPU time too:
# wall time then depends on what else runs.
set -euo pipefail
n=${1:-10000}
folder=${2:-/tmp}
tool=build/release/distance_matrix
floor=build/release/bench/distance_matrix_io_floor
null=false
if [[ $folder == /dev/null ]]; then null=true; folder=/tmp; fi
input="$folder/bench_$n.csv"

# Deterministic random locations over the whole sphere.
awk -v n="$n" 'BEGIN { srand(42); for (i = 0; i < n; i++)
  printf "place %d,%.6f,%.6f\n", i, rand() * 180 - 90, rand() * 360 - 180 }' > "$input"

run_case() {
  local name=$1; shift
  local output=$1; shift
  if $null; then output=/dev/null; fi
  # Only a regular file of ours is ever removed: never a device such as /dev/null.
  if [[ $output != /dev/* ]]; then rm -f "$output"; fi
  sync
  /usr/bin/time -v "$tool" "$input" -o "$output" --quiet "$@" 2> "$folder/time.txt"
  local seconds cpu rss bytes floor_seconds
  seconds=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
    for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$folder/time.txt")
  cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$folder/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$folder/time.txt")
  if [[ $output == /dev/null ]]; then
    printf '%-26s %7.2f s  CPU %6.2f s                               RSS %4s MB\n' "$name" "$seconds" "$cpu" "$rss"
    return
  fi
  bytes=$(stat -c %s "$output")
  rm -f "$output"
  sync
  floor_seconds=$("$floor" "$bytes" "$folder")
  printf '%-26s %7.2f s  CPU %6.2f s  floor %6.2f s  ratio %5.2f  RSS %4s MB  (%s bytes)\n' \
    "$name" "$seconds" "$cpu" "$floor_seconds" "$(awk -v a="$seconds" -v b="$floor_seconds" 'BEGIN { print a / b }')" \
    "$rss" "$bytes"
}

run_case "npy square float64" "$folder/bench.npy" --format npy
run_case "npy condensed float32" "$folder/bench.npy" --format npy --layout condensed --dtype float32
run_case "csv pairs" "$folder/bench.csv"
run_case "csv square" "$folder/bench.csv" --layout square
$null || run_case "csv pairs to /dev/null" /dev/null
rm -f "$input" "$folder/time.txt"
