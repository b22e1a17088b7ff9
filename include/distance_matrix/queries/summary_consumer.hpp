// distance_matrix/queries/summary_consumer.hpp
//
// SummaryConsumer: --summary as CSV, a BlockConsumer that reduces whole rows
// of a square (or rectangle) and writes one row per origin.
//
// Thread safety: as BlockConsumer (consume() on many blocks at once).
//
// Example:
//   const dm::MatrixShape shape = dm::MatrixShape::square(locations.size());
//   dm::SummaryConsumer summary(locations, shape, output, dm::TallyGrid::for_largest(dm::largest_distance(options)));
//   dm::StreamingRunner().consume(dm::MatrixCells(kernel, shape), summary, {});

#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "distance_matrix/kernel/distance_tally.hpp"
#include "distance_matrix/kernel/location.hpp"
#include "distance_matrix/matrix/matrix_shape.hpp"
#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/queries/row_summary.hpp"
#include "distance_matrix/run/block_consumer.hpp"

namespace dm {

/// --summary as CSV: a header, then one row per origin,
///   name,count,min,nearest,max,farthest,mean,sd
/// (RowSummary; names quoted as in every CSV output, numbers in their
/// shortest round-trip form; an origin with nothing to summarise has
/// count 0 and the other fields empty).
///
/// A reduction over a square (origins to all the others: the diagonal, the
/// origin itself, is left out, while other locations at the same
/// coordinates count, at distance 0) or a rectangle (origins to every
/// destination). It asks for whole rows, reduces each in one worker in
/// column order, and keeps only the escaped names: memory O(n) plus the
/// runner's blocks in flight, and the same bytes from every runner, and as
/// write_summary_csv() of summarize_rows() (mean and sd are exact for the
/// distances rounded to `grid`: TallyGrid).
class SummaryConsumer final : public BlockConsumer {
 public:
  static constexpr std::string_view header = "name,count,min,nearest,max,farthest,mean,sd\n";

  /// `shape` is a square or a rectangle over `locations` (a rectangle's
  /// table holds the origins, then the destinations); throws
  /// std::invalid_argument otherwise. `output` must outlive the consumer.
  SummaryConsumer(const LocationTable& locations, const MatrixShape& shape, MatrixOutput& output,
                  const TallyGrid& grid);

  [[nodiscard]] const MatrixShape& shape() const noexcept override { return shape_; }
  [[nodiscard]] std::size_t block_alignment() const noexcept override;
  /// A row of output per row of cells: little per cell.
  [[nodiscard]] std::size_t typical_cell_bytes() const noexcept override { return 1; }
  void begin() override;
  void consume(CellRange cells, std::span<const double> distances, BlockPartial& partial) const override;
  void finish(CellRange cells, std::span<const double> distances, BlockPartial& partial) override;

 private:
  MatrixShape shape_;
  MatrixOutput& output_;
  TallyGrid grid_;
  std::vector<std::string> fields_;  ///< every location's name as a CSV field
};

/// The same CSV, header and all, for `rows` (one RowSummary per origin of
/// `shape`, from summarize_rows()): the bytes SummaryConsumer writes.
void write_summary_csv(const LocationTable& locations, const MatrixShape& shape, std::span<const RowSummary> rows,
                       MatrixOutput& output);

}  // namespace dm
