#include "src/queries/chord_tree.hpp"

#include "src/executors/fork_join_edges.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <utility>

namespace dm::queries {
namespace {

/// Zero inside the box; a free function so that it inlines (no call
/// through the shared module's procedure linkage table).
template <class Box>
inline double squared_distance_to_box(const Box& box, const double query[3]) noexcept {
  double sum = 0;
  for (int axis = 0; axis < 3; ++axis) {
    const double outside = std::max({box.low[axis] - query[axis], 0.0, query[axis] - box.high[axis]});
    sum += outside * outside;
  }
  return sum;
}

/// The nodes of a subtree of `count` points (count > 0) split in halves
/// until a leaf, as build does: 1 for a leaf, else 1 + those of each half.
/// Closed form: the sizes at depth d are floor and ceil of count / 2^d, so
/// every node is inner down to the first depth whose floor is a leaf's,
/// where those of size leaf_size + 1 (count mod 2^d of them) split once more.
std::uint32_t subtree_nodes(std::uint32_t count) noexcept {
  unsigned depth = 0;
  while ((count >> depth) > ChordTree::leaf_size) ++depth;
  const std::uint64_t width = std::uint64_t{1} << depth;
  const std::uint64_t largest = (count + width - 1) / width;
  const std::uint64_t split_again = largest > ChordTree::leaf_size ? count % width : 0;
  return static_cast<std::uint32_t>(2 * width - 1 + 2 * split_again);
}

/// Subtrees smaller than this are built on one thread: a task costs more
/// than their selections.
constexpr std::uint32_t parallel_build_points = 1 << 14;

/// Nodes of at most this many points are split by std::nth_element alone.
constexpr std::uint32_t nth_element_points = 2 * ChordTree::leaf_size;

}  // namespace

struct ChordTree::TreePoint {
  double coordinate[3];
  std::size_t index;
};

namespace {

/// nth_element's contract on `axis` for points [first, last): the point of
/// rank `rank` at first + rank, none after it smaller, none before it
/// larger. std::nth_element mispredicts about half its comparisons on
/// coordinates (and moves 32-byte points on each); so larger nodes are
/// first split by value into bins of equal width over [low, high] (the
/// node's extent on the axis): one pass counts the bins, one moves each
/// point once, without a branch, to `other` (as many points), in bin order;
/// then std::nth_element works inside the one bin that holds the rank. A
/// bin is a monotone function of the coordinate (a subtraction and a
/// product by positive constants round monotonically), so bins in order
/// are values in order. Returns whether the points are now in `other`
/// (else they were selected where they are).
template <class Point>
bool select(Point* first, Point* last, std::uint32_t rank, int axis, double low, double high, Point* other) {
  const auto count = static_cast<std::uint32_t>(last - first);
  const auto by_axis = [axis](const Point& a, const Point& b) { return a.coordinate[axis] < b.coordinate[axis]; };
  if (count <= nth_element_points || !(high > low)) {
    std::nth_element(first, first + rank, last, by_axis);
    return false;
  }
  // About eight points a bin, at most 1024 bins (their counts stay in L1).
  const std::uint32_t bins = std::clamp<std::uint32_t>(count / 8, 16, 1024);
  const double scale = bins / (high - low);
  const auto bin_of = [&](const Point& point) {
    const double scaled = (point.coordinate[axis] - low) * scale;
    return std::min(static_cast<std::uint32_t>(std::max(scaled, 0.0)), bins - 1);
  };
  std::uint32_t counts[1024] = {};
  for (const Point* point = first; point != last; ++point) ++counts[bin_of(*point)];
  std::uint32_t chosen = 0;  // the bin holding the rank
  std::uint32_t below = 0;   // points in the bins before it
  while (below + counts[chosen] <= rank) below += counts[chosen++];
  // Three runs: the bins before the chosen one, the chosen one, the bins after.
  std::uint32_t next[3] = {0, below, below + counts[chosen]};
  for (const Point* point = first; point != last; ++point) {
    const std::uint32_t bin = bin_of(*point);
    const unsigned run = static_cast<unsigned>(bin >= chosen) + static_cast<unsigned>(bin > chosen);
    other[next[run]++] = *point;
  }
  std::nth_element(other + below, other + rank, other + below + counts[chosen], by_axis);
  return true;
}

}  // namespace

ChordTree::ChordTree(const double* x, const double* y, const double* z, std::size_t count, bool parallel,
                     bool copy_coordinates) {
  if (count > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("a neighbour index holds at most 2^32 - 1 locations");
  }
  // Not value-initialised: both arrays are first written below, on every
  // thread of a parallel build, so that the first touches of their fresh
  // pages (a fault and a zeroed huge page each) are shared too instead of
  // falling on one thread while the others wait for the root's selection.
  LargeArray<TreePoint> points(count);
  // A node's points move between the two arrays, at the same positions.
  std::optional<LargeArray<TreePoint>> scratch(std::in_place, count);
  const auto fill = [&](std::size_t begin, std::size_t end) {
    for (std::size_t index = begin; index < end; ++index) {
      points.data()[index] = {{x[index], y[index], z[index]}, index};
      scratch->data()[index] = points.data()[index];
    }
  };
  if (parallel && count >= parallel_build_points) {
    ForkJoinEdges edges;
    auto fill_part = [&](const tbb::blocked_range<std::size_t>& part) { fill(part.begin(), part.end()); };
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, count, parallel_build_points), edges.around(fill_part));
    edges.joined();
  } else {
    fill(0, count);
  }
  if (count > 0) {
    nodes_.resize(subtree_nodes(static_cast<std::uint32_t>(count)));
    build(0, 0, static_cast<std::uint32_t>(count), 0, points.data(), scratch->data(), false, parallel);
  }
  // Released first, so that the arrays below reuse its pages (kept by
  // huge_pages) instead of touching fresh ones.
  scratch.reset();
  order_.resize(count);
  leaf_of_.resize(count);
  for (std::size_t position = 0; position < count; ++position) order_[position] = points.data()[position].index;
  if (copy_coordinates) {
    own_x_.resize(count);
    own_y_.resize(count);
    own_z_.resize(count);
    for (std::size_t position = 0; position < count; ++position) {
      own_x_[position] = points.data()[position].coordinate[0];
      own_y_[position] = points.data()[position].coordinate[1];
      own_z_[position] = points.data()[position].coordinate[2];
    }
    x_ = own_x_.data();
    y_ = own_y_.data();
    z_ = own_z_.data();
  }
  for (std::uint32_t node = 0; node < nodes_.size(); ++node) {
    if (nodes_[node].right != 0) continue;
    for (std::uint32_t position = nodes_[node].begin; position < nodes_[node].end; ++position) {
      leaf_of_[position] = node;
    }
  }
}

