#include "distance_matrix/csv_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <string>
#include <system_error>
#include <utility>

namespace dm {
namespace {

constexpr std::string_view utf8_byte_order_mark = "\xEF\xBB\xBF";
constexpr std::string_view utf16_little_endian_mark = "\xFF\xFE";
constexpr std::string_view utf16_big_endian_mark = "\xFE\xFF";

constexpr std::size_t expected_field_count = 3;

/// Values quoted in messages are cut to this many bytes so a diagnostic stays readable.
constexpr std::size_t max_shown_bytes = 40;

/// First read buffer for input of unknown size (a pipe); doubled as needed.
constexpr std::size_t initial_read_size = std::size_t{1} << 16;

bool is_blank(char c) { return c == ' ' || c == '\t'; }

/// '\r' counts as trailing blank, so the CR of a CRLF line end needs no case of its own.
bool is_trailing_blank(char c) { return is_blank(c) || c == '\r'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_trailing_blank(text.back())) text.remove_suffix(1);
  return text;
}

std::string field_label(std::size_t index) {
  static constexpr std::array<std::string_view, expected_field_count> labels = {"name", "latitude",
                                                                                "longitude"};
  if (index < labels.size()) return std::string(labels[index]);
  return "field " + std::to_string(index + 1);
}

/// `text` as it can appear inside a one-line message: control characters
/// escaped, long values cut (never inside a UTF-8 sequence) and marked "...".
std::string shown(std::string_view text) {
  std::string_view kept = text.substr(0, max_shown_bytes);
  if (kept.size() < text.size()) {
    const auto is_continuation_byte = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; };
    while (!kept.empty() && is_continuation_byte(text[kept.size()])) kept.remove_suffix(1);
  }
  std::string result;
  result.reserve(kept.size() + 3);
  for (const char c : kept) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      result += "\\n";
    } else if (c == '\r') {
      result += "\\r";
    } else if (c == '\t') {
      result += "\\t";
    } else if (byte < 0x20 || byte == 0x7F) {
      static constexpr std::string_view hex_digits = "0123456789abcdef";
      result += "\\x";
      result += hex_digits[byte >> 4];
      result += hex_digits[byte & 0xF];
    } else {
      result += c;
    }
  }
  if (kept.size() < text.size()) result += "...";
  return result;
}

/// One field as found in the row, still borrowed from the input.
struct RawField {
  std::string_view text;            ///< trimmed; for a quoted field the part between the quotes
  bool has_doubled_quotes = false;  ///< quoted field whose "" must become " in the value
  bool has_nul = false;
};

struct ScannedRow {
  std::array<RawField, expected_field_count> fields{};
  std::size_t field_count = 0;  ///< every field of the row, also those past the third
  std::size_t problem_line = 0;
  std::string problem;  ///< empty when the row is well formed
};

/// Splits the input into rows and fields (RFC 4180, with blanks trimmed
/// outside quotes), keeping the caller's position and line number current.
/// A malformed row is skipped up to the end of its physical line, where the
/// next row most likely starts.
class RowScanner {
 public:
  RowScanner(std::string_view text, std::size_t& position, std::size_t& line)
      : text_(text), position_(position), line_(line) {}

  /// Moves past empty and blank-only lines; false at the end of the input.
  bool skip_blank_lines() {
    for (;;) {
      std::size_t cursor = position_;
      while (cursor < text_.size() && is_trailing_blank(text_[cursor])) ++cursor;
      if (cursor == text_.size()) {
        position_ = cursor;
        return false;
      }
      if (text_[cursor] != '\n') return true;
      position_ = cursor + 1;
      ++line_;
    }
  }

  ScannedRow scan_row() {
    ScannedRow row;
    row.problem_line = line_;
    std::size_t first_field_with_nul = std::string_view::npos;
    for (std::size_t index = 0;; ++index) {
      while (!at_end() && is_blank(current())) ++position_;
      RawField field;
      const bool scanned = (!at_end() && current() == '"') ? scan_quoted(field, index, row)
                                                        : scan_unquoted(field, index, row);
      if (!scanned) return row;
      if (index < row.fields.size()) row.fields[index] = field;
      ++row.field_count;
      if (field.has_nul && first_field_with_nul == std::string_view::npos) first_field_with_nul = index;
      if (at_end()) break;
      if (text_[position_++] == '\n') {
        ++line_;
        break;
      }
    }
    if (first_field_with_nul != std::string_view::npos) {
      // A NUL in a text file almost always means UTF-16, which the hint names.
      row.problem = "NUL byte in " + field_label(first_field_with_nul) +
                    ": NUL bytes are not allowed (save UTF-16 files as UTF-8)";
    }
    return row;
  }

