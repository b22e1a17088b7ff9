#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "distance_matrix/executors/executor.hpp"
#include "distance_matrix/run/runner_kind.hpp"
#include "distance_matrix/kernel/distance_options.hpp"
#include "distance_matrix/kernel/location.hpp"

namespace dm {

/// The benchmark lab behind `distance_matrix bench`: every executor with both
/// kernels over a set of worker counts and chunk sizes, on one input, with
/// every result checked against the others; the geodesic metric's two
/// kernels beside the haversine's.

/// One configuration the lab times. Zero workers or chunk size: the
/// executor's default.
struct LabCase {
  RunnerKind executor = RunnerKind::sequential;
  KernelKind kernel = KernelKind::simd;
  unsigned workers = 0;
  std::size_t chunk_size = 0;
  Metric metric = Metric::haversine;  ///< in km; geodesic on WGS84
};

struct LabMeasurement {
  LabCase config;
  unsigned workers = 1;        ///< as the executor resolved them
  std::size_t chunk_size = 0;  ///< as the executor resolved it (0: its own partitioning)
  std::vector<double> seconds;  ///< calculation time of each repetition
  /// The run's first window, untimed in `seconds`: for processes it also
  /// forks the workers and faults in the memory they share, a cost paid
  /// once per run (as a pool's threads are started once).
  double first_seconds = 0;
  double median_seconds = 0;
  double pairs_per_second = 0;
  double speedup = 0;      ///< over the median of sequential haversine with the scalar kernel
  bool identical = false;  ///< the same bits as sequential with the same metric and kernel
};

struct LabOptions {
  unsigned repeat = 5;
  /// A case whose first repetition takes longer than this is not repeated,
  /// which bounds the slow strategies (a thread per small task).
  std::chrono::duration<double> slow_case{0.5};
  /// Before a case with more than one worker is timed, it runs untimed for
  /// at least this long: its threads are placed by the OS scheduler when
  /// they wake, and a worker put beside a busy one on the same core would
  /// otherwise stay there for the whole of a sub-millisecond measurement.
  std::chrono::duration<double> warm_up{0.02};
};

struct LabReport {
  std::size_t location_count = 0;
  std::size_t pair_count = 0;
  unsigned hardware_threads = 1;
  std::string simd_target;  ///< simd_target_name() of this process
  unsigned repeat = 0;
  std::vector<LabMeasurement> measurements;
  /// Largest |simd - scalar| over every pair (haversine, km): within the
  /// kernels' 1e-9 km contract when all is well.
  double simd_scalar_max_difference_km = 0;
  /// The same for the geodesic, when a case measures it: within the
  /// vectorized Karney inverse's 1 µm of GeographicLib when all is well.
  double geodesic_simd_scalar_max_difference_km = 0;

  [[nodiscard]] bool all_identical() const noexcept;
  [[nodiscard]] bool kernels_agree() const noexcept {
    return simd_scalar_max_difference_km <= 1e-9 && geodesic_simd_scalar_max_difference_km <= 1e-9;
  }
};

/// The lab's default set, each strategy with the scalar kernel then the simd
/// one, sequential scalar first (every speed-up is relative to it):
/// sequential; threads with tasks of 4096 and 256 pairs (a thread per pair
/// would take minutes); pool, processes and parallel with 1, hardware and
/// 2 × hardware workers at their default chunk size; pool with tasks of 64
/// pairs and parallel with tasks of one pair; async; then the geodesic
/// (WGS84) sequential and parallel on every hardware thread.
[[nodiscard]] std::vector<LabCase> default_lab_cases(unsigned hardware_threads);

/// Times each case `options.repeat` times on `locations` (its metric, km),
/// on one executor per case (made once, as a program would) in one run
/// (ExecutorRun: the processes executor forks its workers in the run's
/// first window, timed apart as first_seconds, and computes into its window
/// memory), after the warm-up for several workers, and
/// checks every result. `on_measured`, if set, sees each measurement as soon
/// as it is complete (for progress output). Throws ExecutionError if an
/// executor fails.
[[nodiscard]] LabReport run_lab(const LocationTable& locations, const std::vector<LabCase>& cases,
                                const LabOptions& options,
                                const std::function<void(const LabMeasurement&)>& on_measured = {});

/// The table the command prints: a header line, then one line per measurement.
[[nodiscard]] std::string lab_table_header();
[[nodiscard]] std::string lab_table_row(const LabMeasurement& measurement);
/// What starting the worker processes cost, one line per processes case:
/// the run's first window against the median of the others.
[[nodiscard]] std::string lab_process_start_lines(const LabReport& report);

/// The whole report as a JSON document.
[[nodiscard]] std::string lab_json(const LabReport& report);

/// A bar chart of pairs per second per case, as a standalone SVG document;
/// log scale when the fastest case is more than 20 times the slowest.
[[nodiscard]] std::string lab_svg(const LabReport& report);

}  // namespace dm
