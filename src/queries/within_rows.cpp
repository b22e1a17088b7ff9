#include "src/queries/within_rows.hpp"

#include "src/executors/fork_join_edges.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <numeric>

namespace dm {
namespace {

/// The pairs a window aims at (16 bytes each while searched).
constexpr std::size_t window_pairs = std::size_t{1} << 22;
constexpr std::size_t smallest_window = std::size_t{1} << 10;
constexpr std::size_t largest_window = std::size_t{1} << 22;
/// Origins whose rows estimate the first window's.
constexpr std::size_t window_sample = 64;

}  // namespace

void search_within_rows(const NeighbourSearch& search, const NeighbourQuery& query, std::size_t first,
                        std::size_t last, bool later_only, WorkerArena& arena, WithinRows& out) {
  out.first = first;
  out.pairs = 0;
  std::vector<std::size_t> origins(last - first);
  std::iota(origins.begin(), origins.end(), first);
  std::vector<std::size_t> starts;
  search.within_groups(origins, starts);
  const std::size_t group_count = starts.size() - 1;
  // Cleared, not freed: the next window reuses the memory of the last.
  out.groups.resize(group_count);
  for (WithinGroupRows& rows : out.groups) {
    rows.counts.clear();
    rows.neighbours.clear();
  }
  const double distance = *query.within;
  tbb::enumerable_thread_specific<NeighbourSearchBuffers> buffers;
  auto search_groups = [&](const tbb::blocked_range<std::size_t>& range) {
    NeighbourSearchBuffers& mine = buffers.local();
    for (std::size_t group = range.begin(); group != range.end(); ++group) {
      const std::span<const std::size_t> members(origins.data() + starts[group], starts[group + 1] - starts[group]);
      search.within_group(members, distance, query.radius, later_only, out.groups[group], mine);
    }
  };
  if (std::max(query.workers, 1u) == 1 || group_count <= 1) {
    search_groups(tbb::blocked_range<std::size_t>(0, group_count));
  } else {
    ForkJoinEdges edges;
    arena.execute(
        [&] { tbb::parallel_for(tbb::blocked_range<std::size_t>(0, group_count, 4), edges.around(search_groups)); });
    edges.joined();
  }
  out.rows.assign(last - first, {});
  for (std::size_t group = 0; group < group_count; ++group) {
    const WithinGroupRows& rows = out.groups[group];
    const Neighbour* row = rows.neighbours.data();
    for (std::size_t member = 0; member < rows.counts.size(); ++member) {
      out.rows[origins[starts[group] + member] - first] = {row, rows.counts[member]};
      row += rows.counts[member];
    }
    out.pairs += rows.neighbours.size();
  }
}

std::unique_ptr<NeighbourSearch> neighbour_search_for(const DistanceKernel& kernel, const NeighbourQuery& query,
                                               WorkerArena& arena) {
  if (std::max(query.workers, 1u) == 1) return std::make_unique<NeighbourSearch>(kernel, query.first_candidate, kernel.size());
  std::unique_ptr<NeighbourSearch> search;
  arena.execute([&] { search = std::make_unique<NeighbourSearch>(kernel, query.first_candidate, kernel.size(), true); });
  return search;
}

std::size_t next_within_window(const NeighbourSearch& search, const NeighbourQuery& query, std::size_t first,
                               std::size_t pairs, bool later_only) {
  std::size_t origins = first - query.first_origin;
  if (origins == 0) {
    const std::size_t stride = std::max<std::size_t>(1, (query.origins - first) / window_sample);
    std::vector<Neighbour> row;
    NeighbourSearchBuffers buffers;
    for (std::size_t origin = first; origin < query.origins && origins < window_sample; origin += stride) {
      search.within(origin, *query.within, query.radius, row, buffers, later_only ? origin + 1 : 0);
      pairs += row.size();
      ++origins;
    }
  }
  const std::size_t per_origin = std::max<std::size_t>(1, (pairs + origins - 1) / std::max<std::size_t>(1, origins));
  return std::clamp(window_pairs / per_origin, smallest_window, largest_window);
}

}  // namespace dm
