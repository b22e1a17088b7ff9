#include "src/queries/nearest_rows.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>

#include "src/executors/fork_join_edges.hpp"
#include "src/queries/within_rows.hpp"

namespace dm {

NearestRows::NearestRows(const DistanceKernel& kernel, const NeighbourQuery& query, WorkerArena& arena,
                         std::size_t rows_per_slice, DistanceKernel* handed_over)
    : query_(query), arena_(arena), rows_per_slice_(std::max<std::size_t>(rows_per_slice, 1)) {
  if (!query.k || query.origins > kernel.size() || query.first_candidate > kernel.size() ||
      query.first_origin > query.origins) {
    throw std::invalid_argument("the nearest search needs k and origins and candidates among the kernel's locations");
  }
  search_ = neighbour_search_for(kernel, query, arena);  // built by the workers too
  release_handed_over(*search_, handed_over);  // `kernel` may be empty from here on
  const std::size_t rows = query.origins - query.first_origin;
  const std::size_t slices = std::max<std::size_t>(1, (rows + rows_per_slice_ - 1) / rows_per_slice_);
  LargeVector<std::size_t> spatial = search_->search_order(query.origins);
  std::erase_if(spatial, [&](std::size_t origin) { return origin < query.first_origin; });
  if (slices > 1) {
    UnzeroedLargeVector<std::uint32_t> slice_of(spatial.size());
    std::size_t runs = spatial.empty() ? 0 : 1;
    for (std::size_t place = 0; place < spatial.size(); ++place) {
      slice_of[place] = static_cast<std::uint32_t>((spatial[place] - query.first_origin) / rows_per_slice_);
      runs += static_cast<std::size_t>(place > 0 && slice_of[place] != slice_of[place - 1]);
    }
    // Where the input's order scatters neighbours over the slices (random
    // order), each slice's groups would be spread thin over the whole
    // tree, and the search would slow more than the slices save: one slice.
    if (spatial.size() >= shortest_mean_run * runs) {
      // A counting sort by slice keeps each slice's origins in spatial order.
      slice_starts_.assign(slices + 1, 0);
      for (const std::uint32_t slice : slice_of) ++slice_starts_[slice + 1];
      for (std::size_t slice = 0; slice < slices; ++slice) slice_starts_[slice + 1] += slice_starts_[slice];
      order_.resize(spatial.size());
      std::vector<std::size_t> next(slice_starts_.begin(), slice_starts_.end() - 1);
      for (std::size_t place = 0; place < spatial.size(); ++place) order_[next[slice_of[place]]++] = spatial[place];
      return;
    }
  }
  rows_per_slice_ = std::max<std::size_t>(rows, 1);
  order_.assign(spatial.begin(), spatial.end());
  slice_starts_ = {0, order_.size()};
}

std::size_t NearestRows::row_count(std::size_t slice) const noexcept {
  return slice_starts_[slice + 1] - slice_starts_[slice];
}

void NearestRows::fill(std::size_t slice, std::span<double> distances, std::span<std::int64_t> indices) {
  const std::size_t k = *query_.k;
  const std::size_t rows = row_count(slice);
  if (slice >= slice_count() || distances.size() != rows * k || indices.size() != rows * k) {
    throw std::invalid_argument("NearestRows::fill needs a slice's rows × k distances and indices");
  }
  const std::size_t first_origin = query_.first_origin + first_row(slice);
  const std::size_t* const order = order_.data() + slice_starts_[slice];
  const NeighbourSearch& index = *search_;
  // In locals: through query_ the compiler reloaded both on every cell
  // (a store to the rows might alias them), with the loop's counters
  // spilled to the stack; the copy was a twentieth of the whole run.
  const std::optional<double> within = query_.within;
  const std::size_t first_candidate = query_.first_candidate;
  double* const all_distances = distances.data();
  std::int64_t* const all_indices = indices.data();
  auto search = [&](const tbb::blocked_range<std::size_t>& positions) {
    NearestGroupBuffers& mine = task_buffers_.local();
    std::vector<Neighbour>& neighbours = mine.rows;
    std::vector<std::size_t>& row_ends = mine.row_ends;
    NeighbourSearchBuffers& buffers = mine.search;
    // Consecutive origins of the spatial order searched as groups (a tree
    // leaf's worth share one walk of the tree: NeighbourIndex::nearest_group),
    // a task's worth at a time so that the rows' buffer stays small.
    for (std::size_t begin = positions.begin(); begin < positions.end(); begin += nearest_origins_per_task) {
      const std::size_t end = std::min(positions.end(), begin + nearest_origins_per_task);
      const std::span<const std::size_t> origins(order + begin, end - begin);
      index.nearest_group(origins, k, neighbours, row_ends, buffers);
      std::size_t row_begin = 0;
      for (std::size_t i = 0; i < origins.size(); ++i) {
        const std::size_t row = origins[i] - first_origin;
        const Neighbour* const row_neighbours = neighbours.data() + row_begin;
        std::size_t count = row_ends[i] - row_begin;
        if (within) {
          count = static_cast<std::size_t>(
              std::find_if(row_neighbours, row_neighbours + count,
                           [limit = *within](const Neighbour& neighbour) { return neighbour.distance > limit; }) -
              row_neighbours);
        }
        double* const row_distances = all_distances + row * k;
        std::int64_t* const row_indices = all_indices + row * k;
        for (std::size_t rank = 0; rank < count; ++rank) {
          row_distances[rank] = row_neighbours[rank].distance;
          row_indices[rank] = static_cast<std::int64_t>(row_neighbours[rank].index - first_candidate);
        }
        for (std::size_t rank = count; rank < k; ++rank) {
          row_distances[rank] = std::numeric_limits<double>::infinity();
          row_indices[rank] = -1;
        }
        row_begin = row_ends[i];
      }
    }
  };
  if (std::max(query_.workers, 1u) == 1) {
    search(tbb::blocked_range<std::size_t>(0, rows));
    return;
  }
  ForkJoinEdges edges;
  const tbb::blocked_range<std::size_t> all(0, rows, nearest_origins_per_task);
  arena_.execute([&] { tbb::parallel_for(all, edges.around(search)); });
  edges.joined();
}

}  // namespace dm
