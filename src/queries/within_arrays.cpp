#include "distance_matrix/queries/within_arrays.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "distance_matrix/queries/neighbour_search.hpp"
#include "src/executors/fork_join_edges.hpp"
#include "src/executors/worker_arena.hpp"
#include "src/queries/within_rows.hpp"

namespace dm {

namespace {

/// The CSR arrays of `rows` as they are (each row holds all its origin's candidates).
WithinArrays as_arrays(const WithinRows& rows, const NeighbourQuery& query, WorkerArena& arena) {
  WithinArrays result;
  result.indptr.resize(rows.rows.size() + 1);
  result.indptr[0] = 0;
  for (std::size_t origin = 0; origin < rows.rows.size(); ++origin) {
    result.indptr[origin + 1] = result.indptr[origin] + static_cast<std::int64_t>(rows.rows[origin].size());
  }
  result.indices.resize(rows.pairs);
  result.distances.resize(rows.pairs);
  auto fill = [&](const tbb::blocked_range<std::size_t>& range) {
    for (std::size_t origin = range.begin(); origin != range.end(); ++origin) {
      auto place = static_cast<std::size_t>(result.indptr[origin]);
      for (const Neighbour& neighbour : rows.rows[origin]) {
        result.indices[place] = static_cast<std::int64_t>(neighbour.index - query.first_candidate);
        result.distances[place] = neighbour.distance;
        ++place;
      }
    }
  };
  if (std::max(query.workers, 1u) == 1) {
    fill(tbb::blocked_range<std::size_t>(0, rows.rows.size()));
  } else {
    ForkJoinEdges edges;
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, rows.rows.size(), nearest_origins_per_task),
                        edges.around(fill));
    });
    edges.joined();
  }
  return result;
}

/// The CSR arrays of a whole table from each origin's later candidates
/// only: row j is the earlier origins that found j (ascending), then j's
/// own later ones. The origins are cut into one range a worker; each range
/// counts the entries it gives every row, so that each knows where in a
/// row its entries go (after those of the ranges before it) and the ranges
/// write at once without sharing a place.
WithinArrays mirrored_arrays(const WithinRows& later, unsigned workers, WorkerArena& arena) {
  const std::size_t count = later.rows.size();
  const std::size_t ranges = std::clamp<std::size_t>(workers, 1, std::max<std::size_t>(1, count));
  const auto range_begin = [&](std::size_t range) { return count * range / ranges; };
  // given[range * count + j]: the entries range gives row j; then where the next goes.
  UnzeroedLargeVector<std::int64_t> given(ranges * count);
  auto run_ranges = [&](auto&& body) {
    if (ranges == 1) {
      body(std::size_t{0});
      return;
    }
    ForkJoinEdges edges;
    auto each = [&](const tbb::blocked_range<std::size_t>& part) {
      for (std::size_t range = part.begin(); range != part.end(); ++range) body(range);
    };
    arena.execute([&] { tbb::parallel_for(tbb::blocked_range<std::size_t>(0, ranges, 1), edges.around(each)); });
    edges.joined();
  };
  run_ranges([&](std::size_t range) {
    std::int64_t* const mine = given.data() + range * count;
    std::fill(mine, mine + count, 0);
    for (std::size_t origin = range_begin(range); origin < range_begin(range + 1); ++origin) {
      for (const Neighbour& neighbour : later.rows[origin]) ++mine[neighbour.index];
    }
  });
  WithinArrays result;
  result.indptr.resize(count + 1);
  std::int64_t place = 0;
  for (std::size_t row = 0; row < count; ++row) {
    result.indptr[row] = place;
    for (std::size_t range = 0; range < ranges; ++range) {
      const std::int64_t entries = given[range * count + row];
      given[range * count + row] = place;
      place += entries;
    }
    place += static_cast<std::int64_t>(later.rows[row].size());
  }
  result.indptr[count] = place;
  result.indices.resize(static_cast<std::size_t>(place));
  result.distances.resize(static_cast<std::size_t>(place));
  run_ranges([&](std::size_t range) {
    std::int64_t* const next = given.data() + range * count;
    for (std::size_t origin = range_begin(range); origin < range_begin(range + 1); ++origin) {
      const std::span<const Neighbour> row = later.rows[origin];
      auto own = static_cast<std::size_t>(result.indptr[origin + 1]) - row.size();
      for (const Neighbour& neighbour : row) {
        const auto mirrored = static_cast<std::size_t>(next[neighbour.index]++);
        result.indices[mirrored] = static_cast<std::int64_t>(origin);
        result.distances[mirrored] = neighbour.distance;
        result.indices[own] = static_cast<std::int64_t>(neighbour.index);
        result.distances[own] = neighbour.distance;
        ++own;
      }
    }
  });
  return result;
}

}  // namespace

WithinArrays find_within(const DistanceKernel& kernel, const NeighbourQuery& query) {
  if (!query.within || query.origins > kernel.size() || query.first_candidate > kernel.size() ||
      query.first_origin > query.origins) {
    throw std::invalid_argument("find_within needs a distance and origins and candidates among the kernel's locations");
  }
  WorkerArena arena(std::max(query.workers, 1u));
  const std::unique_ptr<NeighbourSearch> index = neighbour_search_for(kernel, query, arena);
  WithinRows rows;
  // Over a whole table each pair is found once and mirrored; a share of
  // the origins (a rank's) or another table is searched in both directions.
  const bool whole_table = query.first_candidate == 0 && query.first_origin == 0 && query.origins == kernel.size();
  const double pairs_per_origin = within_pairs_per_origin(*index, query, query.first_origin, 0, whole_table);
  search_within_rows(*index, query, query.first_origin, query.origins, whole_table,
                     expected_within_pairs(pairs_per_origin, query.origins - query.first_origin), arena, rows);
  return whole_table ? mirrored_arrays(rows, std::max(query.workers, 1u), arena) : as_arrays(rows, query, arena);
}

}  // namespace dm
