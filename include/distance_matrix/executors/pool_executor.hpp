// distance_matrix/executors/pool_executor.hpp
//
// PoolExecutor: chunks of cells as tasks on the project's own ThreadPool
// (thread_pool.hpp); --workers sizes the pool, --chunk-size the tasks.
//
// Thread safety: one compute() at a time per executor; its pool's threads are
// its own.
//
// Example:
//   dm::PoolExecutor executor({.workers = 4, .chunk_size = 4096});
//   executor.compute(kernel, {0, kernel.pair_count()}, out);

#pragma once

#include "distance_matrix/executors/executor.hpp"
#include "distance_matrix/executors/thread_pool.hpp"

namespace dm {

/// Submits chunks of pairs as tasks to the project's own ThreadPool.
/// `--workers` sets the pool size, `--chunk-size` the task size: the two
/// knobs of the workshop's pool experiment.
class PoolExecutor final : public Executor {
 public:
  static constexpr std::size_t default_chunk_size = 4096;

  /// Starts the pool: options.workers threads (default: hardware threads).
  /// Throws ExecutionError if the system refuses to create them.
  explicit PoolExecutor(ExecutionOptions options = {});

  [[nodiscard]] ExecutorKind kind() const noexcept override { return ExecutorKind::pool; }
  [[nodiscard]] unsigned workers() const noexcept override { return pool_.size(); }
  [[nodiscard]] std::size_t chunk_size() const noexcept override { return chunk_size_; }
  void compute(const MatrixCells& kernel, CellRange range, std::span<double> out) override;

 private:
  ThreadPool pool_;
  std::size_t chunk_size_;
};

}  // namespace dm
