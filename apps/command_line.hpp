#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <variant>

#include "exit_code.hpp"
#include "distance_matrix/errors.hpp"
#include "distance_matrix/input/csv_options.hpp"
#include "distance_matrix/run/run_job.hpp"

namespace dm::cli {

/// The largest --workers. Every executor starts one thread or process per
/// worker: far beyond the cores this only exhausts the system's thread and
/// process limits.
inline constexpr std::uint64_t max_workers = 1024;

/// What the user asked for, checked and resolved to library types.
struct CommandLine {
  std::filesystem::path input;   ///< "-" is standard input
  std::filesystem::path output;  ///< "-" is standard output
  /// --to: the destinations of a rectangle, validated as strictly as the input.
  std::optional<std::filesystem::path> destinations;
  MatrixJob run;
  /// --columns, --delimiter: how INPUT and --to are read.
  CsvOptions input_format;
  bool quiet = false;
  /// --progress: show the progress line even when standard error is not a
  /// terminal or --quiet is given.
  bool progress = false;
  /// -e mpi: one matrix computed by the ranks of an MPI job (mpi_command.hpp);
  /// run.executor is then the local runner of each rank.
  bool mpi = false;
  /// --partitioned (with -e mpi): output is a folder of one part per rank.
  bool partitioned = false;
};

/// Parses the arguments. Returns the command to run, or the exit code when
/// nothing is left to run: after --help or --version (printed to `out`), or
/// after a usage error (reported on `err` with a hint, ExitCode::usage).
[[nodiscard]] std::variant<CommandLine, ExitCode> parse_command_line(int argc, const char* const* argv,
                                                                     std::ostream& out, std::ostream& err);

}  // namespace dm::cli
