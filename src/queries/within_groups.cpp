#include "src/queries/within_groups.hpp"

#include <algorithm>
#include <limits>

namespace dm::queries {
namespace {

/// Positions [begin, end) (a leaf: at most ChordTree::leaf_size) whose
/// squared chord from (qx, qy, qz) is at most `squared_reach`, but for the
/// position `skip`, written to `out`; returns how many. The chords in one
/// loop the compiler vectorises, then the positions kept without a branch.
inline std::size_t chords_within(const double* x, const double* y, const double* z, std::uint32_t begin,
                                 std::uint32_t end, double qx, double qy, double qz, double squared_reach,
                                 std::size_t skip, std::size_t* out) noexcept {
  const std::uint32_t count = end - begin;
  x += begin;
  y += begin;
  z += begin;
  double squared[ChordTree::leaf_size];
  for (std::uint32_t point = 0; point < count; ++point) {
    const double dx = x[point] - qx;
    const double dy = y[point] - qy;
    const double dz = z[point] - qz;
    squared[point] = dx * dx + dy * dy + dz * dz;
  }
  std::size_t kept = 0;
  for (std::uint32_t point = 0; point < count; ++point) {
    out[kept] = begin + point;
    kept += static_cast<std::size_t>(squared[point] <= squared_reach);
  }
  // The origin itself, when indexed, is always within: taken out after.
  if (skip - begin < count && kept > 0) {
    std::size_t* const found = std::find(out, out + kept, skip);
    if (found != out + kept) {
      std::copy(found + 1, out + kept, found);
      --kept;
    }
  }
  return kept;
}

/// Zero inside the box.
inline double squared_distance_to_leaf(const ChordTree::Leaf& leaf, double qx, double qy, double qz) noexcept {
  const double gx = std::max({leaf.low[0] - qx, 0.0, qx - leaf.high[0]});
  const double gy = std::max({leaf.low[1] - qy, 0.0, qy - leaf.high[1]});
  const double gz = std::max({leaf.low[2] - qz, 0.0, qz - leaf.high[2]});
  return gx * gx + gy * gy + gz * gz;
}

/// Groups whose leaves hold this many points or more (clusters, where
/// rows are long) scan them in index order instead: sorting the leaves'
/// points once per group costs less than sorting each long row.
constexpr std::size_t sorted_scan_from = 16 * ChordTree::leaf_size;

/// search_within_group's scan for many points: the group's leaves' points
/// gathered in index order, each origin's candidates found in that order
/// (so its row needs no sort) and, over one table, only past the origin.
void scan_in_index_order(const GroupSearchTree& tree, std::span<const std::size_t> group, double distance,
                         double squared_reach, bool later_only, std::size_t room, WithinGroupRows& out,
                         GroupSearchBuffers& buffers) {
  const double* x = tree.searched.unit_x().data();
  const double* y = tree.searched.unit_y().data();
  const double* z = tree.searched.unit_z().data();
  std::vector<std::pair<std::size_t, std::size_t>>& sorted = buffers.sorted;
  sorted.clear();
  for (const ChordTree::Leaf& leaf : buffers.leaves) {
    for (std::uint32_t position = leaf.begin; position < leaf.end; ++position) {
      sorted.emplace_back(tree.location_at[position], position);
    }
  }
  std::sort(sorted.begin(), sorted.end());  // locations are distinct
  buffers.gathered.resize(4 * room);
  double* const gx = buffers.gathered.data();
  double* const gy = gx + room;
  double* const gz = gy + room;
  double* const squared = gz + room;
  for (std::size_t i = 0; i < room; ++i) {
    gx[i] = x[sorted[i].second];
    gy[i] = y[sorted[i].second];
    gz[i] = z[sorted[i].second];
  }
  for (const std::size_t origin : group) {
    const std::size_t position = tree.position_of[origin];
    const double qx = x[position];
    const double qy = y[position];
    const double qz = z[position];
    // Over one table, each pair once from its earlier location: the
    // others are never looked at.
    const std::size_t begin =
        later_only ? static_cast<std::size_t>(std::upper_bound(sorted.begin(), sorted.end(),
                                                               std::pair{origin, std::numeric_limits<std::size_t>::max()}) -
                                              sorted.begin())
                   : 0;
    for (std::size_t i = begin; i < room; ++i) {
      const double dx = gx[i] - qx;
      const double dy = gy[i] - qy;
      const double dz = gz[i] - qz;
      squared[i] = dx * dx + dy * dy + dz * dz;
    }
    std::size_t kept = 0;
    for (std::size_t i = begin; i < room; ++i) {
      buffers.positions[kept] = sorted[i].second;
      kept += static_cast<std::size_t>((squared[i] <= squared_reach) & (sorted[i].first != origin));
    }
    tree.searched.compute_gathered(position, {buffers.positions.data(), kept}, buffers.distances.data());
    const std::size_t row_begin = out.neighbours.size();
    for (std::size_t i = 0; i < kept; ++i) {
      if (buffers.distances[i] <= distance) {
        out.neighbours.push_back({tree.location_at[buffers.positions[i]], buffers.distances[i]});
      }
    }
    out.counts.push_back(out.neighbours.size() - row_begin);
  }
}

}  // namespace

void search_within_group(const GroupSearchTree& tree, std::span<const std::size_t> group, double distance,
                         double squared_reach, bool later_only, WithinGroupRows& out, GroupSearchBuffers& buffers) {
  if (group.empty()) return;
  const double* x = tree.searched.unit_x().data();
  const double* y = tree.searched.unit_y().data();
  const double* z = tree.searched.unit_z().data();
  double low[3];
  double high[3];
  for (int axis = 0; axis < 3; ++axis) {
    low[axis] = std::numeric_limits<double>::infinity();
    high[axis] = -std::numeric_limits<double>::infinity();
  }
  for (const std::size_t origin : group) {
    const std::size_t position = tree.position_of[origin];
    const double coordinate[3] = {x[position], y[position], z[position]};
    for (int axis = 0; axis < 3; ++axis) {
      low[axis] = std::min(low[axis], coordinate[axis]);
      high[axis] = std::max(high[axis], coordinate[axis]);
    }
  }
  // Every point within the reach of an origin is within the reach of the
  // group's box, so in one of these leaves (ChordTree::leaves_near). The
  // box gaps and the chords round differently, but only by about 1e-16:
  // a point the kernel keeps is nearer than the reach by most of the
  // margin (NeighbourIndex::within), far from where they could disagree.
  buffers.leaves.clear();
  tree.chords.leaves_near(low, high, squared_reach, buffers.leaves);
  std::size_t room = 0;
  for (const ChordTree::Leaf& leaf : buffers.leaves) room += leaf.end - leaf.begin;
  if (buffers.positions.size() < room) buffers.positions.resize(room);
  if (buffers.distances.size() < room) buffers.distances.resize(room);

  if (room >= sorted_scan_from) {
    scan_in_index_order(tree, group, distance, squared_reach, later_only, room, out, buffers);
    return;
  }
  for (const std::size_t origin : group) {
    const std::size_t position = tree.position_of[origin];
    std::size_t kept = 0;
    const double qx = x[position];
    const double qy = y[position];
    const double qz = z[position];
    for (const ChordTree::Leaf& leaf : buffers.leaves) {
      // The group's box reaches this leaf; this origin may not (the same
      // test as the tree's, so the same rounding argument).
      if (!(squared_distance_to_leaf(leaf, qx, qy, qz) <= squared_reach)) continue;
      kept += chords_within(x, y, z, leaf.begin, leaf.end, qx, qy, qz, squared_reach, position,
                            buffers.positions.data() + kept);
    }
    if (later_only) {
      // Over one table, each pair once from its earlier location: the
      // others are never measured.
      const std::size_t* location_at = tree.location_at.data();
      std::size_t later = 0;
      for (std::size_t i = 0; i < kept; ++i) {
        const std::size_t candidate = buffers.positions[i];
        buffers.positions[later] = candidate;
        later += static_cast<std::size_t>(location_at[candidate] > origin);
      }
      kept = later;
    }
    tree.searched.compute_gathered(position, {buffers.positions.data(), kept}, buffers.distances.data());
    const std::size_t row_begin = out.neighbours.size();
    for (std::size_t i = 0; i < kept; ++i) {
      if (buffers.distances[i] <= distance) {
        out.neighbours.push_back({tree.location_at[buffers.positions[i]], buffers.distances[i]});
      }
    }
    std::sort(out.neighbours.begin() + static_cast<std::ptrdiff_t>(row_begin), out.neighbours.end(),
              [](const Neighbour& a, const Neighbour& b) { return a.index < b.index; });
    out.counts.push_back(out.neighbours.size() - row_begin);
  }
}

}  // namespace dm::queries
