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
/// query.origins * *query.k (std::invalid_argument otherwise).
void find_nearest(const DistanceKernel& kernel, const NeighbourQuery& query, std::span<double> distances,
                  std::span<std::int64_t> indices);

}  // namespace dm
