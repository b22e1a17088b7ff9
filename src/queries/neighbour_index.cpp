#include "distance_matrix/queries/neighbour_index.hpp"

#include <nanoflann.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <utility>

namespace dm {
namespace {

/// Candidates whose chord exceeds the k-th one by at most this (on the unit
/// sphere) are measured too. The kernel's error is below 1.6e-13 of the
/// radius and the chords' own rounding about 1e-16: a candidate the kernel
/// puts before the k-th can only be this close.
constexpr double chord_margin = 1e-9;

/// The kernel's unit vectors of [first, last) as nanoflann's dataset.
struct UnitVectors {
  const double* x;
  const double* y;
  const double* z;
  std::size_t count;

  [[nodiscard]] std::size_t kdtree_get_point_count() const noexcept { return count; }
  [[nodiscard]] double kdtree_get_pt(std::size_t index, std::size_t axis) const noexcept {
    return axis == 0 ? x[index] : axis == 1 ? y[index] : z[index];
  }
  template <typename BoundingBox>
  bool kdtree_get_bbox(BoundingBox& /*box*/) const noexcept {
    return false;  // let nanoflann compute it
  }
};

using KdTree = nanoflann::KDTreeSingleIndexAdaptor<nanoflann::L2_Simple_Adaptor<double, UnitVectors>, UnitVectors,
                                                   3, std::size_t>;

bool nearer(const Neighbour& a, const Neighbour& b) noexcept {
  return a.distance < b.distance || (a.distance == b.distance && a.index < b.index);
}

}  // namespace

struct NeighbourIndex::Tree {
  explicit Tree(const UnitVectors& vectors)
      : points(vectors), tree(3, points, nanoflann::KDTreeSingleIndexAdaptorParams(16)) {}

  UnitVectors points;
  KdTree tree;
};

NeighbourIndex::NeighbourIndex(const DistanceKernel& kernel, std::size_t first, std::size_t last)
    : kernel_(kernel), first_(first), last_(last) {
  if (first > last || last > kernel.size()) throw std::invalid_argument("the indexed range is outside the kernel");
  const UnitVectors vectors{kernel.unit_x().data() + first, kernel.unit_y().data() + first,
                            kernel.unit_z().data() + first, last - first};
  tree_ = std::make_unique<Tree>(vectors);
}

NeighbourIndex::~NeighbourIndex() = default;

std::size_t NeighbourIndex::size() const noexcept { return last_ - first_; }

void NeighbourIndex::nearest(std::size_t origin, std::size_t k, std::vector<Neighbour>& out) const {
  out.clear();
  const std::size_t indexed = size();
  if (k == 0 || indexed == 0) return;
  const bool origin_indexed = first_ <= origin && origin < last_;
  const double query[3] = {kernel_.unit_x()[origin], kernel_.unit_y()[origin], kernel_.unit_z()[origin]};

  // The k + 1 nearest by chord (the origin may be among them), sorted.
  const std::size_t wanted = std::min(indexed, k + (origin_indexed ? 1 : 0));
  std::vector<std::size_t> found(wanted);
  std::vector<double> squared_chords(wanted);
  const std::size_t count = tree_->tree.knnSearch(query, wanted, found.data(), squared_chords.data());

  std::vector<std::pair<std::size_t, double>> candidates;
  std::size_t others = 0;
  double kth_squared_chord = 0;
  for (std::size_t rank = 0; rank < count && others < k; ++rank) {
    if (first_ + found[rank] == origin) continue;
    ++others;
    kth_squared_chord = squared_chords[rank];
  }
  if (others < k || wanted == indexed) {
    // Every indexed location is a candidate already.
    for (std::size_t rank = 0; rank < count; ++rank) candidates.emplace_back(found[rank], squared_chords[rank]);
  } else {
    const double reach = std::sqrt(kth_squared_chord) + chord_margin;
    tree_->tree.radiusSearch(query, reach * reach, candidates, nanoflann::SearchParams(32, 0, false));
  }

  out.reserve(candidates.size());
  for (const auto& [tree_index, squared_chord] : candidates) {
    const std::size_t location = first_ + tree_index;
    if (location == origin) continue;
    out.push_back({location, kernel_.distance(origin, location)});
  }
  const std::size_t kept = std::min(k, out.size());
  std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(kept), out.end(), nearer);
  out.resize(kept);
}

void NeighbourIndex::within(std::size_t origin, double distance, double radius, std::vector<Neighbour>& out) const {
  out.clear();
  if (size() == 0 || !(distance >= 0)) return;
  const double query[3] = {kernel_.unit_x()[origin], kernel_.unit_y()[origin], kernel_.unit_z()[origin]};
  std::vector<std::pair<std::size_t, double>> candidates;
  const double angle = distance / radius;
  if (angle >= std::numbers::pi) {
    for (std::size_t tree_index = 0; tree_index < size(); ++tree_index) candidates.emplace_back(tree_index, 0.0);
  } else {
    // The chord of the angle, plus the margin for the kernel's rounding.
    const double reach = 2 * std::sin(angle / 2) + chord_margin;
    tree_->tree.radiusSearch(query, reach * reach, candidates, nanoflann::SearchParams(32, 0, false));
  }
  for (const auto& [tree_index, squared_chord] : candidates) {
    const std::size_t location = first_ + tree_index;
    if (location == origin) continue;
    const double measured = kernel_.distance(origin, location);
    if (measured <= distance) out.push_back({location, measured});
  }
  std::sort(out.begin(), out.end(), [](const Neighbour& a, const Neighbour& b) { return a.index < b.index; });
}

}  // namespace dm
