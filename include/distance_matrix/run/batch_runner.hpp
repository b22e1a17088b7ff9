// distance_matrix/run/batch_runner.hpp
//
// BatchRunner: the original tool's shape: an executor computes a window of
// cells, then this thread encodes and writes it, then the next window.
//
// Thread safety: a runner runs one matrix at a time; its executor must not be
// used by anyone else meanwhile.
//
// Example:
//   dm::PoolExecutor pool({.workers = 4});
//   dm::BatchRunner runner(pool);
//   dm::compute_and_write(kernel, shape, runner, *encoder, output);

#pragma once

#include <cstddef>
#include <memory>
#include <utility>

#include "distance_matrix/executors/executor.hpp"
#include "distance_matrix/run/matrix_runner.hpp"

namespace dm {

/// The shape of the original tool: an executor computes a window of cells,
/// then this thread encodes and writes it, then the next window. Memory is
/// bounded by the window (8 bytes a cell) plus one encoded block.
class BatchRunner final : public MatrixRunner {
 public:
  struct Options {
    /// Cells computed before they are written: 4M cells, 32 MiB.
    std::size_t window_cells = std::size_t{1} << 22;
    /// Cells per append to the output: bounds the encoded bytes held at
    /// once. 1 makes every cell its own write (the simulated I/O experiment).
    std::size_t append_cells = std::size_t{1} << 16;
  };

  /// `executor` must outlive the runner.
  explicit BatchRunner(Executor& executor) : BatchRunner(executor, Options{}) {}
  BatchRunner(Executor& executor, Options options);
  /// Owns `executor` (not null).
  explicit BatchRunner(std::unique_ptr<Executor> executor) : BatchRunner(std::move(executor), Options{}) {}
  BatchRunner(std::unique_ptr<Executor> executor, Options options);

  [[nodiscard]] RunnerKind kind() const noexcept override { return runner_kind_of(executor_.kind()); }
  [[nodiscard]] unsigned workers() const noexcept override { return executor_.workers(); }
  [[nodiscard]] std::size_t chunk_size() const noexcept override { return executor_.chunk_size(); }

  MatrixReport run(const MatrixCells& cells, const MatrixEncoder& encoder, MatrixOutput& output,
                   const ProgressCallback& progress) override;
  /// Windows and appends are rounded to the consumer's alignment (at least
  /// one row each when it asks for whole rows).
  MatrixReport consume(const MatrixCells& cells, BlockConsumer& consumer, const ProgressCallback& progress) override;

 private:
  std::unique_ptr<Executor> owned_executor_;  ///< null when the caller owns the executor
  Executor& executor_;
  Options options_;
};

}  // namespace dm
