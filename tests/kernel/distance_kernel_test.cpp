#include "distance_matrix/kernel/distance_kernel.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "distance_matrix/kernel/location.hpp"
#include "src/kernel/metrics/degrees.hpp"
#include "src/kernel/simd_distance.hpp"
#include "support/kernel_variants.hpp"

namespace dm {
namespace {

using testing::KernelVariant;

/// The kernel every test of the suite runs on; set per parameter (scalar, and
/// simd on each instruction set the CPU supports).
KernelKind current_kernel = KernelKind::scalar;

/// Distance between two points on the default sphere, in km.
double haversine_km(double latitude_a, double longitude_a, double latitude_b, double longitude_b,
                    DistanceOptions options = {}) {
  options.kernel = current_kernel;
  DistanceKernel kernel(options);
  kernel.add(latitude_a, longitude_a);
  kernel.add(latitude_b, longitude_b);
  return kernel.distance(0, 1);
}

/// Runs a test once per kernel variant, with Highway's dispatch restricted
/// to the variant's instruction set.
class Kernel : public ::testing::TestWithParam<KernelVariant> {
 protected:
  void SetUp() override { current_kernel = GetParam().kind; }
  void TearDown() override { current_kernel = KernelKind::scalar; }

 private:
  testing::DispatchTo dispatch_{GetParam()};
};

/// The contract of distance_kernel.hpp: within 1e-9 km of the exact value.
constexpr double contract_km = 1e-9;

// Reference values below were computed at 60 significant digits with bc(1),
// from the exact binary values of the double inputs.
void expect_relative_near(double actual, double expected, double tolerance) {
  EXPECT_LE(std::abs(actual - expected), tolerance * expected)
      << "actual " << actual << ", expected " << expected;
}

TEST_P(Kernel, HaversineMatchesTheWorkshopReferenceValues) {
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

TEST_P(Kernel, HaversineIsExactlyHalfTheCircumferenceAtAntipodes) {
  const double half_circumference = std::numbers::pi * mean_earth_radius_km;
  expect_relative_near(haversine_km(0, 0, 0, 180), half_circumference, 1e-15);
  expect_relative_near(haversine_km(90, 0, -90, 0), half_circumference, 1e-15);
  expect_relative_near(haversine_km(37.5, -122.25, -37.5, 57.75), half_circumference, 1e-15);
}

TEST_P(Kernel, HaversineStaysAccurateNearTheAntipode) {
  // The textbook 2·asin(√a) loses about half the digits here.
  expect_relative_near(haversine_km(10, 20, -10, -160.000001), 20015.114332530147478, 1e-14);
  expect_relative_near(haversine_km(0.5, 0.0, -0.5, 179.0), 19903.923595877801421, 1e-14);
}

TEST_P(Kernel, HaversineStaysAccurateForTinyDistances) {
  // The scalar haversine keeps relative precision; the chord of the simd
  // kernel has an absolute error of a few 1e-13 km, within the contract.
  const double exact = 0.000013049898981415979500;
  const double computed = haversine_km(52.1, 13.4, 52.1000001, 13.4000001);
  if (current_kernel == KernelKind::scalar) {
    expect_relative_near(computed, exact, 1e-12);
  } else {
    EXPECT_NEAR(computed, exact, contract_km);
  }
}

TEST_P(Kernel, HaversineCrossesThePoleAndTheAntimeridianTheShortWay) {
  EXPECT_NEAR(haversine_km(89.9999999, 45, 89.9999999, -135), 0.000022239014726416760441, contract_km);
  EXPECT_NEAR(haversine_km(0, 179.9999999, 0, -179.9999999), 0.000022239014726416760441, contract_km);
}

TEST_P(Kernel, HaversineIsZeroBetweenAPointAndItself) {
  EXPECT_EQ(haversine_km(42.279594, -83.732124, 42.279594, -83.732124), 0.0);
  EXPECT_EQ(haversine_km(90, 0, 90, 123), 0.0);
  EXPECT_EQ(haversine_km(0, -180, 0, 180), 0.0);
}

TEST_P(Kernel, HaversineIsSymmetricAndBoundedOnRandomPoints) {
  std::mt19937_64 random(20261124);
  std::uniform_real_distribution<double> latitude(-90, 90);
  std::uniform_real_distribution<double> longitude(-180, 180);
  const double half_circumference = std::numbers::pi * mean_earth_radius_km;
  for (int trial = 0; trial < 10000; ++trial) {
    const double a[] = {latitude(random), longitude(random)};
    const double b[] = {latitude(random), longitude(random)};
    const double forward = haversine_km(a[0], a[1], b[0], b[1]);
    EXPECT_EQ(forward, haversine_km(b[0], b[1], a[0], a[1]));
    EXPECT_GE(forward, 0.0);
    EXPECT_LE(forward, half_circumference * (1 + 1e-15));
  }
}

TEST_P(Kernel, UnitsScaleTheSameAngle) {
  const double km = haversine_km(42.279594, -83.732124, 42.364758, -71.067421);
  const auto in = [](Unit unit) {
    return haversine_km(42.279594, -83.732124, 42.364758, -71.067421, {Metric::haversine, unit});
  };
  expect_relative_near(in(Unit::meters), km * 1000, 1e-15);
  expect_relative_near(in(Unit::miles), km / 1.609344, 1e-15);
  expect_relative_near(in(Unit::nautical_miles), km / 1.852, 1e-15);
}

TEST_P(Kernel, RadiusScalesDistancesLinearly) {
  DistanceOptions unit_sphere;
  unit_sphere.radius_km = 1.0;
  EXPECT_DOUBLE_EQ(haversine_km(0, 0, 0, 90, unit_sphere), std::numbers::pi / 2);
}

TEST_P(Kernel, EquirectangularAgreesWithHaversineOverShortDistances) {
  const DistanceOptions flat{Metric::equirectangular, Unit::kilometers, mean_earth_radius_km};
  const double exact = haversine_km(48.8566, 2.3522, 48.8666, 2.3622);
  expect_relative_near(haversine_km(48.8566, 2.3522, 48.8666, 2.3622, flat), exact, 1e-6);
}

TEST_P(Kernel, EquirectangularFollowsItsDefinition) {
  const DistanceOptions flat{Metric::equirectangular, Unit::kilometers, 1.0};
  const double radians = std::numbers::pi / 180;
  // x = Δλ·cos φm, y = Δφ
  const double x = 30 * radians * std::cos(15 * radians);
  const double y = 10 * radians;
  expect_relative_near(haversine_km(10, 0, 20, 30, flat), std::sqrt(x * x + y * y), 1e-15);
}

TEST_P(Kernel, EquirectangularTakesTheLongitudeDifferenceTheShortWay) {
  const DistanceOptions flat{Metric::equirectangular, Unit::kilometers, mean_earth_radius_km};
  expect_relative_near(haversine_km(0, 179.5, 0, -179.5, flat),
                       haversine_km(0, -0.5, 0, 0.5, flat), 1e-12);
}

TEST_P(Kernel, ComputeWritesEveryPairOfARangeInOutputOrder) {
  DistanceKernel kernel(DistanceOptions{.kernel = current_kernel});
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
  const CellRange middle{17, 503};
  std::vector<double> part(middle.size());
  kernel.compute(middle, part);
  for (std::size_t k = middle.first; k < middle.last; ++k) EXPECT_EQ(part[k - middle.first], all[k]);
}

TEST_P(Kernel, ComputeRunIsBitwiseSymmetricSoEveryShapeAgrees) {
  // Points chosen to hit the antimeridian (difference of exactly ±180°), the
  // poles, antipodes and near-coincident pairs.
  const double points[][2] = {{0, -180},  {0, 180},     {0, 0},        {90, 10},   {-90, -170},
                              {45, 179.9}, {-45, -0.1}, {52.1, 13.4},  {52.1000001, 13.4000001},
                              {10, 20},    {-10, -160}, {-10, -159.9999}};
  for (const Metric metric : {Metric::haversine, Metric::equirectangular}) {
    DistanceKernel kernel(DistanceOptions{.metric = metric, .kernel = current_kernel});
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

TEST_P(Kernel, ComputeAcceptsAnEmptyRange) {
  DistanceKernel kernel(DistanceOptions{.kernel = current_kernel});
  kernel.compute({0, 0}, {});
  EXPECT_EQ(kernel.pair_count(), 0u);
}

TEST_P(Kernel, ComputeRunGivesEveryPairTheSameBitsWhateverTheRunOffsetOrLane) {
  std::mt19937_64 random(11);
  std::uniform_real_distribution<double> latitude(-90, 90);
  std::uniform_real_distribution<double> longitude(-180, 180);
  for (const Metric metric : {Metric::haversine, Metric::equirectangular}) {
    DistanceKernel kernel(DistanceOptions{.metric = metric, .kernel = current_kernel});
    for (int location = 0; location < 53; ++location) kernel.add(latitude(random), longitude(random));
    const std::size_t n = kernel.size();
    std::vector<double> whole(n);
    for (std::size_t anchor = 0; anchor < n; anchor += 7) {
      kernel.compute_run(anchor, 0, n, whole.data());
      // Every sub-run (shifting each pair through every lane and the masked tail).
      for (std::size_t first = 0; first < n; ++first) {
        for (std::size_t last = first + 1; last <= n && last <= first + 19; ++last) {
          std::vector<double> part(last - first);
          kernel.compute_run(anchor, first, last, part.data());
          for (std::size_t m = first; m < last; ++m) {
            ASSERT_EQ(part[m - first], whole[m]) << to_string(metric) << " anchor " << anchor << " run [" << first
                                                 << ", " << last << ") location " << m;
          }
        }
      }
    }
  }
}

TEST_P(Kernel, NamesTheInstructionSetItDispatchesTo) {
  if (GetParam().kind == KernelKind::scalar) {
    EXPECT_EQ(describe_kernel(KernelKind::scalar), "scalar");
    return;
  }
  const std::string expected = GetParam().name == "simd_AVX3"   ? "avx512"
                               : GetParam().name == "simd_AVX2" ? "avx2"
                               : GetParam().name == "simd_SSE4" ? "sse4"
                               : GetParam().name == "simd_SSSE3" ? "ssse3"
                               : GetParam().name == "simd_SCALAR" ? "generic"
                               : GetParam().name == "simd_EMU128" ? "generic"
                                                                  : "?";
  EXPECT_EQ(simd_target_name(), expected);
  EXPECT_EQ(describe_kernel(KernelKind::simd), "simd " + expected);
}

TEST_P(Kernel, AgreesWithTheScalarKernelWithinTheContract) {
  std::mt19937_64 random(13);
  std::uniform_real_distribution<double> latitude(-90, 90);
  std::uniform_real_distribution<double> longitude(-180, 180);
  for (const Metric metric : {Metric::haversine, Metric::equirectangular}) {
    for (const Unit unit : {Unit::kilometers, Unit::meters, Unit::miles, Unit::nautical_miles}) {
      DistanceKernel ours(DistanceOptions{.metric = metric, .unit = unit, .kernel = current_kernel});
      DistanceKernel scalar(DistanceOptions{.metric = metric, .unit = unit, .kernel = KernelKind::scalar});
      for (int location = 0; location < 300; ++location) {
        const double lat = latitude(random);
        const double lon = longitude(random);
        ours.add(lat, lon);
        scalar.add(lat, lon);
      }
      std::vector<double> expected(scalar.pair_count());
      std::vector<double> actual(ours.pair_count());
      scalar.compute({0, expected.size()}, expected);
      ours.compute({0, actual.size()}, actual);
      const double tolerance = contract_km / kilometers_per(unit);
      for (std::size_t k = 0; k < actual.size(); ++k) {
        ASSERT_NEAR(actual[k], expected[k], tolerance) << to_string(metric) << ' ' << to_string(unit) << " pair " << k;
      }
    }
  }
}

std::string variant_name(const ::testing::TestParamInfo<KernelVariant>& variant) { return variant.param.name; }

// The kernel computes a location's sin and cos once and hands the unit vector
// to the haversine metric: its vectors and distances must be the doubles that
// sincos_degrees and the simd run give when computed apart, bit for bit.
TEST_P(Kernel, SharesOneUnitVectorPerLocationWithTheHaversineMetric) {
  std::mt19937_64 random(15);
  std::uniform_real_distribution<double> latitude(-90.0, 90.0);
  std::uniform_real_distribution<double> longitude(-180.0, 180.0);
  std::vector<double> latitudes = {90.0, -90.0, 0.0, 0.0, 45.0, -0.0};
  std::vector<double> longitudes = {0.0, 180.0, -180.0, 180.0, 90.0, -0.0};
  for (int index = 0; index < 300; ++index) {
    latitudes.push_back(latitude(random));
    longitudes.push_back(longitude(random));
  }
  const std::size_t count = latitudes.size();
  std::vector<double> x(count + simd::input_padding, 0.0);
  std::vector<double> y(x);
  std::vector<double> z(x);
  for (std::size_t index = 0; index < count; ++index) {
    const metrics::SinCos phi = metrics::sincos_degrees(latitudes[index]);
    const metrics::SinCos lambda = metrics::sincos_degrees(longitudes[index]);
    x[index] = phi.cos * lambda.cos;
    y[index] = phi.cos * lambda.sin;
    z[index] = phi.sin;
  }
  const DistanceOptions options{.kernel = current_kernel};
  DistanceKernel one_at_a_time(options);
  LocationTable table;
  for (std::size_t index = 0; index < count; ++index) {
    one_at_a_time.add(latitudes[index], longitudes[index]);
    table.push_back("p", latitudes[index], longitudes[index]);
  }
  const DistanceKernel whole(table, options);
  for (const DistanceKernel* kernel : {static_cast<const DistanceKernel*>(&one_at_a_time), &whole}) {
    for (std::size_t index = 0; index < count; ++index) {
      ASSERT_EQ(kernel->unit_x()[index], x[index]) << index;
      ASSERT_EQ(kernel->unit_y()[index], y[index]) << index;
      ASSERT_EQ(kernel->unit_z()[index], z[index]) << index;
    }
  }
  if (current_kernel != KernelKind::simd) return;
  std::vector<double> expected(count);
  std::vector<double> actual(count);
  for (const std::size_t anchor : {std::size_t{0}, std::size_t{1}, std::size_t{4}, count - 1}) {
    simd::haversine_run(x.data(), y.data(), z.data(), count, x[anchor], y[anchor], z[anchor],
                        options.radius_km, expected.data());
    for (const DistanceKernel* kernel : {static_cast<const DistanceKernel*>(&one_at_a_time), &whole}) {
      kernel->compute_run(anchor, 0, count, actual.data());
      for (std::size_t index = 0; index < count; ++index) ASSERT_EQ(actual[index], expected[index]) << index;
    }
  }
}

TEST_P(Kernel, PreparedOnSeveralThreadsIsTheKernelAddedOneAtATime) {
  // More locations than add_all prepares on one thread, after a few added
  // one at a time (so that its output starts past the kernel's first).
  std::mt19937_64 random(16);
  std::uniform_real_distribution<double> latitude(-90.0, 90.0);
  std::uniform_real_distribution<double> longitude(-180.0, 180.0);
  std::vector<double> latitudes = {90.0, -90.0, 0.0, -0.0, 45.0};
  std::vector<double> longitudes = {0.0, 180.0, -180.0, -0.0, 90.0};
  for (int index = 0; index < 40'000; ++index) {
    latitudes.push_back(latitude(random));
    longitudes.push_back(longitude(random));
  }
  const std::size_t count = latitudes.size();
  for (const Metric metric : {Metric::haversine, Metric::equirectangular, Metric::geodesic}) {
    const DistanceOptions options{.metric = metric, .kernel = current_kernel};
    DistanceKernel one_at_a_time(options);
    LocationTable table;
    for (std::size_t index = 0; index < count; ++index) {
      one_at_a_time.add(latitudes[index], longitudes[index]);
      table.push_back("p", latitudes[index], longitudes[index]);
    }
    const DistanceKernel whole(table, options, 2);
    DistanceKernel appended(options);
    appended.add(latitudes[0], longitudes[0]);
    appended.add_all(std::span(latitudes).subspan(1), std::span(longitudes).subspan(1), 2);
    std::vector<double> expected(count);
    std::vector<double> actual(count);
    for (const DistanceKernel* kernel : {&whole, static_cast<const DistanceKernel*>(&appended)}) {
      ASSERT_EQ(kernel->size(), count);
      for (std::size_t index = 0; index < count; ++index) {
        ASSERT_EQ(kernel->unit_x()[index], one_at_a_time.unit_x()[index]) << index;
        ASSERT_EQ(kernel->unit_y()[index], one_at_a_time.unit_y()[index]) << index;
        ASSERT_EQ(kernel->unit_z()[index], one_at_a_time.unit_z()[index]) << index;
      }
      for (const std::size_t anchor : {std::size_t{0}, std::size_t{3}, count / 2, count - 1}) {
        one_at_a_time.compute_run(anchor, 0, count, expected.data());
        kernel->compute_run(anchor, 0, count, actual.data());
        for (std::size_t index = 0; index < count; ++index) ASSERT_EQ(actual[index], expected[index]) << index;
      }
    }
  }
}

TEST(KernelPreparation, RefusesMoreLatitudesThanLongitudes) {
  DistanceKernel kernel;
  const std::vector<double> latitudes = {1.0, 2.0};
  const std::vector<double> longitudes = {1.0};
  EXPECT_THROW(kernel.add_all(latitudes, longitudes, 2), std::invalid_argument);
  EXPECT_EQ(kernel.size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(EveryKernel, Kernel, ::testing::ValuesIn(testing::kernel_variants()), variant_name);

}  // namespace
}  // namespace dm
