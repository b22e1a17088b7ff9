#include "src/queries/chord_group_search.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

// Why the group's candidates are exact (the same contract as
// ChordTree::nearest, so NeighbourIndex's margin argument applies unchanged):
//
//  - Every computed distance is monotone in its inputs under rounding: for
//    a point p inside a box B and a query q inside the group's box G, per
//    axis the rounded gap between G and B is at most the rounded gap between
//    q and B, which is at most the rounded |p - q|; squares and sums of
//    non-negative doubles keep that order. So, in doubles,
//        box_to_box(G, B) <= point_to_box(q, B) <= squared_chord(q, p).
//  - Each query's bound (sqrt(k-th smallest squared chord so far) + margin)²
//    only shrinks, and is +inf until it has seen k points.
//  - A node is left out only when its box-to-box distance exceeds the
//    largest of the queries' bounds; a leaf is skipped for one query only
//    when its point-to-box distance exceeds that query's bound; a point is
//    dropped only when its chord exceeds the bound at that time. By the
//    inequalities above none of them can be within the query's final bound,
//    so every point within it is a candidate; the points beyond it are
//    erased at the end. The k nearest points by chord are all seen, so the
//    final k-th chord is the true one and the margin is measured from it.

namespace dm::queries {
namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

/// Zero inside the box.
template <class Box>
inline double squared_distance_to_box(const Box& box, const double query[3]) noexcept {
  double sum = 0;
  for (int axis = 0; axis < 3; ++axis) {
    const double outside = std::max({box.low[axis] - query[axis], 0.0, query[axis] - box.high[axis]});
    sum += outside * outside;
  }
  return sum;
}

/// Zero when the boxes touch or overlap.
template <class Box>
inline double squared_box_gap(const Box& box, const double low[3], const double high[3]) noexcept {
  double sum = 0;
  for (int axis = 0; axis < 3; ++axis) {
    const double outside = std::max({box.low[axis] - high[axis], 0.0, low[axis] - box.high[axis]});
    sum += outside * outside;
  }
  return sum;
}

/// The squared chords of a leaf's points from the query, in a loop the
/// compiler vectorises.
inline void leaf_squared_chords(const double* x, const double* y, const double* z, std::uint32_t count,
                                const double query[3], double* out) noexcept {
  const double qx = query[0];
  const double qy = query[1];
  const double qz = query[2];
  for (std::uint32_t point = 0; point < count; ++point) {
    const double dx = x[point] - qx;
    const double dy = y[point] - qy;
    const double dz = z[point] - qz;
    out[point] = dx * dx + dy * dy + dz * dz;
  }
}

inline double squared_reach(double kth_squared, double margin) noexcept {
  const double reach = std::sqrt(kth_squared) + margin;
  return reach * reach;
}

/// The k smallest squared chords so far, ascending, for k up to
/// ChordGroupBuffers::small_k, the rest +inf: inserting v is
/// t[j] = min(t[j], max(t[j - 1], v)) for every j at once, with no branch
/// (v past the k-th changes nothing), which the compiler vectorises.
inline void insert_small(double* top, double value) noexcept {
  constexpr std::size_t size = ChordGroupBuffers::small_k;
  double shifted[size];
  shifted[0] = -infinity;
  for (std::size_t j = 1; j < size; ++j) shifted[j] = top[j - 1];
  for (std::size_t j = 0; j < size; ++j) top[j] = std::min(top[j], std::max(shifted[j], value));
}

/// Room for a leaf's candidates after the query's `used` ones.
inline ChordCandidate* candidate_room(ChordGroupBuffers::Query& query) {
  if (query.candidates.size() < query.used + ChordTree::leaf_size) {
    query.candidates.resize(2 * (query.used + ChordTree::leaf_size));
  }
  return query.candidates.data() + query.used;
}

/// Drops the query's candidates past its bound, keeping the order.
inline void compact(ChordGroupBuffers::Query& query) noexcept {
  ChordCandidate* candidates = query.candidates.data();
  const double bound = query.squared_bound;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < query.used; ++i) {
    candidates[kept] = candidates[i];
    kept += candidates[i].squared_chord <= bound ? 1 : 0;
  }
  query.used = kept;
}

