// Throughput of the one distance kernel on one core: the ceiling every
// executor divides among its workers.
#include <benchmark/benchmark.h>

#include <vector>

#include "bench_data.hpp"
#include "distance_matrix/distance_kernel.hpp"

namespace dm {
namespace {

void BM_Kernel(benchmark::State& state, Metric metric) {
  const DistanceKernel kernel(bench::thousand_locations(), {metric, Unit::kilometers, mean_earth_radius_km});
  std::vector<double> out(kernel.pair_count());
  for (auto _ : state) {
    kernel.compute({0, out.size()}, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * out.size()));
  state.counters["ns_per_pair"] = benchmark::Counter(
      static_cast<double>(state.iterations() * out.size()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

BENCHMARK_CAPTURE(BM_Kernel, haversine, Metric::haversine)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Kernel, equirectangular, Metric::equirectangular)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace dm
