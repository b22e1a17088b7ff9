// distance_matrix/output/csv_table_encoder.hpp
//
// CsvTableEncoder: the matrix as a CSV table with names (a square, or origins
// × destinations). Makes bytes, never writes them.
//
// Thread safety: immutable after construction; encode() is const: any number
// of threads may encode blocks at once.
//
// Example:
//   const dm::CsvTableEncoder encoder(locations, dm::MatrixShape::square(locations.size()));
//   std::string bytes = encoder.header();  // ",a,b\n"
//   encoder.encode({0, 2}, first_row, bytes);  // "a,0,1040.300088008328\n"

#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "distance_matrix/kernel/location.hpp"
#include "distance_matrix/output/matrix_encoder.hpp"

namespace dm {

/// The matrix as a table, the way spreadsheets and GIS tools show a distance
/// table: a header row `,name1,name2,…` naming the columns, then one row per
/// origin, its name first, then its distances. For Layout::square rows and
/// columns are all locations (zero diagonal); for Layout::rectangle the rows
/// are the origins and the columns the destinations. Names are RFC 4180
/// fields, distances the shortest round-trip decimals. A matrix without cells
/// is written as nothing at all.
class CsvTableEncoder final : public MatrixEncoder {
 public:
  /// Escapes every name once. Requires a square or rectangle shape over
  /// `locations` (throws std::invalid_argument otherwise).
  CsvTableEncoder(const LocationTable& locations, const MatrixShape& shape);

  [[nodiscard]] const MatrixShape& shape() const noexcept override { return shape_; }
  [[nodiscard]] std::string header() const override;
  void encode(CellRange cells, std::span<const double> distances, std::string& out) const override;
  /// A distance (most have 16 or 17 digits and a '.') and its comma.
  [[nodiscard]] std::size_t typical_cell_bytes() const noexcept override { return 19; }

 private:
  MatrixShape shape_;
  std::vector<std::string> fields_;
  std::size_t longest_field_ = 0;
};

}  // namespace dm
