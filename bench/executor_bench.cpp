// Calculation time of each executor on the 1k sample (499,500 pairs): at its
// defaults, and with one task per pair (the workshop's task-size lesson).
#include <benchmark/benchmark.h>

#include <span>
#include <vector>

#include "bench_data.hpp"
#include "distance_matrix/executors/executor.hpp"

namespace dm {
namespace {

void BM_Executor(benchmark::State& state, ExecutorKind kind, std::size_t chunk_size) {
  const DistanceKernel kernel(bench::thousand_locations());
  const unsigned workers = static_cast<unsigned>(state.range(0));
  std::unique_ptr<Executor> executor = make_executor(kind, {workers, chunk_size});
  std::vector<double> out(kernel.pair_count());
  for (auto _ : state) {
    executor->compute(kernel, {0, out.size()}, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * out.size()));
  state.counters["workers"] = executor->workers();
}

/// The processes executor as BatchRunner uses it: one run, the workers forked
/// by the first window (untimed), every window computed in its shared window
/// memory. BM_Executor/processes forks its workers in every iteration.
void BM_ProcessesInARun(benchmark::State& state) {
  const DistanceKernel kernel(bench::thousand_locations());
  const unsigned workers = static_cast<unsigned>(state.range(0));
  std::unique_ptr<Executor> executor = make_executor(ExecutorKind::processes, {workers, 0});
  const MatrixCells cells(kernel);
  const ExecutorRun run(*executor, cells);
  const std::span<double> out = executor->window_memory(kernel.pair_count());
  executor->compute(kernel, {0, out.size()}, out);
  for (auto _ : state) {
    executor->compute(kernel, {0, out.size()}, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * out.size()));
  state.counters["workers"] = executor->workers();
}

void worker_counts(benchmark::internal::Benchmark* benchmark) {
  benchmark->Arg(1)->Arg(2)->Arg(4)->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK_CAPTURE(BM_Executor, sequential, ExecutorKind::sequential, 0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Executor, parallel, ExecutorKind::parallel, 0)->Apply(worker_counts);
BENCHMARK_CAPTURE(BM_Executor, pool, ExecutorKind::pool, 0)->Apply(worker_counts);
BENCHMARK_CAPTURE(BM_Executor, processes, ExecutorKind::processes, 0)->Apply(worker_counts);
BENCHMARK(BM_ProcessesInARun)->Apply(worker_counts);
BENCHMARK_CAPTURE(BM_Executor, threads, ExecutorKind::threads, 0)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK_CAPTURE(BM_Executor, threads_chunk_4096, ExecutorKind::threads, 4096)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Executor, parallel_chunk_1, ExecutorKind::parallel, 1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Executor, pool_chunk_1, ExecutorKind::pool, 1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK_CAPTURE(BM_Executor, processes_chunk_1, ExecutorKind::processes, 1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace
}  // namespace dm
