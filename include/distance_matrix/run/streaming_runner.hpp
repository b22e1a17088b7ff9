// distance_matrix/run/streaming_runner.hpp
//
// StreamingRunner: the production runner, a oneTBB parallel_pipeline in which
// calculation, encoding and writing overlap, with a bounded number of blocks
// in flight and the bytes of a sequential run.
//
// Thread safety: a runner runs one matrix at a time (on its own worker
// threads); distinct runners are independent.
//
// Example:
//   dm::StreamingRunner runner({.workers = 8});
//   dm::compute_and_write(kernel, shape, runner, *encoder, output);

#pragma once

#include <cstddef>
#include <memory>

#include "distance_matrix/executors/executor.hpp"
#include "distance_matrix/run/matrix_runner.hpp"

namespace dm {

class WorkerArena;

/// The production runner: a oneTBB parallel_pipeline in which calculation,
/// encoding and writing overlap.
///
///   1. serial, in order: cut the next block of cells;
///   2. parallel, on every worker: compute the block and consume it (encode it);
///   3. serial, in order: finish it (append the bytes to the output).
///
/// At most `4 × workers` blocks are in flight, so memory is bounded by them
/// (a block of 64Ki cells: 512 KiB of doubles plus its bytes, about 3 MiB of
/// CSV) however large the matrix. Blocks are computed on many threads but
/// written in cell order, and each cell's value depends only on its pair,
/// so the bytes are those of a sequential run.
class StreamingRunner final : public MatrixRunner {
 public:
  static constexpr std::size_t default_block_cells = std::size_t{1} << 16;
  /// Without --chunk-size a small matrix gets smaller blocks, down to this.
  static constexpr std::size_t smallest_default_block_cells = std::size_t{1} << 11;
  /// Without --chunk-size, the encoded bytes a block aims at: small enough
  /// to stay in cache from encoding to writing, and for the blocks in flight
  /// to touch little fresh memory (each new page costs a fault).
  static constexpr std::size_t target_block_bytes = std::size_t{128} << 10;

  /// options.workers threads (default: hardware threads); options.chunk_size
  /// cells per block (default: about target_block_bytes of output, at most
  /// default_block_cells, or fewer for a matrix of less than 4 blocks per
  /// slot in flight, down to smallest_default_block_cells).
  explicit StreamingRunner(ExecutionOptions options = {});
  ~StreamingRunner() override;
  StreamingRunner(const StreamingRunner&) = delete;
  StreamingRunner& operator=(const StreamingRunner&) = delete;

  [[nodiscard]] RunnerKind kind() const noexcept override { return RunnerKind::parallel; }
  /// The threads the last run() used: --workers, or fewer if the process
  /// allows oneTBB fewer (before any run(), --workers).
  [[nodiscard]] unsigned workers() const noexcept override;
  /// The block size of the last run() (before any, the configured one).
  [[nodiscard]] std::size_t chunk_size() const noexcept override { return block_cells_used_; }
  [[nodiscard]] bool stages_overlap() const noexcept override { return true; }

  MatrixReport run(const MatrixCells& cells, const MatrixEncoder& encoder, MatrixOutput& output,
                   const ProgressCallback& progress) override;
  /// Blocks are rounded to the consumer's alignment (whole rows, at least one).
  MatrixReport consume(const MatrixCells& cells, BlockConsumer& consumer, const ProgressCallback& progress) override;

  /// Only the cells of `range`, without the header: one share of a matrix
  /// split between processes (an MPI rank's part). progress counts the
  /// cells of the range. Requires range.last <= cells.cell_count().
  MatrixReport run_range(const MatrixCells& cells, CellRange range, const MatrixEncoder& encoder,
                         MatrixOutput& output, const ProgressCallback& progress);
  /// The same for any consumer (its begin() is not called). Requires both
  /// ends of `range` to be multiples of consumer.block_alignment().
  MatrixReport consume_range(const MatrixCells& cells, CellRange range, BlockConsumer& consumer,
                             const ProgressCallback& progress);

 private:
  [[nodiscard]] std::size_t block_cells_for(std::size_t cell_count, std::size_t slots,
                                            std::size_t cell_bytes) const noexcept;

  std::unique_ptr<WorkerArena> arena_;  ///< --workers threads, kept between runs
  std::size_t block_cells_;
  bool block_cells_chosen_;
  std::size_t block_cells_used_ = block_cells_;
};

}  // namespace dm
