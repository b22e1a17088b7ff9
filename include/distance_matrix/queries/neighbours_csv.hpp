// distance_matrix/queries/neighbours_csv.hpp
//
// write_neighbours_csv: --nearest K and --within DISTANCE as CSV rows, the
// origins searched in parallel tasks and written in input order.
//
// Thread safety: one call writes one output; it starts its own workers.
//
// Example:
//   dm::write_neighbours_csv(kernel, locations,
//                            {.origins = n, .first_candidate = 0, .k = 10, .within = std::nullopt,
//                             .radius = dm::mean_earth_radius_km, .workers = 4},
//                            output);

#pragma once

#include <cstddef>
#include <optional>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/kernel/location.hpp"
#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/run/matrix_runner.hpp"

namespace dm {

/// Origins searched and encoded as one task: enough to amortise the
/// scheduling, few enough for the last tasks to leave no worker idle long.
inline constexpr std::size_t nearest_origins_per_task = 256;

/// Which neighbours --nearest and --within ask for, over one kernel's table.
struct NeighbourQuery {
  /// Origins are locations first_origin … origins - 1 of the kernel.
  std::size_t origins = 0;
  /// Candidates are locations first_candidate … kernel.size() - 1: 0 for
  /// the origins themselves (each never its own neighbour), `origins` for
  /// the destinations of --to that follow them in the table.
  std::size_t first_candidate = 0;
  /// --nearest K: at most K per origin, nearest first.
  std::optional<std::size_t> k;
  /// --within D, in the kernel's unit: only candidates at most D away.
  std::optional<double> within;
  /// The sphere's radius in the kernel's unit (for --within's search).
  double radius = mean_earth_radius_km;
  /// Threads searching at once; 1 searches on the calling thread.
  unsigned workers = 1;
  /// The first origin searched: 0, or where an MPI rank's share of the
  /// origins starts (distributed/distributed_query.hpp). Arrays hold the
  /// rows from this origin on.
  std::size_t first_origin = 0;
  /// write_neighbours_csv: the header row first (a later rank's share goes without).
  bool with_header = true;
};

/// The neighbours as CSV, origins in input order, names quoted and
/// distances written as in every CSV output:
///  - with k (--nearest, with or without --within): the header
///    `origin,destination,distance,rank`, then each origin's min(k, …)
///    nearest candidates within the distance if any (NeighbourIndex:
///    nearest first, ties by input order, rank from 1);
///  - with only `within`: the header `origin,destination,distance`, then
///    every pair at most that far apart, destinations in input order. Over
///    one table (first_candidate 0) each unordered pair is written once,
///    from the earlier location of the input (as SciPy's query_pairs);
///    with destinations, every origin-destination pair.
/// Origins are searched and encoded in tasks on `workers` threads and
/// written in order, so the bytes do not depend on the workers; memory is
/// the index and the tasks in flight. `locations` is the kernel's table
/// (its names). progress counts origins. The report's cell_count is the
/// rows written. Requires a haversine or geodesic kernel (NeighbourSearch;
/// job_problem() refuses equirectangular) and k or within
/// (std::invalid_argument otherwise).
MatrixReport write_neighbours_csv(const DistanceKernel& kernel, const LocationTable& locations,
                                  const NeighbourQuery& query, MatrixOutput& output,
                                  const ProgressCallback& progress = {});
/// The same bytes, the kernel handed over: for the haversine its memory
/// (24 bytes a location) goes back once the index is built, which searches
/// a reordered copy of its own. The kernel may only be assigned to or
/// destroyed after.
MatrixReport write_neighbours_csv(DistanceKernel&& kernel, const LocationTable& locations,
                                  const NeighbourQuery& query, MatrixOutput& output,
                                  const ProgressCallback& progress = {});

}  // namespace dm
