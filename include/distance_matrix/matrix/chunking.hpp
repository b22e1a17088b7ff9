// distance_matrix/matrix/chunking.hpp
//
// Chunking: a window of cells cut into tasks of chunk_size cells, the last
// one shorter: what the threads, pool, processes and parallel executors
// schedule, each in its own way.
//
// Thread safety: an immutable value; compute() of distinct chunks may run on
// any number of threads at once.
//
// Example:
//   const dm::Chunking chunks = dm::Chunking::of(range, 4096);
//   for (std::size_t chunk = 0; chunk < chunks.count(); ++chunk) chunks.compute(cells, chunk, out);

#pragma once

#include <algorithm>
#include <cstddef>
#include <span>

#include "distance_matrix/matrix/cell_range.hpp"
#include "distance_matrix/matrix/matrix_cells.hpp"

namespace dm {

/// A window of cells cut into tasks of `chunk_size` cells, the last one
/// shorter: what the threads, pool, processes and parallel executors
/// schedule, each in its own way.
struct Chunking {
  CellRange range;
  std::size_t chunk_size = 1;

  /// Chunks of `chunk_size` cells, but never more than one for the whole
  /// range (this also keeps the rounding of count() away from overflow for
  /// huge chunk sizes) and never empty ones. Requires a non-empty range.
  [[nodiscard]] static Chunking of(CellRange range, std::size_t chunk_size) noexcept {
    return {range, std::clamp<std::size_t>(chunk_size, 1, range.size())};
  }

  [[nodiscard]] std::size_t count() const noexcept { return chunk_count(range, chunk_size); }
  [[nodiscard]] CellRange piece(std::size_t chunk) const noexcept { return chunk_at(range, chunk_size, chunk); }

  /// Computes chunk `chunk` into its slots of `out`, the window's output
  /// (slot k - range.first for cell k).
  void compute(const MatrixCells& kernel, std::size_t chunk, std::span<double> out) const noexcept {
    const CellRange cells = piece(chunk);
    kernel.compute(cells, out.subspan(cells.first - range.first, cells.size()));
  }
};

}  // namespace dm
