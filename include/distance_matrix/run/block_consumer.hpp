// distance_matrix/run/block_consumer.hpp
//
// BlockConsumer: what a runner does with the cells it computes (cut ->
// compute -> consume into the block's partial -> finish in cell order). The
// matrix's encoder plus output is one (EncodingConsumer); the per-origin
// summary is another (queries/summary_consumer.hpp).
//
// Thread safety: consume() is const and runs on many blocks at once;
// finish() runs on one block at a time, in cell order.
//
// Example:
//   dm::SummaryConsumer summary(locations, dm::MatrixShape::square(n), output);
//   dm::StreamingRunner runner;
//   runner.consume(dm::MatrixCells(kernel, summary.shape()), summary, {});

#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "distance_matrix/matrix/cell_range.hpp"
#include "distance_matrix/matrix/matrix_shape.hpp"

namespace dm {

/// What one block left behind for its in-order finish: the bytes to write,
/// for every consumer so far (a matrix encoder's cells, a reduction's rows).
/// A runner keeps one per block in flight and reuses it.
struct BlockPartial {
  std::string bytes;
};

/// What a run does with the cells it computes. Every runner drives it the
/// same way:
///
///   cut (one thread, in order) -> compute -> consume (any worker, into the
///   block's own partial) -> finish (one thread at a time, in cell order).
///
/// The encoder and the output of a matrix are one consumer
/// (EncodingConsumer); a reduction per origin (SummaryConsumer) is another.
/// consume() is const and runs on many blocks at once; finish() sees the
/// blocks one by one in cell order, so what it writes is the same however
/// many workers there were.
///
/// A consumer that reduces each origin's row asks for row-aligned blocks
/// (block_alignment() = the row's cells, square and rectangle only): every
/// block is then whole rows, each row is reduced in a fixed order inside
/// one block, and the result does not depend on where blocks are cut.
class BlockConsumer {
 public:
  virtual ~BlockConsumer() = default;

  [[nodiscard]] virtual const MatrixShape& shape() const noexcept = 0;

  /// Every block starts at, and holds, a multiple of this many cells (the
  /// last block of the matrix included). 1: blocks may be cut anywhere.
  [[nodiscard]] virtual std::size_t block_alignment() const noexcept { return 1; }

  /// About how many bytes of output a cell makes: runners size their blocks by it.
  [[nodiscard]] virtual std::size_t typical_cell_bytes() const noexcept = 0;

  /// Once, before the first block of a whole matrix (not of one share of
  /// it): writes the header.
  virtual void begin() = 0;

  /// Turns the computed `distances` of `cells` into `partial` (empty on
  /// entry). Thread-safe: called for many blocks at once.
  virtual void consume(CellRange cells, std::span<const double> distances, BlockPartial& partial) const = 0;

  /// Writes the block out; called for block after block in cell order, one
  /// at a time. `distances` are still those consume() saw.
  virtual void finish(CellRange cells, std::span<const double> distances, BlockPartial& partial) = 0;
};

/// The largest multiple of `alignment` not above `cells`, but at least one
/// `alignment`: a block size that keeps blocks row-aligned.
[[nodiscard]] constexpr std::size_t aligned_block_cells(std::size_t cells, std::size_t alignment) noexcept {
  if (alignment <= 1) return cells;
  return cells < alignment ? alignment : cells - cells % alignment;
}

}  // namespace dm
