#include "distance_matrix/matrix/matrix_cells.hpp"

#include <stdexcept>
#include <string>

namespace dm {

MatrixCells::MatrixCells(const DistanceKernel& kernel, const MatrixShape& shape)
    : kernel_(&kernel), shape_(shape) {
  if (kernel.size() < shape.location_count()) {
    throw std::invalid_argument("the matrix needs " + std::to_string(shape.location_count()) +
                                " locations, the kernel holds " + std::to_string(kernel.size()));
  }
}

void MatrixCells::compute(CellRange cells, std::span<double> out) const noexcept {
  double* const base = out.data();
  const bool square = shape_.layout() == Layout::square;
  shape_.for_each_run(cells, [&](const MatrixRun& run, std::size_t offset) {
    kernel_->compute_run(run.anchor, run.first, run.last, base + offset);
    // The kernel gives 0 for coincident points; the layout promises it.
    if (square && run.first <= run.anchor && run.anchor < run.last) base[offset + run.anchor - run.first] = 0.0;
  });
}

}  // namespace dm
