// distance_matrix/run/matrix_runner.hpp
//
// MatrixRunner: one level above executors: computes every cell of a matrix,
// encodes it and writes it in order, header first, never committing;
// MatrixReport says where the time went, ProgressCallback follows the cells
// written.
//
// Thread safety: a runner runs one matrix at a time; the progress callback is
// called on the thread that writes.
//
// Example:
//   const dm::MatrixReport report = runner.run(dm::MatrixCells(kernel, shape), *encoder, output,
//                                              [](std::size_t done, std::size_t total) { show(done, total); });

#pragma once

#include <chrono>
#include <cstddef>
#include <functional>

#include "distance_matrix/executors/executor.hpp"
#include "distance_matrix/matrix/matrix_cells.hpp"
#include "distance_matrix/output/matrix_encoder.hpp"
#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/run/block_consumer.hpp"
#include "distance_matrix/run/runner_kind.hpp"

namespace dm {

/// Called with the number of cells written so far and the matrix's cell
/// count, on the thread that writes, after each block: often enough for a
/// progress line, rarely enough to cost nothing. An exception it throws
/// stops the run. A cell count of 0 means not known yet (AsyncRunner's
/// stream_pairs(), which learns it only when the input ends).
using ProgressCallback = std::function<void(std::size_t cells_written, std::size_t cell_count)>;

/// Where a matrix run's time went. When stages overlap (the streaming
/// runner), calculation is the compute busy time summed over the workers
/// and write the writer's busy time: together they may exceed total.
struct MatrixReport {
  std::size_t cell_count = 0;
  std::chrono::duration<double> calculation{};
  std::chrono::duration<double> write{};  ///< encoding and writing
  std::chrono::duration<double> total{};
};

/// One level above executors: computes every cell of a matrix, encodes it
/// and writes it to an output in order, header first. The batch runner
/// (any executor, a window at a time), the streaming pipeline, and later an
/// MPI runner are runners. A runner never commits the output: the caller
/// decides when the result becomes visible.
class MatrixRunner {
 public:
  virtual ~MatrixRunner() = default;

  [[nodiscard]] virtual RunnerKind kind() const noexcept = 0;
  [[nodiscard]] virtual unsigned workers() const noexcept = 0;
  [[nodiscard]] virtual std::size_t chunk_size() const noexcept = 0;
  /// Whether calculation and writing run at the same time.
  [[nodiscard]] virtual bool stages_overlap() const noexcept { return false; }

  /// Requires encoder.shape() == cells.shape(). Throws ExecutionError,
  /// IoError from the output, or whatever `progress` throws.
  virtual MatrixReport run(const MatrixCells& cells, const MatrixEncoder& encoder, MatrixOutput& output,
                           const ProgressCallback& progress) = 0;

  /// Computes every cell and hands the blocks to `consumer` (begin() first,
  /// then consume() and finish() block by block, block_alignment()
  /// respected): a matrix written whole is run() with an EncodingConsumer;
  /// reductions (the per-origin summary) are other consumers. Requires
  /// consumer.shape() == cells.shape(). Default: std::invalid_argument, for
  /// runners whose stages are not blocks (the async runner).
  virtual MatrixReport consume(const MatrixCells& cells, BlockConsumer& consumer, const ProgressCallback& progress);
};

}  // namespace dm
