#!/usr/bin/env bash
# Side-by-side benchmark of the spatial-index options of issue 15 (ours,
# nanoflann, S2) on one thread. Bench-only dependencies (libs2-dev,
# libnanoflann-dev) are installed here, never by scripts/setup or CMake.
#
#   bench/queries/index_options.sh [cities.csv]
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
for package in libs2-dev libnanoflann-dev; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
  SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
  $SUDO apt-get install -y "${missing[@]}"
fi

if [ ! -f build/release/src/libdistance_matrix.a ]; then
  cmake --preset release
  cmake --build --preset release -j2 --target distance_matrix
fi

out=build/release/index_options
g++ -O3 -march=native -std=c++20 -DNDEBUG -I include -I build/release/generated -I . \
  bench/queries/index_options.cpp -o "$out" \
  build/release/src/libdistance_matrix.a \
  -ls2 -labsl_hash -labsl_raw_hash_set -labsl_synchronization \
  -ltbb -lGeographicLib -lsimdjson -lz -lzstd -llzma -lpthread

date -u
uptime
"$out" "$@"
