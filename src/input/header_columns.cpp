#include "header_columns.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <string_view>

namespace dm::detail {
namespace {

constexpr std::array<std::string_view, 4> name_titles = {"name", "city", "label", "id"};
constexpr std::array<std::string_view, 3> latitude_titles = {"lat", "latitude", "y"};
constexpr std::array<std::string_view, 5> longitude_titles = {"lon", "lng", "long", "longitude", "x"};

std::string_view trimmed(std::string_view text) {
  const auto is_blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

bool same_title(std::string_view field, std::string_view title) {
  field = trimmed(field);
  return std::equal(field.begin(), field.end(), title.begin(), title.end(), [](char a, char b) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return lower(a) == lower(b);
  });
}

/// The first column, in the titles' order of preference, with one of `titles`.
template <std::size_t N>
std::optional<std::size_t> find_column(const std::vector<std::string>& fields,
                                       const std::array<std::string_view, N>& titles) {
  for (const std::string_view title : titles) {
    for (std::size_t index = 0; index < fields.size(); ++index) {
      if (same_title(fields[index], title)) return index;
    }
  }
  return std::nullopt;
}

/// A column title, not a mistyped coordinate: not a number (`nan` and `inf`
/// are numbers) and without a single digit (`48.85N` is a coordinate).
bool is_title(std::string_view field) {
  std::string_view text = trimmed(field);
  if (text.empty() || std::any_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  if (text.size() > 1 && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error != std::errc{} || end != text.data() + text.size();
}

std::string columns_found(const std::vector<std::string>& fields) {
  std::string list;
  for (const std::string& field : fields) {
    if (!list.empty()) list += ", ";
    list += trimmed(field).empty() ? std::string("(empty)") : std::string(trimmed(field));
  }
  return list;
}

std::optional<std::size_t> column_number(std::string_view text) {
  std::size_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return number;
}

bool is_number(std::string_view text) { return column_number(text).has_value(); }

/// The header names a latitude and a longitude column: they are read, and
/// the name from the preferred name column.
std::optional<FirstRow> header_by_titles(const std::vector<std::string>& fields) {
  const std::optional<std::size_t> latitude = find_column(fields, latitude_titles);
  const std::optional<std::size_t> longitude = find_column(fields, longitude_titles);
  if (!latitude || !longitude || *latitude == *longitude) return std::nullopt;
  FirstRow row;
  row.is_header = true;
  row.layout.latitude = *latitude;
  row.layout.longitude = *longitude;
  row.layout.field_count = fields.size();
  row.layout.name = find_column(fields, name_titles);
  // Today's rule, name,lat,lng, for a name column with an unknown title (`place`, ``).
  if (!row.layout.name && fields.size() == 3 && *latitude != 0 && *longitude != 0) row.layout.name = 0;
  if (!row.layout.name) {
    row.problem = "the header has no name column (name, city, label or id) among " + columns_found(fields) +
                  ": choose one with --columns NAME,LAT,LON, or - to name each location by its row number";
  }
  row.layout.default_layout = fields.size() == 3 && row.layout.name == 0 && *latitude == 1 && *longitude == 2;
  return row;
}

FirstRow chosen_columns(const std::vector<std::string>& fields, const ColumnChoice& choice) {
  FirstRow row;
  row.layout.default_layout = false;
  row.layout.field_count = fields.size();
  const bool any_title = (choice.name != ColumnChoice::row_number && !is_number(choice.name)) ||
                         !is_number(choice.latitude) || !is_number(choice.longitude);
  const auto resolve = [&](const std::string& wanted) -> std::optional<std::size_t> {
    if (const std::optional<std::size_t> number = column_number(wanted)) {
      if (*number >= 1 && *number <= fields.size()) return *number - 1;
      if (row.problem.empty()) {
        row.problem = "column " + wanted + " does not exist: the first row has " + std::to_string(fields.size()) +
                      " columns (" + columns_found(fields) + "), numbered from 1";
      }
      return std::nullopt;
    }
    for (std::size_t index = 0; index < fields.size(); ++index) {
      if (same_title(fields[index], trimmed(wanted))) return index;
    }
    if (row.problem.empty()) {
      row.problem = "column \"" + wanted + "\" is not in the header: the columns found are " + columns_found(fields);
    }
    return std::nullopt;
  };
  if (choice.name == ColumnChoice::row_number) {
    row.layout.name = std::nullopt;
  } else {
    row.layout.name = resolve(choice.name);
  }
  row.layout.latitude = resolve(choice.latitude).value_or(0);
  row.layout.longitude = resolve(choice.longitude).value_or(0);
  if (!row.problem.empty()) return row;
  row.is_header = any_title || header_by_titles(fields).has_value() ||
                  (is_title(fields[row.layout.latitude]) && is_title(fields[row.layout.longitude]));
  return row;
}

}  // namespace

FirstRow read_first_row(const std::vector<std::string>& fields, const std::optional<ColumnChoice>& choice) {
  if (choice) return chosen_columns(fields, *choice);
  if (std::optional<FirstRow> header = header_by_titles(fields)) return *header;
  FirstRow row;
  row.is_header = fields.size() == 3 && is_title(fields[1]) && is_title(fields[2]);
  return row;
}

std::vector<std::string> field_labels(const ColumnLayout& layout) {
  std::vector<std::string> labels;
  for (std::size_t index = 0; index < std::max<std::size_t>(layout.field_count, 3); ++index) {
    labels.push_back("field " + std::to_string(index + 1));
  }
  if (layout.name) labels[*layout.name] = "name";
  labels[layout.latitude] = "latitude";
  labels[layout.longitude] = "longitude";
  return labels;
}

}  // namespace dm::detail
