#pragma once

#include <iosfwd>

namespace dm::cli {

/// `distance_matrix bench INPUT [--repeat N] [--report DIR]`: argv[0] is
/// "bench". Times every executor with both kernels on INPUT, prints the
/// table on `out`, and with --report writes DIR/bench.json and DIR/bench.svg.
/// Returns the exit code (1 if any result differs); input and I/O errors
/// are thrown as by the main command.
int run_bench_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace dm::cli
