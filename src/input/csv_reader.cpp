#include "distance_matrix/input/csv_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

#include <tbb/parallel_for.h>

#include "byte_lanes.hpp"
#include "delimiter_detection.hpp"
#include "distance_matrix/input/decompressing_source.hpp"
#include "distance_matrix/text/printable.hpp"
#include "distance_matrix/text/utf8.hpp"
#include "geojson_points.hpp"
#include "header_columns.hpp"
#include "plain_decimal.hpp"
#include "plain_row.hpp"
#include "src/executors/fork_join_edges.hpp"
#include "src/executors/worker_arena.hpp"

namespace dm {
namespace detail {

/// The row's fields are in the reader's fields_ (RawField, in the header).
struct ScannedRow {
  std::size_t field_count = 0;
  std::size_t problem_line = 0;
  std::string problem;  ///< empty when the row is well formed
  bool binary = false;  ///< the problem is a NUL byte: the input is not text
};

}  // namespace detail

namespace {

using detail::ColumnLayout;
using detail::field_labels;
using detail::RawField;
using detail::ScannedRow;

constexpr std::string_view utf8_byte_order_mark = "\xEF\xBB\xBF";
constexpr std::string_view utf16_little_endian_mark = "\xFF\xFE";
constexpr std::string_view utf16_big_endian_mark = "\xFE\xFF";

/// Values quoted in messages are cut to this many bytes so a diagnostic stays readable.
constexpr std::size_t max_shown_bytes = 40;


std::string delimiter_name(char delimiter) {
  switch (delimiter) {
    case ',':
      return "a comma";
    case ';':
      return "a semicolon";
    case '\t':
      return "a tab";
    default:
      return std::string("'") + delimiter + '\'';
  }
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

/// '\r' counts as trailing blank, so the CR of a CRLF line end needs no case of its own.
bool is_trailing_blank(char c) { return is_blank(c) || c == '\r'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_trailing_blank(text.back())) text.remove_suffix(1);
  return text;
}

const std::vector<std::string>& default_field_labels() {
  static const std::vector<std::string> labels = field_labels(ColumnLayout{});
  return labels;
}

/// `text` as a message quotes it: long values cut (never inside a UTF-8
/// sequence) and marked "...". Control characters are left as they are:
/// Diagnostic::to_string() escapes the whole message once, so escaping here
/// too would show a \x01 as \\x01.
std::string shown(std::string_view text) {
  std::string_view kept = text.substr(0, max_shown_bytes);
  if (kept.size() < text.size()) {
    const auto is_continuation_byte = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; };
    while (!kept.empty() && is_continuation_byte(text[kept.size()])) kept.remove_suffix(1);
  }
  std::string result(kept);
  if (kept.size() < text.size()) result += "...";
  return result;
}

/// Splits the input into rows and fields (RFC 4180, with blanks trimmed
/// outside quotes), keeping the caller's position and line number current.
/// A malformed row is skipped up to the end of its physical line, where the
/// next row most likely starts.
///
/// `text` may be only the start of the input. The scanner records whenever it
/// looks at the end of `text` (touched_end()): if it did not, every byte it
/// based its result on was there, so the result is what the whole input
/// gives; if it did and more input may follow, the caller reads more and
/// scans the row again. Streamed and in-memory input so share one parser.
class RowScanner {
 public:
  /// `labels` name the fields in messages ("name", "field 4"); `fields`
  /// receives the fields of the row scanned.
  RowScanner(std::string_view text, std::size_t& position, std::size_t& line, char delimiter,
             const std::vector<std::string>& labels, std::vector<RawField>& fields)
      : text_(text), position_(position), line_(line), delimiter_(delimiter), labels_(labels), fields_(fields) {}

  [[nodiscard]] bool touched_end() const { return touched_end_; }

  /// Moves past empty and blank-only lines, each once it is seen whole;
  /// false at the end of the text. Stops (and sets `too_long`) at a blank
  /// line longer than `max_bytes`, line end included: it counts as a row.
  bool skip_blank_lines(std::size_t max_bytes, bool& too_long) {
    too_long = false;
    for (;;) {
      std::size_t cursor = position_;
      while (cursor < text_.size() && is_trailing_blank(text_[cursor])) ++cursor;
      if (cursor == text_.size()) {
        touched_end_ = true;
        too_long = cursor - position_ > max_bytes;
        return false;
      }
      if (text_[cursor] != '\n') return true;
      if (cursor + 1 - position_ > max_bytes) {
        too_long = true;
        return false;
      }
      position_ = cursor + 1;
      ++line_;
    }
  }

