#!/usr/bin/env bash
# Scaling of -e mpi on one machine: the issue's target case, n locations to a
# condensed float32 NPY, 1 worker per rank, for each rank count given.
# Usage, from the repository root after `cmake --workflow --preset release`:
#
#   bench/mpi_scaling.sh [LOCATIONS] [FOLDER] [RANKS...]   # default 20000 /tmp 1 2
#
# DM_TOOL=path/to/distance_matrix times another build (e.g. build/ci-gcc);
# FOLDER=/dev/shm/x takes the disk out of the write phase (tmpfs).
#
# Prints per rank count: the calculation time of the slowest rank (from the
# tool's report), the job's wall time, and its CPU time (user + system of
# mpirun and every rank, from /usr/bin/time -v); then the speed-up of the
# calculation and the CPU ratio against the first rank count.
set -euo pipefail
n=${1:-20000}
folder=${2:-/tmp}
shift $(($# < 2 ? $# : 2))
ranks=("$@")
if ((${#ranks[@]} == 0)); then ranks=(1 2); fi
tool=${DM_TOOL:-build/release/distance_matrix}
input="$folder/mpi_bench_$n.csv"
output="$folder/mpi_bench_$n.npy"
# As root Open MPI needs these; shared memory alone avoids probing the network.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader

awk -v n="$n" 'BEGIN { srand(42); for (i = 0; i < n; i++)
  printf "place %d,%.6f,%.6f\n", i, rand() * 180 - 90, rand() * 360 - 180 }' > "$input"

echo "load: $(uptime)"
first_calculation=""
first_cpu=""
for k in "${ranks[@]}"; do
  rm -f "$output"
  sync
  /usr/bin/time -v mpirun --oversubscribe -np "$k" "$tool" "$input" -e mpi --workers 1 \
    --format npy --layout condensed --dtype float32 -o "$output" 2> "$folder/mpi_bench.txt"
  calculation=$(awk '/^calculation/ { print $2 }' "$folder/mpi_bench.txt")
  write=$(awk '/^write/ { print $2 }' "$folder/mpi_bench.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
    for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$folder/mpi_bench.txt")
  cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$folder/mpi_bench.txt")
  first_calculation=${first_calculation:-$calculation}
  first_cpu=${first_cpu:-$cpu}
  printf '%2s ranks: calculation %6.3f s (x%.2f)  write %6.3f s  wall %6.2f s  CPU %6.2f s (x%.2f)\n' \
    "$k" "$calculation" "$(awk -v a="$first_calculation" -v b="$calculation" 'BEGIN { print a / b }')" \
    "$write" "$wall" "$cpu" "$(awk -v a="$cpu" -v b="$first_cpu" 'BEGIN { print a / b }')"
done
rm -f "$output" "$input" "$folder/mpi_bench.txt"
