// distance_matrix/queries/neighbour_search.hpp
//
// NeighbourSearch: the search --nearest and --within run for any metric they
// accept: NeighbourIndex for haversine, GeodesicNeighbours for geodesic.
//
// Thread safety: const after construction; any number of threads may search.
//
// Example:
//   const dm::NeighbourSearch search(kernel, 0, kernel.size());
//   search.nearest(7, 5, nearest);

#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/memory/huge_page_allocator.hpp"
#include "distance_matrix/queries/geodesic_neighbours.hpp"
#include "distance_matrix/queries/neighbour_index.hpp"

namespace dm {

/// NeighbourIndex's two searches over locations [first, last) of `kernel`,
/// exact in the kernel's own doubles for the haversine and the geodesic
/// (the index alone for the first, GeodesicNeighbours on top of it for the
/// second). Other metrics get the index alone, which is exact only for
/// metrics that grow with the chord (the queries refuse equirectangular).
class NeighbourSearch {
 public:
  /// `parallel_build`: as NeighbourIndex's (the haversine's index only).
  NeighbourSearch(const DistanceKernel& kernel, std::size_t first, std::size_t last, bool parallel_build = false);
  ~NeighbourSearch();
  NeighbourSearch(const NeighbourSearch&) = delete;
  NeighbourSearch& operator=(const NeighbourSearch&) = delete;

  [[nodiscard]] std::size_t size() const noexcept;
  /// Whether the search still reads the kernel it was built from (the
  /// geodesic measures with it); the haversine index searches a copy of its own.
  [[nodiscard]] bool reads_kernel() const noexcept { return geodesic_ != nullptr; }

  /// As NeighbourIndex::nearest.
  void nearest(std::size_t origin, std::size_t k, std::vector<Neighbour>& out) const;

  /// The same with a thread's own reusable buffers (the geodesic search
  /// keeps its own).
  void nearest(std::size_t origin, std::size_t k, std::vector<Neighbour>& out, NeighbourSearchBuffers& buffers) const;

  /// As NeighbourIndex::nearest_group (the geodesic searches each origin in turn).
  void nearest_group(std::span<const std::size_t> origins, std::size_t k, std::vector<Neighbour>& out,
                     std::vector<std::size_t>& row_ends, NeighbourSearchBuffers& buffers) const;

  /// As NeighbourIndex::within; `radius` (the sphere's, in the kernel's
  /// unit) is not used by the geodesic, which has its ellipsoid.
  void within(std::size_t origin, double distance, double radius, std::vector<Neighbour>& out) const;

  /// The same with a thread's own reusable buffers, and only locations
  /// `from` or later (as NeighbourIndex::within).
  void within(std::size_t origin, double distance, double radius, std::vector<Neighbour>& out,
              NeighbourSearchBuffers& buffers, std::size_t from = 0) const;

  /// As NeighbourIndex::within_groups (the geodesic: up to a leaf's worth
  /// of origins next to each other in search order).
  void within_groups(std::vector<std::size_t>& origins, std::vector<std::size_t>& starts) const;

  /// As NeighbourIndex::within_group (the geodesic: one within() per origin).
  void within_group(std::span<const std::size_t> group, double distance, double radius, bool later_only,
                    WithinGroupRows& out, NeighbourSearchBuffers& buffers) const;

  /// As NeighbourIndex::search_order.
  [[nodiscard]] LargeVector<std::size_t> search_order(std::size_t origins) const;

 private:
  std::unique_ptr<NeighbourIndex> sphere_;        ///< haversine (and any metric but geodesic)
  std::unique_ptr<GeodesicNeighbours> geodesic_;  ///< geodesic
};

}  // namespace dm