  ScannedRow scan_row() {
    ScannedRow row;
    row.problem_line = line_;
    fields_.clear();
    for (std::size_t index = 0;; ++index) {
      skip_leading_blanks();
      RawField field;
      const bool scanned = (!at_end() && current() == '"') ? scan_quoted(field, index, row)
                                                        : scan_unquoted(field, index, row);
      if (!scanned) return row;
      fields_.push_back(field);
      ++row.field_count;
      if (at_end()) break;
      if (text_[position_++] == '\n') {
        ++line_;
        break;
      }
    }
    return row;
  }

 private:
  [[nodiscard]] bool at_end() {
    if (position_ < text_.size()) return false;
    touched_end_ = true;
    return true;
  }
  [[nodiscard]] char current() const { return text_[position_]; }

  void skip_leading_blanks() {
    std::size_t cursor = position_;
    while (cursor < text_.size() && is_blank(text_[cursor]) && text_[cursor] != delimiter_) ++cursor;
    position_ = cursor;
    static_cast<void>(at_end());  // a field cut by the end of the text needs it
  }

  [[nodiscard]] std::string field_label(std::size_t index) const {
    if (index < labels_.size()) return labels_[index];
    return "field " + std::to_string(index + 1);
  }

  [[nodiscard]] std::size_t find_first_of(std::string_view characters, std::size_t start) {
    const std::size_t found = text_.find_first_of(characters, start);
    if (found == std::string_view::npos) touched_end_ = true;
    return found;
  }

  /// The rest of the field from `start`, regardless of quotes, for messages.
  [[nodiscard]] std::string_view field_from(std::size_t start) {
    const char stops[] = {delimiter_, '\n'};
    const std::size_t end = std::min(find_first_of(std::string_view(stops, 2), start), text_.size());
    return trim(text_.substr(start, end - start));
  }

  void skip_rest_of_line() {
    const std::size_t line_end = find_first_of("\n", position_);
    if (line_end == std::string_view::npos) {
      position_ = text_.size();
    } else {
      position_ = line_end + 1;
      ++line_;
    }
  }

  /// A NUL byte means binary data or UTF-16 without a byte order mark; the
  /// scan stops at it, so that nothing past it need ever be read.
  bool refuse_nul(std::size_t index, ScannedRow& row) const {
    row.problem = "NUL byte in " + field_label(index) +
                  ": NUL bytes are not allowed (save UTF-16 files as UTF-8)";
    row.binary = true;
    return false;
  }

  bool scan_unquoted(RawField& field, std::size_t index, ScannedRow& row) {
    const std::size_t start = position_;
    // Local pointers: through the reference position_ every byte read
    // (a char may alias it) would reload and store it.
    const char* const text_end = text_.data() + text_.size();
    const char* cursor = text_.data() + position_;
    const char delimiter = delimiter_;
#if defined(__SSE2__)
    // Sixteen bytes at a time while sixteen remain: most fields end in the first block.
    const __m128i delimiters = detail::byte_in_every_lane(delimiter);
    const __m128i line_ends = _mm_set1_epi8('\n');
    const __m128i quotes = _mm_set1_epi8('"');
    const __m128i nuls = _mm_setzero_si128();
    while (text_end - cursor >= 16) {
      const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(cursor));
      const __m128i stops = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(block, delimiters), _mm_cmpeq_epi8(block, line_ends)),
                                         _mm_or_si128(_mm_cmpeq_epi8(block, quotes), _mm_cmpeq_epi8(block, nuls)));
      const auto mask = static_cast<unsigned>(_mm_movemask_epi8(stops));
      if (mask != 0) {
        cursor += std::countr_zero(mask);
        break;
      }
      cursor += 16;
    }
