#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "distance_matrix/errors.hpp"
#include "distance_matrix/location.hpp"

namespace dm {

/// Reads `name,latitude,longitude` rows one location at a time.
///
/// Accepted: spaces around fields, LF or CRLF line ends, a UTF-8 byte order
/// mark, RFC 4180 quoted names (with "" for a quote, commas and line breaks
/// inside), blank lines, duplicate and non-ASCII names, and a header: a first
/// row whose latitude and longitude are not numbers.
///
/// Invalid rows are skipped and recorded as diagnostics (up to `error_limit`
/// of them, the rest only counted) so that one run reports many problems.
/// Callers check has_errors() / throw_if_invalid() after the last next().
class CsvLocationReader {
 public:
  static constexpr std::size_t default_error_limit = 20;

  /// Parses `content`; `display_name` is the file name used in diagnostics.
  CsvLocationReader(std::string content, std::string display_name,
                    std::size_t error_limit = default_error_limit);

  /// Reads the whole file (or standard input for "-") into memory. Throws IoError.
  [[nodiscard]] static CsvLocationReader open(const std::filesystem::path& path,
                                              std::size_t error_limit = default_error_limit);

  /// The next valid location, or nullopt at the end of the input.
  [[nodiscard]] std::optional<Location> next();

  [[nodiscard]] bool has_errors() const noexcept { return error_count_ > 0; }
  /// Every error found so far, counted even past the limit.
  [[nodiscard]] std::size_t error_count() const noexcept { return error_count_; }
  /// The first `error_limit` errors, in input order.
  [[nodiscard]] const std::vector<Diagnostic>& diagnostics() const noexcept { return diagnostics_; }
  /// Throws InputError carrying the diagnostics if any row was invalid.
  void throw_if_invalid() const;

  [[nodiscard]] const std::string& display_name() const noexcept { return display_name_; }

 private:
  void report(std::size_t line, std::string message);

  std::string content_;
  std::string display_name_;
  std::size_t error_limit_;
  std::size_t position_ = 0;     ///< byte offset of the next unread row
  std::size_t line_number_ = 1;  ///< physical line at position_
  bool first_row_ = true;        ///< a header may only be the first non-blank row
  std::size_t error_count_ = 0;
  std::vector<Diagnostic> diagnostics_;
};

/// Reads every location of `reader`; throws InputError if any row is invalid.
[[nodiscard]] LocationTable read_all(CsvLocationReader& reader);

/// Convenience: parse CSV text held in memory. Throws InputError.
[[nodiscard]] LocationTable parse_locations(std::string_view text,
                                            std::string_view display_name = "<memory>");

}  // namespace dm
