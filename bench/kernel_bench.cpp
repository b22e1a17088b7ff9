// Throughput of the distance kernels on one core, in pairs per second
// (items_per_second): the ceiling every executor divides among its workers.
// The simd kernel is measured on every instruction set this CPU supports.
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>
#include <vector>

#include "bench_data.hpp"
#include "distance_matrix/kernel/distance_kernel.hpp"
#include "src/kernel/simd_distance.hpp"

namespace dm {
namespace {

/// Restricts the library's run-time dispatch to one instruction set (Highway's
/// name; "" for none) for a scope.
class DispatchTo {
 public:
  explicit DispatchTo(std::string_view target) { static_cast<void>(simd::use_target(target)); }
  ~DispatchTo() { static_cast<void>(simd::use_target("")); }
  DispatchTo(const DispatchTo&) = delete;
  DispatchTo& operator=(const DispatchTo&) = delete;
};

void BM_Kernel(benchmark::State& state, Metric metric, KernelKind kind, std::string_view target) {
  const DispatchTo dispatch(target);
  const DistanceKernel kernel(bench::thousand_locations(),
                              {metric, Unit::kilometers, mean_earth_radius_km, kind});
  std::vector<double> out(kernel.pair_count());
  for (auto _ : state) {
    kernel.compute({0, out.size()}, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * out.size()));
  state.SetLabel(kernel.description());
  state.counters["ns_per_pair"] = benchmark::Counter(
      static_cast<double>(state.iterations() * out.size()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

/// BM_Kernel/<metric>/scalar, then BM_Kernel/<metric>/simd_<target> for every
/// instruction set compiled in and supported here, best first. For the
/// geodesic, scalar is GeographicLib's Inverse and simd the vectorized Karney
/// inverse.
[[maybe_unused]] const bool registered = [] {
  for (const Metric metric : values_in(metric_names)) {
    const std::string prefix = "BM_Kernel/" + std::string(to_string(metric)) + '/';
    benchmark::RegisterBenchmark((prefix + "scalar").c_str(), BM_Kernel, metric, KernelKind::scalar, "")
        ->Unit(benchmark::kMillisecond);
    for (const std::string_view target : simd::runnable_targets()) {
      benchmark::RegisterBenchmark((prefix + "simd_" + std::string(target)).c_str(), BM_Kernel, metric,
                                   KernelKind::simd, target)
          ->Unit(benchmark::kMillisecond);
    }
  }
  return true;
}();

}  // namespace
}  // namespace dm