#endif
    while (cursor != text_end) {
      const char c = *cursor;
      if (c == delimiter || c == '\n' || c == '"' || c == '\0') break;
      ++cursor;
    }
    position_ = static_cast<std::size_t>(cursor - text_.data());
    // Stopped at the field's end, or at a NUL or a quote (which a delimiter
    // equal to it would have ended the field at instead).
    if (!at_end() && current() != delimiter && current() != '\n') {
      if (current() == '\0') return refuse_nul(index, row);
      row.problem = "quote inside unquoted " + field_label(index) + ' ' + shown(field_from(start)) +
                    ": enclose the whole field in quotes and double each quote inside it";
      skip_rest_of_line();
      return false;
    }
    field.text = trim(text_.substr(start, position_ - start));
    return true;
  }

  bool scan_quoted(RawField& field, std::size_t index, ScannedRow& row) {
    const std::size_t opening_quote = position_;
    const std::size_t opening_line = line_;
    const std::size_t start = ++position_;
    for (;;) {
      position_ = find_first_of(std::string_view("\"\n\0", 3), position_);
      if (position_ == std::string_view::npos) {
        position_ = text_.size();
        row.problem_line = opening_line;
        row.problem = "unterminated quote in " + field_label(index) +
                      ": the quoted field starting here is never closed";
        return false;
      }
      const char c = current();
      ++position_;
      if (c == '\n') {
        ++line_;
      } else if (c == '\0') {
        return refuse_nul(index, row);
      } else if (!at_end() && current() == '"') {
        field.has_doubled_quotes = true;
        ++position_;
      } else {
        break;
      }
    }
    field.text = text_.substr(start, position_ - 1 - start);
    while (!at_end() && is_trailing_blank(current()) && current() != delimiter_) ++position_;
    if (at_end() || current() == delimiter_ || current() == '\n') return true;
    row.problem = "unexpected text after the closing quote of " + field_label(index) + ' ' +
                  shown(field_from(opening_quote)) + ": only blanks, " + delimiter_name(delimiter_) +
                  " or the end of the line may follow it";
    skip_rest_of_line();
    return false;
  }

  std::string_view text_;
  std::size_t& position_;
  std::size_t& line_;
  char delimiter_;
  const std::vector<std::string>& labels_;
  std::vector<RawField>& fields_;
  bool touched_end_ = false;
};

enum class NumberStatus { valid, empty, not_a_number, not_finite, too_large };

struct Coordinate {
  NumberStatus status = NumberStatus::valid;
  double value = 0.0;
};

/// from_chars reports a value too close to zero for a double, like 1e-400,
/// the same way as one too large, like 1e400. Only the latter is out of any
/// range: tells them apart by the decimal exponent of the first significant
/// digit. `number` is known to be a complete decimal number.
bool is_below_smallest_double(std::string_view number) {
  const auto is_digit = [&](std::size_t index) {
    return index < number.size() && number[index] >= '0' && number[index] <= '9';
  };
  std::size_t index = number.front() == '-' ? 1 : 0;
  bool found_significant = false;
  long long significant_exponent = 0;
  long long integer_digits = 0;
  long long first_significant_index = 0;
  for (; is_digit(index); ++index, ++integer_digits) {
    if (!found_significant && number[index] != '0') {
      found_significant = true;
      first_significant_index = integer_digits;
    }
  }
  if (found_significant) significant_exponent = integer_digits - 1 - first_significant_index;
  if (index < number.size() && number[index] == '.') {
    ++index;
    for (long long fraction_index = 0; is_digit(index); ++index, ++fraction_index) {
      if (!found_significant && number[index] != '0') {
        found_significant = true;
        significant_exponent = -(fraction_index + 1);
      }
    }
  }
  if (!found_significant) return true;
  long long written_exponent = 0;
  if (index < number.size() && (number[index] == 'e' || number[index] == 'E')) {
    ++index;
    const bool negative = index < number.size() && number[index] == '-';
    if (index < number.size() && (number[index] == '-' || number[index] == '+')) ++index;
    constexpr long long saturation = 1'000'000'000;
    for (; is_digit(index); ++index) {
      written_exponent = std::min(saturation, written_exponent * 10 + (number[index] - '0'));
    }
    if (negative) written_exponent = -written_exponent;
  }
  return significant_exponent + written_exponent < 0;
}

/// Decimal degrees as written, with an optional leading '+' that from_chars alone refuses.
Coordinate parse_coordinate(std::string_view text) {
  if (text.empty()) return {NumberStatus::empty};
  std::string_view number = text;
  if (number.size() > 1 && number.front() == '+' && number[1] != '-' && number[1] != '+') {
    number.remove_prefix(1);
  }
  Coordinate coordinate;
  if (detail::parse_plain_decimal(number, coordinate.value)) return coordinate;  // always finite
  const char* const end = number.data() + number.size();
  const auto [parsed_end, error] = std::from_chars(number.data(), end, coordinate.value);
  if (parsed_end != end) return {NumberStatus::not_a_number};
  if (error == std::errc::result_out_of_range) {
    if (!is_below_smallest_double(number)) return {NumberStatus::too_large};
    return {NumberStatus::valid, number.front() == '-' ? -0.0 : 0.0};
  }
  if (error != std::errc{}) return {NumberStatus::not_a_number};
  if (!std::isfinite(coordinate.value)) return {NumberStatus::not_finite};
  return coordinate;
}

/// `48,85` as `48.85` when that is a number: a decimal comma, to be refused
/// with its fix rather than read as anything.
std::optional<std::string> decimal_point_for(std::string_view written) {
  const std::size_t comma = written.find(',');
  if (comma == std::string_view::npos || written.find(',', comma + 1) != std::string_view::npos) return std::nullopt;
  std::string with_point(written);
  with_point[comma] = '.';
  if (parse_coordinate(with_point).status != NumberStatus::valid) return std::nullopt;
  return with_point;
}

