#include "distance_matrix/queries/neighbour_index.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <utility>

#include "src/queries/chord_tree.hpp"

namespace dm {
namespace {

/// Candidates whose chord exceeds the k-th one by at most this (on the unit
/// sphere) are measured too. The kernel's error is below 1.6e-13 of the
/// radius and the chords' own rounding about 1e-16: a candidate the kernel
/// puts before the k-th can only be this close.
constexpr double chord_margin = 1e-9;

constexpr std::size_t no_location = std::numeric_limits<std::size_t>::max();

bool nearer(const Neighbour& a, const Neighbour& b) noexcept {
  return a.distance < b.distance || (a.distance == b.distance && a.index < b.index);
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

}  // namespace

struct NeighbourSearchBuffers::Storage {
  queries::ChordSearchBuffers chords;
  std::vector<std::size_t> locations;  ///< the candidates, to be measured together
  std::vector<double> distances;

  /// The candidates' locations and their distances from `origin`, measured
  /// in one gathered run of the kernel.
  void measure(const DistanceKernel& kernel, std::size_t origin, std::size_t first) {
    locations.clear();
    for (const queries::ChordCandidate& candidate : chords.candidates) locations.push_back(first + candidate.index);
    distances.resize(locations.size());
    kernel.compute_gathered(origin, locations, distances.data());
  }
};

NeighbourSearchBuffers::NeighbourSearchBuffers() : storage_(std::make_unique<Storage>()) {}
NeighbourSearchBuffers::~NeighbourSearchBuffers() = default;
NeighbourSearchBuffers::NeighbourSearchBuffers(NeighbourSearchBuffers&&) noexcept = default;
NeighbourSearchBuffers& NeighbourSearchBuffers::operator=(NeighbourSearchBuffers&&) noexcept = default;

struct NeighbourIndex::Tree {
  queries::ChordTree chords;
};

NeighbourIndex::NeighbourIndex(const DistanceKernel& kernel, std::size_t first, std::size_t last)
    : kernel_(kernel), first_(first), last_(last) {
  if (first > last || last > kernel.size()) throw std::invalid_argument("the indexed range is outside the kernel");
  tree_ = std::make_unique<Tree>(Tree{queries::ChordTree(kernel.unit_x().data() + first, kernel.unit_y().data() + first,
                                                         kernel.unit_z().data() + first, last - first)});
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
  const double query[3] = {kernel_.unit_x()[origin], kernel_.unit_y()[origin], kernel_.unit_z()[origin]};
  const std::size_t skip = first_ <= origin && origin < last_ ? origin - first_ : no_location;
  queries::ChordSearchBuffers& chords = buffers.storage_->chords;
  tree_->chords.nearest(query, k, skip, chord_margin, chords);
  // Every candidate the kernel could put among the k nearest, measured.
  auto& storage = *buffers.storage_;
  storage.measure(kernel_, origin, first_);
  for (std::size_t i = 0; i < storage.locations.size(); ++i) out.push_back({storage.locations[i], storage.distances[i]});
  const std::size_t kept = std::min(k, out.size());
  std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(kept), out.end(), nearer);
  out.resize(kept);
}

void NeighbourIndex::within(std::size_t origin, double distance, double radius, std::vector<Neighbour>& out) const {
  NeighbourSearchBuffers buffers;
  within(origin, distance, radius, out, buffers);
}

void NeighbourIndex::within(std::size_t origin, double distance, double radius, std::vector<Neighbour>& out,
                            NeighbourSearchBuffers& buffers) const {
  out.clear();
  if (size() == 0 || !(distance >= 0)) return;
  const double query[3] = {kernel_.unit_x()[origin], kernel_.unit_y()[origin], kernel_.unit_z()[origin]};
  const double angle = distance / radius;
  // The chord of the angle, plus the margin for the kernel's rounding;
  // past half the circumference, everything.
  const double reach = angle >= std::numbers::pi ? std::numeric_limits<double>::infinity()
                                                 : 2 * std::sin(angle / 2) + chord_margin;
  std::vector<queries::ChordCandidate>& candidates = buffers.storage_->chords.candidates;
  const std::size_t start = first_ <= origin && origin < last_ ? origin - first_ : no_location;
  tree_->chords.within(query, reach * reach, start, candidates);
  auto& storage = *buffers.storage_;
  storage.measure(kernel_, origin, first_);
  for (std::size_t i = 0; i < storage.locations.size(); ++i) {
    if (storage.locations[i] != origin && storage.distances[i] <= distance) {
      out.push_back({storage.locations[i], storage.distances[i]});
    }
  }
  std::sort(out.begin(), out.end(), [](const Neighbour& a, const Neighbour& b) { return a.index < b.index; });
}

std::vector<std::size_t> NeighbourIndex::search_order(std::size_t origins) const {
  if (origins > kernel_.size()) throw std::invalid_argument("the origins are outside the kernel");
  if (first_ == 0 && origins == last_) return tree_->chords.order();
  std::vector<std::pair<std::uint64_t, std::size_t>> keyed(origins);
  const auto x = kernel_.unit_x();
  const auto y = kernel_.unit_y();
  const auto z = kernel_.unit_z();
  for (std::size_t origin = 0; origin < origins; ++origin) keyed[origin] = {morton_key(x[origin], y[origin], z[origin]), origin};
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::size_t> order(origins);
  for (std::size_t position = 0; position < origins; ++position) order[position] = keyed[position].second;
  return order;
}

}  // namespace dm
