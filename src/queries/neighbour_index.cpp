#include "distance_matrix/queries/neighbour_index.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <utility>

#include "src/queries/chord_group_search.hpp"
#include "src/queries/avx512_lanes.hpp"
#include "src/queries/chord_tree.hpp"
#include "src/queries/within_groups.hpp"

namespace dm {
namespace {

/// Candidates whose chord exceeds the k-th one by at most this (on the unit
/// sphere) are measured too. The kernel's error is below 1.6e-13 of the
/// radius and the chords' own rounding about 1e-16: a candidate the kernel
/// puts before the k-th can only be this close.
constexpr double chord_margin = 1e-9;

bool nearer(const Neighbour& a, const Neighbour& b) noexcept {
  return a.distance < b.distance || (a.distance == b.distance && a.index < b.index);
}

#if DM_QUERIES_AVX512
// GCC 12 warns inside its own intrinsics' headers (their _mm512_undefined
// operands) once they are inlined here; nothing of ours is uninitialised.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
/// keep_nearest's counting for up to 16 candidates on AVX-512: each one's
/// place is the number of candidates before it (nearer, or as near with a
/// smaller location), two vectors of each compared at once.
__attribute__((target("avx512f"))) void rank_avx512(const std::size_t* locations, const double* distances,
                                                     std::size_t count, std::size_t kept, Neighbour* out) {
  const auto low_count = static_cast<unsigned>(std::min<std::size_t>(count, 8));
  const auto high_count = static_cast<unsigned>(count - low_count);
  const auto low_active = static_cast<__mmask8>((1u << low_count) - 1);
  const auto high_active = static_cast<__mmask8>((1u << high_count) - 1);
  const __m512d low_distances = _mm512_maskz_loadu_pd(low_active, distances);
  const __m512d high_distances = _mm512_maskz_loadu_pd(high_active, distances + 8);
  const __m512i low_locations = _mm512_maskz_loadu_epi64(low_active, locations);
  const __m512i high_locations = _mm512_maskz_loadu_epi64(high_active, locations + 8);
  for (std::size_t i = 0; i < count; ++i) {
    const __m512d distance = _mm512_set1_pd(distances[i]);
    const __m512i location = _mm512_set1_epi64(static_cast<long long>(locations[i]));
    const unsigned low_before =
        unsigned{_mm512_mask_cmp_pd_mask(low_active, low_distances, distance, _CMP_LT_OQ)} |
        (unsigned{_mm512_mask_cmp_pd_mask(low_active, low_distances, distance, _CMP_EQ_OQ)} &
         unsigned{_mm512_cmplt_epu64_mask(low_locations, location)});
    const unsigned high_before =
        unsigned{_mm512_mask_cmp_pd_mask(high_active, high_distances, distance, _CMP_LT_OQ)} |
        (unsigned{_mm512_mask_cmp_pd_mask(high_active, high_distances, distance, _CMP_EQ_OQ)} &
         unsigned{_mm512_cmplt_epu64_mask(high_locations, location)});
    const auto place = static_cast<std::size_t>(__builtin_popcount(low_before) + __builtin_popcount(high_before));
    if (place < kept) out[place] = {locations[i], distances[i]};
  }
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#endif

/// Appends the `k` nearest of the candidates (kernel locations and their
/// distances, `count` of each) to `out`, nearest first, ties by location.
/// A few more than k is the usual count: each one's place is counted
/// against the others in a loop without branches, which vectorises (the
/// order is strict, the locations being distinct), cheaper than a sort's
/// unpredictable branches; many are partially sorted.
void keep_nearest(const std::size_t* locations, const double* distances, std::size_t count, std::size_t k,
                  std::vector<Neighbour>& row, std::vector<Neighbour>& out) {
  const std::size_t kept = std::min(k, count);
  const std::size_t first = out.size();
  if (count > 64) {
    row.clear();
    for (std::size_t c = 0; c < count; ++c) row.push_back({locations[c], distances[c]});
    std::partial_sort(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(kept), row.end(), nearer);
    out.insert(out.end(), row.begin(), row.begin() + static_cast<std::ptrdiff_t>(kept));
    return;
  }
  out.resize(first + kept);
#if DM_QUERIES_AVX512
  if (count <= 16 && queries::avx512::cpu_has_avx512f()) {
    rank_avx512(locations, distances, count, kept, out.data() + first);
    return;
  }
#endif
  // A tie is rare: the distances alone place a candidate (their compares
  // vectorise; 64-bit integer compares do not before SSE4.2), and the
  // locations are compared only where another candidate is as near.
  for (std::size_t i = 0; i < count; ++i) {
    const double distance = distances[i];
    std::size_t place = 0;
    std::size_t as_near = 0;  // itself included
    for (std::size_t j = 0; j < count; ++j) {
      place += distances[j] < distance ? 1 : 0;
      as_near += distances[j] == distance ? 1 : 0;
    }
    const std::size_t location = locations[i];
    if (as_near > 1) {
      for (std::size_t j = 0; j < count; ++j) place += distances[j] == distance && locations[j] < location ? 1 : 0;
    }
    if (place < kept) out[first + place] = {location, distance};
  }
}

/// Every other bit of the low 21 bits of `value`, spread three apart.
std::uint64_t spread_by_three(std::uint64_t value) noexcept {
  value &= 0x1fffff;
  value = (value | value << 32) & 0x1f00000000ffffULL;
  value = (value | value << 16) & 0x1f0000ff0000ffULL;
  value = (value | value << 8) & 0x100f00f00f00f00fULL;
  value = (value | value << 4) & 0x10c30c30c30c30c3ULL;
  value = (value | value << 2) & 0x1249249249249249ULL;
  return value;
}

/// A unit vector's place on the Morton (Z-order) curve through the cube [-1, 1]³.
std::uint64_t morton_key(double x, double y, double z) noexcept {
  constexpr double cells = 1 << 21;
  auto cell = [](double coordinate) {
    const double scaled = (coordinate + 1.0) * 0.5 * cells;
    return static_cast<std::uint64_t>(std::clamp(scaled, 0.0, cells - 1));
  };
  return spread_by_three(cell(x)) | spread_by_three(cell(y)) << 1 | spread_by_three(cell(z)) << 2;
}

/// The chord within() and within_group() search: that of the angle, plus
/// the margin for the kernel's rounding; past half the circumference,
/// everything. A location the kernel puts within `distance` has a true
/// chord below the angle's plus the kernel's error (1.6e-13), so its
/// computed chord is short of the reach by nearly all the margin: the
/// tree's box tests and the chords (each rounded by about 1e-16) keep it.
double within_reach(double distance, double radius) noexcept {
  const double angle = distance / radius;
  return angle >= std::numbers::pi ? std::numeric_limits<double>::infinity() : 2 * std::sin(angle / 2) + chord_margin;
}

}  // namespace

struct NeighbourSearchBuffers::Storage {
  queries::ChordSearchBuffers chords;
  std::vector<std::size_t> positions;  ///< the candidates, to be measured together
  std::vector<double> distances;
  queries::ChordGroupBuffers group;    ///< nearest_group's: one group's queries
  std::vector<std::size_t> group_positions;
  std::vector<std::size_t> anchors;  ///< a group's: each candidate's query position, beside positions
  std::vector<double> group_x;
  std::vector<double> group_y;
  std::vector<double> group_z;
  std::vector<Neighbour> row;
  std::vector<std::size_t> locations;
  queries::GroupSearchBuffers within_group;  ///< within_group's
};

NeighbourSearchBuffers::NeighbourSearchBuffers() : storage_(std::make_unique<Storage>()) {}
NeighbourSearchBuffers::~NeighbourSearchBuffers() = default;
NeighbourSearchBuffers::NeighbourSearchBuffers(NeighbourSearchBuffers&&) noexcept = default;
NeighbourSearchBuffers& NeighbourSearchBuffers::operator=(NeighbourSearchBuffers&&) noexcept = default;

/// The tree over the indexed locations and a copy of the kernel in the
/// tree's order (the indexed locations first, leaf by leaf, then the
/// others by a Morton curve): a search reads the query, the leaves and the
/// candidates' prepared terms from neighbouring memory, whatever the input order.
struct NeighbourIndex::Tree {
  Tree(const DistanceKernel& kernel, std::size_t first, std::size_t last, bool parallel_build)
      : chords(kernel.unit_x().data() + first, kernel.unit_y().data() + first, kernel.unit_z().data() + first,
               last - first, parallel_build, false),
        location_at(ordered_locations(kernel, first, last, chords.take_order())),
        position_of(kernel.size()),
        searched(kernel.reordered(location_at, parallel_build)) {
    for (std::size_t position = 0; position < location_at.size(); ++position) {
      position_of[location_at[position]] = position;
    }
    // The reordered kernel's first positions are the tree's points, in its order.
    chords.share_coordinates(searched.unit_x().data(), searched.unit_y().data(), searched.unit_z().data());
  }

