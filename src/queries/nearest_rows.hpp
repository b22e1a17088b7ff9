// NearestRows: --nearest's search, its rows filled a slice of the input at
// a time. find_nearest fills every row at once; the .npz writer fills one
// slice of rows, writes it and hands it to the disk while the next slice is
// searched, so the file reaches the disk during the search instead of after
// it, and only a slice of the arrays is ever in memory.
#pragma once

#include <tbb/enumerable_thread_specific.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/memory/huge_page_allocator.hpp"
#include "distance_matrix/queries/neighbour_search.hpp"
#include "distance_matrix/queries/neighbours_csv.hpp"
#include "src/executors/worker_arena.hpp"

namespace dm {

/// One thread's working memory for NeighbourSearch::nearest_group, reused
/// from one task of origins to the next: made anew for every task of 256
/// origins, it was some 70 allocations a task (a candidate list for each
/// query of a group as it grows).
struct NearestGroupBuffers {
  std::vector<Neighbour> rows;  ///< the group's neighbours, row after row
  std::vector<std::size_t> row_ends;
  NeighbourSearchBuffers search;
};

class NearestRows {
 public:
  /// Slices are made only where, walking the origins in the index's
  /// spatial order, their slice changes at most once every this many on
  /// average (the cities, listed by country: about 14 with 8 slices; random
  /// order: about 1): below it, each slice's groups would be spread over
  /// the whole tree and the search would slow more than the slices save.
  static constexpr std::size_t shortest_mean_run = 8;

  /// Builds the search over query's candidates on `arena` (query.workers
  /// threads; one builds on the calling thread), and cuts the origins' rows
  /// into slices of `rows_per_slice` (the last one shorter), or leaves
  /// them one slice (see shortest_mean_run). Requires
  /// query.k and origins and candidates among the kernel's locations
  /// (std::invalid_argument otherwise). `handed_over`: the kernel itself,
  /// when the caller gave it up (release_handed_over), else null.
  NearestRows(const DistanceKernel& kernel, const NeighbourQuery& query, WorkerArena& arena,
              std::size_t rows_per_slice, DistanceKernel* handed_over = nullptr);

  [[nodiscard]] std::size_t slice_count() const noexcept { return slice_starts_.size() - 1; }
  /// The first row of `slice` (rows count from query.first_origin); slice_count() gives the end.
  [[nodiscard]] std::size_t first_row(std::size_t slice) const noexcept { return slice * rows_per_slice_; }
  [[nodiscard]] std::size_t row_count(std::size_t slice) const noexcept;

  /// Writes the rows of `slice` to `distances` and `indices`, each
  /// row_count(slice) * k long, row r of the slice from r * k: nearest
  /// first, ties by input order, missing ones index -1 and distance +inf.
  /// The slice's origins are searched in the index's spatial order.
  void fill(std::size_t slice, std::span<double> distances, std::span<std::int64_t> indices);

 private:
  const NeighbourQuery& query_;
  WorkerArena& arena_;
  std::unique_ptr<const NeighbourSearch> search_;
  std::size_t rows_per_slice_;  ///< all rows when they are one slice
  /// The origins in the index's spatial order, grouped by slice (stable:
  /// within a slice still in spatial order); slice s is
  /// order_[slice_starts_[s], slice_starts_[s + 1]).
  UnzeroedLargeVector<std::size_t> order_;
  std::vector<std::size_t> slice_starts_;
  /// Each thread's, kept from task to task and slice to slice.
  tbb::enumerable_thread_specific<NearestGroupBuffers> task_buffers_;
};

}  // namespace dm
