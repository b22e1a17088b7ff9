// distance_matrix/input/csv_reader.hpp
//
// CsvLocationReader: `name,latitude,longitude` rows (or the columns a header
// names, comma, semicolon or tab separated, gzip/zstd/xz), one location at a time,
// in bounded memory, with a "file:line: what is wrong" diagnostic for each
// invalid row; read_all() and parse_locations() for a whole table. The input
// part of the library: it knows no output and no command line.
//
// Thread safety: a reader is used by one thread at a time; distinct readers
// are independent.
//
// Example:
//   dm::CsvLocationReader reader = dm::CsvLocationReader::open("data/locations.csv");
//   const dm::LocationTable locations = dm::read_all(reader);  // throws InputError listing bad rows
//   const dm::LocationTable two = dm::parse_locations("a,0,0\nb,0,90\n");

#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "distance_matrix/errors.hpp"
#include "distance_matrix/input/byte_source.hpp"
#include "distance_matrix/input/csv_options.hpp"
#include "distance_matrix/kernel/location.hpp"

namespace dm {

namespace detail {
struct ScannedRow;

/// One field as found in the row, still borrowed from the input.
struct RawField {
  std::string_view text;            ///< trimmed; for a quoted field the part between the quotes
  bool has_doubled_quotes = false;  ///< quoted field whose "" must become " in the value
};
}  // namespace detail

/// How much a CsvLocationReader keeps and reads at once.
struct CsvReaderLimits {
  static constexpr std::size_t default_error_limit = 20;
  /// Longest row (or blank line), line end included: 64 KiB. A longer one
  /// is no list of locations (an unclosed quote, a binary file, /dev/zero):
  /// reading stops there so that memory stays bounded.
  static constexpr std::size_t default_max_row_bytes = std::size_t{64} * 1024;
  static constexpr std::size_t default_block_bytes = std::size_t{64} * 1024;

  /// A parallel read (CsvLocationReader::read_rest_into) is for inputs of
  /// at least parallel_read_bytes: below that, starting the threads costs
  /// more than they save. By default it cuts one part a thread.
  static constexpr std::size_t default_parallel_read_bytes = std::size_t{1} * 1024 * 1024;
  static constexpr std::size_t one_part_a_thread = static_cast<std::size_t>(-1);

  std::size_t error_limit = default_error_limit;  ///< diagnostics kept; the rest are only counted
  std::size_t max_row_bytes = default_max_row_bytes;
  std::size_t block_bytes = default_block_bytes;  ///< bytes asked of the source per read
  std::size_t parallel_read_bytes = default_parallel_read_bytes;
  std::size_t parallel_part_bytes = one_part_a_thread;  ///< smaller: more parts than threads
};

/// Reads `name,latitude,longitude` rows one location at a time.
///
/// Accepted: spaces around fields, LF or CRLF line ends, a UTF-8 byte order
/// mark, RFC 4180 quoted names (with "" for a quote, commas and line breaks
/// inside), blank lines, duplicate and non-ASCII (UTF-8) names, and a header:
/// a first row naming a latitude (lat, latitude, y) and a longitude column
/// (lon, lng, long, longitude, x), whose name column is name, city, label or
/// id (in that order of preference) and whose other columns are ignored; or a
/// first row of three fields whose latitude and longitude are not numbers and
/// hold no digit. CsvOptions choose the columns and the delimiter instead.
///
/// An input whose first non-blank byte is `{` is GeoJSON instead: the Point
/// features of a FeatureCollection (or one Feature per line), named by the
/// property CsvOptions::name_property. It is read whole and parsed at once
/// (simdjson); errors name the feature's index, at the line it starts.
///
/// Input is read from its source in blocks and parsed as it arrives: only the
/// current row's bytes are kept, so memory does not grow with the input.
/// Text held in memory goes through the same parser.
///
/// Invalid rows are skipped and recorded as diagnostics (up to the error
/// limit, the rest only counted) so that one run reports many problems. A
/// NUL byte (binary data, UTF-16) or a row longer than the row limit ends
/// the input at once. Callers check has_errors() / throw_if_invalid() after
/// the last next().
class CsvLocationReader {
 public:
  static constexpr std::size_t default_error_limit = CsvReaderLimits::default_error_limit;

  /// Parses `content`; `display_name` is the file name used in diagnostics.
  CsvLocationReader(std::string content, std::string display_name,
                    std::size_t error_limit = default_error_limit);
  CsvLocationReader(std::string content, std::string display_name, const CsvReaderLimits& limits);
  CsvLocationReader(std::string content, std::string display_name, const CsvOptions& options,
                    const CsvReaderLimits& limits = {});

  /// Parses what `source` yields, block by block. Reads the first block
  /// (to recognize a byte order mark) before returning; throws IoError.
  CsvLocationReader(std::unique_ptr<ByteSource> source, std::string display_name,
                    const CsvReaderLimits& limits = {}, const CsvOptions& options = {});

  /// Streams the file (or standard input for "-"), decompressed if it is
  /// gzip, zstd or xz (by its content, whatever its name): damaged or
  /// truncated compressed data is one of the input's errors. Throws IoError.
  [[nodiscard]] static CsvLocationReader open(const std::filesystem::path& path,
                                              std::size_t error_limit = default_error_limit);
  [[nodiscard]] static CsvLocationReader open(const std::filesystem::path& path, const CsvReaderLimits& limits,
                                              const CsvOptions& options = {});
  [[nodiscard]] static CsvLocationReader open(const std::filesystem::path& path, const CsvOptions& options);

  /// The next valid location, or nullopt at the end of the input.
  /// Throws IoError if the source cannot be read.
  [[nodiscard]] std::optional<Location> next();
  /// next() appended to `table` (its name copied once, straight from the
  /// input, no string of its own on the way); false at the end of the input.
  bool next_into(LocationTable& table);

