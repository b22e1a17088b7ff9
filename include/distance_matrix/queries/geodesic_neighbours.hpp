// distance_matrix/queries/geodesic_neighbours.hpp
//
// GeodesicNeighbours: exact k-nearest and within-distance searches for
// --metric geodesic, layered on NeighbourIndex's public searches: the index
// finds candidates on the sphere with a margin the ellipsoid's curvature
// bounds, the geodesic kernel measures them and decides.
//
// Thread safety: const after construction; any number of threads may search.
//
// Error bound: none of its own. The answers are exact in the kernel's
// geodesic doubles (the same set, order and values as measuring every pair):
// the margin covers the bound below, the index's and the kernel's rounding
// and GeographicLib's 15 nm, with room to spare (docs/geodesic.md).
//
// Example:
//   const dm::DistanceKernel kernel(locations, {.metric = dm::Metric::geodesic});
//   const dm::GeodesicNeighbours search(kernel, 0, kernel.size());
//   std::vector<dm::Neighbour> nearest;
//   search.nearest(7, 5, nearest);   // the 5 nearest of location 7 on WGS84

#pragma once

#include <cstddef>
#include <vector>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/kernel/ellipsoid.hpp"
#include "distance_matrix/memory/huge_page_allocator.hpp"
#include "distance_matrix/queries/neighbour_index.hpp"

namespace dm {

/// The smallest radius of curvature anywhere on `ellipsoid`, in metres:
/// b²/a (the meridian at the equator) when oblate, a²/b (at the poles) when
/// prolate, a for a sphere. No geodesic is shorter than this times the angle
/// between the surface normals at its ends (the unit vectors of the two
/// geodetic latitudes and longitudes): the normal turns by at most
/// 1 / (this radius) per metre along any curve (docs/geodesic.md).
[[nodiscard]] double least_radius_of_curvature_m(const Ellipsoid& ellipsoid) noexcept;

/// The largest radius of curvature, in metres: a²/b when oblate (at the
/// poles), b²/a when prolate. No geodesic is longer than this times the
/// angle between the normals. Not needed for exactness (the searches use the
/// lower bound only); stated and tested beside it.
[[nodiscard]] double greatest_radius_of_curvature_m(const Ellipsoid& ellipsoid) noexcept;

/// An exact k-nearest and within search over locations [first, last) of a
/// geodesic kernel. A NeighbourIndex over a companion kernel on the unit
/// sphere (the same locations' normals) finds every location whose normal is
/// within the angle the bound allows; the geodesic kernel measures them.
///
///  - within(D): every location whose geodesic can be at most D has a normal
///    angle of at most D / least radius; the index finds those (plus a
///    margin), the kernel keeps the ones at most D.
///  - nearest(k): the k nearest on the sphere, measured on the ellipsoid,
///    give g, an upper bound of the k-th geodesic; every location that can
///    be nearer than g is within g's angle, and those candidates, measured
///    and ordered (distance, then index), give the k nearest.
///
/// The kernel must be a geodesic one (std::invalid_argument otherwise),
/// outlive this and not grow meanwhile. Memory: a second table of unit
/// vectors (the companion) and the index.
class GeodesicNeighbours {
 public:
  GeodesicNeighbours(const DistanceKernel& kernel, std::size_t first, std::size_t last);
  ~GeodesicNeighbours();
  GeodesicNeighbours(const GeodesicNeighbours&) = delete;
  GeodesicNeighbours& operator=(const GeodesicNeighbours&) = delete;

  [[nodiscard]] std::size_t size() const noexcept { return index_.size(); }

  /// NeighbourIndex::nearest's answer on the ellipsoid: the `k` indexed
  /// locations nearest to `origin` by the kernel's geodesic, nearest first,
  /// ties by index, `origin` never its own neighbour.
  void nearest(std::size_t origin, std::size_t k, std::vector<Neighbour>& out) const;

  /// Every indexed location at most `distance` (the kernel's unit) from
  /// `origin` by the kernel's geodesic, in index order, `origin` left out.
  void within(std::size_t origin, double distance, std::vector<Neighbour>& out) const;

  /// NeighbourIndex::search_order over the same locations.
  [[nodiscard]] LargeVector<std::size_t> search_order(std::size_t origins) const {
    return index_.search_order(origins);
  }

  /// The normal angle (radians) the search covers for a geodesic of
  /// `distance` in the kernel's unit: distance / least radius, widened by
  /// the margin. For the tests and the docs.
  [[nodiscard]] double search_angle(double distance) const noexcept;

 private:
  const DistanceKernel& kernel_;
  DistanceKernel sphere_;  ///< the same locations on the unit sphere (haversine, radians)
  NeighbourIndex index_;   ///< over sphere_'s [first, last)
  double least_radius_;    ///< least_radius_of_curvature_m in the kernel's unit
};

}  // namespace dm
