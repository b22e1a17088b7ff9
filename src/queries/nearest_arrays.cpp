#include "distance_matrix/queries/nearest_arrays.hpp"

#include <algorithm>
#include <span>
#include <stdexcept>

#include "src/executors/worker_arena.hpp"
#include "src/queries/nearest_rows.hpp"

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
  WorkerArena arena(std::max(query.workers, 1u));
  NearestRows search(kernel, query, arena, rows);
  search.fill(0, distances, indices);
}

}  // namespace dm