void ChordTree::share_coordinates(const double* x, const double* y, const double* z) {
  x_ = x;
  y_ = y;
  z_ = z;
  own_x_ = {};
  own_y_ = {};
  own_z_ = {};
}

void ChordTree::build(std::uint32_t id, std::uint32_t begin, std::uint32_t end, std::uint32_t parent,
                      TreePoint* points, TreePoint* scratch, bool in_scratch, bool parallel) {
  // The node's points are at [begin, end) of `here`; a selection may move
  // them to the same positions of the other array (select), and a leaf's
  // end up in `points`.
  TreePoint* const here = in_scratch ? scratch : points;
  TreePoint* const there = in_scratch ? points : scratch;
  Node node{};
  node.begin = begin;
  node.end = end;
  node.parent = parent;
  // The box in locals, which stay in registers (through node's arrays the
  // compiler kept every minimum and maximum on the stack).
  double low_x = std::numeric_limits<double>::infinity();
  double low_y = low_x;
  double low_z = low_x;
  double high_x = -low_x;
  double high_y = -low_x;
  double high_z = -low_x;
  for (std::uint32_t position = begin; position < end; ++position) {
    const double* const coordinate = here[position].coordinate;
    low_x = std::min(low_x, coordinate[0]);
    low_y = std::min(low_y, coordinate[1]);
    low_z = std::min(low_z, coordinate[2]);
    high_x = std::max(high_x, coordinate[0]);
    high_y = std::max(high_y, coordinate[1]);
    high_z = std::max(high_z, coordinate[2]);
  }
  node.low[0] = low_x;
  node.low[1] = low_y;
  node.low[2] = low_z;
  node.high[0] = high_x;
  node.high[1] = high_y;
  node.high[2] = high_z;
  if (end - begin > leaf_size) {
    int widest = 0;
    for (int axis = 1; axis < 3; ++axis) {
      if (node.high[axis] - node.low[axis] > node.high[widest] - node.low[widest]) widest = axis;
    }
    const std::uint32_t middle = begin + (end - begin) / 2;
    const bool moved =
        select(here + begin, here + end, middle - begin, widest, node.low[widest], node.high[widest], there + begin);
    const bool children_in_scratch = in_scratch != moved;
    // Preorder ids, as a serial build's: the first child is the next node,
    // the second follows the first's subtree.
    node.right = id + 1 + subtree_nodes(middle - begin);
    auto first = [&] { build(id + 1, begin, middle, id, points, scratch, children_in_scratch, parallel); };
    auto second = [&] { build(node.right, middle, end, id, points, scratch, children_in_scratch, parallel); };
    // The halves hold disjoint points and nodes: built at once when large.
    if (parallel && end - begin >= parallel_build_points) {
      ForkJoinEdges edges;
      tbb::parallel_invoke(edges.around(first), edges.around(second));
      edges.joined();
    } else {
      first();
      second();
    }
  } else if (in_scratch) {
    std::copy(here + begin, here + end, points + begin);
  }
  nodes_[id] = node;
}

