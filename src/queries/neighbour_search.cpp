#include "distance_matrix/queries/neighbour_search.hpp"

#include <algorithm>

namespace dm {
namespace {

/// Origins per group for the geodesic, which searches them one by one.
constexpr std::size_t geodesic_group = 32;

}  // namespace

NeighbourSearch::NeighbourSearch(const DistanceKernel& kernel, std::size_t first, std::size_t last, bool parallel) {
  if (kernel.options().metric == Metric::geodesic) {
    geodesic_ = std::make_unique<GeodesicNeighbours>(kernel, first, last);
  } else {
    sphere_ = std::make_unique<NeighbourIndex>(kernel, first, last, parallel);
  }
}

NeighbourSearch::~NeighbourSearch() = default;

std::size_t NeighbourSearch::size() const noexcept { return geodesic_ ? geodesic_->size() : sphere_->size(); }

void NeighbourSearch::nearest(std::size_t origin, std::size_t k, std::vector<Neighbour>& out) const {
  if (geodesic_) {
    geodesic_->nearest(origin, k, out);
  } else {
    sphere_->nearest(origin, k, out);
  }
}

void NeighbourSearch::within(std::size_t origin, double distance, double radius, std::vector<Neighbour>& out) const {
  if (geodesic_) {
    geodesic_->within(origin, distance, out);
  } else {
    sphere_->within(origin, distance, radius, out);
  }
}

void NeighbourSearch::nearest(std::size_t origin, std::size_t k, std::vector<Neighbour>& out,
                              NeighbourSearchBuffers& buffers) const {
  if (geodesic_) {
    geodesic_->nearest(origin, k, out);
  } else {
    sphere_->nearest(origin, k, out, buffers);
  }
}

void NeighbourSearch::nearest_group(std::span<const std::size_t> origins, std::size_t k, std::vector<Neighbour>& out,
                                    std::vector<std::size_t>& row_ends, NeighbourSearchBuffers& buffers) const {
  if (!geodesic_) {
    sphere_->nearest_group(origins, k, out, row_ends, buffers);
    return;
  }
  out.clear();
  row_ends.clear();
  std::vector<Neighbour> row;
  for (const std::size_t origin : origins) {
    geodesic_->nearest(origin, k, row);
    out.insert(out.end(), row.begin(), row.end());
    row_ends.push_back(out.size());
  }
}

void NeighbourSearch::within(std::size_t origin, double distance, double radius, std::vector<Neighbour>& out,
                             NeighbourSearchBuffers& buffers, std::size_t from) const {
  if (geodesic_) {
    geodesic_->within(origin, distance, out);
    std::erase_if(out, [from](const Neighbour& neighbour) { return neighbour.index < from; });
  } else {
    sphere_->within(origin, distance, radius, out, buffers, from);
  }
}

void NeighbourSearch::within_groups(std::vector<std::size_t>& origins, std::vector<std::size_t>& starts) const {
  if (!geodesic_) {
    sphere_->within_groups(origins, starts);
    return;
  }
  std::vector<std::size_t> rank(origins.empty() ? 0 : *std::max_element(origins.begin(), origins.end()) + 1);
  const LargeVector<std::size_t> order = geodesic_->search_order(rank.size());
  for (std::size_t place = 0; place < order.size(); ++place) rank[order[place]] = place;
  std::sort(origins.begin(), origins.end(), [&](std::size_t a, std::size_t b) { return rank[a] < rank[b]; });
  starts.clear();
  for (std::size_t place = 0; place < origins.size(); place += geodesic_group) starts.push_back(place);
  starts.push_back(origins.size());
}

void NeighbourSearch::within_group(std::span<const std::size_t> group, double distance, double radius,
                                   bool later_only, WithinGroupRows& out, NeighbourSearchBuffers& buffers) const {
  if (!geodesic_) {
    sphere_->within_group(group, distance, radius, later_only, out, buffers);
    return;
  }
  std::vector<Neighbour> row;
  for (const std::size_t origin : group) {
    within(origin, distance, radius, row, buffers, later_only ? origin + 1 : 0);
    out.counts.push_back(row.size());
    out.neighbours.insert(out.neighbours.end(), row.begin(), row.end());
  }
}

LargeVector<std::size_t> NeighbourSearch::search_order(std::size_t origins) const {
  return geodesic_ ? geodesic_->search_order(origins) : sphere_->search_order(origins);
}

}  // namespace dm
