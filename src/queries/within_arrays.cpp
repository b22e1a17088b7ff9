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

WithinArrays find_within(const DistanceKernel& kernel, const NeighbourQuery& query) {
  if (!query.within || query.origins > kernel.size() || query.first_candidate > kernel.size() ||
      query.first_origin > query.origins) {
    throw std::invalid_argument("find_within needs a distance and origins and candidates among the kernel's locations");
  }
  WorkerArena arena(std::max(query.workers, 1u));
  const std::unique_ptr<NeighbourSearch> index = neighbour_search_for(kernel, query, arena);
  WithinRows rows;
  // Both directions of each pair: over one table, every row holds all its neighbours.
  search_within_rows(*index, query, query.first_origin, query.origins, false, arena, rows);

  WithinArrays result;
  result.indptr.reserve(rows.rows.size() + 1);
  result.indptr.push_back(0);
  for (const std::span<const Neighbour> row : rows.rows) {
    result.indptr.push_back(result.indptr.back() + static_cast<std::int64_t>(row.size()));
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

}  // namespace dm
