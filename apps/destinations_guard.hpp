#pragma once

#include "command_line.hpp"

namespace dm::cli {

/// --to names a second input: the output must not overwrite it either.
/// Throws IoError when the output is the same file as the destinations.
void refuse_output_over_destinations(const CommandLine& command);

}  // namespace dm::cli
