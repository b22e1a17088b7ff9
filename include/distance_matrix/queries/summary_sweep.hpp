// distance_matrix/queries/summary_sweep.hpp
//
// summarize_rows: every origin's RowSummary with each pair's distance
// computed once and reduced as it is computed (--summary's fast path).
//
// Thread safety: a pure function of its arguments; runs on `workers` threads.
//
// Example:
//   const dm::DistanceKernel kernel(locations);
//   const dm::MatrixShape shape = dm::MatrixShape::square(kernel.size());
//   std::vector<dm::RowSummary> rows = dm::summarize_rows(kernel, shape, 2);
//   // rows[i]: location i against every other, as summarize_row() gives it

#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/matrix/matrix_shape.hpp"
#include "distance_matrix/queries/row_summary.hpp"

namespace dm {

/// Told the origins summarised so far and the origins in all.
using SummaryProgress = std::function<void(std::size_t origins_done, std::size_t origins)>;

/// One RowSummary per origin of `shape` (a square over all of the kernel's
/// locations, or a rectangle of origins, then destinations, over them;
/// std::invalid_argument otherwise), the same values summarize_row() gives
/// each row of the matrix, bit for bit, for any `workers`:
///  - a square is swept over its upper triangle: each pair's distance is
///    computed once and added to both of its locations' tallies, so the
///    work is n(n−1)/2 distances. It goes in tiles of 64 origins by 128
///    columns: each origin's run is reduced into its row's tally in
///    registers and kept (distance, grid step and square), then the tile's
///    columns are reduced a vector at a time over its 64 origins, in
///    registers too, and moved once into the worker's own column totals
///    (merged at the end). Minima and maxima are kept without their index
///    while a run or a tile is reduced; the index is looked up in the
///    kept tile only when a total improves;
///  - the kernel's fused runs (DistanceKernel::tally_run: haversine, simd)
///    reduce distances in registers without storing them; other metrics and
///    the scalar kernel compute a tile of distances and tally it
///    (tally_values), with the same totals;
///  - the totals are exact (distance_tally.hpp), so neither the order of
///    the distances, nor the workers, nor the tiles change a bit.
/// Memory: O(n) per worker (eight doubles per location) plus the result.
/// `progress`, if set, is told the origins finished (in tasks, from one
/// thread at a time).
[[nodiscard]] std::vector<RowSummary> summarize_rows(const DistanceKernel& kernel, const MatrixShape& shape,
                                                     unsigned workers, const SummaryProgress& progress = {});

}  // namespace dm
