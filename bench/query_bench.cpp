// The queries' searches in-process, on the 171k GeoNames cities of
// bench/queries/setup (or the file $DM_BENCH_CSV names): find_nearest
// (--nearest 10 into arrays, what dm.nearest runs) and find_within
// (--within 10 km as CSR arrays, what dm.within runs), on one thread and
// two (the argument). The index is built in every iteration, as every run
// builds it. Without the process start, the read and the output file that
// bench/queries/compare.py's whole runs include, a search change of a few
// percent shows here where whole runs on a virtual machine vary by ten.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench_data.hpp"
#include "distance_matrix/input/csv_reader.hpp"
#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/queries/nearest_arrays.hpp"
#include "distance_matrix/queries/within_arrays.hpp"

namespace dm {
namespace {

/// The locations, read once; nothing, the benchmark skipped, when there is no file.
const LocationTable* large_locations_or_skip(benchmark::State& state) {
  static const std::optional<LocationTable> table = []() -> std::optional<LocationTable> {
    const std::optional<std::string> path = bench::large_location_file();
    if (!path) return std::nullopt;
    CsvLocationReader reader = CsvLocationReader::open(*path);
    return read_all(reader);
  }();
  if (!table) state.SkipWithError(bench::no_large_location_file);
  return table ? &*table : nullptr;
}

/// --nearest k or --within `within` km over the whole table, on the benchmark's workers.
NeighbourQuery whole_table_query(std::size_t n, std::optional<std::size_t> k, std::optional<double> within,
                                 const benchmark::State& state) {
  return {.origins = n,
          .first_candidate = 0,
          .k = k,
          .within = within,
          .radius = mean_earth_radius_km,
          .workers = static_cast<unsigned>(state.range(0))};
}

void BM_FindNearest(benchmark::State& state) {
  const LocationTable* locations = large_locations_or_skip(state);
  if (locations == nullptr) return;
  const DistanceKernel kernel(*locations);
  const std::size_t n = locations->size();
  constexpr std::size_t k = 10;
  std::vector<double> distances(n * k);
  std::vector<std::int64_t> indices(n * k);
  const NeighbourQuery query = whole_table_query(n, k, std::nullopt, state);
  for (auto _ : state) {
    find_nearest(kernel, query, distances, indices);
    benchmark::DoNotOptimize(distances.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));  // origins
}
BENCHMARK(BM_FindNearest)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_FindWithin(benchmark::State& state) {
  const LocationTable* locations = large_locations_or_skip(state);
  if (locations == nullptr) return;
  const DistanceKernel kernel(*locations);
  const std::size_t n = locations->size();
  const NeighbourQuery query = whole_table_query(n, std::nullopt, 10.0, state);
  std::size_t entries = 0;
  for (auto _ : state) {
    const WithinArrays pairs = find_within(kernel, query);
    entries = pairs.indices.size();
    benchmark::DoNotOptimize(pairs.distances.data());
  }
  state.counters["entries"] = static_cast<double>(entries);  // both directions: twice the pairs
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));  // origins
}
BENCHMARK(BM_FindWithin)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace dm
