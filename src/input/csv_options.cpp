#include "distance_matrix/input/csv_options.hpp"

#include <array>

namespace dm {
namespace {

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<ColumnChoice> parse_column_choice(std::string_view text) {
  std::array<std::string, 3> parts;
  std::size_t count = 0;
  for (;;) {
    const std::size_t comma = text.find(',');
    if (count == parts.size()) return std::nullopt;
    parts[count++] = std::string(trimmed(text.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (count != parts.size()) return std::nullopt;
  for (const std::string& part : parts) {
    if (part.empty()) return std::nullopt;
  }
  if (parts[1] == ColumnChoice::row_number || parts[2] == ColumnChoice::row_number) return std::nullopt;
  return ColumnChoice{parts[0], parts[1], parts[2]};
}

std::optional<char> parse_delimiter(std::string_view text) {
  if (text == "," || text == "comma") return ',';
  if (text == ";" || text == "semicolon") return ';';
  if (text == "\t" || text == "tab" || text == "\\t") return '\t';
  return std::nullopt;
}

}  // namespace dm