 private:
  [[nodiscard]] bool at_end() const { return position_ >= text_.size(); }
  [[nodiscard]] char current() const { return text_[position_]; }

  /// The rest of the field from `start`, regardless of quotes, for messages.
  [[nodiscard]] std::string_view field_from(std::size_t start) const {
    const std::size_t end = std::min(text_.find_first_of(",\n", start), text_.size());
    return trim(text_.substr(start, end - start));
  }

  void skip_rest_of_line() {
    const std::size_t line_end = text_.find('\n', position_);
    if (line_end == std::string_view::npos) {
      position_ = text_.size();
    } else {
      position_ = line_end + 1;
      ++line_;
    }
  }

  bool scan_unquoted(RawField& field, std::size_t index, ScannedRow& row) {
    const std::size_t start = position_;
    for (; !at_end(); ++position_) {
      const char c = current();
      if (c == ',' || c == '\n') break;
      if (c == '\0') field.has_nul = true;
      if (c == '"') {
        row.problem = "quote inside unquoted " + field_label(index) + ' ' + shown(field_from(start)) +
                      ": enclose the whole field in quotes and double each quote inside it";
        skip_rest_of_line();
        return false;
      }
    }
    field.text = trim(text_.substr(start, position_ - start));
    return true;
  }

  bool scan_quoted(RawField& field, std::size_t index, ScannedRow& row) {
    const std::size_t opening_quote = position_;
    const std::size_t opening_line = line_;
    const std::size_t start = ++position_;
    for (;;) {
      position_ = text_.find_first_of(std::string_view("\"\n\0", 3), position_);
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
        field.has_nul = true;
      } else if (!at_end() && current() == '"') {
        field.has_doubled_quotes = true;
        ++position_;
      } else {
        break;
      }
    }
    field.text = text_.substr(start, position_ - 1 - start);
    while (!at_end() && is_trailing_blank(current())) ++position_;
    if (at_end() || current() == ',' || current() == '\n') return true;
    row.problem = "unexpected text after the closing quote of " + field_label(index) + ' ' +
                  shown(field_from(opening_quote)) +
                  ": only blanks, a comma or the end of the line may follow it";
    skip_rest_of_line();
    return false;
  }

  std::string_view text_;
  std::size_t& position_;
  std::size_t& line_;
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

/// What is wrong with a coordinate, or an empty string if it is valid.
std::string coordinate_problem(std::string_view label, std::string_view written, const Coordinate& coordinate,
                               double limit, std::string_view range) {
  switch (coordinate.status) {
    case NumberStatus::valid:
      if (std::abs(coordinate.value) <= limit) return {};
      [[fallthrough]];
    case NumberStatus::too_large:
      return std::string(label) + ' ' + shown(written) + " is outside " + std::string(range);
    case NumberStatus::empty:
      return std::string(label) + " is empty";
    case NumberStatus::not_a_number:
      return std::string(label) + " \"" + shown(written) + "\" is not a number";
    case NumberStatus::not_finite:
      return std::string(label) + ' ' + shown(written) + " is not a finite number";
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

[[noreturn]] void fail_to_read(std::string_view subject, int error) {
  throw IoError("cannot read " + std::string(subject) + ": " + std::generic_category().message(error));
}

/// Everything `descriptor` holds, read in as few system calls as the size allows.
std::string read_everything(int descriptor, std::string_view subject) {
  struct stat status {};
  std::size_t capacity = initial_read_size;
  if (::fstat(descriptor, &status) == 0 && S_ISREG(status.st_mode)) {
    // One byte more than the size, so that the read which sees the end needs no growth.
    capacity = static_cast<std::size_t>(status.st_size) + 1;
  }
  std::string content(capacity, '\0');
  std::size_t filled = 0;
  for (;;) {
    if (filled == content.size()) content.resize(content.size() * 2);
    const ssize_t count = ::read(descriptor, content.data() + filled, content.size() - filled);
    if (count == 0) break;
    if (count < 0) {
      if (errno == EINTR) continue;
      fail_to_read(subject, errno);
    }
    filled += static_cast<std::size_t>(count);
  }
  content.resize(filled);
  return content;
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int descriptor) : descriptor_(descriptor) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() { ::close(descriptor_); }
  [[nodiscard]] int get() const noexcept { return descriptor_; }

 private:
  int descriptor_;
};

}  // namespace

