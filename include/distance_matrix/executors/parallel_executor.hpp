// distance_matrix/executors/parallel_executor.hpp
//
// ParallelExecutor: oneTBB work stealing over the flat range of cells; what
// make_executor(ExecutorKind::parallel) builds (the tool itself streams the
// parallel strategy through StreamingRunner).
//
// Thread safety: one compute() at a time per executor (it keeps its task arena
// between calls); distinct executors are independent.
//
// Example:
//   dm::ParallelExecutor executor({.workers = 8});
//   executor.compute(kernel, {0, kernel.pair_count()}, out);

#pragma once

#include <memory>

#include "distance_matrix/executors/executor.hpp"

namespace dm {

class WorkerArena;

/// The production strategy: oneTBB parallel_for over the flat pair-index
/// range. Splitting pair indices rather than rows keeps every piece the same
/// amount of work although rows of the triangle grow from 1 to n-1 pairs, and
/// work stealing evens out whatever imbalance remains (other processes, turbo).
class ParallelExecutor final : public Executor {
 public:
  /// Smallest piece TBB's auto partitioner will hand out by default.
  static constexpr std::size_t default_grain = 2048;

  explicit ParallelExecutor(ExecutionOptions options = {});
  ~ParallelExecutor() override;
  ParallelExecutor(const ParallelExecutor&) = delete;
  ParallelExecutor& operator=(const ParallelExecutor&) = delete;

  [[nodiscard]] ExecutorKind kind() const noexcept override { return ExecutorKind::parallel; }
  /// The threads the last compute() ran with: --workers, or fewer if the
  /// process allows oneTBB fewer (before any compute(), --workers).
  [[nodiscard]] unsigned workers() const noexcept override;
  [[nodiscard]] std::size_t chunk_size() const noexcept override { return chunk_size_; }
  void compute(const MatrixCells& kernel, CellRange range, std::span<double> out) override;

 private:
  std::size_t chunk_size_;  ///< 0: TBB's auto partitioner above default_grain; else exact chunks
  std::unique_ptr<WorkerArena> arena_;  ///< --workers threads, kept between calls
};

}  // namespace dm
