#pragma once

#include <filesystem>
#include <iosfwd>
#include <variant>

#include "distance_matrix/errors.hpp"
#include "distance_matrix/run.hpp"

namespace dm::cli {

/// What the user asked for, checked and resolved to library types.
struct CommandLine {
  std::filesystem::path input;   ///< "-" is standard input
  std::filesystem::path output;  ///< "-" is standard output
  RunOptions run;
  bool quiet = false;
};

/// Parses the arguments. Returns the command to run, or the exit code when
/// nothing is left to run: after --help or --version (printed to `out`), or
/// after a usage error (reported on `err` with a hint, ExitCode::usage).
[[nodiscard]] std::variant<CommandLine, ExitCode> parse_command_line(int argc, const char* const* argv,
                                                                     std::ostream& out, std::ostream& err);

}  // namespace dm::cli
