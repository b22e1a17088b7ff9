#include "distance_matrix/output/csv_field.hpp"

namespace dm {
namespace {

bool needs_quotes(std::string_view name) {
  if (name.find_first_of(",\"\r\n") != std::string_view::npos) return true;
  // Readers trim spaces around unquoted fields; quoting keeps them.
  const auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  return !name.empty() && (is_space(name.front()) || is_space(name.back()));
}

}  // namespace

std::string csv_field(std::string_view name) {
  if (!needs_quotes(name)) return std::string(name);
  std::string field;
  field.reserve(name.size() + 2);
  field += '"';
  for (char c : name) {
    if (c == '"') field += '"';
    field += c;
  }
  field += '"';
  return field;
}

}  // namespace dm
