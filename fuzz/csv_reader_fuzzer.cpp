// libFuzzer target for the CSV location reader and its number parsing.
//
// Each input is read as a CSV file several ways (in memory, streamed in
// small pieces, with the default row limit and a tiny one, and in parts on
// two threads as a regular file is) and must give the same locations and
// diagnostics every way. Every result must also satisfy
// what the rest of the program relies on: coordinates finite and in range,
// names non-empty UTF-8 that survive a write/read round trip, one-line
// diagnostics in input order, the error limit kept. Each input is also tried
// as a single coordinate and checked against strtod, an independent parser,
// and read once more with columns or a delimiter chosen (issue 17).
//
// A failed check aborts, which libFuzzer reports as a crash with the input.

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "distance_matrix/input/csv_reader.hpp"
#include "distance_matrix/input/decompressing_source.hpp"
#include "distance_matrix/output/csv_field.hpp"
#include "distance_matrix/text/printable.hpp"
#include "distance_matrix/text/utf8.hpp"
#include "support/chunked_source.hpp"

namespace {

using dm::CsvLocationReader;
using dm::CsvReaderLimits;
using dm::Diagnostic;
using dm::Location;

constexpr std::string_view display_name = "fuzz.csv";

/// The writer's own format: no delimiter detection in the round trip.
const dm::CsvOptions comma_separated{',', std::nullopt, "name"};

/// Column choices and delimiters the fuzzer also reads each input with, picked by the input.
dm::CsvOptions options_for(std::size_t seed) {
  static const std::array<std::optional<dm::ColumnChoice>, 5> choices = {
      std::nullopt, dm::ColumnChoice{"-", "1", "2"}, dm::ColumnChoice{"3", "2", "1"},
      dm::ColumnChoice{"name", "lat", "lon"}, dm::ColumnChoice{"-", "y", "x"}};
  static const std::array<std::optional<char>, 4> delimiters = {std::nullopt, ',', ';', '\t'};
  return {delimiters[seed % delimiters.size()], choices[seed / delimiters.size() % choices.size()], "name"};
}

void require(bool condition, const char* what, std::string_view detail = {}) {
  if (condition) return;
  std::fprintf(stderr, "csv_reader_fuzzer: invariant broken: %s %s\n", what, dm::printable(detail).c_str());
  std::abort();
}

struct Result {
  std::vector<Location> locations;
  std::vector<Diagnostic> diagnostics;
  std::size_t error_count = 0;
  friend bool operator==(const Result&, const Result&) = default;
};

Result read_all_of(CsvLocationReader& reader) {
  Result result;
  while (std::optional<Location> location = reader.next()) result.locations.push_back(std::move(*location));
  require(!reader.next().has_value(), "the reader does not stay at the end");
  result.diagnostics = reader.diagnostics();
  result.error_count = reader.error_count();
  return result;
}

Result read_in_memory(std::string_view text, const CsvReaderLimits& limits, const dm::CsvOptions& options = {}) {
  CsvLocationReader reader(std::string(text), std::string(display_name), options, limits);
  return read_all_of(reader);
}

Result read_streamed(std::string_view text, CsvReaderLimits limits, std::size_t piece, std::size_t block,
                     const dm::CsvOptions& options = {}) {
  limits.block_bytes = block;
  CsvLocationReader reader(std::make_unique<dm::testing::ChunkedSource>(text, piece), std::string(display_name),
                           limits, options);
  return read_all_of(reader);
}

/// As a regular file on two threads (CsvLocationReader::read_rest_into): cut
/// into parts of about `part` bytes at line ends, wherever those fall.
Result read_in_parts(std::string_view text, CsvReaderLimits limits, std::size_t part, std::size_t piece,
                     const dm::CsvOptions& options = {}) {
  limits.parallel_read_bytes = 0;
  limits.parallel_part_bytes = part;
  CsvLocationReader reader(std::make_unique<dm::testing::ChunkedSource>(text, piece, true),
                           std::string(display_name), limits, options);
  dm::LocationTable table;
  reader.read_rest_into(table, 2);
  Result result;
  for (std::size_t index = 0; index < table.size(); ++index) result.locations.push_back(table.at(index));
  require(!reader.next().has_value(), "the reader does not stay at the end after a read in parts");
  result.diagnostics = reader.diagnostics();
  result.error_count = reader.error_count();
  return result;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void check_location(const Location& location) {
  require(std::isfinite(location.latitude) && std::abs(location.latitude) <= 90.0, "latitude out of range");
  require(std::isfinite(location.longitude) && std::abs(location.longitude) <= 180.0, "longitude out of range");
  require(!location.name.empty(), "empty name accepted");
  require(dm::first_invalid_utf8(location.name) == std::string_view::npos, "invalid UTF-8 name accepted",
          location.name);

  // What the writer writes, the reader reads back unchanged, bit for bit.
  std::array<char, 64> latitude{};
  std::array<char, 64> longitude{};
  const auto latitude_end = std::to_chars(latitude.data(), latitude.data() + latitude.size(), location.latitude).ptr;
  const auto longitude_end =
      std::to_chars(longitude.data(), longitude.data() + longitude.size(), location.longitude).ptr;
  const std::string row = dm::csv_field(location.name) + ',' + std::string(latitude.data(), latitude_end) + ',' +
                          std::string(longitude.data(), longitude_end) + '\n';
  // After a first row: at the very start, a name that begins with U+FEFF would be a byte order mark.
  CsvLocationReader reader("first,0,0\n" + row, "round-trip", comma_separated);
  const std::optional<Location> first = reader.next();
  const std::optional<Location> again = reader.next();
  require(first.has_value(), "the round trip's first row is refused");
  require(!reader.has_errors() && again.has_value(), "a written row is refused", row);
  require(again->name == location.name, "a name changes through the writer", row);
  require(same_bits(again->latitude, location.latitude) && same_bits(again->longitude, location.longitude),
          "a coordinate changes through the writer", row);
}

void check_result(std::string_view text, const Result& result, const CsvReaderLimits& limits) {
  for (const Location& location : result.locations) check_location(location);
  require(result.diagnostics.size() == std::min(result.error_count, limits.error_limit),
          "diagnostics kept do not match the error limit");
  const std::size_t line_count = 1 + static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  std::size_t previous_line = 1;
  for (const Diagnostic& diagnostic : result.diagnostics) {
    require(diagnostic.file == display_name, "diagnostic names another file", diagnostic.file);
    require(diagnostic.line >= previous_line && diagnostic.line <= line_count, "diagnostic line out of order",
            diagnostic.to_string());
    previous_line = diagnostic.line;
    require(!diagnostic.message.empty(), "empty diagnostic");
    const std::string shown = diagnostic.to_string();
    const bool one_clean_line = std::none_of(shown.begin(), shown.end(), [](char c) {
      const auto byte = static_cast<unsigned char>(c);
      return byte < 0x20 || byte == 0x7F;
    });
    require(one_clean_line, "a diagnostic holds a control character", shown);
  }
}

/// Parses `text` as one latitude and compares with strtod, which shares no
/// code with the reader's from_chars-based parser.
void check_number(std::string_view text) {
  if (text.size() > 400 || text.find_first_of(std::string_view(",\n\r\"\0", 5)) != std::string_view::npos) return;
  CsvLocationReader reader("n," + std::string(text) + ",0\n", "number", comma_separated);
  const std::optional<Location> location = reader.next();

  std::string_view trimmed = text;
  while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t')) trimmed.remove_prefix(1);
  while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t')) trimmed.remove_suffix(1);
  const std::string copy(trimmed);
  char* end = nullptr;
  const double expected = std::strtod(copy.c_str(), &end);
  const bool whole = !copy.empty() && end == copy.c_str() + copy.size();

  if (location) {
    require(whole && same_bits(location->latitude, expected), "latitude differs from strtod", text);
  }
  const bool plain_decimal = std::all_of(copy.begin(), copy.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
  });
  if (plain_decimal && whole && std::isfinite(expected) && std::abs(expected) <= 90.0) {
    require(location.has_value(), "a decimal strtod reads as a latitude is refused", text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The reading parameters come from the input, so that the fuzzer explores them too.
  const std::size_t seed = size + (size > 0 ? data[0] : 0u) + (size > 1 ? data[size - 1] : 0u);

  CsvReaderLimits limits;
  limits.error_limit = 1 + seed % 21;
  const Result whole = read_in_memory(text, limits);
  check_result(text, whole, limits);
  require(read_streamed(text, limits, 1 + seed % 7, 1 + seed / 7 % 13) == whole,
          "streamed input differs from the same input in memory");
  require(read_in_parts(text, limits, 1 + seed % 29, 1 + seed / 3 % 17) == whole,
          "input read in parts on two threads differs from the same input in memory");

  CsvReaderLimits tiny = limits;
  tiny.max_row_bytes = 8 + seed % 40;
  const Result limited = read_in_memory(text, tiny);
  check_result(text, limited, tiny);
  require(read_streamed(text, tiny, 1 + seed / 3 % 5, 1 + seed / 11 % 9) == limited,
          "streamed input differs from the same input in memory, with a small row limit");

  // Issue 17: chosen columns and delimiters, streamed and in memory alike.
  const dm::CsvOptions options = options_for(seed);
  const Result chosen = read_in_memory(text, limits, options);
  check_result(text, chosen, limits);
  require(read_streamed(text, limits, 1 + seed % 5, 1 + seed / 5 % 11, options) == chosen,
          "streamed input differs from the same input in memory, with chosen columns or delimiter");
  require(read_in_parts(text, limits, 1 + seed / 7 % 31, 1 + seed % 13, options) == chosen,
          "input read in parts differs from the same input in memory, with chosen columns or delimiter");

  // Compressed input (issue 17): decoded or refused, never a crash; other input passes unchanged.
  CsvLocationReader decoded(dm::open_decompressed(std::make_unique<dm::testing::ChunkedSource>(text, 1 + seed % 9)),
                            std::string(display_name), limits);
  const Result through_decoder = read_all_of(decoded);
  if (dm::detect_compression(text) == dm::Compression::none) {
    require(through_decoder == whole, "plain input changes through the decompressing source");
  } else {
    for (const Location& location : through_decoder.locations) check_location(location);
  }

  check_number(text);
  return 0;
}
