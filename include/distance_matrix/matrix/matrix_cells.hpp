// distance_matrix/matrix/matrix_cells.hpp
//
// MatrixCells: the cells of one matrix shape computed by one kernel, what
// executors schedule: a flat range of cells becomes kernel runs, so any split
// of [0, cell_count()) gives the same doubles.
//
// Thread safety: compute() is const and touches no shared mutable state: any
// number of threads or forked processes may call it on disjoint outputs. The
// kernel must outlive the view and not grow meanwhile.
//
// Example:
//   const dm::MatrixCells cells(kernel, dm::MatrixShape::square(kernel.size()));
//   std::vector<double> out(cells.cell_count());
//   cells.compute({0, out.size()}, out);  // n × n, zero diagonal

#pragma once

#include <cstddef>
#include <span>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/matrix/cell_range.hpp"
#include "distance_matrix/matrix/matrix_shape.hpp"

namespace dm {

/// The cells of one matrix shape, computed by one kernel: what executors
/// schedule. compute() turns a flat cell range into kernel runs, so an
/// executor splitting [0, cell_count()) any way it likes writes the same
/// doubles as one call over the whole range, for every shape.
///
/// Converts implicitly from a kernel alone: the original tool's pairs order
/// over all of its locations. The kernel must outlive this view.
class MatrixCells {
 public:
  MatrixCells(const DistanceKernel& kernel)  // NOLINT(google-explicit-constructor): the pairs order
      : kernel_(&kernel), shape_(MatrixShape::pairs(kernel.size())) {}
  /// Requires kernel.size() >= shape.location_count(); throws std::invalid_argument otherwise.
  MatrixCells(const DistanceKernel& kernel, const MatrixShape& shape);

  [[nodiscard]] const DistanceKernel& kernel() const noexcept { return *kernel_; }
  [[nodiscard]] const MatrixShape& shape() const noexcept { return shape_; }
  [[nodiscard]] std::size_t cell_count() const noexcept { return shape_.cell_count(); }

  /// out[k - cells.first] = distance of cell k, for every k in `cells`. The
  /// diagonal of a square is exactly +0. const, no shared mutable state: any
  /// number of threads or forked processes may call it on disjoint outputs.
  /// Requires cells.last <= cell_count() and out.size() >= cells.size().
  void compute(CellRange cells, std::span<double> out) const noexcept;

 private:
  const DistanceKernel* kernel_;
  MatrixShape shape_;
};

}  // namespace dm
