#include "distance_matrix/queries/nearest_arrays.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

#include "distance_matrix/queries/neighbour_search.hpp"
#include "src/executors/fork_join_edges.hpp"
#include "src/executors/worker_arena.hpp"

namespace dm {

void find_nearest(const DistanceKernel& kernel, const NeighbourQuery& query, std::span<double> distances,
                  std::span<std::int64_t> indices) {
  if (!query.k || query.origins > kernel.size() || query.first_candidate > kernel.size() ||
      query.first_origin > query.origins) {
    throw std::invalid_argument("find_nearest needs k and origins and candidates among the kernel's locations");
  }
  const std::size_t k = *query.k;
  const std::size_t rows = query.origins - query.first_origin;
  if (distances.size() != rows * k || indices.size() != rows * k) {
    throw std::invalid_argument("find_nearest needs origins × k distances and indices");
  }
  const unsigned workers = std::max(query.workers, 1u);
  WorkerArena arena(workers);
  // Built by the workers too (its large subtrees as tasks of the arena).
  std::unique_ptr<const NeighbourSearch> built;
  if (workers == 1) {
    built = std::make_unique<const NeighbourSearch>(kernel, query.first_candidate, kernel.size());
  } else {
    ForkJoinEdges edges;
    auto build = [&] {
      built = std::make_unique<const NeighbourSearch>(kernel, query.first_candidate, kernel.size(), true);
    };
    arena.execute(edges.around(build));
    edges.joined();
  }
  const NeighbourSearch& index = *built;
  // Origins searched in the index's spatial order (consecutive searches
  // share leaves and cache lines), each answer written at its own row.
  std::vector<std::size_t> order = index.search_order(query.origins);
  std::erase_if(order, [&](std::size_t origin) { return origin < query.first_origin; });
  auto search = [&](const tbb::blocked_range<std::size_t>& positions) {
    std::vector<Neighbour> neighbours;
    std::vector<std::size_t> row_ends;
    NeighbourSearchBuffers buffers;
    // Consecutive origins of the spatial order searched as groups (a tree
    // leaf's worth share one walk of the tree: NeighbourIndex::nearest_group),
    // a task's worth at a time so that the rows' buffer stays small.
    for (std::size_t begin = positions.begin(); begin < positions.end(); begin += nearest_origins_per_task) {
      const std::size_t end = std::min(positions.end(), begin + nearest_origins_per_task);
      const std::span<const std::size_t> origins(order.data() + begin, end - begin);
      index.nearest_group(origins, k, neighbours, row_ends, buffers);
      std::size_t row_begin = 0;
      for (std::size_t i = 0; i < origins.size(); ++i) {
        const std::size_t row = origins[i] - query.first_origin;
        const std::size_t count = row_ends[i] - row_begin;
        std::size_t rank = 0;
        for (; rank < count; ++rank) {
          const Neighbour& neighbour = neighbours[row_begin + rank];
          if (query.within && neighbour.distance > *query.within) break;
          distances[row * k + rank] = neighbour.distance;
          indices[row * k + rank] = static_cast<std::int64_t>(neighbour.index - query.first_candidate);
        }
        for (; rank < k; ++rank) {
          distances[row * k + rank] = std::numeric_limits<double>::infinity();
          indices[row * k + rank] = -1;
        }
        row_begin = row_ends[i];
      }
    }
  };
  const tbb::blocked_range<std::size_t> all(0, rows, nearest_origins_per_task);
  if (workers == 1) {
    search(tbb::blocked_range<std::size_t>(0, rows));
    return;
  }
  ForkJoinEdges edges;
  arena.execute([&] { tbb::parallel_for(all, edges.around(search)); });
  edges.joined();
}

}  // namespace dm
