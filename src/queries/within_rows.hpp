// --within's rows for a window of origins, searched in groups of origins
// near each other (NeighbourSearch::within_group) on a worker arena, handed
// back by origin in input order: the CSV, the .npz and dm.within write them
// from here.
#pragma once

#include <tbb/enumerable_thread_specific.h>

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "distance_matrix/queries/neighbour_search.hpp"
#include "distance_matrix/queries/neighbours_csv.hpp"
#include "src/executors/worker_arena.hpp"

namespace dm {

/// The rows of origins [first, last).
struct WithinRows {
  /// Where a group's rows went: its thread's arrays and its first count and neighbour there.
  struct GroupPlace {
    const WithinGroupRows* rows = nullptr;
    std::size_t first_count = 0;
    std::size_t first_neighbour = 0;
  };
  std::size_t first = 0;
  /// Each searching thread appends its groups' rows to its own arrays: a few
  /// large blocks (on huge pages) instead of one small vector per group,
  /// whose growth cost a page fault per 4 KiB.
  tbb::enumerable_thread_specific<WithinGroupRows> by_thread;
  std::vector<GroupPlace> places;                  ///< by group
  LargeVector<std::span<const Neighbour>> rows;    ///< by origin - first: its row in `by_thread`
  std::size_t pairs = 0;                           ///< all rows' lengths
};

/// Searches origins [first, last) of query.within's search on `arena`
/// (query.workers threads; 1 searches on the calling thread), each row in
/// index order, only the locations after its origin when `later_only`.
/// `expected_pairs`: the caller's estimate of the window's pairs (0 if
/// none), for which each thread's arrays are reserved up front with a
/// quarter to spare (address space, untouched until written), so that
/// they seldom grow: each growth of a huge block is a fresh mapping the
/// kernel zeroes and a copy of the rows so far.
void search_within_rows(const NeighbourSearch& search, const NeighbourQuery& query, std::size_t first,
                        std::size_t last, bool later_only, std::size_t expected_pairs, WorkerArena& arena,
                        WithinRows& out);

/// The search over candidates query.first_candidate … kernel.size() - 1,
/// its tree built on `arena` when query.workers > 1.
[[nodiscard]] std::unique_ptr<NeighbourSearch> neighbour_search_for(const DistanceKernel& kernel, const NeighbourQuery& query,
                                                             WorkerArena& arena);

/// For the writers whose caller handed its kernel over (`handed_over`, the
/// kernel the search was built from; null when it was lent): once the
/// search no longer reads it, its memory (24 bytes a location) goes back
/// to be reused by the search's own arrays. The kernel is left empty.
void release_handed_over(const NeighbourSearch& search, DistanceKernel* handed_over);

/// The pairs an origin gives on average, from the origins before `first`
/// (which gave `pairs`) or, at the first, from a sample of the origins'
/// rows; at least 1e-3.
[[nodiscard]] double within_pairs_per_origin(const NeighbourSearch& search, const NeighbourQuery& query,
                                             std::size_t first, std::size_t pairs, bool later_only);

/// How many origins a window of a streamed output takes, each origin
/// giving `pairs_per_origin` pairs (within_pairs_per_origin): as many as
/// fit some tens of megabytes of rows, so that the groups fill the tree's leaves.
[[nodiscard]] std::size_t within_window_origins(double pairs_per_origin) noexcept;

/// The pairs `origins` origins are expected to give, each `pairs_per_origin`
/// (at most the largest std::size_t).
[[nodiscard]] std::size_t expected_within_pairs(double pairs_per_origin, std::size_t origins) noexcept;

/// Room for `expected_pairs` with a quarter to spare (at most the largest
/// std::size_t): what the rows and the .npz's pieces are reserved for.
[[nodiscard]] std::size_t within_pairs_room(std::size_t expected_pairs) noexcept;

}  // namespace dm