CsvLocationReader::CsvLocationReader(std::string content, std::string display_name,
                                     std::size_t error_limit)
    : content_(std::move(content)), display_name_(std::move(display_name)), error_limit_(error_limit) {
  const std::string_view text = content_;
  if (text.starts_with(utf8_byte_order_mark)) {
    position_ = utf8_byte_order_mark.size();
  } else if (text.starts_with(utf16_little_endian_mark) || text.starts_with(utf16_big_endian_mark)) {
    // Every row would fail on its NUL bytes; one diagnostic says it all.
    report(1, "the input is UTF-16 encoded: only UTF-8 is supported, convert it first");
    position_ = content_.size();
  }
}

CsvLocationReader CsvLocationReader::open(const std::filesystem::path& path, std::size_t error_limit) {
  if (path == "-") {
    return CsvLocationReader(read_everything(STDIN_FILENO, "standard input"), "<stdin>", error_limit);
  }
  const std::string subject = '\'' + path.string() + '\'';
  const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0) fail_to_read(subject, errno);
  const FileDescriptor file(descriptor);
  return CsvLocationReader(read_everything(file.get(), subject), path.string(), error_limit);
}

std::optional<Location> CsvLocationReader::next() {
  RowScanner scanner(content_, position_, line_number_);
  while (scanner.skip_blank_lines()) {
    const std::size_t row_line = line_number_;
    ScannedRow row = scanner.scan_row();
    const bool may_be_header = std::exchange(first_row_, false);
    if (!row.problem.empty()) {
      report(row.problem_line, std::move(row.problem));
      continue;
    }
    if (row.field_count != expected_field_count) {
      report(row_line,
             "expected 3 fields (name,latitude,longitude), found " + std::to_string(row.field_count));
      continue;
    }
    const auto& [name, latitude_field, longitude_field] = row.fields;
    // Quoted coordinates keep their blanks inside the quotes; trim them too.
    const std::string_view latitude_text = trim(latitude_field.text);
    const std::string_view longitude_text = trim(longitude_field.text);
    const Coordinate latitude = parse_coordinate(latitude_text);
    const Coordinate longitude = parse_coordinate(longitude_text);
    if (may_be_header && latitude.status == NumberStatus::not_a_number &&
        longitude.status == NumberStatus::not_a_number) {
      continue;
    }
    if (name.text.empty()) {
      report(row_line, "name is empty");
      continue;
    }
    std::string problem = coordinate_problem("latitude", latitude_text, latitude, 90.0, "[-90, 90]");
    if (problem.empty()) {
      problem = coordinate_problem("longitude", longitude_text, longitude, 180.0, "[-180, 180]");
    }
    if (!problem.empty()) {
      report(row_line, std::move(problem));
      continue;
    }
    return Location{name_of(name), latitude.value, longitude.value};
  }
  return std::nullopt;
}

void CsvLocationReader::throw_if_invalid() const {
  if (has_errors()) throw InputError(diagnostics_, error_count_);
}

void CsvLocationReader::report(std::size_t line, std::string message) {
  ++error_count_;
  if (diagnostics_.size() < error_limit_) diagnostics_.push_back({display_name_, line, std::move(message)});
}

LocationTable read_all(CsvLocationReader& reader) {
  LocationTable locations;
  while (std::optional<Location> location = reader.next()) {
    // After an error the table will be thrown away; keep reading only to find the other errors.
    if (!reader.has_errors()) locations.push_back(std::move(*location));
  }
  reader.throw_if_invalid();
  return locations;
}

LocationTable parse_locations(std::string_view text, std::string_view display_name) {
  CsvLocationReader reader{std::string(text), std::string(display_name)};
  return read_all(reader);
}

}  // namespace dm