/// What is wrong with a coordinate, or an empty string if it is valid.
std::string coordinate_problem(const CoordinateRange& range, std::string_view written,
                               const Coordinate& coordinate) {
  const std::string label(range.label);
  switch (coordinate.status) {
    case NumberStatus::valid:
      if (range.contains(coordinate.value)) return {};
      [[fallthrough]];
    case NumberStatus::too_large:
      return label + ' ' + shown(written) + " is outside " + std::string(range.written);
    case NumberStatus::empty:
      return label + " is empty";
    case NumberStatus::not_a_number:
      if (const std::optional<std::string> with_point = decimal_point_for(written)) {
        return label + " \"" + shown(written) + "\" has a decimal comma: only a decimal point is allowed (" +
               shown(*with_point) + ")";
      }
      return label + " \"" + shown(written) + "\" is not a number";
    case NumberStatus::not_finite:
      return label + ' ' + shown(written) + " is not a finite number";
  }
  return {};
}

std::string name_of(const RawField& field) {
  if (!field.has_doubled_quotes) return std::string(field.text);
  std::string name;
  name.reserve(field.text.size());
  for (std::size_t index = 0; index < field.text.size(); ++index) {
    name += field.text[index];
    if (field.text[index] == '"') ++index;  // the scanner saw every quote doubled
  }
  return name;
}

std::string too_long_message(std::size_t max_row_bytes) {
  return "row longer than " + std::to_string(max_row_bytes) +
         " bytes, the limit for one row: reading stopped here (a quote never closed? not a CSV file?)";
}

}  // namespace

CsvLocationReader::CsvLocationReader(std::string content, std::string display_name, std::size_t error_limit)
    : CsvLocationReader(std::move(content), std::move(display_name), CsvReaderLimits{error_limit}) {}

CsvLocationReader::CsvLocationReader(std::string content, std::string display_name,
                                     const CsvReaderLimits& limits)
    : CsvLocationReader(std::move(content), std::move(display_name), CsvOptions{}, limits) {}

CsvLocationReader::CsvLocationReader(std::string content, std::string display_name, const CsvOptions& options,
                                     const CsvReaderLimits& limits)
    : buffer_(std::move(content)), display_name_(std::move(display_name)), limits_(limits), options_(options) {
  start();
}

/// What a part of a parallel read found, besides its locations.
struct CsvLocationReader::PartResult {
  std::size_t line_breaks = 0;  ///< lines the part spans, less one
  std::size_t data_rows = 0;
  std::size_t error_count = 0;
  std::vector<Diagnostic> diagnostics;  ///< lines counted from the part's first
  bool stopped = false;                 ///< the input cannot go on (a NUL byte, a row too long)
  bool cut_a_row = false;               ///< its last row ran into its end: the cut was inside a quoted field
};

CsvLocationReader::CsvLocationReader(PartOf, const CsvLocationReader& whole, std::unique_ptr<ByteSource> source)
    : source_(std::move(source)),
      display_name_(whole.display_name_),
      limits_(whole.limits_),
      options_(whole.options_),
      delimiter_(whole.delimiter_),
      delimiter_settled_(true),
      name_column_(whole.name_column_),
      latitude_column_(whole.latitude_column_),
      longitude_column_(whole.longitude_column_),
      field_count_(whole.field_count_),
      row_number_names_(whole.row_number_names_),
      default_layout_(whole.default_layout_),
      field_labels_(whole.field_labels_),
      first_row_(false) {
  limits_.block_bytes = std::max<std::size_t>(limits_.block_bytes, 1);
}

CsvLocationReader::CsvLocationReader(std::unique_ptr<ByteSource> source, std::string display_name,
                                     const CsvReaderLimits& limits, const CsvOptions& options)
    : source_(std::move(source)), display_name_(std::move(display_name)), limits_(limits), options_(options) {
  limits_.block_bytes = std::max<std::size_t>(limits_.block_bytes, 1);
  start();
}

CsvLocationReader CsvLocationReader::open(const std::filesystem::path& path, std::size_t error_limit) {
  return open(path, CsvReaderLimits{error_limit});
}

CsvLocationReader CsvLocationReader::open(const std::filesystem::path& path, const CsvOptions& options) {
  return open(path, CsvReaderLimits{}, options);
}

