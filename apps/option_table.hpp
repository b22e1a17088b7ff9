#pragma once

// The tool's options, one row each: how the option is spelled and, when it
// takes one of a fixed set of names, which. define_options()
// (command_line.cpp) registers every option from this table, and
// tests/cli/cli_test.cpp checks that --help shows each of them with its
// choices, so the two cannot drift apart.
#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "distance_matrix/enum_names.hpp"
#include "distance_matrix/kernel/distance_options.hpp"
#include "distance_matrix/matrix/matrix_shape.hpp"
#include "distance_matrix/output/matrix_format.hpp"
#include "distance_matrix/output/npy_encoder.hpp"
#include "distance_matrix/run/runner_kind.hpp"

namespace dm::cli {

enum class Option {
  input, help, output, executor, runner, workers, chunk_size, io_latency, metric, radius, ellipsoid, unit, kernel,
  format, layout, dtype, destinations, summary, nearest, within, columns, delimiter, name_property, quiet,
  progress, partitioned, version,
};

/// Not a RunnerKind: a runner over MPI ranks, each running the streaming runner.
inline constexpr std::string_view mpi_executor = "mpi";

/// The names of the library's name `table` that `parse` accepts, in its order.
template <typename Enum, std::size_t N, typename Parse>
std::vector<std::string> names_of(const EnumName<Enum> (&table)[N], Parse parse) {
  std::vector<std::string> names;
  for (const EnumName<Enum>& row : table) {
    if (parse(row.name)) names.emplace_back(row.name);
  }
  return names;
}

inline std::vector<std::string> executor_choices() {
  std::vector<std::string> names = names_of(runner_kind_names, parse_runner_kind);
  names.emplace_back(mpi_executor);
  return names;
}
inline std::vector<std::string> runner_choices() { return {"standard", "asyncio", "pandas", "dask"}; }
inline std::vector<std::string> metric_choices() { return names_of(metric_names, parse_metric); }
inline std::vector<std::string> unit_choices() { return names_of(unit_names, parse_unit); }
inline std::vector<std::string> kernel_choices() { return names_of(kernel_kind_names, parse_kernel_kind); }
inline std::vector<std::string> format_choices() { return names_of(format_names, parse_format); }
/// Not "rectangle": a rectangle comes from --to, not from a name.
inline std::vector<std::string> layout_choices() { return names_of(layout_names, parse_layout); }
inline std::vector<std::string> dtype_choices() { return names_of(value_type_names, parse_value_type); }

struct OptionSpelling {
  Option option;
  std::string_view long_name;   ///< "--output"; for the positional argument, its name "INPUT"
  std::string_view short_name;  ///< "-o", or empty
  /// The names the option accepts, as --help lists them; null for a free value or a flag.
  std::vector<std::string> (*choices)() = nullptr;
};

/// In the order --help lists them (CLI11 puts its -h,--help first).
inline constexpr OptionSpelling command_line_options[] = {
    {Option::input, "INPUT", ""},
    {Option::help, "--help", "-h"},
    {Option::output, "--output", "-o"},
    {Option::executor, "--executor", "-e", executor_choices},
    {Option::runner, "--runner", "-r", runner_choices},
    {Option::workers, "--workers", ""},
    {Option::chunk_size, "--chunk-size", ""},
    {Option::io_latency, "--io-latency", ""},
    {Option::metric, "--metric", "", metric_choices},
    {Option::radius, "--radius", ""},
    {Option::ellipsoid, "--ellipsoid", ""},
    {Option::unit, "--unit", "", unit_choices},
    {Option::kernel, "--kernel", "", kernel_choices},
    {Option::format, "--format", "", format_choices},
    {Option::layout, "--layout", "", layout_choices},
    {Option::dtype, "--dtype", "", dtype_choices},
    {Option::destinations, "--to", ""},
    {Option::summary, "--summary", ""},
    {Option::nearest, "--nearest", ""},
    {Option::within, "--within", ""},
    {Option::columns, "--columns", ""},
    {Option::delimiter, "--delimiter", ""},
    {Option::name_property, "--name-property", ""},
    {Option::quiet, "--quiet", "-q"},
    {Option::progress, "--progress", ""},
    {Option::partitioned, "--partitioned", ""},
    {Option::version, "--version", ""},
};

constexpr bool rows_in_option_order() {
  for (std::size_t row = 0; row < std::size(command_line_options); ++row)
    if (static_cast<std::size_t>(command_line_options[row].option) != row) return false;
  return std::size(command_line_options) == static_cast<std::size_t>(Option::version) + 1;
}
static_assert(rows_in_option_order(), "one row per Option, in the order of the enum");

[[nodiscard]] constexpr const OptionSpelling& spelling_of(Option option) {
  return command_line_options[static_cast<std::size_t>(option)];
}

/// The option's names as CLI11 takes them and --help prints them: "-o,--output", "--workers", "INPUT".
[[nodiscard]] inline std::string flags_of(Option option) {
  const OptionSpelling& spelling = spelling_of(option);
  if (spelling.short_name.empty()) return std::string(spelling.long_name);
  return std::string(spelling.short_name) + ',' + std::string(spelling.long_name);
}

}  // namespace dm::cli
