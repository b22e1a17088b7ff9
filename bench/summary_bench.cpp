// Throughput of --summary's sweep (summarize_rows) on one core, in
// unordered pairs per second (items_per_second): each pair of a square is
// computed once and reduced into both of its locations' summaries. Compare
// with BM_Kernel/haversine/simd_* (kernel_bench.cpp), the bare kernel.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <string>
#include <vector>

#include "bench_data.hpp"
#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/queries/summary_sweep.hpp"

namespace dm {
namespace {

/// The 1000 bundled cities repeated, each copy moved a little (no exact
/// duplicates), to `count` locations: a square too big for the first-level cache.
LocationTable cities(std::size_t count) {
  const LocationTable base = bench::thousand_locations();
  LocationTable table;
  for (std::size_t index = 0; index < count; ++index) {
    const Location city = base.at(index % base.size());
    const double shift = 0.01 * static_cast<double>(index / base.size());
    table.push_back({city.name + std::to_string(index), city.latitude + shift, city.longitude + shift});
  }
  return table;
}

void BM_SummarizeRows(benchmark::State& state) {
  const std::size_t count = static_cast<std::size_t>(state.range(0));
  const DistanceKernel kernel(cities(count));
  const MatrixShape shape = MatrixShape::square(count);
  for (auto _ : state) {
    std::vector<RowSummary> rows = summarize_rows(kernel, shape, 1);
    benchmark::DoNotOptimize(rows.data());
  }
  const double pairs = static_cast<double>(count) * static_cast<double>(count - 1) / 2;
  state.SetItemsProcessed(static_cast<int64_t>(static_cast<double>(state.iterations()) * pairs));
  state.counters["ns_per_pair"] = benchmark::Counter(static_cast<double>(state.iterations()) * pairs,
                                                     benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_SummarizeRows)->Arg(8000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace dm
