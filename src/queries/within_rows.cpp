#include "src/queries/within_rows.hpp"

#include "src/executors/fork_join_edges.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <new>
#include <numeric>
#include <stdexcept>
#include <utility>

namespace dm {
namespace {

/// The pairs a window aims at (16 bytes each while searched).
constexpr std::size_t window_pairs = std::size_t{1} << 22;
constexpr std::size_t smallest_window = std::size_t{1} << 10;
constexpr std::size_t largest_window = std::size_t{1} << 22;
/// Origins whose rows estimate the first window's.
constexpr std::size_t window_sample = 64;

/// The pairs and origins to estimate the pairs an origin gives from: those
/// before `first` (`pairs` of them), or at the first a sample's rows.
std::pair<std::size_t, std::size_t> pairs_seen(const NeighbourSearch& search, const NeighbourQuery& query,
                                               std::size_t first, std::size_t pairs, bool later_only) {
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
  return {pairs, std::max<std::size_t>(1, origins)};
}

}  // namespace

void search_within_rows(const NeighbourSearch& search, const NeighbourQuery& query, std::size_t first,
                        std::size_t last, bool later_only, std::size_t expected_pairs, WorkerArena& arena,
                        WithinRows& out) {
  out.first = first;
  out.pairs = 0;
  std::vector<std::size_t> origins(last - first);
  std::iota(origins.begin(), origins.end(), first);
  std::vector<std::size_t> starts;
  search.within_groups(origins, starts);
  const std::size_t group_count = starts.size() - 1;
  // Cleared, not freed: the next window reuses the memory of the last.
  for (WithinGroupRows& rows : out.by_thread) {
    rows.counts.clear();
    rows.neighbours.clear();
  }
  out.places.assign(group_count, {});
  const double distance = *query.within;
  // Each thread's arrays reserved for the whole window's rows (any thread
  // may search most of it): address space, which costs nothing until
  // written. Grown by doubling instead, every step of a huge block was a
  // fresh mapping the kernel zeroes and a copy of the rows so far (a window
  // of 1.6 M pairs, 26 MB of rows, took 110 MB of fresh pages).
  const std::size_t reserved_pairs = within_pairs_room(expected_pairs);
  // A hint only: where the estimate is more than the allocator gives (a
  // sample far denser than the window), the arrays grow as they fill instead.
  auto reserve = [&](WithinGroupRows& rows) {
    try {
      if (rows.neighbours.capacity() < reserved_pairs) rows.neighbours.reserve(reserved_pairs);
      if (rows.counts.capacity() < last - first) rows.counts.reserve(last - first);
    } catch (const std::length_error&) {
    } catch (const std::bad_alloc&) {
    }
  };
  tbb::enumerable_thread_specific<NeighbourSearchBuffers> buffers;
  auto search_groups = [&](const tbb::blocked_range<std::size_t>& range) {
    NeighbourSearchBuffers& mine = buffers.local();
    WithinGroupRows& rows = out.by_thread.local();
    reserve(rows);
    for (std::size_t group = range.begin(); group != range.end(); ++group) {
      const std::span<const std::size_t> members(origins.data() + starts[group], starts[group + 1] - starts[group]);
      out.places[group] = {&rows, rows.counts.size(), rows.neighbours.size()};
      search.within_group(members, distance, query.radius, later_only, rows, mine);
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
  // Only now, with every thread's arrays at their final size, do pointers into them stay put.
  for (std::size_t group = 0; group < group_count; ++group) {
    const WithinRows::GroupPlace& place = out.places[group];
    const Neighbour* row = place.rows->neighbours.data() + place.first_neighbour;
    for (std::size_t member = 0; member < starts[group + 1] - starts[group]; ++member) {
      const std::size_t count = place.rows->counts[place.first_count + member];
      out.rows[origins[starts[group] + member] - first] = {row, count};
      row += count;
      out.pairs += count;
    }
  }
}

std::unique_ptr<NeighbourSearch> neighbour_search_for(const DistanceKernel& kernel, const NeighbourQuery& query,
                                               WorkerArena& arena) {
  if (std::max(query.workers, 1u) == 1) return std::make_unique<NeighbourSearch>(kernel, query.first_candidate, kernel.size());
  std::unique_ptr<NeighbourSearch> search;
  arena.execute([&] { search = std::make_unique<NeighbourSearch>(kernel, query.first_candidate, kernel.size(), true); });
  return search;
}

void release_handed_over(const NeighbourSearch& search, DistanceKernel* handed_over) {
  if (handed_over != nullptr && !search.reads_kernel()) *handed_over = DistanceKernel(handed_over->options());
}

double within_pairs_per_origin(const NeighbourSearch& search, const NeighbourQuery& query, std::size_t first,
                               std::size_t pairs, bool later_only) {
  const auto [seen_pairs, origins] = pairs_seen(search, query, first, pairs, later_only);
  return std::max(1e-3, static_cast<double>(seen_pairs) / static_cast<double>(origins));
}

std::size_t within_window_origins(double pairs_per_origin) noexcept {
  // Whole pairs an origin, at least one.
  const double per_origin = std::max(1.0, std::ceil(pairs_per_origin));
  return std::clamp(static_cast<std::size_t>(static_cast<double>(window_pairs) / per_origin), smallest_window,
                    largest_window);
}

std::size_t expected_within_pairs(double pairs_per_origin, std::size_t origins) noexcept {
  const double pairs = pairs_per_origin * static_cast<double>(origins);
  constexpr double largest = static_cast<double>(std::numeric_limits<std::size_t>::max());
  return pairs >= largest ? std::numeric_limits<std::size_t>::max() : static_cast<std::size_t>(pairs);
}

std::size_t within_pairs_room(std::size_t expected_pairs) noexcept {
  const std::size_t spare = expected_pairs / 4;
  return expected_pairs > std::numeric_limits<std::size_t>::max() - spare ? std::numeric_limits<std::size_t>::max()
                                                                          : expected_pairs + spare;
}

}  // namespace dm
