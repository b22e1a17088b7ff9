#include "distance_matrix/queries/geodesic_neighbours.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace dm {
namespace {

/// The search angle is widened by this fraction and then by this many
/// radians (6 mm on the Earth). What it must cover: GeographicLib's error
/// (15 nm, 2.4e-15 of a), the companion's normals rebuilt from the kernel's
/// (a few 1e-16 rad), the haversine's 1.6e-13 and the rounding of the
/// division; the index adds its own chord margin on top.
constexpr double relative_margin = 1e-9;
constexpr double angle_margin = 1e-9;

bool nearer(const Neighbour& a, const Neighbour& b) noexcept {
  return a.distance < b.distance || (a.distance == b.distance && a.index < b.index);
}

bool before(const Neighbour& a, const Neighbour& b) noexcept { return a.index < b.index; }

/// The kernel's locations, by their unit vectors (the surface normals of
/// their geodetic coordinates), on the unit sphere in radians.
DistanceKernel unit_sphere_of(const DistanceKernel& kernel) {
  if (kernel.options().metric != Metric::geodesic) {
    throw std::invalid_argument("GeodesicNeighbours needs a geodesic kernel");
  }
  DistanceKernel sphere(DistanceOptions{.metric = Metric::haversine, .unit = Unit::kilometers, .radius_km = 1.0,
                                        .kernel = KernelKind::simd, .ellipsoid = wgs84});
  sphere.reserve(kernel.size());
  constexpr double degrees = 180 / std::numbers::pi;
  for (std::size_t location = 0; location < kernel.size(); ++location) {
    const double x = kernel.unit_x()[location];
    const double y = kernel.unit_y()[location];
    const double z = kernel.unit_z()[location];
    const double latitude = std::clamp(std::atan2(z, std::hypot(x, y)) * degrees, -90.0, 90.0);
    const double longitude = std::clamp(std::atan2(y, x) * degrees, -180.0, 180.0);
    sphere.add(latitude, longitude);
  }
  return sphere;
}

}  // namespace

double least_radius_of_curvature_m(const Ellipsoid& ellipsoid) noexcept {
  const double a = ellipsoid.semi_major_axis_m;
  const double b = semi_minor_axis_m(ellipsoid);
  return std::min(b * (b / a), a * (a / b));
}

double greatest_radius_of_curvature_m(const Ellipsoid& ellipsoid) noexcept {
  const double a = ellipsoid.semi_major_axis_m;
  const double b = semi_minor_axis_m(ellipsoid);
  return std::max(b * (b / a), a * (a / b));
}

GeodesicNeighbours::GeodesicNeighbours(const DistanceKernel& kernel, std::size_t first, std::size_t last)
    : kernel_(kernel),
      sphere_(unit_sphere_of(kernel)),
      index_(sphere_, first, last),
      least_radius_(least_radius_of_curvature_m(kernel.options().ellipsoid) / 1000.0 /
                    kilometers_per(kernel.options().unit)) {}

GeodesicNeighbours::~GeodesicNeighbours() = default;

double GeodesicNeighbours::search_angle(double distance) const noexcept {
  return distance / least_radius_ * (1 + relative_margin) + angle_margin;
}

void GeodesicNeighbours::nearest(std::size_t origin, std::size_t k, std::vector<Neighbour>& out) const {
  out.clear();
  if (k == 0 || size() == 0) return;
  // The k nearest on the sphere, measured on the ellipsoid: k candidates, so
  // the k-th geodesic is at most the farthest of them.
  std::vector<Neighbour> first_guess;
  index_.nearest(origin, k, first_guess);
  for (Neighbour& neighbour : first_guess) neighbour.distance = kernel_.distance(origin, neighbour.index);
  if (first_guess.size() < k) {
    // Fewer than k indexed: every candidate is here.
    std::sort(first_guess.begin(), first_guess.end(), nearer);
    out = std::move(first_guess);
    return;
  }
  double bound = 0;
  for (const Neighbour& neighbour : first_guess) bound = std::max(bound, neighbour.distance);

  // Everything that can be as near as the bound, measured once each (the
  // first guesses are among them and keep their values).
  index_.within(origin, search_angle(bound), 1.0, out);
  std::sort(first_guess.begin(), first_guess.end(), before);
  std::size_t kept = 0;
  for (const Neighbour& candidate : out) {
    const auto known = std::lower_bound(first_guess.begin(), first_guess.end(), candidate, before);
    const double distance = known != first_guess.end() && known->index == candidate.index
                                ? known->distance
                                : kernel_.distance(origin, candidate.index);
    if (distance <= bound) out[kept++] = {candidate.index, distance};
  }
  out.resize(kept);
  const std::size_t wanted = std::min(k, out.size());
  std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(wanted), out.end(), nearer);
  out.resize(wanted);
}

void GeodesicNeighbours::within(std::size_t origin, double distance, std::vector<Neighbour>& out) const {
  out.clear();
  if (size() == 0 || !(distance >= 0)) return;
  index_.within(origin, search_angle(distance), 1.0, out);
  std::size_t kept = 0;
  for (const Neighbour& candidate : out) {
    const double measured = kernel_.distance(origin, candidate.index);
    if (measured <= distance) out[kept++] = {candidate.index, measured};
  }
  out.resize(kept);
}

}  // namespace dm
