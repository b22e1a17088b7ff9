// distance_matrix/queries/summary_npy.hpp
//
// SummaryNpyConsumer: --summary as a structured NumPy .npy, a BlockConsumer
// that reduces whole rows (as SummaryConsumer) and writes one fixed-size
// record per origin.
//
// Thread safety: as BlockConsumer (consume() on many blocks at once).
//
// Example:
//   dm::SummaryNpyConsumer summary(locations, dm::MatrixShape::square(n), dm::ValueType::float64, output,
//                                  dm::TallyGrid::for_largest(dm::largest_distance(options)));
//   output.expect_size(summary.file_bytes());
//   dm::StreamingRunner().consume(dm::MatrixCells(kernel, summary.shape()), summary, {});
//   // Python: numpy.load("summary.npy")["mean"]

#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "distance_matrix/kernel/distance_tally.hpp"
#include "distance_matrix/kernel/location.hpp"
#include "distance_matrix/matrix/matrix_shape.hpp"
#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/output/npy_encoder.hpp"
#include "distance_matrix/queries/row_summary.hpp"
#include "distance_matrix/run/block_consumer.hpp"

namespace dm {

/// --summary as a structured NumPy array of one record per origin, in
/// input order: numpy.load reads it (and memory-maps it):
///
///   name      '<U{w}'  the origin's name (w: the longest name's code points, at least 1)
///   count     '<i8'    distances summarised
///   min       '<f8'    (or '<f4' with ValueType::float32)
///   nearest   '<i8'    column of the first minimum: another location, or a destination with --to
///   max       '<f8'
///   farthest  '<i8'
///   mean      '<f8'
///   sd        '<f8'    population standard deviation (ddof = 0)
///
/// The Python module's dm.summary records with the name in front. An
/// origin with nothing to summarise has count 0, NaN values and index -1.
/// The same reduction as SummaryConsumer (summarize_row over whole rows,
/// mean and sd exact for the distances rounded to `grid`), so the values
/// are the CSV's doubles, and write_summary_npy()'s for summarize_rows().
class SummaryNpyConsumer final : public BlockConsumer {
 public:
  /// `shape` is a square or a rectangle over `locations` (a rectangle's
  /// table holds the origins, then the destinations); throws
  /// std::invalid_argument otherwise. `output` must outlive the consumer.
  SummaryNpyConsumer(const LocationTable& locations, const MatrixShape& shape, ValueType type, MatrixOutput& output,
                     const TallyGrid& grid);

  [[nodiscard]] const MatrixShape& shape() const noexcept override { return shape_; }
  [[nodiscard]] std::size_t block_alignment() const noexcept override;
  [[nodiscard]] std::size_t typical_cell_bytes() const noexcept override { return 1; }
  void begin() override;
  void consume(CellRange cells, std::span<const double> distances, BlockPartial& partial) const override;
  void finish(CellRange cells, std::span<const double> distances, BlockPartial& partial) override;

  /// The whole file's size: the header and a record per origin.
  [[nodiscard]] std::uint64_t file_bytes() const noexcept;
  /// One record's bytes.
  [[nodiscard]] std::size_t record_bytes() const noexcept { return record_bytes_; }

  /// The whole file at once from one RowSummary per origin (summarize_rows):
  /// the bytes begin() and the blocks would write. Instead of a run.
  void write_rows(std::span<const RowSummary> rows);

 private:
  void append_record(std::string& out, std::size_t origin, const RowSummary* summary) const;

  MatrixShape shape_;
  ValueType type_;
  MatrixOutput& output_;
  TallyGrid grid_;
  std::vector<std::u32string> names_;  ///< the origins' names as code points
  std::size_t name_width_ = 1;
  std::size_t record_bytes_ = 0;
  std::string header_;
};

/// --summary's .npy for `rows` (one RowSummary per origin of `shape`, from
/// summarize_rows()): the bytes SummaryNpyConsumer writes.
void write_summary_npy(const LocationTable& locations, const MatrixShape& shape, std::span<const RowSummary> rows,
                       ValueType type, MatrixOutput& output);

}  // namespace dm
