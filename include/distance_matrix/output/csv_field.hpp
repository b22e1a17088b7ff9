// distance_matrix/output/csv_field.hpp
//
// csv_field(): a name as an RFC 4180 CSV field, quoted only when it must be.
//
// Thread safety: a pure function.
//
// Example:
//   dm::csv_field("boston");            // boston
//   dm::csv_field("Washington, D.C.");  // "Washington, D.C."

#pragma once

#include <string>
#include <string_view>

#include "distance_matrix/memory/huge_page_allocator.hpp"

namespace dm {

/// `name` as an RFC 4180 CSV field: unchanged, or quoted with inner quotes
/// doubled when it holds a comma, a quote, a line break or surrounding
/// spaces (which readers would trim).
[[nodiscard]] std::string csv_field(std::string_view name);

/// Appends csv_field(name) to `out`, with no string of its own.
void append_csv_field(std::string& out, std::string_view name);
void append_csv_field(LargeString& out, std::string_view name);

}  // namespace dm
