#!/usr/bin/env bash
# Two builds of the tool on the same command, run alternately so that both
# see the same machine: best and median wall clock of each. Usage:
#
#   bench/queries/before_after.sh BEFORE_BINARY AFTER_BINARY RUNS ARGUMENTS...
#   bench/queries/before_after.sh /tmp/dm_before build/release/distance_matrix 15 \
#       ~/.cache/distance_matrix/bench-queries/cities.csv --nearest 10 -o /tmp/n.npz
#
# Each run's output replaces the previous one's, as a user re-running would.
set -euo pipefail
before=$1 after=$2 runs=$3
shift 3
times=$(mktemp)
trap 'rm -f "$times"' EXIT
for ((run = 0; run < runs; ++run)); do
  for build in before after; do
    binary=$before
    [[ $build == after ]] && binary=$after
    start=$(date +%s%N)
    "$binary" "$@" --quiet >/dev/null
    echo "$build $(( $(date +%s%N) - start ))" >>"$times"
  done
done
for build in before after; do
  grep "^$build " "$times" | sort -k2,2n |
    awk -v name="$build" '{ t[NR] = $2 } END { printf "%-6s best %.4f s  median %.4f s  (%d runs)\n", name, t[1] / 1e9, t[int((NR + 1) / 2)] / 1e9, NR }'
done
