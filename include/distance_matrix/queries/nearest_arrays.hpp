// distance_matrix/queries/nearest_arrays.hpp
//
// find_nearest: --nearest K into arrays of distances and indices, as
// scikit-learn's kneighbors returns them (the Python module's dm.nearest).
//
// Thread safety: one call fills its own spans; it starts its own workers.
//
// Example:
//   std::vector<double> distances(n * 10);
//   std::vector<std::int64_t> indices(n * 10);
//   dm::find_nearest(kernel, {.origins = n, .first_candidate = 0, .k = 10, .within = std::nullopt,
//                             .radius = dm::mean_earth_radius_km, .workers = 2}, distances, indices);

#pragma once

#include <cstdint>
#include <span>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/queries/neighbours_csv.hpp"

namespace dm {

/// --nearest as arrays, as scikit-learn's kneighbors returns them (the
/// Python module's dm.nearest): row o, k entries from o * k, holds origin
/// o's nearest candidates, nearest first, ties by input order, and where it
/// has fewer than k (or fewer within query.within) the rest are index -1
/// and distance +inf. Indices count from the first candidate (the
/// destinations' own positions with --to). The same NeighbourIndex and
/// doubles as write_neighbours_csv; origins are searched on query.workers
/// threads. Requires query.k, a haversine kernel, and spans of
/// (query.origins - query.first_origin) * *query.k: row r is origin
/// first_origin + r (std::invalid_argument otherwise).
void find_nearest(const DistanceKernel& kernel, const NeighbourQuery& query, std::span<double> distances,
                  std::span<std::int64_t> indices);

}  // namespace dm
