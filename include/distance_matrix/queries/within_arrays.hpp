// distance_matrix/queries/within_arrays.hpp
//
// find_within: --within DISTANCE as the three arrays of a compressed sparse
// row matrix (the Python module's dm.within, scipy.sparse.csr_matrix).
//
// Thread safety: one call returns its own arrays; it starts its own workers.
//
// Example:
//   const dm::WithinArrays pairs = dm::find_within(kernel, {.origins = n, .first_candidate = 0, .k = std::nullopt,
//                                                  .within = 10.0, .radius = dm::mean_earth_radius_km, .workers = 2});
//   // origin o's neighbours: pairs.indices[pairs.indptr[o] … pairs.indptr[o + 1]), distances alike

#pragma once

#include <cstdint>
#include <vector>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/memory/huge_page_allocator.hpp"
#include "distance_matrix/queries/neighbours_csv.hpp"

namespace dm {

/// Every origin's candidates within a distance, row by row (CSR): row o is
/// indices[indptr[o] … indptr[o + 1]) and the same range of distances.
struct WithinArrays {
  UnzeroedLargeVector<std::int64_t> indptr;    ///< one offset per origin searched, and one more, from 0
  UnzeroedLargeVector<std::int64_t> indices;   ///< candidate positions counted from query.first_candidate
  UnzeroedLargeVector<double> distances;       ///< the kernel's doubles, in its unit
};

/// Every candidate at most *query.within from each origin (a pair exactly
/// that far is in), each row in candidate order. Over one table (first
/// candidate 0) both (i, j) and (j, i) are rows' entries, an origin never its
/// own; coincident others are kept, at distance 0 (stored, not dropped).
/// The same NeighbourIndex and doubles as write_neighbours_csv; origins are
/// searched on query.workers threads, rows kept in origin order. Over one
/// whole table each pair is measured once, from its earlier location, and
/// written into both rows (the kernel's d(i, j) and d(j, i) are the same
/// double). Requires
/// query.within and a haversine kernel; query.k is ignored
/// (std::invalid_argument otherwise).
[[nodiscard]] WithinArrays find_within(const DistanceKernel& kernel, const NeighbourQuery& query);

}  // namespace dm
