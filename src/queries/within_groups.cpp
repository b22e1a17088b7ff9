#include "src/queries/within_groups.hpp"

#include <algorithm>
#include <bit>
#include <limits>
#include <utility>

// x86-64 with GCC or Clang: an AVX-512 scan picked at run time when the CPU has it.
#include "src/queries/avx512_lanes.hpp"

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

#if DM_QUERIES_AVX512
// GCC 12 warns inside its own intrinsics' headers (their _mm512_undefined
// operands) once they are inlined here; nothing of ours is uninitialised.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
bool avx512_allowed = true;

/// Whether this CPU runs the AVX-512 scan (asked once) and it is allowed.
bool has_avx512() noexcept { return avx512::cpu_has_avx512f() && avx512_allowed; }

/// chords_within on AVX-512: eight points at a time, the positions within
/// reach compressed in a register and stored with a mask (a compressing
/// store to memory is microcoded on Zen 4). The chords may round a few
/// 1e-16 differently (FMA): the margin in the reach covers it, and every
/// candidate is measured by the kernel.
__attribute__((target("avx512f"))) inline std::size_t chords_within_avx512(
    const double* x, const double* y, const double* z, std::uint32_t begin, std::uint32_t end, double qx, double qy,
    double qz, double squared_reach, std::size_t skip, std::size_t* out) noexcept {
  const __m512d vx = _mm512_set1_pd(qx);
  const __m512d vy = _mm512_set1_pd(qy);
  const __m512d vz = _mm512_set1_pd(qz);
  const __m512d reach = _mm512_set1_pd(squared_reach);
  const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
  std::size_t kept = 0;
  for (std::uint32_t first = begin; first < end; first += 8) {
    __mmask8 active = avx512::first_lanes(end - first);
    if (skip >= first && skip < std::size_t{first} + 8) {
      active = static_cast<__mmask8>(active & ~(1u << (skip - first)));
    }
    const __m512d squared = avx512::squared_chords(x, y, z, first, active, vx, vy, vz);
    const __mmask8 within = _mm512_mask_cmp_pd_mask(active, squared, reach, _CMP_LE_OQ);
    const unsigned count = static_cast<unsigned>(std::popcount(static_cast<unsigned>(within)));
    const __m512i positions = _mm512_add_epi64(lane, _mm512_set1_epi64(static_cast<long long>(first)));
    _mm512_mask_storeu_epi64(out + kept, static_cast<__mmask8>((1u << count) - 1),
                             _mm512_maskz_compress_epi64(within, positions));
    kept += count;
  }
  return kept;
}

/// The origin's candidates in the group's leaves (as the portable loop in
/// search_within_group: the leaves in order, each within reach of the
/// origin scanned), the leaves' boxes tested eight at a time from `boxes`.
__attribute__((target("avx512f"))) std::size_t scan_leaves_avx512(std::span<const ChordTree::Leaf> leaves,
                                                                  const double* boxes, std::size_t stride,
                                                                  const double* x, const double* y,
                                                                  const double* z, double qx, double qy, double qz,
                                                                  double squared_reach, std::size_t skip,
                                                                  std::size_t* out) noexcept {
  const __m512d reach = _mm512_set1_pd(squared_reach);
  std::size_t kept = 0;
  for (std::size_t first = 0; first < leaves.size(); first += 8) {
    const double origin[3] = {qx, qy, qz};
    __m512d gaps[3];
    for (std::size_t axis = 0; axis < 3; ++axis) {
      gaps[axis] = avx512::squared_gaps(_mm512_set1_pd(origin[axis]), _mm512_loadu_pd(boxes + axis * stride + first),
                                        _mm512_loadu_pd(boxes + (3 + axis) * stride + first));
    }
    const __m512d gap = _mm512_add_pd(_mm512_add_pd(gaps[0], gaps[1]), gaps[2]);
    const __mmask8 valid = avx512::first_lanes(leaves.size() - first);
    unsigned reached = _mm512_mask_cmp_pd_mask(valid, gap, reach, _CMP_LE_OQ);
    while (reached != 0) {
      const ChordTree::Leaf& leaf = leaves[first + static_cast<std::size_t>(std::countr_zero(reached))];
      reached &= reached - 1;
      kept += chords_within_avx512(x, y, z, leaf.begin, leaf.end, qx, qy, qz, squared_reach, skip, out + kept);
    }
  }
  return kept;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif

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

bool allow_within_avx512(bool allowed) noexcept {
#if DM_QUERIES_AVX512
  return std::exchange(avx512_allowed, allowed);
#else
  return allowed;
#endif
}

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
#if DM_QUERIES_AVX512
  const bool vector_scan = has_avx512();
  // The leaves' boxes by coordinate, each row padded to eight with boxes
  // that reach nothing (+inf below, -inf above: no gap is within reach).
  const std::size_t stride = (buffers.leaves.size() + 7) / 8 * 8;
  if (vector_scan) {
    buffers.boxes.assign(6 * stride, 0.0);
    for (int axis = 0; axis < 3; ++axis) {
      double* const lows = buffers.boxes.data() + static_cast<std::size_t>(axis) * stride;
      double* const highs = buffers.boxes.data() + static_cast<std::size_t>(3 + axis) * stride;
      for (std::size_t leaf = 0; leaf < stride; ++leaf) {
        const bool real = leaf < buffers.leaves.size();
        lows[leaf] = real ? buffers.leaves[leaf].low[axis] : std::numeric_limits<double>::infinity();
        highs[leaf] = real ? buffers.leaves[leaf].high[axis] : -std::numeric_limits<double>::infinity();
      }
    }
  }
#endif
  for (const std::size_t origin : group) {
    const std::size_t position = tree.position_of[origin];
    std::size_t kept = 0;
    const double qx = x[position];
    const double qy = y[position];
    const double qz = z[position];
#if DM_QUERIES_AVX512
    if (vector_scan) {
      kept = scan_leaves_avx512(buffers.leaves, buffers.boxes.data(), stride, x, y, z, qx, qy, qz, squared_reach,
                                position, buffers.positions.data());
    } else
#endif
    {
      for (const ChordTree::Leaf& leaf : buffers.leaves) {
        // The group's box reaches this leaf; this origin may not (the same
        // test as the tree's, so the same rounding argument).
        if (!(squared_distance_to_leaf(leaf, qx, qy, qz) <= squared_reach)) continue;
        kept += chords_within(x, y, z, leaf.begin, leaf.end, qx, qy, qz, squared_reach, position,
                              buffers.positions.data() + kept);
      }
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
