// ChordTree's searches for a group of queries at once (queries/within_groups.hpp):
// in their own file so that the single-query searches of chord_tree.cpp stay as they are.
#include <algorithm>

#include "src/queries/chord_tree.hpp"

namespace dm::queries {
namespace {

/// The squared distance between two boxes, zero where they overlap: no
/// point of one is nearer to a point of the other. A free function so that
/// it inlines.
template <class Box>
inline double squared_box_gap(const Box& box, const double low[3], const double high[3]) noexcept {
  double sum = 0;
  for (int axis = 0; axis < 3; ++axis) {
    const double gap = std::max({box.low[axis] - high[axis], 0.0, low[axis] - box.high[axis]});
    sum += gap * gap;
  }
  return sum;
}

}  // namespace

std::pair<std::uint32_t, std::uint32_t> ChordTree::leaf_range(std::size_t position) const noexcept {
  const Node& leaf = nodes_[leaf_of_[position]];
  return {leaf.begin, leaf.end};
}

void ChordTree::leaves_near(const double low[3], const double high[3], double squared_reach,
                            std::vector<Leaf>& leaves) const {
  if (nodes_.empty() || !(squared_box_gap(nodes_[0], low, high) <= squared_reach)) return;
  descend_near(0, low, high, squared_reach, leaves);
}

void ChordTree::descend_near(std::uint32_t id, const double low[3], const double high[3], double squared_reach,
                             std::vector<Leaf>& leaves) const {
  const Node& node = nodes_[id];
  if (node.right == 0) {
    // Depth first, first child first: the leaves come in the tree's order.
    leaves.push_back({{node.low[0], node.low[1], node.low[2]},
                      {node.high[0], node.high[1], node.high[2]},
                      node.begin,
                      node.end});
    return;
  }
  if (squared_box_gap(nodes_[id + 1], low, high) <= squared_reach) descend_near(id + 1, low, high, squared_reach, leaves);
  if (squared_box_gap(nodes_[node.right], low, high) <= squared_reach) {
    descend_near(node.right, low, high, squared_reach, leaves);
  }
}

}  // namespace dm::queries