  /// The tree's order (its input indices, made kernel locations) and
  /// after it the locations outside the tree, in Morton order.
  static UnzeroedLargeVector<std::size_t> ordered_locations(const DistanceKernel& kernel, std::size_t first,
                                                            std::size_t last,
                                                            UnzeroedLargeVector<std::size_t> tree_order) {
    UnzeroedLargeVector<std::size_t> locations = std::move(tree_order);
    if (first != 0) {
      for (std::size_t& location : locations) location += first;
    }
    locations.reserve(kernel.size());
    std::vector<std::pair<std::uint64_t, std::size_t>> others;
    others.reserve(kernel.size() - (last - first));
    const auto x = kernel.unit_x();
    const auto y = kernel.unit_y();
    const auto z = kernel.unit_z();
    for (std::size_t location = 0; location < kernel.size(); ++location) {
      if (location < first || location >= last) {
        others.emplace_back(morton_key(x[location], y[location], z[location]), location);
      }
    }
    std::sort(others.begin(), others.end());
    for (const auto& other : others) locations.push_back(other.second);
    return locations;
  }

  /// The candidates' kernel locations and distances from the location at
  /// `position`, measured in one gathered run of the reordered kernel.
  void measure(std::size_t position, NeighbourSearchBuffers::Storage& storage) const {
    storage.positions.clear();
    for (const queries::ChordCandidate& candidate : storage.chords.candidates) {
      storage.positions.push_back(candidate.position);
    }
    storage.distances.resize(storage.positions.size());
    searched.compute_gathered(position, storage.positions, storage.distances.data());
  }