template <class Visit>
void ChordTree::descend(std::uint32_t id, const double query[3], const double& squared_bound, Visit& visit) const {
  const Node& node = nodes_[id];
  if (node.right == 0) {
    visit(node.begin, node.end);
    return;
  }
  std::uint32_t nearer = id + 1;
  std::uint32_t farther = node.right;
  double nearer_distance = squared_distance_to_box(nodes_[nearer], query);
  double farther_distance = squared_distance_to_box(nodes_[farther], query);
  if (farther_distance < nearer_distance) {
    std::swap(nearer, farther);
    std::swap(nearer_distance, farther_distance);
  }
  if (nearer_distance <= squared_bound) descend(nearer, query, squared_bound, visit);
  // The bound may have shrunk in the nearer child.
  if (farther_distance <= squared_bound) descend(farther, query, squared_bound, visit);
}

template <class Visit>
void ChordTree::search(std::size_t start, const double query[3], const double& squared_bound, Visit& visit) const {
  if (start >= leaf_of_.size()) {
    if (squared_distance_to_box(nodes_[0], query) <= squared_bound) descend(0, query, squared_bound, visit);
    return;
  }
  // Bottom-up: the start's leaf, then at each level up the other child,
  // until the ball of the bound lies inside the node (no point outside it
  // can be within the bound: a k-d tree's split planes separate a node's
  // points from every other point's coordinate on that axis, ties on the
  // plane excluded by the strict test) or the root is searched.
  std::uint32_t child = leaf_of_[start];
  visit(nodes_[child].begin, nodes_[child].end);
  while (child != 0) {
    const std::uint32_t parent = nodes_[child].parent;
    const std::uint32_t sibling = child == parent + 1 ? nodes_[parent].right : parent + 1;
    if (squared_distance_to_box(nodes_[sibling], query) <= squared_bound) descend(sibling, query, squared_bound, visit);
    // The ball's radius, a little larger than computed: the test must
    // never exclude a point the chords would include.
    const double radius = std::sqrt(squared_bound) * (1 + 1e-12) + 1e-15;
    const Node& node = nodes_[parent];
    bool inside = true;
    for (int axis = 0; axis < 3; ++axis) {
      inside = inside && node.low[axis] < query[axis] - radius && query[axis] + radius < node.high[axis];
    }
    if (inside) return;
    child = parent;
  }
}

namespace {

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

}  // namespace

void ChordTree::nearest(const double query[3], std::size_t k, std::size_t skip, double margin,
                        ChordSearchBuffers& buffers) const {
  std::vector<ChordCandidate>& candidates = buffers.candidates;
  std::vector<double>& heap = buffers.nearest_squared;
  candidates.clear();
  heap.clear();
  if (nodes_.empty() || k == 0) return;
  double squared_bound = std::numeric_limits<double>::infinity();
  // Candidates beyond the bound are dropped now and then, not at every
  // shrink: a few extra entries cost less than filtering each time.
  std::size_t compact_at = 4 * k + 64;
  auto visit = [&](std::uint32_t begin, std::uint32_t end) {
    double squared[leaf_size];
    leaf_squared_chords(x_ + begin, y_ + begin, z_ + begin, end - begin, query, squared);
    if (heap.size() < k) {
      // Not k yet (the first leaf, mostly): every other point is a
      // candidate; the k smallest so far set the first bound.
      for (std::uint32_t position = begin; position < end; ++position) {
        if (position == skip) continue;
        candidates.push_back({position, squared[position - begin]});
        heap.push_back(squared[position - begin]);
      }
      if (heap.size() >= k) {
        std::nth_element(heap.begin(), heap.begin() + static_cast<std::ptrdiff_t>(k - 1), heap.end());
        heap.resize(k);
        std::make_heap(heap.begin(), heap.end());
        const double reach = std::sqrt(heap.front()) + margin;
        squared_bound = reach * reach;
      }
      return;
    }
    for (std::uint32_t position = begin; position < end; ++position) {
      const double squared_chord = squared[position - begin];
      if (!(squared_chord <= squared_bound) || position == skip) continue;
      candidates.push_back({position, squared_chord});
      if (squared_chord < heap.front()) {
        std::pop_heap(heap.begin(), heap.end());
        heap.back() = squared_chord;
        std::push_heap(heap.begin(), heap.end());
        const double reach = std::sqrt(heap.front()) + margin;
        squared_bound = reach * reach;
      }
    }
    if (candidates.size() >= compact_at) {
      std::erase_if(candidates, [&](const ChordCandidate& c) { return c.squared_chord > squared_bound; });
      compact_at = std::max(compact_at, 2 * candidates.size());
    }
  };
  search(skip, query, squared_bound, visit);
  std::erase_if(candidates, [&](const ChordCandidate& c) { return c.squared_chord > squared_bound; });
}

void ChordTree::within(const double query[3], double squared_reach, std::size_t start,
                       std::vector<ChordCandidate>& out) const {
  out.clear();
  if (nodes_.empty()) return;
  auto visit = [&](std::uint32_t begin, std::uint32_t end) {
    double squared[leaf_size];
    leaf_squared_chords(x_ + begin, y_ + begin, z_ + begin, end - begin, query, squared);
    for (std::uint32_t position = begin; position < end; ++position) {
      if (squared[position - begin] <= squared_reach) out.push_back({position, squared[position - begin]});
    }
  };
  search(start, query, squared_reach, visit);
}

}  // namespace dm::queries
