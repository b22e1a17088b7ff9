#pragma once

// ChordGroupSearch: the k-nearest candidates of a group of nearby queries
// (a tree leaf's own points, or up to leaf_size consecutive origins of a
// Morton order) found in one walk of a ChordTree instead of one per query.
//
// The group shares the tree traversal (one best-first walk over the nodes
// by their distance from the group's bounding box) and each leaf it reaches
// is scanned by every query of the group while its points are in the
// cache. Each query keeps its own bound, so the candidates are exactly
// ChordTree::nearest's contract: every point but the query's own position
// whose chord is at most the query's k-th smallest chord plus the margin.
//
// Thread safety: stateless; the searches use the caller's buffers.

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "src/queries/chord_tree.hpp"

namespace dm::queries {

/// One group search's working memory, reused from one group to the next.
struct ChordGroupBuffers {
  /// Up to this k, each query keeps its k smallest chords in a small sorted
  /// array (branch-free updates); past it, in a heap.
  static constexpr std::size_t small_k = 16;

  struct Query {
    double point[3];
    std::size_t skip;                     ///< its own position, or none (size() or more)
    double squared_bound;                 ///< (sqrt(k-th squared chord) + margin)², +inf until k are seen
    double top[small_k];                  ///< k <= small_k: the k smallest squared chords, ascending, then +inf
    std::vector<double> nearest_squared;  ///< k > small_k: a max-heap of the k smallest squared chords
    std::vector<ChordCandidate> candidates;  ///< the answer once the search returns; its first `used` meanwhile
    std::size_t used;
    std::size_t compact_at;
  };
  /// The queries' points and bounds by coordinate, so that the AVX-512
  /// path tests a leaf's box against eight queries at once (one branch-free
  /// test and a mask, instead of a branch a query that the CPU mispredicts
  /// about as often as not); bound[i] mirrors queries[i].squared_bound.
  struct Lanes {
    alignas(64) double x[ChordTree::leaf_size];
    alignas(64) double y[ChordTree::leaf_size];
    alignas(64) double z[ChordTree::leaf_size];
    alignas(64) double bound[ChordTree::leaf_size];
  };
  std::vector<Query> queries;
  Lanes lanes;
  std::vector<std::pair<double, std::uint32_t>> pending;  ///< nodes to visit and their squared distances, a stack
};

class ChordGroupSearch {
 public:
  /// The most queries a group should hold: one leaf's worth.
  static constexpr std::size_t group_size = ChordTree::leaf_size;

  /// The leaf holding tree position `position` (below tree.size()): the
  /// self-search's groups are runs of positions in one leaf.
  [[nodiscard]] static std::uint32_t leaf_of(const ChordTree& tree, std::size_t position) noexcept {
    return tree.leaf_of_[position];
  }

  /// Whether the AVX-512 leaf scan runs where the CPU has it (true, the
  /// default) or the portable one always (false): for the tests, which check
  /// both give the answers. Returns the previous setting. Not thread-safe:
  /// set it before searching.
  static bool allow_avx512(bool allowed) noexcept;

  /// For each query i (its coordinates x[i], y[i], z[i] and `skip[i]`, the
  /// tree position never to report, or none when size() or more), into
  /// buffers.queries[i].candidates (any order): every point but skip[i]
  /// whose chord is at most the k-th smallest such chord plus `margin`;
  /// every point but skip[i] when fewer than k others exist.
  static void nearest(const ChordTree& tree, std::span<const double> x, std::span<const double> y,
                      std::span<const double> z, std::span<const std::size_t> skip, std::size_t k, double margin,
                      ChordGroupBuffers& buffers);
};

}  // namespace dm::queries