  /// Every location still to come appended to `table`: the same locations
  /// and diagnostics as next_into() one at a time. With `threads` above 1,
  /// an uncompressed regular file of at least limits' parallel_read_bytes is
  /// cut at line ends into one part a thread, each streamed (in bounded
  /// memory) and parsed by its own thread; where a cut turns out to fall
  /// inside a quoted line break, the rest is read one location at a time.
  /// Other inputs are read one location at a time.
  /// Returns the threads that read (1: one location at a time throughout).
  unsigned read_rest_into(LocationTable& table, unsigned threads);

  /// A guess, for reserving room, at how many locations are still to come:
  /// one per 32 bytes of what is left of an uncompressed regular file or of
  /// text in memory (a GeoJSON input's points exactly); 0 when unknown.
  [[nodiscard]] std::size_t expected_locations() const noexcept;

  [[nodiscard]] bool has_errors() const noexcept { return error_count_ > 0; }
  /// Every error found so far, counted even past the limit.
  [[nodiscard]] std::size_t error_count() const noexcept { return error_count_; }
  /// The first `error_limit` errors, in input order.
  [[nodiscard]] const std::vector<Diagnostic>& diagnostics() const noexcept { return diagnostics_; }
  /// Throws InputError carrying the diagnostics if any row was invalid.
  void throw_if_invalid() const;

  [[nodiscard]] const std::string& display_name() const noexcept { return display_name_; }

 private:
  enum class RowStatus { row, end, too_long };
  /// A valid row, its name borrowed from buffer_ or name_scratch_ until the next row.
  struct LocationView {
    std::string_view name;
    double latitude = 0.0;
    double longitude = 0.0;
  };
  [[nodiscard]] std::optional<LocationView> next_view();

  struct PartOf {};
  struct PartResult;
  /// A reader of `source`, which starts at a row of `whole` (after its
  /// first row: the layout is settled): one part of a parallel read.
  CsvLocationReader(PartOf, const CsvLocationReader& whole, std::unique_ptr<ByteSource> source);
  [[nodiscard]] PartResult read_part(std::unique_ptr<ByteSource> source, LocationTable& table) const;
  /// Merges a part read after what this reader has read; false if the part stopped the input.
  bool merge_part(PartResult& part);
  /// Where the first line end at or after `offset` (of the input, below `end`) ends; `end` if none.
  [[nodiscard]] std::uint64_t line_end_after(std::uint64_t offset, std::uint64_t end) const;
  /// source_->read(block), a decoding error reported (the input ends there): 0 at the end.
  std::size_t read_source(std::span<char> block);

  void start();
  void read_geojson();
  void refill();
  RowStatus scan_next_row(detail::ScannedRow& row, std::size_t& row_start, std::size_t& row_line);
  /// scan_next_row for a row with the settled field count, no quotes, whole
  /// in the next 64 bytes (detail::find_plain_row); false for any other row.
  bool scan_plain_row(detail::ScannedRow& row);
  /// Chooses the columns from the first row; false if it is a header.
  [[nodiscard]] bool take_first_row(std::size_t row_line);
  [[nodiscard]] std::string problem_with_field_count(std::size_t found) const;
  [[nodiscard]] Diagnostic invalid_utf8_in_name(std::size_t row_start, std::size_t row_line,
                                                std::size_t offset) const;
  void report(std::size_t line, std::string message);

  std::unique_ptr<ByteSource> source_;  ///< null once its end was read (or for text in memory)
  std::string buffer_;                  ///< the unparsed input; from a source, about one row
  std::vector<char> block_;             ///< what one read of the source fills
  std::string display_name_;
  CsvReaderLimits limits_;
  CsvOptions options_;
  char delimiter_ = ',';
  bool delimiter_settled_ = false;  ///< chosen (CsvOptions) or detected from the first row
  std::size_t name_column_ = 0;
  std::size_t latitude_column_ = 1;
  std::size_t longitude_column_ = 2;
  std::size_t field_count_ = 3;
  bool row_number_names_ = false;
  bool default_layout_ = true;
  std::vector<std::string> field_labels_;  ///< how messages call each field
  std::vector<detail::RawField> fields_;   ///< the fields of the row just scanned
  std::string name_scratch_;               ///< a name that is not the input's bytes as they are
  std::size_t data_rows_ = 0;              ///< rows after the header, valid or not
  /// GeoJSON input: its points, read whole at the start, served by next().
  std::optional<std::vector<Location>> geojson_points_;
  std::size_t next_point_ = 0;
  std::size_t position_ = 0;     ///< offset in buffer_ of the next unread byte
  std::uint64_t source_bytes_ = 0;  ///< bytes read from the source so far
  std::size_t line_number_ = 1;  ///< physical line at position_
  bool first_row_ = true;        ///< a header may only be the first non-blank row
  bool last_row_reached_end_ = false;  ///< the row scanned last ran into the end of the text
  bool cut_short_ = false;  ///< stopped before the end: a NUL byte, a row too long
  bool stopped_ = false;         ///< the input ended or cannot go on (binary, a row too long)
  bool corrupt_ = false;         ///< the compressed input could not be decoded further
  std::size_t error_count_ = 0;
  std::vector<Diagnostic> diagnostics_;
};

/// Reads every location of `reader`, a large regular file parsed by
/// `threads` threads at once (CsvLocationReader::read_rest_into); throws
/// InputError if any row is invalid.
[[nodiscard]] LocationTable read_all(CsvLocationReader& reader, unsigned threads = 1);

/// Convenience: parse CSV text held in memory. Throws InputError.
[[nodiscard]] LocationTable parse_locations(std::string_view text,
                                            std::string_view display_name = "<memory>");

}  // namespace dm
