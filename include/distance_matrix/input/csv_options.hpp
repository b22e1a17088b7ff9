// distance_matrix/input/csv_options.hpp
//
// CsvOptions: what a CsvLocationReader cannot guess, or should not: the
// columns to read (--columns NAME,LAT,LON, by header title or 1-based
// number, "-" for row numbers as names) and the delimiter (--delimiter).
// Plain values, parsed from the command line's text.
//
// Example:
//   dm::CsvOptions options;
//   options.columns = dm::parse_column_choice("town,deg_n,deg_e");
//   options.delimiter = dm::parse_delimiter("semicolon");
//   dm::CsvLocationReader reader = dm::CsvLocationReader::open("cities.csv", options);

#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dm {

/// `--columns NAME,LAT,LON`: which columns hold a location. Each is a header
/// name (matched case-insensitively, blanks trimmed) or a 1-based column
/// number; the name may be "-": the row number (1 for the first location
/// row) is then the name.
struct ColumnChoice {
  static constexpr std::string_view row_number = "-";

  std::string name;
  std::string latitude;
  std::string longitude;

  friend bool operator==(const ColumnChoice&, const ColumnChoice&) = default;
};

/// Splits "NAME,LAT,LON" into its three parts; nullopt unless there are
/// exactly three, none empty, and only the name is "-".
[[nodiscard]] std::optional<ColumnChoice> parse_column_choice(std::string_view text);

/// `--delimiter`: "," ";" a tab, or their names comma, semicolon, tab.
[[nodiscard]] std::optional<char> parse_delimiter(std::string_view text);

/// How a file of locations is laid out, when it cannot be guessed.
struct CsvOptions {
  /// The field separator; by default detected from the first row.
  std::optional<char> delimiter;
  /// The columns to read; by default those the header names, or
  /// name,latitude,longitude.
  std::optional<ColumnChoice> columns;
  /// GeoJSON input: the property holding each feature's name.
  std::string name_property = "name";
};

}  // namespace dm
