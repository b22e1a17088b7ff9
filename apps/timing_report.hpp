#pragma once

#include <string>
#include <string_view>

#include "distance_matrix/run/run_report.hpp"

namespace dm::cli {

/// Where each stage's time went, one aligned line per stage, e.g.
///
///     read         0.000 s   1000 locations
///     calculation  0.012 s   499500 pairs (parallel, 2 workers, chunk auto, simd avx512)
///     write        0.085 s   -> data/output.csv
///     total        0.097 s
[[nodiscard]] std::string format_timing_report(const RunReport& report, std::string_view destination);

}  // namespace dm::cli
