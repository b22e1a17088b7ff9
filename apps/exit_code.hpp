#pragma once

namespace dm::cli {

/// Exit codes of the command-line tool, documented in the README, --help and
/// the man page. They belong to the tool, not the library: library callers
/// get exceptions (InputError, IoError, ExecutionError) and decide for
/// themselves. A run ended by a signal dies by it (status 128+N).
enum class ExitCode : int {
  success = 0,
  failure = 1,        ///< an unexpected failure while computing (a worker process died, ...)
  usage = 2,          ///< bad command-line arguments
  invalid_input = 3,  ///< the input file has rows that are not valid locations
  io_error = 4,       ///< a file could not be read or written
};

}  // namespace dm::cli
