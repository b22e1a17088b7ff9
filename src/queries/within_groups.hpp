// The within-distance search for a group of origins at once: one traversal
// of the chord tree for the group's bounding box collects the leaves within
// reach of any of its origins; each origin then scans those leaves (a
// contiguous run of coordinates, in a loop the compiler vectorises) instead
// of walking the tree itself. NeighbourIndex::within_group calls it with its
// tree; the answers are NeighbourIndex::within's, bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/queries/neighbour_index.hpp"
#include "src/queries/chord_tree.hpp"

namespace dm::queries {

/// A group search's working memory, reused from one group to the next.
struct GroupSearchBuffers {
  std::vector<ChordTree::Leaf> leaves;  ///< the leaves within reach of the group
  std::vector<std::size_t> positions;                          ///< one origin's candidates (room for all)
  std::vector<double> distances;                               ///< their distances from the kernel
  std::vector<std::pair<std::size_t, std::size_t>> sorted;     ///< the leaves' (location, position), by location
  std::vector<double> gathered;                                ///< their coordinates in that order, and chords
  /// The leaves' boxes by coordinate (low x, y, z, high x, y, z, each
  /// padded to a multiple of eight): the AVX-512 scan tests an origin
  /// against eight leaves at once.
  std::vector<double> boxes;
};

/// NeighbourIndex's tree as the group search reads it.
struct GroupSearchTree {
  const ChordTree& chords;
  const DistanceKernel& searched;          ///< the kernel in the tree's order (the tree's points first)
  std::span<const std::size_t> location_at;  ///< by position: the kernel's location
  std::span<const std::size_t> position_of;  ///< by kernel location: its position
};

/// Whether the AVX-512 scan runs where the CPU has it (true, the default)
/// or the portable one always (false): for the tests, which check both give
/// the answers. Returns the previous setting. Not thread-safe: set it
/// before searching.
bool allow_within_avx512(bool allowed) noexcept;

/// Appends to `out` the rows of `group`'s origins (kernel locations, in
/// the group's order): every indexed location whose chord from the origin
/// is at most sqrt(squared_reach), the origin left out (and every location
/// not after it when `later_only`), measured by the kernel and kept when at
/// most `distance`, in index order.
void search_within_group(const GroupSearchTree& tree, std::span<const std::size_t> group, double distance,
                         double squared_reach, bool later_only, WithinGroupRows& out, GroupSearchBuffers& buffers);

}  // namespace dm::queries
