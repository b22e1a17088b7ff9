// distance_matrix/enum_names.hpp
//
// EnumName: the one name table of each enum (metric, unit, kernel, layout,
// format, dtype, executor and runner kinds, each in its own header), and
// name_in()/value_in() that to_string() and the parse_*() functions, the
// tool's choices and the Python module's messages all go through.
//
// Thread safety: constexpr values and pure functions.
//
// Example:
//   dm::name_in(dm::unit_names, dm::Unit::miles);       // "mi"
//   dm::value_in(dm::unit_names, "nmi");                 // Unit::nautical_miles
//   dm::names_listed(dm::unit_names, "'");               // "'km', 'm', 'mi', 'nmi'"

#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace dm {

/// One row of an enum's name table: the value and the name the command line,
/// the Python module and the reports spell it with.
template <typename Enum>
struct EnumName {
  Enum value;
  std::string_view name;
};

/// The name of `value` in `table`, or "?" for a value the table lacks.
template <typename Enum, std::size_t N>
[[nodiscard]] constexpr std::string_view name_in(const EnumName<Enum> (&table)[N], Enum value) noexcept {
  for (const EnumName<Enum>& row : table) {
    if (row.value == value) return row.name;
  }
  return "?";
}

/// The value named `text` in `table` (exact, case-sensitive), or nullopt.
template <typename Enum, std::size_t N>
[[nodiscard]] constexpr std::optional<Enum> value_in(const EnumName<Enum> (&table)[N], std::string_view text) noexcept {
  for (const EnumName<Enum>& row : table) {
    if (row.name == text) return row.value;
  }
  return std::nullopt;
}

/// Every value of `table`, in its order.
template <typename Enum, std::size_t N>
[[nodiscard]] constexpr std::array<Enum, N> values_in(const EnumName<Enum> (&table)[N]) noexcept {
  std::array<Enum, N> values{};
  for (std::size_t index = 0; index < N; ++index) values[index] = table[index].value;
  return values;
}

/// The names of `table` for a message: "'a', 'b'" with quote "'", or "a, b".
template <typename Enum, std::size_t N>
[[nodiscard]] std::string names_listed(const EnumName<Enum> (&table)[N], std::string_view quote = "") {
  std::string text;
  for (const EnumName<Enum>& row : table) {
    if (!text.empty()) text += ", ";
    text.append(quote).append(row.name).append(quote);
  }
  return text;
}

}  // namespace dm
