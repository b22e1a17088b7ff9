// distance_matrix/matrix/chunking.hpp
//
// Chunking: the one range splitter. A range of cells cut by size (of():
// the executors' tasks, the runners' windows, appends and blocks) or into
// near-equal parts (into(): the MPI ranks' shares).
//
// Thread safety: an immutable value; compute() of distinct chunks may run on
// any number of threads at once.
//
// Example:
//   const dm::Chunking chunks = dm::Chunking::of(range, 4096);
//   for (std::size_t chunk = 0; chunk < chunks.count(); ++chunk) chunks.compute(cells, chunk, out);
//   dm::Chunking::into({0, 10}, 3).piece(2);     // {7, 10}: 4 + 3 + 3 cells

#pragma once

#include <algorithm>
#include <cstddef>
#include <span>

#include "distance_matrix/matrix/cell_range.hpp"
#include "distance_matrix/matrix/matrix_cells.hpp"

namespace dm {

/// The one range splitter: a range of cells cut into count() consecutive
/// pieces that cover it exactly, in order. Cut by size (of()), they are the
/// tasks the threads, pool, processes and parallel executors schedule, the
/// batch runner's windows and appends and the streaming runner's blocks; cut
/// into near-equal parts (into()), the shares of MPI ranks. A plain value:
/// the processes executor shares it with its workers.
struct Chunking {
  CellRange range;
  std::size_t chunk_size = 1;  ///< cells per piece (the first `longer` have one more)
  std::size_t longer = 0;      ///< into(): pieces one cell longer than chunk_size
  std::size_t pieces = 0;

  /// Pieces of `chunk_size` cells, the last one shorter, but never more than
  /// one for the whole range (which keeps count() and piece() away from
  /// overflow for huge sizes) and never empty ones (size 0 counts as 1).
  [[nodiscard]] static Chunking of(CellRange range, std::size_t chunk_size) noexcept {
    const std::size_t size = std::max<std::size_t>(std::min(chunk_size, range.size()), 1);
    // Not (cells + size - 1) / size: that wraps for sizes near SIZE_MAX.
    return {range, size, 0, range.size() / size + (range.size() % size != 0 ? 1 : 0)};
  }

  /// `parts` pieces whose sizes differ by at most one cell, the longer ones
  /// first; with more parts than cells the last ones are empty. Requires parts > 0.
  [[nodiscard]] static Chunking into(CellRange range, std::size_t parts) noexcept {
    return {range, range.size() / parts, range.size() % parts, parts};
  }

  [[nodiscard]] std::size_t count() const noexcept { return pieces; }
  /// Piece `chunk` (< count()).
  [[nodiscard]] CellRange piece(std::size_t chunk) const noexcept {
    const std::size_t begin = range.first + chunk * chunk_size + std::min(chunk, longer);
    const std::size_t size = chunk_size + (chunk < longer ? 1 : 0);
    return {begin, range.last - begin < size ? range.last : begin + size};
  }

  /// Computes chunk `chunk` into its slots of `out`, the window's output
  /// (slot k - range.first for cell k).
  void compute(const MatrixCells& kernel, std::size_t chunk, std::span<double> out) const noexcept {
    const CellRange cells = piece(chunk);
    kernel.compute(cells, out.subspan(cells.first - range.first, cells.size()));
  }
};

}  // namespace dm