CsvLocationReader CsvLocationReader::open(const std::filesystem::path& path, const CsvReaderLimits& limits,
                                          const CsvOptions& options) {
  if (path == "-") {
    return {open_decompressed(std::make_unique<DescriptorSource>(STDIN_FILENO, "standard input", false)), "<stdin>",
            limits, options};
  }
  const std::string subject = '\'' + printable(path.string()) + '\'';
  const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0) {
    throw IoError("cannot read " + subject + ": " + std::generic_category().message(errno));
  }
  return {open_decompressed(std::make_unique<DescriptorSource>(descriptor, subject, true)), path.string(), limits,
          options};
}

/// Recognizes the encoding from the first bytes.
void CsvLocationReader::start() {
  if (options_.delimiter) delimiter_ = *options_.delimiter;
  delimiter_settled_ = options_.delimiter.has_value();
  while (buffer_.size() < utf8_byte_order_mark.size() && source_) refill();
  const std::string_view text = buffer_;
  if (text.starts_with(utf8_byte_order_mark)) {
    position_ = utf8_byte_order_mark.size();
  } else if (text.starts_with(utf16_little_endian_mark) || text.starts_with(utf16_big_endian_mark)) {
    // Every row would fail on its NUL bytes; one diagnostic says it all.
    report(1, "the input is UTF-16 encoded: only UTF-8 is supported, convert it first");
    stopped_ = true;
    return;
  }
  // JSON or CSV: the first non-blank byte tells, within one row's bytes.
  while (source_ && buffer_.find_first_not_of(" \t\r\n", position_) == std::string::npos &&
         buffer_.size() - position_ <= limits_.max_row_bytes) {
    refill();
  }
  // Only the bytes every way of reading has by now: the same answer in memory and streamed.
  if (detail::looks_like_geojson(std::string_view(buffer_).substr(position_, limits_.max_row_bytes))) read_geojson();
}

/// GeoJSON is parsed whole (simdjson): the input is read to its end first.
void CsvLocationReader::read_geojson() {
  while (source_) refill();
  geojson_points_.emplace();
  if (corrupt_) return;  // the decoding error is reported; damaged JSON would only add noise
  detail::read_geojson_points(
      std::string_view(buffer_).substr(position_), options_.name_property,
      [this](Location location) { geojson_points_->push_back(std::move(location)); },
      [this](std::size_t line, std::string message) { report(line, std::move(message)); });
  buffer_.clear();
  buffer_.shrink_to_fit();
  position_ = 0;
}

/// Drops the bytes already parsed, then appends at least as many bytes as
/// are still pending (or up to the end of the input). A row is scanned again
/// from its start after each refill: growing the pending bytes geometrically
/// keeps that linear even when a pipe hands out one byte per read.
void CsvLocationReader::refill() {
  buffer_.erase(0, position_);
  position_ = 0;
  const std::size_t pending = buffer_.size();
  const std::size_t wanted = std::max<std::size_t>(pending, 1);
  std::size_t appended = 0;
  if (block_.empty()) block_.resize(limits_.block_bytes);
  while (appended < wanted && source_) {
    const std::size_t count = read_source(block_);
    buffer_.append(block_.data(), count);
    appended += count;
  }
}

std::size_t CsvLocationReader::read_source(std::span<char> block) {
  std::size_t count = 0;
  try {
    count = source_->read(block);
  } catch (const CorruptInputError& error) {
    // What was decoded before stays readable; the input ends at the damage.
    report(line_number_, error.what());
    source_.reset();
    corrupt_ = true;
    return 0;
  }
  source_bytes_ += count;
  if (count == 0) source_.reset();
  return count;
}

/// Scans the next row, reading from the source until the row is whole (or
/// longer than the limit, or the input ended). On `row`, position_ is past
/// the row, which starts at `row_start` in buffer_ on line `row_line`.
CsvLocationReader::RowStatus CsvLocationReader::scan_next_row(ScannedRow& row, std::size_t& row_start,
                                                              std::size_t& row_line) {
  if (!first_row_) {
    row_start = position_;
    row_line = line_number_;
    if (scan_plain_row(row)) return RowStatus::row;
  }
  for (;;) {
    const bool whole_input = source_ == nullptr;
    const std::vector<std::string>& labels = field_labels_.empty() ? default_field_labels() : field_labels_;
    RowScanner scanner(buffer_, position_, line_number_, delimiter_, labels, fields_);
    bool blank_line_too_long = false;
    const bool found_row = scanner.skip_blank_lines(limits_.max_row_bytes, blank_line_too_long);
    if (blank_line_too_long) return RowStatus::too_long;
    if (found_row) {
      row_start = position_;
      row_line = line_number_;
      row = scanner.scan_row();
      last_row_reached_end_ = scanner.touched_end();
      if (!scanner.touched_end() || whole_input) {
        if (position_ - row_start <= limits_.max_row_bytes) return RowStatus::row;
        position_ = row_start;
        line_number_ = row_line;
        return RowStatus::too_long;
      }
      position_ = row_start;  // rescanned whole once more bytes are in
      line_number_ = row_line;
    } else if (whole_input) {
      return RowStatus::end;
    }
    // The row may end in bytes not read yet; what is pending would be part of it.
    if (buffer_.size() - position_ > limits_.max_row_bytes) return RowStatus::too_long;
    refill();
    // A row cut by damaged compressed data is no row: never read as one.
    if (corrupt_) return RowStatus::end;
  }
}