/// One query's scan of one leaf: every point within the query's bound as it
/// stands becomes a candidate (gathered without a branch per point: which
/// points pass is unpredictable), the k smallest chords are updated with
/// them, and the bound shrinks once per leaf. Candidates that end up past
/// the bound are dropped now and then (a few extra entries cost less than
/// filtering at every shrink) and at the end.
inline void scan_leaf(ChordGroupBuffers::Query& query, const double* x, const double* y, const double* z,
                      std::uint32_t begin, std::uint32_t end, std::size_t k, double margin) {
  double squared[ChordTree::leaf_size];
  const std::uint32_t count = end - begin;
  leaf_squared_chords(x + begin, y + begin, z + begin, count, query.point, squared);
  // The query's own point is never a candidate (a NaN passes no test).
  if (query.skip >= begin && query.skip < end) squared[query.skip - begin] = std::numeric_limits<double>::quiet_NaN();
  const double bound = query.squared_bound;
  ChordCandidate* room = candidate_room(query);
  std::uint32_t hits = 0;
  for (std::uint32_t point = 0; point < count; ++point) {
    room[hits] = {begin + point, squared[point]};
    hits += squared[point] <= bound ? 1 : 0;
  }
  query.used += hits;
  if (k <= ChordGroupBuffers::small_k) {
    for (std::uint32_t hit = 0; hit < hits; ++hit) insert_small(query.top, room[hit].squared_chord);
    query.squared_bound = squared_reach(query.top[k - 1], margin);  // +inf until k are seen
  } else {
    // Large k: a max-heap of the k smallest.
    std::vector<double>& heap = query.nearest_squared;
    for (std::uint32_t hit = 0; hit < hits; ++hit) {
      const double squared_chord = room[hit].squared_chord;
      if (heap.size() < k) {
        heap.push_back(squared_chord);
        std::push_heap(heap.begin(), heap.end());
      } else if (squared_chord < heap.front()) {
        std::pop_heap(heap.begin(), heap.end());
        heap.back() = squared_chord;
        std::push_heap(heap.begin(), heap.end());
      }
    }
    if (heap.size() >= k) query.squared_bound = squared_reach(heap.front(), margin);
  }
  if (query.used >= query.compact_at) {
    compact(query);
    query.compact_at = std::max(query.compact_at, 2 * query.used);
  }
}

}  // namespace

void ChordGroupSearch::nearest(const ChordTree& tree, std::span<const double> x, std::span<const double> y,
                               std::span<const double> z, std::span<const std::size_t> skip, std::size_t k,
                               double margin, ChordGroupBuffers& buffers) {
  const std::size_t count = skip.size();
  if (buffers.queries.size() < count) buffers.queries.resize(count);
  double low[3] = {infinity, infinity, infinity};
  double high[3] = {-infinity, -infinity, -infinity};
  for (std::size_t i = 0; i < count; ++i) {
    ChordGroupBuffers::Query& query = buffers.queries[i];
    query.point[0] = x[i];
    query.point[1] = y[i];
    query.point[2] = z[i];
    query.skip = skip[i];
    query.squared_bound = infinity;
    std::fill(std::begin(query.top), std::end(query.top), infinity);
    query.nearest_squared.clear();
    query.used = 0;
    query.compact_at = 4 * k + 64;
    for (int axis = 0; axis < 3; ++axis) {
      low[axis] = std::min(low[axis], query.point[axis]);
      high[axis] = std::max(high[axis], query.point[axis]);
    }
  }
  if (tree.nodes_.empty() || k == 0 || count == 0) {
    for (std::size_t i = 0; i < count; ++i) buffers.queries[i].candidates.clear();
    return;
  }
  const std::span<ChordGroupBuffers::Query> queries(buffers.queries.data(), count);

  // Best-first over the nodes by their distance from the group's box: the
  // leaves nearest the group come first, so the bounds shrink early and
  // most of the farther nodes are never opened.
  auto& frontier = buffers.frontier;
  frontier.clear();
  const auto farther_first = std::greater<>();
  double group_bound = infinity;  // the largest of the queries' bounds
  // A group of one leaf's points (the self-search's) scans that leaf first:
  // each query's own neighbourhood sets a tight first bound.
  constexpr std::uint32_t no_leaf = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t first_leaf = no_leaf;
  if (skip[0] < tree.size()) {
    first_leaf = tree.leaf_of_[skip[0]];
    for (std::size_t i = 1; i < count && first_leaf != no_leaf; ++i) {
      if (skip[i] >= tree.size() || tree.leaf_of_[skip[i]] != first_leaf) first_leaf = no_leaf;
    }
  }
  if (first_leaf != no_leaf) {
    const ChordTree::Node& leaf = tree.nodes_[first_leaf];
    double largest = 0;
    for (ChordGroupBuffers::Query& query : queries) {
      scan_leaf(query, tree.x_, tree.y_, tree.z_, leaf.begin, leaf.end, k, margin);
      largest = std::max(largest, query.squared_bound);
    }
    group_bound = largest;
  }
  frontier.emplace_back(squared_box_gap(tree.nodes_[0], low, high), 0);
  while (!frontier.empty()) {
    std::pop_heap(frontier.begin(), frontier.end(), farther_first);
    const auto [gap, id] = frontier.back();
    frontier.pop_back();
    if (gap > group_bound) break;  // the nearest left is out of every query's reach
    const ChordTree::Node& node = tree.nodes_[id];
    if (node.right != 0) {
      for (const std::uint32_t child : {id + 1, node.right}) {
        const double child_gap = squared_box_gap(tree.nodes_[child], low, high);
        if (child_gap <= group_bound) {
          frontier.emplace_back(child_gap, child);
          std::push_heap(frontier.begin(), frontier.end(), farther_first);
        }
      }
      continue;
    }
    if (id == first_leaf) continue;  // scanned first
    double largest = 0;
    for (ChordGroupBuffers::Query& query : queries) {
      if (squared_distance_to_box(node, query.point) <= query.squared_bound) {
        scan_leaf(query, tree.x_, tree.y_, tree.z_, node.begin, node.end, k, margin);
      }
      largest = std::max(largest, query.squared_bound);
    }
    group_bound = largest;
  }
  for (ChordGroupBuffers::Query& query : queries) {
    compact(query);
    query.candidates.resize(query.used);
  }
}

}  // namespace dm::queries
