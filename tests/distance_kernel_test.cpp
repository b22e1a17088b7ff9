#include "distance_matrix/distance_kernel.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

namespace dm {
namespace {

/// Distance between two points on the default sphere, in km.
double haversine_km(double latitude_a, double longitude_a, double latitude_b, double longitude_b,
                    DistanceOptions options = {}) {
  DistanceKernel kernel(options);
  kernel.add(latitude_a, longitude_a);
  kernel.add(latitude_b, longitude_b);
  return kernel.distance(0, 1);
}

// Reference values below were computed at 60 significant digits with bc(1),
// from the exact binary values of the double inputs.
void expect_relative_near(double actual, double expected, double tolerance) {
  EXPECT_LE(std::abs(actual - expected), tolerance * expected)
      << "actual " << actual << ", expected " << expected;
}

TEST(Haversine, MatchesTheWorkshopReferenceValues) {
  const double ann_arbor[] = {42.279594, -83.732124};
  const double pleasant_grove[] = {40.364118, -111.738540};
  const double boston[] = {42.364758, -71.067421};
  expect_relative_near(haversine_km(ann_arbor[0], ann_arbor[1], pleasant_grove[0], pleasant_grove[1]),
                       2337.868086809025, 1e-15);
  expect_relative_near(haversine_km(ann_arbor[0], ann_arbor[1], boston[0], boston[1]),
                       1040.300088008328, 1e-15);
  expect_relative_near(haversine_km(pleasant_grove[0], pleasant_grove[1], boston[0], boston[1]),
                       3369.022250836994, 1e-15);
}

TEST(Haversine, IsExactlyHalfTheCircumferenceAtAntipodes) {
  const double half_circumference = std::numbers::pi * mean_earth_radius_km;
  expect_relative_near(haversine_km(0, 0, 0, 180), half_circumference, 1e-15);
  expect_relative_near(haversine_km(90, 0, -90, 0), half_circumference, 1e-15);
  expect_relative_near(haversine_km(37.5, -122.25, -37.5, 57.75), half_circumference, 1e-15);
}

TEST(Haversine, StaysAccurateNearTheAntipode) {
  // The textbook 2·asin(√a) loses about half the digits here.
  expect_relative_near(haversine_km(10, 20, -10, -160.000001), 20015.114332530147478, 1e-14);
  expect_relative_near(haversine_km(0.5, 0.0, -0.5, 179.0), 19903.923595877801421, 1e-14);
}

TEST(Haversine, StaysAccurateForTinyDistances) {
  expect_relative_near(haversine_km(52.1, 13.4, 52.1000001, 13.4000001),
                       0.000013049898981415979500, 1e-12);
}

TEST(Haversine, CrossesThePoleAndTheAntimeridianTheShortWay) {
  expect_relative_near(haversine_km(89.9999999, 45, 89.9999999, -135),
                       0.000022239014726416760441, 1e-12);
  expect_relative_near(haversine_km(0, 179.9999999, 0, -179.9999999),
                       0.000022239014726416760441, 1e-12);
}

TEST(Haversine, IsZeroBetweenAPointAndItself) {
  EXPECT_EQ(haversine_km(42.279594, -83.732124, 42.279594, -83.732124), 0.0);
  EXPECT_EQ(haversine_km(90, 0, 90, 123), 0.0);
  EXPECT_EQ(haversine_km(0, -180, 0, 180), 0.0);
}

TEST(Haversine, IsSymmetricAndBoundedOnRandomPoints) {
  std::mt19937_64 random(20261124);
  std::uniform_real_distribution<double> latitude(-90, 90);
  std::uniform_real_distribution<double> longitude(-180, 180);
  const double half_circumference = std::numbers::pi * mean_earth_radius_km;
  for (int trial = 0; trial < 10000; ++trial) {
    const double a[] = {latitude(random), longitude(random)};
    const double b[] = {latitude(random), longitude(random)};
    const double forward = haversine_km(a[0], a[1], b[0], b[1]);
    EXPECT_NEAR(forward, haversine_km(b[0], b[1], a[0], a[1]), 1e-9);
    EXPECT_GE(forward, 0.0);
    EXPECT_LE(forward, half_circumference * (1 + 1e-15));
  }
}

TEST(Units, ScaleTheSameAngle) {
  const double km = haversine_km(42.279594, -83.732124, 42.364758, -71.067421);
  const auto in = [](Unit unit) {
    return haversine_km(42.279594, -83.732124, 42.364758, -71.067421, {Metric::haversine, unit});
  };
  expect_relative_near(in(Unit::meters), km * 1000, 1e-15);
  expect_relative_near(in(Unit::miles), km / 1.609344, 1e-15);
  expect_relative_near(in(Unit::nautical_miles), km / 1.852, 1e-15);
}

TEST(Radius, ScalesDistancesLinearly) {
  DistanceOptions unit_sphere;
  unit_sphere.radius_km = 1.0;
  EXPECT_DOUBLE_EQ(haversine_km(0, 0, 0, 90, unit_sphere), std::numbers::pi / 2);
}

TEST(Equirectangular, AgreesWithHaversineOverShortDistances) {
  const DistanceOptions flat{Metric::equirectangular, Unit::kilometers, mean_earth_radius_km};
  const double exact = haversine_km(48.8566, 2.3522, 48.8666, 2.3622);
  expect_relative_near(haversine_km(48.8566, 2.3522, 48.8666, 2.3622, flat), exact, 1e-6);
}

TEST(Equirectangular, FollowsItsDefinition) {
  const DistanceOptions flat{Metric::equirectangular, Unit::kilometers, 1.0};
  const double radians = std::numbers::pi / 180;
  // x = Δλ·cos φm, y = Δφ
  const double x = 30 * radians * std::cos(15 * radians);
  const double y = 10 * radians;
  expect_relative_near(haversine_km(10, 0, 20, 30, flat), std::sqrt(x * x + y * y), 1e-15);
}

TEST(Equirectangular, TakesTheLongitudeDifferenceTheShortWay) {
  const DistanceOptions flat{Metric::equirectangular, Unit::kilometers, mean_earth_radius_km};
  expect_relative_near(haversine_km(0, 179.5, 0, -179.5, flat),
                       haversine_km(0, -0.5, 0, 0.5, flat), 1e-12);
}

TEST(Compute, WritesEveryPairOfARangeInOutputOrder) {
  DistanceKernel kernel;
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> latitude(-90, 90);
  std::uniform_real_distribution<double> longitude(-180, 180);
  for (int location = 0; location < 40; ++location) kernel.add(latitude(random), longitude(random));

  std::vector<double> all(kernel.pair_count());
  kernel.compute({0, all.size()}, all);
  for (std::size_t k = 0; k < all.size(); ++k) {
    const Pair pair = pair_at(k);
    EXPECT_EQ(all[k], kernel.distance(pair.origin, pair.destination)) << "pair index " << k;
  }
  // A range that starts and ends mid-row gives the same doubles, bit for bit.
  const PairRange middle{17, 503};
  std::vector<double> part(middle.size());
  kernel.compute(middle, part);
  for (std::size_t k = middle.first; k < middle.last; ++k) EXPECT_EQ(part[k - middle.first], all[k]);
}

TEST(ComputeRun, IsBitwiseSymmetricSoEveryShapeAgrees) {
  // Points chosen to hit the antimeridian (difference of exactly ±180°), the
  // poles, antipodes and near-coincident pairs.
  const double points[][2] = {{0, -180},  {0, 180},     {0, 0},        {90, 10},   {-90, -170},
                              {45, 179.9}, {-45, -0.1}, {52.1, 13.4},  {52.1000001, 13.4000001},
                              {10, 20},    {-10, -160}, {-10, -159.9999}};
  for (const Metric metric : {Metric::haversine, Metric::equirectangular}) {
    DistanceKernel kernel(DistanceOptions{.metric = metric});
    for (const auto& point : points) kernel.add(point[0], point[1]);
    const std::size_t n = kernel.size();
    std::vector<double> square(n * n);
    for (std::size_t anchor = 0; anchor < n; ++anchor) kernel.compute_run(anchor, 0, n, &square[anchor * n]);
    for (std::size_t a = 0; a < n; ++a) {
      EXPECT_EQ(square[a * n + a], 0.0) << "diagonal " << a;
      for (std::size_t b = 0; b < n; ++b) {
        EXPECT_EQ(square[a * n + b], square[b * n + a]) << to_string(metric) << " pair " << a << ", " << b;
      }
    }
  }
}

TEST(Compute, AcceptsAnEmptyRange) {
  DistanceKernel kernel;
  kernel.compute({0, 0}, {});
  EXPECT_EQ(kernel.pair_count(), 0u);
}

}  // namespace
}  // namespace dm