  queries::ChordTree chords;
  UnzeroedLargeVector<std::size_t> location_at;  ///< by position in `searched`: the kernel's location
  LargeVector<std::size_t> position_of;  ///< by kernel location: its position in `searched`
  DistanceKernel searched;
};

NeighbourIndex::NeighbourIndex(const DistanceKernel& kernel, std::size_t first, std::size_t last, bool parallel_build)
    : kernel_size_(kernel.size()), first_(first), last_(last) {
  if (first > last || last > kernel.size()) throw std::invalid_argument("the indexed range is outside the kernel");
  tree_ = std::make_unique<Tree>(kernel, first, last, parallel_build);
}

NeighbourIndex::~NeighbourIndex() = default;

std::size_t NeighbourIndex::size() const noexcept { return last_ - first_; }

void NeighbourIndex::nearest(std::size_t origin, std::size_t k, std::vector<Neighbour>& out) const {
  NeighbourSearchBuffers buffers;
  nearest(origin, k, out, buffers);
}

void NeighbourIndex::nearest(std::size_t origin, std::size_t k, std::vector<Neighbour>& out,
                             NeighbourSearchBuffers& buffers) const {
  out.clear();
  if (k == 0 || size() == 0) return;
  const std::size_t position = tree_->position_of[origin];
  const DistanceKernel& searched = tree_->searched;
  const double query[3] = {searched.unit_x()[position], searched.unit_y()[position], searched.unit_z()[position]};
  auto& storage = *buffers.storage_;
  // Positions past the indexed ones are no tree point: nothing to skip, the search starts at the root.
  tree_->chords.nearest(query, k, position, chord_margin, storage.chords);
  // Every candidate the kernel could put among the k nearest, measured.
  tree_->measure(position, storage);
  for (std::size_t i = 0; i < storage.positions.size(); ++i) {
    out.push_back({tree_->location_at[storage.positions[i]], storage.distances[i]});
  }
  const std::size_t kept = std::min(k, out.size());
  std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(kept), out.end(), nearer);
  out.resize(kept);
}

void NeighbourIndex::nearest_group(std::span<const std::size_t> origins, std::size_t k, std::vector<Neighbour>& out,
                                   std::vector<std::size_t>& row_ends, NeighbourSearchBuffers& buffers) const {
  out.clear();
  row_ends.clear();
  if (k == 0 || size() == 0) {
    row_ends.assign(origins.size(), 0);
    return;
  }
  auto& storage = *buffers.storage_;
  const DistanceKernel& searched = tree_->searched;
  const std::size_t indexed = size();
  // A group: consecutive origins in one leaf of the tree (indexed ones; the
  // self-search's order gives whole leaves) or, for origins outside the
  // tree, up to a leaf's worth of them (consecutive in search_order(), so
  // neighbours on the Morton curve). Any grouping is exact; these are fast.
  std::size_t first = 0;
  while (first < origins.size()) {
    const std::size_t first_position = tree_->position_of[origins[first]];
    std::size_t last = first + 1;
    while (last < origins.size() && last - first < queries::ChordGroupSearch::group_size) {
      const std::size_t position = tree_->position_of[origins[last]];
      const bool same_group =
          first_position < indexed
              ? position < indexed && queries::ChordGroupSearch::leaf_of(tree_->chords, position) ==
                                          queries::ChordGroupSearch::leaf_of(tree_->chords, first_position)
              : position >= indexed;
      if (!same_group) break;
      ++last;
    }
    if (last - first == 1) {
      // A lone origin (scattered origins: an input order without locality)
      // climbs from its own leaf instead, cheaper than a walk from the root.
      nearest(origins[first], k, storage.row, buffers);
      out.insert(out.end(), storage.row.begin(), storage.row.end());
      row_ends.push_back(out.size());
      first = last;
      continue;
    }
    storage.group_positions.clear();
    storage.group_x.clear();
    storage.group_y.clear();
    storage.group_z.clear();
    for (std::size_t i = first; i < last; ++i) {
      const std::size_t position = tree_->position_of[origins[i]];
      storage.group_positions.push_back(position);  // never its own neighbour: skipped when indexed
      storage.group_x.push_back(searched.unit_x()[position]);
      storage.group_y.push_back(searched.unit_y()[position]);
      storage.group_z.push_back(searched.unit_z()[position]);
    }
    queries::ChordGroupSearch::nearest(tree_->chords, storage.group_x, storage.group_y, storage.group_z,
                                       storage.group_positions, k, chord_margin, storage.group);
    // Every candidate the kernel could put among the k nearest, measured
    // (the margin's argument: see the class comment and chord_group_search.cpp),
    // the whole group's in one run: a query's dozen would leave most of a
    // run's fixed cost and vector lanes unused.
    std::size_t group_candidates = 0;
    for (std::size_t i = first; i < last; ++i) group_candidates += storage.group.queries[i - first].candidates.size();
    storage.positions.resize(group_candidates);
    storage.anchors.resize(group_candidates);
    storage.locations.resize(group_candidates);
    storage.distances.resize(group_candidates);
    {
      // Through local pointers: a store through a size_t* may alias the
      // vectors' own pointers, which the compiler would reload every time.
      std::size_t* const positions = storage.positions.data();
      std::size_t* const anchors = storage.anchors.data();
      std::size_t* const locations = storage.locations.data();
      const std::size_t* const location_at = tree_->location_at.data();
      std::size_t at = 0;
      for (std::size_t i = first; i < last; ++i) {
        const std::size_t position = storage.group_positions[i - first];
        for (const queries::ChordCandidate& candidate : storage.group.queries[i - first].candidates) {
          positions[at] = candidate.position;
          anchors[at] = position;
          locations[at] = location_at[candidate.position];
          ++at;
        }
      }
    }
    searched.compute_gathered_pairs(storage.anchors, storage.positions, storage.distances.data());
    std::size_t measured = 0;  // the group's candidates ranked so far
    for (std::size_t i = first; i < last; ++i) {
      const std::size_t count = storage.group.queries[i - first].candidates.size();
      keep_nearest(storage.locations.data() + measured, storage.distances.data() + measured, count, k, storage.row,
                   out);
      measured += count;
      row_ends.push_back(out.size());
    }
    first = last;
  }
}

void NeighbourIndex::within(std::size_t origin, double distance, double radius, std::vector<Neighbour>& out) const {
  NeighbourSearchBuffers buffers;
  within(origin, distance, radius, out, buffers);
}

void NeighbourIndex::within(std::size_t origin, double distance, double radius, std::vector<Neighbour>& out,
                            NeighbourSearchBuffers& buffers, std::size_t from) const {
  out.clear();
  if (size() == 0 || !(distance >= 0)) return;
  const std::size_t position = tree_->position_of[origin];
  const DistanceKernel& searched = tree_->searched;
  const double query[3] = {searched.unit_x()[position], searched.unit_y()[position], searched.unit_z()[position]};
  const double reach = within_reach(distance, radius);
  auto& storage = *buffers.storage_;
  std::vector<queries::ChordCandidate>& candidates = storage.chords.candidates;
  tree_->chords.within(query, reach * reach, position, candidates);
  // Only the locations asked for are measured: the origin never, and over
  // one table from `from` on.
  std::erase_if(candidates, [&](const queries::ChordCandidate& candidate) {
    const std::size_t location = tree_->location_at[candidate.position];
    return location == origin || location < from;
  });
  tree_->measure(position, storage);
  for (std::size_t i = 0; i < storage.positions.size(); ++i) {
    if (storage.distances[i] <= distance) out.push_back({tree_->location_at[storage.positions[i]], storage.distances[i]});
  }
  std::sort(out.begin(), out.end(), [](const Neighbour& a, const Neighbour& b) { return a.index < b.index; });
}

void NeighbourIndex::within_groups(std::vector<std::size_t>& origins, std::vector<std::size_t>& starts) const {
  const LargeVector<std::size_t>& position_of = tree_->position_of;
  if (origins.size() >= tree_->location_at.size() / 16) {
    // Many: in one pass over the positions rather than a sort.
    std::vector<bool> asked(tree_->location_at.size());
    for (const std::size_t origin : origins) asked[origin] = true;
    origins.clear();
    for (const std::size_t location : tree_->location_at) {
      if (asked[location]) origins.push_back(location);
    }
  } else {
    std::sort(origins.begin(), origins.end(),
              [&](std::size_t a, std::size_t b) { return position_of[a] < position_of[b]; });
  }
  starts.clear();
  constexpr std::size_t most = queries::ChordTree::leaf_size;
  const std::size_t indexed = size();
  std::size_t leaf_end = 0;  ///< the end of the current group's leaf, for an indexed origin
  for (std::size_t place = 0; place < origins.size(); ++place) {
    const std::size_t position = position_of[origins[place]];
    const bool in_tree = position < indexed;
    const bool new_leaf = in_tree && position >= leaf_end;
    if (starts.empty() || new_leaf || place - starts.back() >= most ||
        (!in_tree && position_of[origins[starts.back()]] < indexed)) {
      starts.push_back(place);
    }
    if (new_leaf) leaf_end = tree_->chords.leaf_range(position).second;
  }
  starts.push_back(origins.size());
}

void NeighbourIndex::within_group(std::span<const std::size_t> group, double distance, double radius,
                                  bool later_only, WithinGroupRows& out, NeighbourSearchBuffers& buffers) const {
  if (size() == 0 || !(distance >= 0)) {
    out.counts.insert(out.counts.end(), group.size(), 0);
    return;
  }
  const double reach = within_reach(distance, radius);
  const queries::GroupSearchTree tree{tree_->chords, tree_->searched, tree_->location_at, tree_->position_of};
  queries::search_within_group(tree, group, distance, reach * reach, later_only, out, buffers.storage_->within_group);
}

LargeVector<std::size_t> NeighbourIndex::search_order(std::size_t origins) const {
  if (origins > kernel_size_) throw std::invalid_argument("the origins are outside the kernel");
  LargeVector<std::size_t> order;
  order.reserve(origins);
  for (const std::size_t location : tree_->location_at) {
    if (location < origins) order.push_back(location);
  }
  return order;
}

}  // namespace dm