bool CsvLocationReader::scan_plain_row(ScannedRow& row) {
  constexpr std::size_t window = 64;
  detail::PlainRow plain;
  if (buffer_.size() - position_ < window || limits_.max_row_bytes < window ||
      !detail::find_plain_row(buffer_.data() + position_, delimiter_, field_count_, plain)) {
    return false;
  }
  const std::string_view text(buffer_.data() + position_, plain.length);
  fields_.clear();
  std::size_t start = 0;
  for (std::uint64_t delimiters = plain.delimiter_bits; delimiters != 0; delimiters &= delimiters - 1) {
    const auto end = static_cast<std::size_t>(std::countr_zero(delimiters));
    fields_.push_back(RawField{trim(text.substr(start, end - start)), false});
    start = end + 1;
  }
  fields_.push_back(RawField{trim(text.substr(start)), false});
  row.field_count = field_count_;
  row.problem_line = line_number_;
  position_ += plain.length + 1;
  ++line_number_;
  last_row_reached_end_ = false;
  return true;
}

Diagnostic CsvLocationReader::invalid_utf8_in_name(std::size_t row_start, std::size_t row_line,
                                                   std::size_t offset) const {
  const std::string_view row = std::string_view(buffer_).substr(row_start, offset - row_start);
  const std::size_t line = row_line + static_cast<std::size_t>(std::count(row.begin(), row.end(), '\n'));
  const std::size_t last_line_break = row.rfind('\n');
  const std::size_t column = last_line_break == std::string_view::npos ? row.size() + 1
                                                                        : row.size() - last_line_break;
  static constexpr std::string_view hex_digits = "0123456789ABCDEF";
  const auto byte = static_cast<unsigned char>(buffer_[offset]);
  std::string message = "name is not valid UTF-8: byte 0x";
  message += hex_digits[byte >> 4];
  message += hex_digits[byte & 0xF];
  message += " at column " + std::to_string(column) +
             " (byte offset in the line); convert the file to UTF-8, e.g. iconv -f latin1 -t utf-8";
  return {display_name_, line, std::move(message)};
}

bool CsvLocationReader::take_first_row(std::size_t row_line) {
  std::vector<std::string> titles;
  titles.reserve(fields_.size());
  for (const RawField& field : fields_) titles.push_back(name_of(field));
  detail::FirstRow first = detail::read_first_row(titles, options_.columns);
  if (!first.problem.empty()) {
    report(row_line, std::move(first.problem));
    stopped_ = true;
    return false;
  }
  const ColumnLayout& layout = first.layout;
  row_number_names_ = !layout.name.has_value();
  name_column_ = layout.name.value_or(0);
  latitude_column_ = layout.latitude;
  longitude_column_ = layout.longitude;
  field_count_ = layout.field_count;
  default_layout_ = layout.default_layout;
  if (!default_layout_) field_labels_ = field_labels(layout);
  return !first.is_header;
}

std::string CsvLocationReader::problem_with_field_count(std::size_t found) const {
  if (default_layout_) return "expected 3 fields (name,latitude,longitude), found " + std::to_string(found);
  return "expected " + std::to_string(field_count_) + " fields, as in the first row, found " + std::to_string(found);
}

std::optional<Location> CsvLocationReader::next() {
  if (geojson_points_) {
    if (next_point_ == geojson_points_->size()) return std::nullopt;
    return (*geojson_points_)[next_point_++];
  }
  std::optional<Location> location;
  if (const std::optional<LocationView> row = next_view()) {
    location = Location{std::string(row->name), row->latitude, row->longitude};
  }
  return location;
}

bool CsvLocationReader::next_into(LocationTable& table) {
  if (geojson_points_) {
    if (next_point_ == geojson_points_->size()) return false;
    table.push_back((*geojson_points_)[next_point_++]);
    return true;
  }
  const std::optional<LocationView> row = next_view();
  if (row) table.push_back(row->name, row->latitude, row->longitude);
  return row.has_value();
}

