// distance_matrix/queries/summary_collector.hpp
//
// SummaryCollector: the per-origin summary as values (one RowSummary per
// origin) rather than CSV: the Python module's dm.summary.
//
// Thread safety: as BlockConsumer; read rows() once the run has returned.
//
// Example:
//   dm::SummaryCollector collector(dm::MatrixShape::square(kernel.size()),
//                                  dm::TallyGrid::for_largest(dm::largest_distance(kernel.options())));
//   dm::StreamingRunner().consume(dm::MatrixCells(kernel, collector.shape()), collector, {});
//   double mean_of_first = collector.rows()[0].mean;

#pragma once

#include <cstddef>
#include <vector>

#include "distance_matrix/matrix/matrix_shape.hpp"
#include "distance_matrix/queries/row_summary.hpp"
#include "distance_matrix/run/block_consumer.hpp"

namespace dm {

/// The summary as values rather than CSV (the Python module's dm.summary):
/// one RowSummary per origin, kept in memory (O(n)). The same reduction as
/// SummaryConsumer: whole rows, each reduced in one worker in column order.
/// nearest and farthest are columns: other locations of a square,
/// destinations of a rectangle.
class SummaryCollector final : public BlockConsumer {
 public:
  /// `shape` is a square or a rectangle; throws std::invalid_argument otherwise.
  SummaryCollector(const MatrixShape& shape, const TallyGrid& grid);

  [[nodiscard]] const MatrixShape& shape() const noexcept override { return shape_; }
  [[nodiscard]] std::size_t block_alignment() const noexcept override;
  [[nodiscard]] std::size_t typical_cell_bytes() const noexcept override { return 1; }
  void begin() override {}
  /// Writes the block's rows of rows(): distinct blocks, distinct rows.
  void consume(CellRange cells, std::span<const double> distances, BlockPartial& partial) const override;
  void finish(CellRange /*cells*/, std::span<const double> /*distances*/, BlockPartial& /*partial*/) override {}

  /// One per origin; those of an origin without columns have count 0.
  [[nodiscard]] const std::vector<RowSummary>& rows() const noexcept { return rows_; }

 private:
  MatrixShape shape_;
  TallyGrid grid_;
  /// Written by consume() (const: each block owns its rows).
  mutable std::vector<RowSummary> rows_;
};

}  // namespace dm
