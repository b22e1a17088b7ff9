#pragma once

#include <cstddef>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/kernel/location.hpp"
#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/run/matrix_runner.hpp"

namespace dm {

/// Origins searched and encoded as one task: enough to amortise the
/// scheduling, few enough for the last tasks to leave no worker idle long.
inline constexpr std::size_t nearest_origins_per_task = 256;

/// Which neighbours --nearest asks for, over one kernel's table.
struct NearestQuery {
  /// Origins are locations 0 … origins - 1 of the kernel.
  std::size_t origins = 0;
  /// Candidates are locations first_candidate … kernel.size() - 1: 0 for
  /// the origins themselves (each never its own neighbour), `origins` for
  /// the destinations of --to that follow them in the table.
  std::size_t first_candidate = 0;
  std::size_t k = 1;
  /// Threads searching at once; 1 searches on the calling thread.
  unsigned workers = 1;
};

/// --nearest as CSV: the header `origin,destination,distance,rank`, then
/// for each origin in input order its min(k, candidates) nearest candidates
/// (NeighbourIndex: nearest first, ties by input order, rank from 1), names
/// quoted and distances written as in every CSV output. Origins are
/// searched and encoded in chunks on `workers` threads and written in
/// order, so the bytes do not depend on the workers; memory is the index
/// and the chunks in flight. `locations` is the kernel's table (its names).
/// progress counts origins. The report's cell_count is the rows written.
/// Requires a haversine kernel (job_problem() refuses other metrics).
MatrixReport write_nearest_csv(const DistanceKernel& kernel, const LocationTable& locations,
                               const NearestQuery& query, MatrixOutput& output,
                               const ProgressCallback& progress = {});

}  // namespace dm