std::optional<CsvLocationReader::LocationView> CsvLocationReader::next_view() {
  while (!stopped_) {
    ScannedRow row;
    std::size_t row_start = 0;
    std::size_t row_line = 0;
    const RowStatus status = scan_next_row(row, row_start, row_line);
    if (status == RowStatus::end) {
      stopped_ = true;
      break;
    }
    if (status == RowStatus::too_long) {
      report(line_number_, too_long_message(limits_.max_row_bytes));
      stopped_ = true;
      cut_short_ = true;
      break;
    }
    const bool first_row = std::exchange(first_row_, false);
    // Detected once: the row split again may span other bytes (quotes end a
    // row differently), and detecting on those could swap back forever.
    if (first_row && !std::exchange(delimiter_settled_, true)) {
      const char detected = detail::detect_delimiter(std::string_view(buffer_).substr(row_start, position_ - row_start));
      if (detected != delimiter_) {
        delimiter_ = detected;
        position_ = row_start;  // the row is still in the buffer: split it again
        line_number_ = row_line;
        first_row_ = true;
        continue;
      }
    }
    if (first_row && row.problem.empty() && !take_first_row(row_line)) continue;
    ++data_rows_;
    if (!row.problem.empty()) {
      report(row.problem_line, std::move(row.problem));
      if (row.binary) stopped_ = cut_short_ = true;
      continue;
    }
    if (row.field_count != field_count_) {
      report(row_line, problem_with_field_count(row.field_count));
      continue;
    }
    const RawField& name = fields_[name_column_];
    // Quoted coordinates keep their blanks inside the quotes; trim them too.
    const std::string_view latitude_text = trim(fields_[latitude_column_].text);
    const std::string_view longitude_text = trim(fields_[longitude_column_].text);
    const Coordinate latitude = parse_coordinate(latitude_text);
    const Coordinate longitude = parse_coordinate(longitude_text);
    if (!row_number_names_) {
      if (name.text.empty()) {
        report(row_line, "name is empty");
        continue;
      }
      if (const std::size_t invalid = first_invalid_utf8(name.text); invalid != std::string_view::npos) {
        Diagnostic diagnostic = invalid_utf8_in_name(
            row_start, row_line, static_cast<std::size_t>(name.text.data() - buffer_.data()) + invalid);
        report(diagnostic.line, std::move(diagnostic.message));
        continue;
      }
    }
    const auto in_range = [](const CoordinateRange& range, const Coordinate& coordinate) {
      return coordinate.status == NumberStatus::valid && range.contains(coordinate.value);
    };
    if (!in_range(latitude_range, latitude) || !in_range(longitude_range, longitude)) {
      std::string problem = coordinate_problem(latitude_range, latitude_text, latitude);
      if (problem.empty()) problem = coordinate_problem(longitude_range, longitude_text, longitude);
      report(row_line, std::move(problem));
      continue;
    }
    // The name as a view into the buffer when it is the field's text as is;
    // else built in name_scratch_, reused row after row.
    std::string_view name_text = name.text;
    if (row_number_names_) {
      name_scratch_ = std::to_string(data_rows_);
      name_text = name_scratch_;
    } else if (name.has_doubled_quotes) {
      name_scratch_ = name_of(name);
      name_text = name_scratch_;
    }
    return LocationView{name_text, latitude.value, longitude.value};
  }
  return std::nullopt;
}

CsvLocationReader::PartResult CsvLocationReader::read_part(std::unique_ptr<ByteSource> source,
                                                          LocationTable& table) const {
  CsvLocationReader part(PartOf{}, *this, std::move(source));
  table.reserve(table.size() + part.expected_locations());
  while (part.next_into(table)) {
  }
  PartResult result;
  result.line_breaks = part.line_number_ - 1;
  result.data_rows = part.data_rows_;
  result.error_count = part.error_count_;
  result.diagnostics = std::move(part.diagnostics_);
  result.stopped = part.cut_short_;
  result.cut_a_row = part.last_row_reached_end_;
  return result;
}

bool CsvLocationReader::merge_part(PartResult& part) {
  for (Diagnostic& diagnostic : part.diagnostics) {
    if (diagnostics_.size() == limits_.error_limit) break;
    diagnostic.line += line_number_ - 1;
    diagnostics_.push_back(std::move(diagnostic));
  }
  error_count_ += part.error_count;
  data_rows_ += part.data_rows;
  line_number_ += part.line_breaks;
  if (part.stopped) stopped_ = true;
  return !part.stopped;
}

