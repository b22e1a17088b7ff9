#include "distance_matrix/queries/within_arrays.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <stdexcept>

#include "distance_matrix/queries/neighbour_search.hpp"
#include "src/executors/worker_arena.hpp"

namespace dm {
namespace {

/// The rows of one task of origins, until they are joined in origin order.
struct TaskRows {
  std::vector<std::int64_t> counts;
  std::vector<std::int64_t> indices;
  std::vector<double> distances;
};

}  // namespace

WithinArrays find_within(const DistanceKernel& kernel, const NeighbourQuery& query) {
  if (!query.within || query.origins > kernel.size() || query.first_candidate > kernel.size() ||
      query.first_origin > query.origins) {
    throw std::invalid_argument("find_within needs a distance and origins and candidates among the kernel's locations");
  }
  const NeighbourSearch index(kernel, query.first_candidate, kernel.size());
  const std::size_t rows_searched = query.origins - query.first_origin;
  const std::size_t task_count = (rows_searched + nearest_origins_per_task - 1) / nearest_origins_per_task;
  std::vector<TaskRows> tasks(task_count);
  // A release per task and one acquire at the end: the edge TBB's
  // (uninstrumented) scheduler provides, where ThreadSanitizer sees it.
  std::atomic<std::size_t> tasks_done{0};
  auto search = [&](const tbb::blocked_range<std::size_t>& task_range) {
    std::vector<Neighbour> neighbours;
    NeighbourSearchBuffers buffers;
    for (std::size_t task = task_range.begin(); task != task_range.end(); ++task) {
      TaskRows& rows = tasks[task];
      const std::size_t first = query.first_origin + task * nearest_origins_per_task;
      const std::size_t last = std::min(first + nearest_origins_per_task, query.origins);
      rows.counts.reserve(last - first);
      for (std::size_t origin = first; origin != last; ++origin) {
        index.within(origin, *query.within, query.radius, neighbours, buffers);
        rows.counts.push_back(static_cast<std::int64_t>(neighbours.size()));
        for (const Neighbour& neighbour : neighbours) {
          rows.indices.push_back(static_cast<std::int64_t>(neighbour.index - query.first_candidate));
          rows.distances.push_back(neighbour.distance);
        }
      }
    }
    tasks_done.fetch_add(1, std::memory_order_release);
  };
  const unsigned workers = std::max(query.workers, 1u);
  if (workers == 1 || task_count <= 1) {
    search(tbb::blocked_range<std::size_t>(0, task_count));
  } else {
    WorkerArena arena(workers);
    arena.execute([&] { tbb::parallel_for(tbb::blocked_range<std::size_t>(0, task_count, 1), search); });
    static_cast<void>(tasks_done.load(std::memory_order_acquire));
  }

  WithinArrays result;
  std::size_t total = 0;
  for (const TaskRows& rows : tasks) total += rows.indices.size();
  result.indptr.reserve(rows_searched + 1);
  result.indices.reserve(total);
  result.distances.reserve(total);
  result.indptr.push_back(0);
  for (TaskRows& rows : tasks) {
    for (const std::int64_t count : rows.counts) result.indptr.push_back(result.indptr.back() + count);
    result.indices.insert(result.indices.end(), rows.indices.begin(), rows.indices.end());
    result.distances.insert(result.distances.end(), rows.distances.begin(), rows.distances.end());
    rows = TaskRows{};
  }
  return result;
}

}  // namespace dm
