#pragma once

#include <vector>

#include "command_line.hpp"
#include "distance_matrix/output/file_identity.hpp"

namespace dm::cli {

/// Every file the run reads (INPUT, --to), which no output target may be:
/// the list to give OutputFile, so that one check covers each of them
/// against a path, a link or a redirected standard output alike.
[[nodiscard]] std::vector<ProtectedInput> files_read(const CommandLine& command);

/// INPUT and --to naming one stream (`- --to /dev/stdin` on a pipe, one FIFO
/// twice): the first reader would take every byte and the second find none.
/// Throws UsageError; two names of one regular file are fine (each is read
/// from its start). Call before reading either.
void refuse_one_stream_read_twice(const CommandLine& command);

/// --to names a second input: the output must not overwrite it either.
/// Throws IoError when the output path is the same file as the destinations.
/// (OutputFile given files_read() does this and more; kept for the
/// partitioned output, which names a folder.)
void refuse_output_over_destinations(const CommandLine& command);

}  // namespace dm::cli
