#pragma once

// ChordTree: the candidates of NeighbourIndex's searches. A k-d tree on unit
// vectors whose points are copied in the tree's own order, so that a leaf is
// a contiguous run of coordinates and neighbouring leaves sit close in
// memory: queries issued in that order (order()) touch the same leaves one
// after the other instead of missing the cache at every level.
//
// It only finds candidates by squared chord; the kernel measures them
// (queries/neighbour_index.hpp), so it knows nothing of distances.
//
// Thread safety: const after construction; the searches use the caller's
// buffers, so any number of threads may search at once.

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "distance_matrix/memory/huge_page_allocator.hpp"

namespace dm::queries {

/// A point found by a search: its position in the tree's order (order()
/// maps it to the input) and its squared chord from the query.
struct ChordCandidate {
  std::size_t position;
  double squared_chord;
};

/// A search's working memory, reused from one query to the next so that a
/// warm search allocates nothing.
struct ChordSearchBuffers {
  std::vector<ChordCandidate> candidates;
  std::vector<double> nearest_squared;  ///< max-heap of the k smallest squared chords so far
};

class ChordTree {
 public:
  /// Points per leaf at most: a leaf is scanned whole, so small enough to
  /// be cheap, large enough for the scan to vectorise and the tree to stay
  /// shallow. Measured on 171k cities and 1 M random points (docs/queries.md).
  static constexpr std::size_t leaf_size = 32;

  /// Indexes points 0 … count - 1 of the three coordinate arrays (copied).
  /// Throws std::length_error past 2^32 - 1 points (node ranges are 32-bit).
  /// `parallel`: the larger subtrees are built on the calling arena's
  /// threads (the caller runs it inside its own arena); the same tree.
  /// `copy_coordinates` false: no copy is made, and the caller must
  /// share_coordinates() before any search (NeighbourIndex, whose kernel in
  /// the tree's order holds them anyway).
  ChordTree(const double* x, const double* y, const double* z, std::size_t count, bool parallel = false,
            bool copy_coordinates = true);

  [[nodiscard]] std::size_t size() const noexcept { return leaf_of_.size(); }

  /// Reads the coordinates from these arrays from now on, freeing its own
  /// copy: they must hold the same values in the tree's order (x[p] is
  /// the x of input index order()[p]) and outlive the tree.
  void share_coordinates(const double* x, const double* y, const double* z);

  /// The input indices in the tree's order: leaf by leaf, neighbours close.
  [[nodiscard]] std::span<const std::size_t> order() const noexcept { return order_; }

  /// order()'s array handed over, so that an owner that keeps such an
  /// array itself (NeighbourIndex) needs no copy; order() is empty after.
  [[nodiscard]] UnzeroedLargeVector<std::size_t> take_order() noexcept { return std::move(order_); }

  /// Into buffers.candidates (cleared first, any order): every point but
  /// the one at position `skip` (none if it is size() or more) whose chord
  /// from `query` is at most the k-th smallest such chord plus `margin`;
  /// every point but `skip` when fewer than k others exist. Exact: the
  /// bound only shrinks, so nothing within the final one is ever pruned.
  /// The search starts in the leaf of position `skip` when it is one (then
  /// climbs only as far as the bound's ball reaches), else at the root.
  void nearest(const double query[3], std::size_t k, std::size_t skip, double margin,
               ChordSearchBuffers& buffers) const;

  /// Into `out` (cleared first, any order): every point whose squared chord
  /// from `query` is at most `squared_reach`.
  /// `start`: a position near the query (the query's own, when it is one)
  /// whose leaf the search starts from, or none (size() or more).
  void within(const double query[3], double squared_reach, std::size_t start, std::vector<ChordCandidate>& out) const;

  /// Positions [begin, end) of the leaf holding `position` (below size()).
  /// Defined in chord_tree_groups.cpp, as leaves_near.
  [[nodiscard]] std::pair<std::uint32_t, std::uint32_t> leaf_range(std::size_t position) const noexcept;

  /// A leaf: its points' positions and their bounding box.
  struct Leaf {
    double low[3];
    double high[3];
    std::uint32_t begin;
    std::uint32_t end;
  };

  /// Appends to `leaves` every leaf whose box lies within `squared_reach`
  /// (squared) of the box [low, high], in the tree's order: every point
  /// within the reach of a point of the box is in them (a node's box holds
  /// its points, and no two points are nearer than their boxes).
  void leaves_near(const double low[3], const double high[3], double squared_reach, std::vector<Leaf>& leaves) const;

 private:
  friend class ChordGroupSearch;  // a group of queries searches the nodes and leaves together
  struct TreePoint;
  struct Node {
    double low[3];
    double high[3];
    std::uint32_t begin;  ///< points [begin, end) of the tree's order
    std::uint32_t end;
    std::uint32_t right;  ///< an inner node's second child; its first is the next node; 0 for a leaf
    std::uint32_t parent;  ///< the root's is itself (0)
  };

  void build(std::uint32_t id, std::uint32_t begin, std::uint32_t end, std::uint32_t parent,
             TreePoint* points, TreePoint* scratch, bool in_scratch, bool parallel);

  template <class Visit>
  void search(std::size_t start, const double query[3], const double& squared_bound, Visit& visit) const;
  template <class Visit>
  void descend(std::uint32_t node, const double query[3], const double& squared_bound, Visit& visit) const;
  void descend_near(std::uint32_t node, const double low[3], const double high[3], double squared_reach,
                    std::vector<Leaf>& leaves) const;

  LargeVector<Node> nodes_;
  LargeVector<double> own_x_;  ///< the points' coordinates in the tree's order, until shared
  LargeVector<double> own_y_;
  LargeVector<double> own_z_;
  const double* x_ = nullptr;  ///< own_x_ or the shared copy
  const double* y_ = nullptr;
  const double* z_ = nullptr;
  UnzeroedLargeVector<std::size_t> order_;
  UnzeroedLargeVector<std::uint32_t> leaf_of_;  ///< by position: the node of the leaf holding it
};

}  // namespace dm::queries
