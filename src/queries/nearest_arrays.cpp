#include "distance_matrix/queries/nearest_arrays.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <stdexcept>
#include <vector>

#include "distance_matrix/queries/neighbour_search.hpp"
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
  const NeighbourSearch index(kernel, query.first_candidate, kernel.size());
  // Origins searched in the index's spatial order (consecutive searches
  // share leaves and cache lines), each answer written at its own row.
  std::vector<std::size_t> order = index.search_order(query.origins);
  std::erase_if(order, [&](std::size_t origin) { return origin < query.first_origin; });
  // A release per task and one acquire at the end: the edge TBB's
  // (uninstrumented) scheduler provides, where ThreadSanitizer sees it.
  std::atomic<std::size_t> tasks_done{0};
  auto search = [&](const tbb::blocked_range<std::size_t>& positions) {
    std::vector<Neighbour> neighbours;
    NeighbourSearchBuffers buffers;
    for (std::size_t position = positions.begin(); position != positions.end(); ++position) {
      const std::size_t origin = order[position];
      const std::size_t row = origin - query.first_origin;
      index.nearest(origin, k, neighbours, buffers);
      std::size_t rank = 0;
      for (; rank < neighbours.size(); ++rank) {
        if (query.within && neighbours[rank].distance > *query.within) break;
        distances[row * k + rank] = neighbours[rank].distance;
        indices[row * k + rank] = static_cast<std::int64_t>(neighbours[rank].index - query.first_candidate);
      }
      for (; rank < k; ++rank) {
        distances[row * k + rank] = std::numeric_limits<double>::infinity();
        indices[row * k + rank] = -1;
      }
    }
    tasks_done.fetch_add(1, std::memory_order_release);
  };
  const tbb::blocked_range<std::size_t> all(0, rows, nearest_origins_per_task);
  const unsigned workers = std::max(query.workers, 1u);
  if (workers == 1) {
    search(tbb::blocked_range<std::size_t>(0, rows));
    return;
  }
  WorkerArena arena(workers);
  arena.execute([&] { tbb::parallel_for(all, search); });
  static_cast<void>(tasks_done.load(std::memory_order_acquire));
}

}  // namespace dm
