#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "distance_matrix/input/csv_options.hpp"

namespace dm::detail {

/// Where a location's fields are in each row.
struct ColumnLayout {
  std::optional<std::size_t> name = 0;  ///< nullopt: the row number is the name
  std::size_t latitude = 1;
  std::size_t longitude = 2;
  std::size_t field_count = 3;  ///< every row has this many fields
  bool default_layout = true;   ///< name,latitude,longitude and nothing else
};

/// What the first row of a file says about its columns.
struct FirstRow {
  ColumnLayout layout;
  bool is_header = false;
  /// Not empty when the columns asked for (or a header's) cannot be found:
  /// reading cannot go on.
  std::string problem;
};

/// Decides from the first row's fields (unquoted, not trimmed) whether it
/// is a header and where the name and coordinates are. A header is a row
/// naming a latitude (lat, latitude, y) and a longitude (lon, lng, long,
/// longitude, x) column, or, as before those names were known, a row of
/// three fields whose second and third are words without a digit.
[[nodiscard]] FirstRow read_first_row(const std::vector<std::string>& fields,
                                      const std::optional<ColumnChoice>& choice);

/// "name", "latitude", "longitude" for the columns read, "field N" for the others.
[[nodiscard]] std::vector<std::string> field_labels(const ColumnLayout& layout);

}  // namespace dm::detail
