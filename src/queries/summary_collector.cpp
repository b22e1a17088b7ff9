#include "distance_matrix/queries/summary_collector.hpp"

#include <algorithm>
#include <stdexcept>

namespace dm {

SummaryCollector::SummaryCollector(const MatrixShape& shape, const TallyGrid& grid)
    : shape_(shape), grid_(grid), rows_(shape.rows()) {
  if (shape.layout() != Layout::square && shape.layout() != Layout::rectangle) {
    throw std::invalid_argument("a summary reduces the rows of a square or a rectangle");
  }
}

std::size_t SummaryCollector::block_alignment() const noexcept { return std::max<std::size_t>(shape_.columns(), 1); }

void SummaryCollector::consume(CellRange cells, std::span<const double> distances, BlockPartial& /*partial*/) const {
  const std::size_t columns = shape_.columns();
  if (columns == 0) return;
  const bool square = shape_.layout() == Layout::square;
  for (std::size_t offset = 0; offset < cells.size(); offset += columns) {
    const std::size_t origin = (cells.first + offset) / columns;
    rows_[origin] = summarize_row(distances.subspan(offset, columns), square ? origin : no_column, grid_);
  }
}

}  // namespace dm