std::uint64_t CsvLocationReader::line_end_after(std::uint64_t offset, std::uint64_t end) const {
  const std::unique_ptr<ByteSource> rest = source_->range(offset, end);
  char block[4096];
  while (std::size_t count = rest->read(block)) {
    if (const void* line_end = std::memchr(block, '\n', count)) {
      return offset + static_cast<std::uint64_t>(static_cast<const char*>(line_end) - block) + 1;
    }
    offset += count;
  }
  return end;
}

unsigned CsvLocationReader::read_rest_into(LocationTable& table, unsigned threads) {
  const auto one_at_a_time = [&] {
    while (next_into(table)) {
    }
  };
  const std::optional<std::uint64_t> unread = source_ ? source_->remaining_bytes() : std::nullopt;
  if (threads < 2 || geojson_points_ || !unread || *unread + (buffer_.size() - position_) < limits_.parallel_read_bytes) {
    one_at_a_time();
    return 1;
  }
  // The first location settles the layout (delimiter, header, columns) every part reads with.
  if (!next_into(table)) return 1;
  // Row-number names count the rows before: a part cannot know them.
  const std::optional<std::uint64_t> still_unread = source_ ? source_->remaining_bytes() : std::nullopt;
  if (row_number_names_ || stopped_ || !still_unread || !source_->range(0, 0)) {
    one_at_a_time();
    return 1;
  }
  const std::uint64_t begin = source_bytes_ - (buffer_.size() - position_);
  const std::uint64_t end = source_bytes_ + *still_unread;
  WorkerArena arena(threads);
  const unsigned threads_reading = arena.ready();
  if (threads_reading < 2) {
    one_at_a_time();
    return 1;
  }
  const std::uint64_t part_bytes = std::max<std::size_t>(limits_.parallel_part_bytes, 1);
  const std::uint64_t part_count = std::max<std::uint64_t>(threads_reading, (end - begin) / part_bytes);
  std::vector<std::uint64_t> cuts(part_count + 1, end);
  cuts.front() = begin;
  for (std::size_t part = 1; part < part_count; ++part) {
    const std::uint64_t nominal = begin + (end - begin) / part_count * part;
    cuts[part] = line_end_after(std::max(nominal, cuts[part - 1]), end);
  }
  std::vector<LocationTable> tables(part_count);  // the first part reads into `table` itself
  std::vector<PartResult> parts(part_count);
  const std::size_t rows_before = table.size();
  ForkJoinEdges edges;
  auto read = [&](std::size_t part) {
    parts[part] = read_part(source_->range(cuts[part], cuts[part + 1]), part == 0 ? table : tables[part]);
  };
  arena.execute([&] { tbb::parallel_for(std::size_t{0}, static_cast<std::size_t>(part_count), edges.around(read)); });
  edges.joined();
  buffer_.clear();
  position_ = 0;
  for (std::size_t part = 0; part < part_count; ++part) {
    // A cut inside a quoted field's line break: this part and the ones
    // after it began in the middle of a row. Read on from its start, one
    // location at a time.
    if (parts[part].cut_a_row && part + 1 < part_count) {
      if (part == 0) table.truncate(rows_before);
      source_ = source_->range(cuts[part], end);
      one_at_a_time();
      return threads_reading;
    }
    if (part > 0) table.append(tables[part]);
    tables[part] = LocationTable();
    if (!merge_part(parts[part])) break;
  }
  source_.reset();
  return threads_reading;
}

std::size_t CsvLocationReader::expected_locations() const noexcept {
  // 32 bytes a row or more in real lists ("Vila (AD),42.53176,1.56654" is 27 with its line end):
  // a guess too low costs one more growth, too high only untouched address space.
  constexpr std::size_t bytes_per_row = 32;
  if (geojson_points_) return geojson_points_->size() - next_point_;
  std::uint64_t left = buffer_.size() - position_;
  if (source_) {
    const std::optional<std::uint64_t> unread = source_->remaining_bytes();
    if (!unread) return 0;
    left += *unread;
  }
  return static_cast<std::size_t>(left / bytes_per_row);
}

void CsvLocationReader::throw_if_invalid() const {
  if (has_errors()) throw InputError(diagnostics_, error_count_);
}

void CsvLocationReader::report(std::size_t line, std::string message) {
  ++error_count_;
  if (diagnostics_.size() < limits_.error_limit) diagnostics_.push_back({display_name_, line, std::move(message)});
}

LocationTable read_all(CsvLocationReader& reader, unsigned threads) {
  LocationTable locations;
  locations.reserve(reader.expected_locations());
  reader.read_rest_into(locations, threads);
  reader.throw_if_invalid();
  return locations;
}

LocationTable parse_locations(std::string_view text, std::string_view display_name) {
  CsvLocationReader reader{std::string(text), std::string(display_name)};
  return read_all(reader);
}

}  // namespace dm
