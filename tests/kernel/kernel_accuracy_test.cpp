// The accuracy contract of distance_kernel.hpp (every haversine distance
// within 1e-9 km of the exact great circle for the input doubles), checked
// for the scalar kernel and for the simd kernel on every instruction set this
// CPU supports, against an independent 160-bit MPFR reference.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "support/great_circle_reference.hpp"
#include "support/kernel_variants.hpp"

namespace dm {
namespace {

using testing::GreatCircleReference;
using testing::KernelVariant;

constexpr double contract_km = 1e-9;

struct Point {
  double latitude;
  double longitude;
};

struct WorstError {
  double error_km = 0;
  Point a{}, b{};
};

class KernelAccuracy : public ::testing::TestWithParam<KernelVariant> {
 protected:
  /// Each pair through a kernel of the variant, compared with the reference.
  WorstError worst_error(const std::vector<Point>& points) {
    const testing::DispatchTo dispatch(GetParam());
    DistanceKernel kernel(DistanceOptions{.kernel = GetParam().kind});
    kernel.reserve(points.size());
    for (const Point& point : points) kernel.add(point.latitude, point.longitude);
    WorstError worst;
    for (std::size_t pair = 0; pair + 1 < points.size(); pair += 2) {
      const Point& a = points[pair];
      const Point& b = points[pair + 1];
      double computed = 0;
      kernel.compute_run(pair, pair + 1, pair + 2, &computed);
      const double error = std::abs(GreatCircleReference::error(
          computed, reference_.distance(a.latitude, a.longitude, b.latitude, b.longitude, mean_earth_radius_km)));
      if (!(error <= worst.error_km)) worst = {error, a, b};  // NaN counts as the worst
    }
    return worst;
  }

  static std::string describe(const WorstError& worst) {
    char text[160];
    std::snprintf(text, sizeof text, "worst error %.3g km at (%.17g, %.17g) - (%.17g, %.17g)", worst.error_km,
                  worst.a.latitude, worst.a.longitude, worst.b.latitude, worst.b.longitude);
    return text;
  }

  GreatCircleReference reference_;
};

/// Pairs laid out as consecutive points: (p0, p1), (p2, p3), ...
std::vector<Point> special_pairs() {
  std::vector<Point> pairs = {
      // Coincident, also in different spellings of the same point.
      {42.279594, -83.732124}, {42.279594, -83.732124},
      {90, 0}, {90, 123},
      {-90, -45}, {-90, 180},
      {0, -180}, {0, 180},
      // The workshop's cities.
      {42.279594, -83.732124}, {40.364118, -111.738540},
      {40.364118, -111.738540}, {42.364758, -71.067421},
      // Both poles, pole to equator, along a meridian.
      {90, 0}, {-90, 0},
      {90, 17}, {-90, -163},
      {90, 0}, {0, 77},
      {-89.999999999, 0}, {89.999999999, 180},
      // Antipodes, exact and nearly so.
      {0, 0}, {0, 180},
      {37.5, -122.25}, {-37.5, 57.75},
      {10, 20}, {-10, -160.000001},
      {0.5, 0.0}, {-0.5, 179.0},
      {45, 45}, {-45, -135 + 1e-9},
      {-33.8688, 151.2093}, {33.8688 + 1e-10, 151.2093 - 180},
      {1e-12, 0}, {0, 180 - 1e-12},
      // The antimeridian, crossed the short way.
      {0, 179.9999999}, {0, -179.9999999},
      {-16.5, 179.99999999}, {-16.5000001, -179.99999999},
      {65.5, -180}, {65.5, 180},
      // 60°, 90° and 120°, where the simd kernel switches between its forms.
      {0, 0}, {0, 60},
      {0, 0}, {0, 60 - 1e-12},
      {0, 0}, {0, 60 + 1e-12},
      {30, 10}, {-30, 10},
      {0, 0}, {0, 90},
      {0, 0}, {90, 0},
      {45, 0}, {-45, 0},
      {0, 0}, {0, 120},
      {0, 0}, {0, 120 - 1e-12},
      {0, 0}, {0, 120 + 1e-12},
      {60, -70}, {-60, -70},
  };
  // Millimetres apart (1e-8 degrees is about 1.1 mm) in many places.
  for (const Point base : {Point{52.1, 13.4}, Point{0, 0}, Point{89.99999999, 45}, Point{-89.9999999, -120},
                           Point{0, 179.999999995}, Point{-33.9, -180}, Point{71.2, -156.8}}) {
    for (const double step : {1e-8, 3e-9, 1e-9, 1e-10}) {
      pairs.push_back(base);
      pairs.push_back({base.latitude - step, base.longitude + step});
    }
  }
  return pairs;
}

TEST_P(KernelAccuracy, MeetsTheContractOnEveryHardCase) {
  const WorstError worst = worst_error(special_pairs());
  EXPECT_LE(worst.error_km, contract_km) << describe(worst);
  RecordProperty("worst_error_km", std::to_string(worst.error_km));
}

TEST_P(KernelAccuracy, MeetsTheContractOnRandomPairs) {
  std::mt19937_64 random(20261124);
  std::uniform_real_distribution<double> latitude(-90, 90);
  std::uniform_real_distribution<double> longitude(-180, 180);
  std::vector<Point> points(2 * 20000);
  for (Point& point : points) point = {latitude(random), longitude(random)};
  const WorstError worst = worst_error(points);
  EXPECT_LE(worst.error_km, contract_km) << describe(worst);
}

TEST_P(KernelAccuracy, IsAThousandTimesBetterThanTheTextbookFormulaNearAntipodes) {
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> latitude(-89, 89);
  std::uniform_real_distribution<double> longitude(-179, 179);
  std::uniform_real_distribution<double> offset(-1e-6, 1e-6);
  std::vector<Point> points;
  double textbook_worst_km = 0;
  for (int pair = 0; pair < 2000; ++pair) {
    const Point a{latitude(random), longitude(random)};
    const Point b{-a.latitude + offset(random), a.longitude + (a.longitude < 0 ? 180 : -180) + offset(random)};
    points.push_back(a);
    points.push_back(b);
    const double textbook = testing::textbook_haversine(a.latitude, a.longitude, b.latitude, b.longitude,
                                                        mean_earth_radius_km);
    textbook_worst_km = std::max(
        textbook_worst_km,
        std::abs(GreatCircleReference::error(
            textbook, reference_.distance(a.latitude, a.longitude, b.latitude, b.longitude, mean_earth_radius_km))));
  }
  const WorstError worst = worst_error(points);
  EXPECT_LE(worst.error_km, contract_km) << describe(worst);
  EXPECT_GE(textbook_worst_km, 1000 * worst.error_km)
      << "textbook " << textbook_worst_km << " km, " << describe(worst);
  // The textbook formula is off by more than a centimetre there.
  EXPECT_GT(textbook_worst_km, 1e-5);
}

std::string variant_name(const ::testing::TestParamInfo<KernelVariant>& variant) { return variant.param.name; }

INSTANTIATE_TEST_SUITE_P(EveryKernel, KernelAccuracy, ::testing::ValuesIn(testing::kernel_variants()), variant_name);

}  // namespace
}  // namespace dm
