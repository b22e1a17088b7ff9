#include "distance_matrix/queries/neighbour_search.hpp"

#include <algorithm>

namespace dm {

NeighbourSearch::NeighbourSearch(const DistanceKernel& kernel, std::size_t first, std::size_t last,
                                 bool parallel_build) {
  if (kernel.options().metric == Metric::geodesic) {
    geodesic_ = std::make_unique<GeodesicNeighbours>(kernel, first, last);
  } else {
    sphere_ = std::make_unique<NeighbourIndex>(kernel, first, last, parallel_build);
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

std::vector<std::size_t> NeighbourSearch::search_order(std::size_t origins) const {
  return geodesic_ ? geodesic_->search_order(origins) : sphere_->search_order(origins);
}

}  // namespace dm
