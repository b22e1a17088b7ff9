// distance_matrix/queries/neighbour_index.hpp
//
// NeighbourIndex: exact k-nearest and within-distance searches over a
// kernel's locations: a k-d tree on their unit vectors finds candidates, the
// kernel measures them (its own doubles, ties by index).
//
// Thread safety: const after construction; any number of threads may search.
//
// Example:
//   const dm::NeighbourIndex index(kernel, 0, kernel.size());
//   std::vector<dm::Neighbour> nearest;
//   index.nearest(7, 5, nearest);    // the 5 nearest other locations of location 7

#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/memory/huge_page_allocator.hpp"

namespace dm {

/// A candidate and its distance from the origin, in the kernel's unit.
struct Neighbour {
  std::size_t index = 0;  ///< a location of the kernel's table
  double distance = 0.0;

  friend bool operator==(const Neighbour&, const Neighbour&) = default;
};

/// The rows of a group of origins searched together (NeighbourIndex::within_group).
/// Searches append, so that one thread may gather many groups' rows in one
/// pair of (huge-page backed) arrays.
struct WithinGroupRows {
  LargeVector<std::size_t> counts;     ///< per origin of the group, in the group's order
  LargeVector<Neighbour> neighbours;   ///< their rows one after the other, each in index order
};

/// One thread's reusable search memory: a thread that passes the same one to
/// each of its searches allocates nothing per origin once it is warm. One
/// thread at a time.
class NeighbourSearchBuffers {
 public:
  NeighbourSearchBuffers();
  ~NeighbourSearchBuffers();
  NeighbourSearchBuffers(NeighbourSearchBuffers&&) noexcept;
  NeighbourSearchBuffers& operator=(NeighbourSearchBuffers&&) noexcept;

 private:
  friend class NeighbourIndex;
  struct Storage;
  std::unique_ptr<Storage> storage_;
};

/// An exact k-nearest search over some of a kernel's locations: a k-d tree
/// (src/queries/chord_tree.hpp, points stored in the tree's order) on their
/// unit vectors finds the candidates by chord, and the
/// kernel measures them, so the distances are the matrix outputs' own
/// doubles and the order is theirs, ties broken by location index.
///
/// The chord |a − b| grows strictly with the great-circle angle, so the k
/// nearest by chord are the k nearest on the sphere. The kernel's doubles
/// may round two nearly equal distances the other way round than the
/// chords, so the search takes every candidate whose chord is within a
/// margin (1e-9 of the radius, far above both roundings) of the k-th one,
/// measures them all and keeps the k best: exact whatever the ties
/// (duplicates, a pole at many longitudes, ±180°).
///
/// Haversine only: other metrics (equirectangular) do not grow with the chord.
/// The index searches a reordered copy of the kernel's terms of its own:
/// the kernel may go (or grow) once the index is built.
class NeighbourIndex {
 public:
  /// Indexes locations [first, last) of `kernel`. Throws
  /// std::invalid_argument when the range is outside the kernel.
  /// `parallel_build`: the tree's large subtrees are built as oneTBB tasks
  /// in the caller's arena (the same index; for callers inside their own
  /// worker arena).
  NeighbourIndex(const DistanceKernel& kernel, std::size_t first, std::size_t last, bool parallel_build = false);
  ~NeighbourIndex();
  NeighbourIndex(const NeighbourIndex&) = delete;
  NeighbourIndex& operator=(const NeighbourIndex&) = delete;

  [[nodiscard]] std::size_t size() const noexcept;

  /// The `k` indexed locations nearest to location `origin` of the kernel
  /// (indexed or not), into `out` (cleared first): nearest first, ties by
  /// index. `origin` itself is never its own neighbour; other locations at
  /// its coordinates are, at distance 0. Fewer than k when fewer are
  /// indexed. const and thread-safe: any number of threads may search at once.
  void nearest(std::size_t origin, std::size_t k, std::vector<Neighbour>& out) const;
  /// The same with a thread's own reusable buffers (no allocation once warm).
  void nearest(std::size_t origin, std::size_t k, std::vector<Neighbour>& out, NeighbourSearchBuffers& buffers) const;

  /// nearest() of each of `origins`, searched together: into `out`
  /// (cleared first) row after row, origin i's neighbours at
  /// [row_ends[i - 1], row_ends[i]) (row_ends cleared first, one entry per
  /// origin; from 0 for the first), each row exactly nearest()'s answer.
  /// Origins that are consecutive in search_order() share one walk of the
  /// tree per leaf's worth (src/queries/chord_group_search.hpp), several
  /// times faster than one search each; any origins are accepted.
  void nearest_group(std::span<const std::size_t> origins, std::size_t k, std::vector<Neighbour>& out,
                     std::vector<std::size_t>& row_ends, NeighbourSearchBuffers& buffers) const;

  /// Every indexed location at most `distance` from location `origin`
  /// (the kernel's doubles, in its unit), into `out` (cleared first) in
  /// index order; `origin` itself left out, coincident others kept.
  /// `radius` is the sphere's radius in that unit. Thread-safe.
  void within(std::size_t origin, double distance, double radius, std::vector<Neighbour>& out) const;
  /// The same with a thread's own reusable buffers, and only locations
  /// `from` or later (over one table, each pair once from its earlier
  /// location: from = origin + 1; the others are never measured).
  void within(std::size_t origin, double distance, double radius, std::vector<Neighbour>& out,
              NeighbourSearchBuffers& buffers, std::size_t from = 0) const;

  /// Sorts `origins` (kernel locations, each once) into search_order()'s
  /// order and cuts them into groups for within_group: origins in the
  /// same leaf of the tree (or, not indexed, up to a leaf's worth next to
  /// each other on the Morton curve). `starts` (cleared first) gets each
  /// group's first place in `origins`, then origins.size().
  void within_groups(std::vector<std::size_t>& origins, std::vector<std::size_t>& starts) const;

  /// within() for each origin of `group` (one of within_groups' groups, or
  /// any origins, slower when far apart) at once, appended to `out`: the
  /// same rows, bit for bit. `later_only`: only locations after the origin
  /// (within's from = origin + 1). Faster than one within() per origin: the
  /// tree is walked once for the group, and each origin scans the leaves found.
  void within_group(std::span<const std::size_t> group, double distance, double radius, bool later_only,
                    WithinGroupRows& out, NeighbourSearchBuffers& buffers) const;

  /// Origins 0 … origins - 1 of the kernel, each once, in an order that
  /// keeps consecutive searches in the same part of the sphere (so of the
  /// tree and of memory): the tree's order for indexed origins, by a Morton
  /// curve on the unit cube for the others. Searching
  /// in this order and writing each origin's answer at its own row gives
  /// the same answers as input order, faster.
  [[nodiscard]] LargeVector<std::size_t> search_order(std::size_t origins) const;

 private:
  struct Tree;
  std::size_t kernel_size_;  ///< the kernel's locations when the index was built
  std::size_t first_;
  std::size_t last_;
  std::unique_ptr<Tree> tree_;
};

}  // namespace dm
