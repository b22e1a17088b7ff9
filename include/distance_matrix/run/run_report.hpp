// distance_matrix/run/run_report.hpp
//
// RunReport: what a whole run (read, compute, encode, write) did and where
// its time went, as the tool's timing report shows it.
//
// Thread safety: a value.
//
// Example:
//   const dm::RunReport report = dm::run_job(reader, nullptr, output, job);
//   std::cerr << report.kernel << '\n';  // "simd avx512"

#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "distance_matrix/run/runner_kind.hpp"

namespace dm {

using Duration = std::chrono::duration<double>;

/// What a whole run (read, compute, encode, write) did and where its time
/// went, as the tool's timing report shows it.
struct RunReport {
  RunnerKind executor = RunnerKind::parallel;
  unsigned workers = 1;
  std::size_t chunk_size = 0;
  std::string kernel;  ///< what computed the distances: "scalar", "simd avx512", ...
  std::size_t location_count = 0;
  std::size_t pair_count = 0;
  Duration read{};
  Duration calculation{};
  Duration write{};
  Duration total{};
  /// Stages ran at the same time (the async and streaming pipelines): read,
  /// calculation and write are each stage's busy time and may add up to
  /// more than total.
  bool stages_overlap = false;
};

}  // namespace dm
