// distance_matrix/queries/neighbours_npz.hpp
//
// write_nearest_npz and write_within_npz: --nearest K and --within DISTANCE
// as NumPy .npz archives: scikit-learn's kneighbors arrays, and the CSR
// matrix scipy.sparse.load_npz loads.
//
// Thread safety: one call writes one output; it starts its own workers.
//
// Example:
//   dm::write_within_npz(kernel, {.origins = n, .first_candidate = 0, .k = std::nullopt, .within = 10.0,
//                                 .radius = dm::mean_earth_radius_km, .workers = 2},
//                        dm::ValueType::float64, output);
//   // Python: scipy.sparse.load_npz("pairs.npz") is an n × n csr_matrix

#pragma once

#include <filesystem>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/output/npy_encoder.hpp"
#include "distance_matrix/queries/neighbours_csv.hpp"
#include "distance_matrix/run/matrix_runner.hpp"

namespace dm {

/// --nearest K (with or without --within) as an .npz of two (origins, K)
/// arrays, as scikit-learn's kneighbors returns them: `distances` (float64,
/// or float32 with `type`) and `indices` (int64, counted from
/// query.first_candidate: the destinations' own positions with --to).
/// Row o holds origin o's nearest first, ties by input order; where it has
/// fewer than K candidates (or fewer within the distance) the rest are
/// index -1 and distance inf. The same search as find_nearest (memory
/// O(origins · K)). The report's cell_count is the neighbours found.
/// Requires query.k (std::invalid_argument otherwise).
MatrixReport write_nearest_npz(const DistanceKernel& kernel, const NeighbourQuery& query, ValueType type,
                               MatrixOutput& output, const ProgressCallback& progress = {});
/// The same bytes, the kernel handed over: for the haversine its memory
/// (24 bytes a location) goes back once the index is built, which searches
/// a reordered copy of its own, so that the search's arrays reuse it. The
/// kernel may only be assigned to or destroyed after.
MatrixReport write_nearest_npz(DistanceKernel&& kernel, const NeighbourQuery& query, ValueType type,
                               MatrixOutput& output, const ProgressCallback& progress = {});

/// --within DISTANCE as the .npz of scipy.sparse.save_npz for an
/// (origins, candidates) CSR matrix: members `indices` (int64), `indptr`
/// (int64), `format` (b'csr'), `shape` (int64, 2) and `data` (the
/// distances, float64 or float32 with `type`). Row o holds every candidate
/// at most *query.within from origin o, in index order; over one table
/// both (i, j) and (j, i), never (i, i) (scikit-learn's
/// radius_neighbors_graph); a pair at distance 0 is an explicit zero.
///
/// Rows are searched in tasks on query.workers threads and streamed in
/// order into two anonymous temporary files (`spill_folder`; they vanish
/// however the process ends), the archive assembled from them at the end:
/// memory is O(origins) for indptr plus the tasks in flight, never the
/// pairs; the temporary files hold about 12 (float32) or 16 bytes a pair.
/// The report's cell_count is the pairs. Requires query.within
/// (std::invalid_argument otherwise); IoError when the spill fails.
MatrixReport write_within_npz(const DistanceKernel& kernel, const NeighbourQuery& query, ValueType type,
                              MatrixOutput& output, const ProgressCallback& progress = {},
                              const std::filesystem::path& spill_folder = std::filesystem::temp_directory_path());
/// The same bytes, the kernel handed over (as write_nearest_npz's).
MatrixReport write_within_npz(DistanceKernel&& kernel, const NeighbourQuery& query, ValueType type,
                              MatrixOutput& output, const ProgressCallback& progress = {},
                              const std::filesystem::path& spill_folder = std::filesystem::temp_directory_path());

}  // namespace dm
