#include "distance_matrix/output/csv_field.hpp"

namespace dm {
namespace {

bool needs_quotes(std::string_view name) {
  if (name.find_first_of(",\"\r\n") != std::string_view::npos) return true;
  // Readers trim spaces around unquoted fields; quoting keeps them.
  const auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  return !name.empty() && (is_space(name.front()) || is_space(name.back()));
}

template <class String>
void append_field(String& out, std::string_view name) {
  if (!needs_quotes(name)) {
    out += name;
    return;
  }
  out += '"';
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

std::string csv_field(std::string_view name) {
  std::string field;
  append_csv_field(field, name);
  return field;
}

void append_csv_field(std::string& out, std::string_view name) { append_field(out, name); }

void append_csv_field(LargeString& out, std::string_view name) { append_field(out, name); }

}  // namespace dm
