// --nearest and --within on the ellipsoid against brute force: every pair
// measured by the geodesic kernel (the doubles the answer must reproduce) and
// by GeographicLib called here directly (the values, within 1 um); the bound
// the search relies on, checked on random, polar, equatorial and antipodal
// pairs against GeographicLib; the same bytes whatever the workers.
#include <gtest/gtest.h>

#include <GeographicLib/Geodesic.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/queries/geodesic_neighbours.hpp"
#include "distance_matrix/queries/nearest_arrays.hpp"
#include "distance_matrix/queries/neighbour_search.hpp"
#include "distance_matrix/queries/neighbours_csv.hpp"
#include "distance_matrix/queries/within_arrays.hpp"
#include "support/query_inputs.hpp"

namespace dm {
namespace {

constexpr double pi = std::numbers::pi;

/// WGS84, the flattest and the most prolate ellipsoids accepted, and a sphere.
const std::vector<Ellipsoid>& ellipsoids() {
  static const std::vector<Ellipsoid> all{wgs84, {6378137.0, 100.0}, {6378137.0, -100.0}, {6371008.8, 0.0}};
  return all;
}

GeographicLib::Geodesic geodesic_of(const Ellipsoid& ellipsoid) {
  return GeographicLib::Geodesic(ellipsoid.semi_major_axis_m, flattening(ellipsoid));
}

/// The angle between the surface normals of two geodetic positions, from
/// the textbook vectors (not the kernel's), by atan2 so that it is accurate
/// at every separation.
double normal_angle(double latitude1, double longitude1, double latitude2, double longitude2) {
  auto normal = [](double latitude, double longitude) {
    const double phi = latitude * pi / 180;
    const double lambda = longitude * pi / 180;
    return std::array<double, 3>{std::cos(phi) * std::cos(lambda), std::cos(phi) * std::sin(lambda), std::sin(phi)};
  };
  const auto a = normal(latitude1, longitude1);
  const auto b = normal(latitude2, longitude2);
  const double cx = a[1] * b[2] - a[2] * b[1];
  const double cy = a[2] * b[0] - a[0] * b[2];
  const double cz = a[0] * b[1] - a[1] * b[0];
  return std::atan2(std::sqrt(cx * cx + cy * cy + cz * cz), a[0] * b[0] + a[1] * b[1] + a[2] * b[2]);
}

struct Pair {
  double latitude1, longitude1, latitude2, longitude2;
};

/// Pairs in every case where the ratio of geodesic to normal angle is
/// extreme or the geodesic is hard: random, short meridional arcs on the
/// equator (the least radius of an oblate ellipsoid) and at the poles (the
/// greatest), short east-west arcs, across a pole, nearly and exactly
/// antipodal, coincident.
std::vector<Pair> stress_pairs() {
  std::mt19937_64 random(16);
  std::uniform_real_distribution<double> unit(0, 1);
  auto latitude = [&] { return std::asin(2 * unit(random) - 1) * 180 / pi; };
  auto longitude = [&] { return 360 * unit(random) - 180; };
  std::vector<Pair> pairs;
  for (int index = 0; index < 20000; ++index) pairs.push_back({latitude(), longitude(), latitude(), longitude()});
  for (int index = 0; index < 2000; ++index) {
    const double step = std::pow(10.0, -6 + 6 * unit(random));  // 1e-6 to 1 degree
    const double lon = longitude();
    pairs.push_back({-step / 2, lon, step / 2, lon});                         // meridian across the equator
    pairs.push_back({90 - step, lon, 90 - step / 3, lon});                    // meridian at the north pole
    pairs.push_back({-90, lon, -90 + step, lon + 180 * unit(random)});        // from the south pole
    pairs.push_back({0, lon, 0, lon + step});                                 // along the equator
    pairs.push_back({89.9 * unit(random), lon, 89.9 * unit(random), lon + 180});  // across the pole
    const double lat = latitude();
    const double opposite = lon > 0 ? lon - 180 : lon + 180;
    pairs.push_back({lat, lon, -lat + step * (unit(random) - 0.5), opposite + step * (unit(random) - 0.5)});
    pairs.push_back({lat, lon, -lat, opposite});  // exactly antipodal
    pairs.push_back({lat, lon, lat, lon});
  }
  return pairs;
}

TEST(GeodesicBound, NoGeodesicIsShorterThanTheLeastRadiusTimesTheNormalAngle) {
  const std::vector<Pair> pairs = stress_pairs();
  for (const Ellipsoid& ellipsoid : ellipsoids()) {
    const GeographicLib::Geodesic geodesic = geodesic_of(ellipsoid);
    const double least = least_radius_of_curvature_m(ellipsoid);
    const double greatest = greatest_radius_of_curvature_m(ellipsoid);
    double lowest_ratio = std::numeric_limits<double>::infinity();
    double highest_ratio = 0;
    for (const Pair& pair : pairs) {
      double s12 = 0;
      geodesic.Inverse(pair.latitude1, pair.longitude1, pair.latitude2, pair.longitude2, s12);
      const double angle = normal_angle(pair.latitude1, pair.longitude1, pair.latitude2, pair.longitude2);
      // 1e-12 relative, and 1e-15 rad absolute (6 nm on the Earth): the
      // rounding of the degrees to radians near a pole, where the angle is
      // tiny (the search's own margin is a million times this).
      const double slack = 1e-15 * ellipsoid.semi_major_axis_m;
      ASSERT_GE(s12, least * angle * (1 - 1e-12) - slack)
          << to_string(ellipsoid) << " " << pair.latitude1 << "," << pair.longitude1 << " " << pair.latitude2 << ","
          << pair.longitude2;
      ASSERT_LE(s12, greatest * angle * (1 + 1e-12) + slack)
          << to_string(ellipsoid) << " " << pair.latitude1 << "," << pair.longitude1 << " " << pair.latitude2 << ","
          << pair.longitude2;
      if (angle > 1e-9) {
        lowest_ratio = std::min(lowest_ratio, s12 / (least * angle));
        highest_ratio = std::max(highest_ratio, s12 / (greatest * angle));
      }
    }
    // Both bounds are tight: short meridional arcs reach them.
    EXPECT_LT(lowest_ratio, 1 + 1e-6) << to_string(ellipsoid);
    EXPECT_GT(highest_ratio, 1 - 1e-6) << to_string(ellipsoid);
  }
}

TEST(GeodesicBound, TheSemiMinorAxisIsNotALowerBound) {
  // A tempting bound, b times the angle, fails: a metre-long meridional arc
  // on the equator is about b²/a per radian, 0.34 % shorter than b's.
  double s12 = 0;
  geodesic_of(wgs84).Inverse(-0.000005, 10, 0.000005, 10, s12);
  EXPECT_LT(s12, semi_minor_axis_m(wgs84) * normal_angle(-0.000005, 10, 0.000005, 10) * (1 - 1e-3));
  EXPECT_NEAR(least_radius_of_curvature_m(wgs84), 6335439.327, 1e-3);  // a(1 - e²), the equator's meridian
}

LocationTable table_of(const std::vector<Location>& a, const std::vector<Location>& b = {}) {
  LocationTable table;
  for (const Location& location : a) table.push_back(location);
  for (const Location& location : b) table.push_back(location);
  return table;
}

/// Every candidate of `origin` measured by the kernel, (distance, index) order.
std::vector<Neighbour> measured_by_kernel(const DistanceKernel& kernel, std::size_t origin, std::size_t first) {
  std::vector<Neighbour> all;
  for (std::size_t other = first; other < kernel.size(); ++other) {
    if (other != origin) all.push_back({other, kernel.distance(origin, other)});
  }
  std::stable_sort(all.begin(), all.end(), [](const Neighbour& a, const Neighbour& b) { return a.distance < b.distance; });
  return all;
}

/// The kernel's distances are GeographicLib's, within one micrometre (km here).
void expect_geographiclib_values(const std::vector<Neighbour>& found, const LocationTable& table, std::size_t origin,
                                 const GeographicLib::Geodesic& geodesic, const std::string& context) {
  for (const Neighbour& neighbour : found) {
    double s12 = 0;
    geodesic.Inverse(table.latitude(origin), table.longitude(origin), table.latitude(neighbour.index),
                     table.longitude(neighbour.index), s12);
    ASSERT_NEAR(neighbour.distance, s12 / 1000, 1e-9) << context;
  }
}

TEST(GeodesicNeighbours, NearestIsExactlyTheBruteForceGeodesic) {
  for (const testing::QueryInput& input : testing::query_inputs()) {
    for (const Ellipsoid& ellipsoid : ellipsoids()) {
      const LocationTable table = table_of(input.locations);
      const DistanceKernel kernel(table, {.metric = Metric::geodesic, .ellipsoid = ellipsoid});
      const GeodesicNeighbours search(kernel, 0, kernel.size());
      const GeographicLib::Geodesic geodesic = geodesic_of(ellipsoid);
      std::vector<Neighbour> found;
      for (std::size_t origin = 0; origin < kernel.size(); ++origin) {
        const std::vector<Neighbour> all = measured_by_kernel(kernel, origin, 0);
        for (std::size_t k : {std::size_t{1}, std::size_t{3}, std::size_t{12}, kernel.size() + 5}) {
          search.nearest(origin, k, found);
          const std::vector<Neighbour> expected(all.begin(),
                                                all.begin() + static_cast<std::ptrdiff_t>(std::min(k, all.size())));
          const std::string context = input.label + ", " + to_string(ellipsoid) + ", k " + std::to_string(k) +
                                      ", origin " + std::to_string(origin);
          ASSERT_EQ(found, expected) << context;
          if (k == 3) expect_geographiclib_values(found, table, origin, geodesic, context);
        }
      }
    }
  }
}

TEST(GeodesicNeighbours, WithinIsExactlyTheBruteForceGeodesicIncludingTheBoundary) {
  for (const testing::QueryInput& input : testing::query_inputs()) {
    for (const Ellipsoid& ellipsoid : ellipsoids()) {
      const LocationTable table = table_of(input.locations);
      const DistanceKernel kernel(table, {.metric = Metric::geodesic, .ellipsoid = ellipsoid});
      const GeodesicNeighbours search(kernel, 0, kernel.size());
      std::vector<Neighbour> found;
      for (std::size_t origin = 0; origin < kernel.size(); origin += 3) {
        std::vector<Neighbour> all = measured_by_kernel(kernel, origin, 0);
        // Distances that are some pair's exactly (a pair that far is in),
        // zero, and beyond half a meridian.
        std::vector<double> distances{0.0, 1e-6, 25.0, 800.0, 20100.0};
        for (std::size_t pick = 0; pick < all.size(); pick += all.size() / 4 + 1) distances.push_back(all[pick].distance);
        std::sort(all.begin(), all.end(), [](const Neighbour& a, const Neighbour& b) { return a.index < b.index; });
        for (const double distance : distances) {
          search.within(origin, distance, found);
          std::vector<Neighbour> expected;
          for (const Neighbour& candidate : all) {
            if (candidate.distance <= distance) expected.push_back(candidate);
          }
          ASSERT_EQ(found, expected) << input.label << ", " << to_string(ellipsoid) << ", origin " << origin
                                     << ", within " << distance;
        }
      }
    }
  }
}

TEST(GeodesicNeighbours, FindsMeridionalNeighboursTheEquatorialSphereWouldMiss) {
  // On a meridian across the equator a geodesic is about b²/a per radian of
  // normal angle, shorter than the sphere of radius a (or b, or the mean
  // radius) says: a search by any of those spheres for the geodesic's own
  // distance misses the pair at exactly that distance.
  std::vector<Location> locations;
  for (int step = -50; step <= 50; ++step) locations.push_back({"m" + std::to_string(step), 0.001 * step, 30.0});
  const DistanceKernel kernel(table_of(locations), {.metric = Metric::geodesic});
  const GeodesicNeighbours search(kernel, 0, kernel.size());
  const std::size_t origin = 50;  // on the equator
  const double ten_steps = kernel.distance(origin, origin + 10);
  ASSERT_LT(ten_steps, semi_minor_axis_m(wgs84) / 1000 * 0.01 * pi / 180) << "the case the sphere of b misses";
  std::vector<Neighbour> found;
  search.within(origin, ten_steps, found);
  ASSERT_EQ(found.size(), 20u);
  EXPECT_EQ(found.front().index, origin - 10);
  EXPECT_EQ(found.back().index, origin + 10);
  search.nearest(origin, 20, found);
  ASSERT_EQ(found.size(), 20u);
  EXPECT_EQ(found.back().distance, ten_steps);
}

TEST(GeodesicNeighbours, SearchesOnlyTheDestinations) {
  for (const testing::QueryInput& input : testing::query_inputs()) {
    const std::size_t origins = input.locations.size() / 3;
    const std::vector<Location> sources(input.locations.begin(),
                                        input.locations.begin() + static_cast<std::ptrdiff_t>(origins));
    const std::vector<Location> destinations(input.locations.begin() + static_cast<std::ptrdiff_t>(origins / 2),
                                             input.locations.end());
    const DistanceKernel kernel(table_of(sources, destinations), {.metric = Metric::geodesic});
    const GeodesicNeighbours search(kernel, origins, kernel.size());
    std::vector<Neighbour> found;
    for (std::size_t origin = 0; origin < origins; ++origin) {
      const std::vector<Neighbour> all = measured_by_kernel(kernel, origin, origins);
      for (std::size_t k : {std::size_t{1}, std::size_t{4}, kernel.size()}) {
        search.nearest(origin, k, found);
        ASSERT_EQ(found, std::vector<Neighbour>(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(
                                                                               std::min(k, all.size()))))
            << input.label << ", k " << k << ", origin " << origin;
      }
    }
  }
}

TEST(GeodesicNeighbours, HandlesTinySetsAndRefusesOtherMetrics) {
  const DistanceKernel kernel(table_of({{"a", 1, 2}, {"b", 1, 2}, {"c", -1, -178}}), {.metric = Metric::geodesic});
  std::vector<Neighbour> found;
  GeodesicNeighbours(kernel, 0, 2).nearest(0, 5, found);
  EXPECT_EQ(found, (std::vector<Neighbour>{{1, 0.0}}));
  GeodesicNeighbours(kernel, 0, 1).nearest(0, 5, found);
  EXPECT_TRUE(found.empty()) << "the origin alone has no neighbour";
  GeodesicNeighbours(kernel, 3, 3).within(0, 1e9, found);
  EXPECT_TRUE(found.empty());
  GeodesicNeighbours(kernel, 0, 3).within(0, 1e9, found);
  EXPECT_EQ(found.size(), 2u);
  EXPECT_THROW(GeodesicNeighbours(kernel, 1, 4), std::invalid_argument);
  const DistanceKernel sphere(table_of({{"a", 1, 2}}));
  EXPECT_THROW(GeodesicNeighbours(sphere, 0, 1), std::invalid_argument);
}

TEST(GeodesicNeighbours, EveryWorkerCountWritesTheSameBytes) {
  std::vector<Location> locations;
  for (const testing::QueryInput& input : testing::query_inputs()) {
    locations.insert(locations.end(), input.locations.begin(), input.locations.end());
  }
  for (std::size_t index = 0; index < locations.size(); ++index) locations[index].name = "p" + std::to_string(index);
  const LocationTable table = table_of(locations);
  const DistanceKernel kernel(table, {.metric = Metric::geodesic});
  const std::size_t n = kernel.size();
  auto query_of = [](std::size_t origins, std::size_t first, std::optional<std::size_t> k,
                     std::optional<double> within) {
    return NeighbourQuery{.origins = origins, .first_candidate = first, .k = k, .within = within,
                          .radius = mean_earth_radius_km, .workers = 1};
  };
  for (const NeighbourQuery& base : {query_of(n, 0, 7, std::nullopt), query_of(n, 0, std::nullopt, 300.0),
                                     query_of(n, 0, 7, 50.0), query_of(400, 400, 3, std::nullopt)}) {
    std::string expected;
    std::vector<double> expected_distances;
    for (const unsigned workers : {1u, 2u, 3u, 8u}) {
      NeighbourQuery query = base;
      query.workers = workers;
      MemoryMatrixOutput output;
      static_cast<void>(write_neighbours_csv(kernel, table, query, output));
      const std::string& written = output.bytes();
      if (expected.empty()) expected = written;
      EXPECT_EQ(written, expected) << workers << " workers";
      if (query.k) {
        std::vector<double> distances(query.origins * *query.k);
        std::vector<std::int64_t> indices(distances.size());
        find_nearest(kernel, query, distances, indices);
        if (expected_distances.empty()) expected_distances = distances;
        EXPECT_EQ(distances, expected_distances) << workers << " workers";
      } else {
        const WithinArrays arrays = find_within(kernel, query);
        // Over one table the CSV keeps each pair once; the arrays keep both.
        EXPECT_EQ(static_cast<std::size_t>(std::count(written.begin(), written.end(), '\n')) - 1,
                  arrays.indices.size() / 2);
      }
    }
    EXPECT_GT(std::count(expected.begin(), expected.end(), '\n'), 100);
  }
}

}  // namespace
}  // namespace dm
