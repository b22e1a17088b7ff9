// distance_matrix/output/csv_pairs_encoder.hpp
//
// CsvPairsEncoder: the original tool's `origin,destination,distance` rows,
// byte for byte. Like every encoder it makes bytes and never writes them.
//
// Thread safety: encode() is const: any number of threads may encode blocks
// at once; extend() only while no encode() runs.
//
// Example:
//   const dm::CsvPairsEncoder encoder(locations, dm::MatrixShape::pairs(locations.size()));
//   std::string bytes;
//   encoder.encode({0, 1}, std::span<const double>(&distance, 1), bytes);  // "a,b,1040.300088008328\n"

#pragma once

#include <cstddef>
#include <string>

#include "distance_matrix/kernel/location.hpp"
#include "distance_matrix/output/csv_field_table.hpp"
#include "distance_matrix/output/matrix_encoder.hpp"

namespace dm {

/// `origin,destination,distance` rows, one per unordered pair in the original
/// tool's order (Layout::pairs): the tool's historical CSV, byte for byte;
/// or one per origin-destination pair of a rectangle, origin-major (the
/// "linear" matrix databases and spreadsheets import).
/// Names are quoted as RFC 4180 requires (csv_field); distances use the
/// shortest decimal form that reads back as the same double.
class CsvPairsEncoder final : public MatrixEncoder {
 public:
  /// Escapes every name once. Requires a pairs or rectangle shape over `locations`
  /// (throws std::invalid_argument otherwise).
  CsvPairsEncoder(const LocationTable& locations, const MatrixShape& shape);

  [[nodiscard]] const MatrixShape& shape() const noexcept override { return shape_; }
  [[nodiscard]] std::string header() const override { return {}; }
  void encode(CellRange cells, std::span<const double> distances, std::string& out) const override;
  /// Two names of average length, a distance and the separators.
  [[nodiscard]] std::size_t typical_cell_bytes() const noexcept override;

  /// Grows the encoder to the pairs of `locations`, a table that starts with
  /// the locations it was made for: the pairs order of n locations is the
  /// start of that of n + 1, so the cells already encodable keep their
  /// bytes. For a pipeline that encodes rows as its input arrives (the async
  /// runner); not thread-safe: no encode() may run meanwhile. Pairs only
  /// (throws std::logic_error for a rectangle).
  void extend(const LocationTable& locations);

 private:
  /// The rows of one run: the anchor is the origin (rectangle) or the destination (pairs).
  template <bool anchor_is_origin>
  void encode_run(const MatrixRun& run, const double* distance, std::string& out) const;

  MatrixShape shape_;
  CsvFieldTable fields_;
};

}  // namespace dm
