#include "distance_matrix/kernel/distance_options.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/kernel/location.hpp"

namespace dm {
namespace {

// Expected bounds: DBL_MAX / 2π, computed by hand in Python
// (1.7976931348623157e308 / (2 * math.pi) = 2.861117485757028e+307), times the unit's kilometers.
TEST(RadiusLimit, IsTheLargestDoubleOverTwoPiInTheChosenUnit) {
  EXPECT_NEAR(largest_radius_km(Unit::kilometers) / 2.861117485757028e+307, 1.0, 1e-15);
  EXPECT_NEAR(largest_radius_km(Unit::meters) / 2.861117485757028e+304, 1.0, 1e-15);
  EXPECT_NEAR(largest_radius_km(Unit::miles) / (2.861117485757028e+307 * 1.609344), 1.0, 1e-15);
}

TEST(RadiusLimit, ValidateAcceptsTheLargestAndRefusesBeyond) {
  for (const Unit unit : {Unit::kilometers, Unit::meters, Unit::miles, Unit::nautical_miles}) {
    const double largest = largest_radius_km(unit);
    EXPECT_NO_THROW(validate({Metric::haversine, unit, largest}));
    EXPECT_THROW(validate({Metric::haversine, unit, largest * 1.000001}), std::invalid_argument);
  }
  EXPECT_THROW(validate({Metric::haversine, Unit::meters, 1e308}), std::invalid_argument);
  EXPECT_THROW(validate({Metric::haversine, Unit::kilometers, 0.0}), std::invalid_argument);
  EXPECT_THROW(validate({Metric::haversine, Unit::kilometers, -1.0}), std::invalid_argument);
  EXPECT_THROW(validate({Metric::haversine, Unit::kilometers, std::numeric_limits<double>::quiet_NaN()}),
               std::invalid_argument);
  EXPECT_THROW(validate({Metric::haversine, Unit::kilometers, std::numeric_limits<double>::infinity()}),
               std::invalid_argument);
}

TEST(RadiusLimit, TheMessageNamesTheLargestRadiusAllowed) {
  try {
    static_cast<void>(validate({Metric::haversine, Unit::meters, 1e308}));
    FAIL() << "no exception";
  } catch (const std::invalid_argument& error) {
    EXPECT_STREQ(error.what(),
                 "radius 1e+308 km gives distances in m too large for a double; the largest radius allowed with "
                 "this unit is 2.861117485757028e+304 km");
  }
}

TEST(RadiusLimit, TheKernelRefusesAnOverflowingRadius) {
  EXPECT_THROW(DistanceKernel({Metric::equirectangular, Unit::meters, 1e308}), std::invalid_argument);
}

TEST(RadiusLimit, AtTheLargestRadiusTheLongestDistancesOfEveryMetricAreFinite) {
  // Antipodes on the equator (haversine's longest) and opposite corners
  // (equirectangular's longest, π√2 radii).
  LocationTable locations;
  locations.push_back({"a", 0.0, 0.0});
  locations.push_back({"b", 0.0, 180.0});
  locations.push_back({"c", -90.0, -179.999});
  locations.push_back({"d", 90.0, 0.0});
  for (const Metric metric : {Metric::haversine, Metric::equirectangular}) {
    const DistanceKernel kernel(locations, {metric, Unit::meters, largest_radius_km(Unit::meters)});
    for (std::size_t i = 0; i < locations.size(); ++i) {
      for (std::size_t j = i + 1; j < locations.size(); ++j) EXPECT_TRUE(std::isfinite(kernel.distance(i, j)));
    }
  }
}

}  // namespace
}  // namespace dm
