// The geodesic metric against an independent implementation of Karney's
// algorithm: PROJ's C code (through python3-pyproj), whose distances for the
// stress set of issue 16 are in tests/golden/geodesic_pyproj.csv (written by
// scripts/make_geodesic_golden.py). The contract: within 1 micrometre.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/kernel/distance_options.hpp"
#include "distance_matrix/kernel/ellipsoid.hpp"
#include "support/kernel_variants.hpp"

namespace dm {
namespace {

constexpr double contract_m = 1e-6;

struct GoldenPair {
  std::string name;  ///< the stress case: random, near_pole, nearly_antipodal, ...
  Ellipsoid ellipsoid;
  double latitude1, longitude1, latitude2, longitude2;
  double meters;  ///< PROJ's distance
};

std::vector<GoldenPair> golden_pairs() {
  std::ifstream file(DM_GOLDEN_DIR "/geodesic_pyproj.csv");
  if (!file) throw std::runtime_error("cannot open " DM_GOLDEN_DIR "/geodesic_pyproj.csv");
  std::vector<GoldenPair> pairs;
  std::string line;
  while (std::getline(file, line)) {
    if (line.empty() || line[0] == '#' || line.starts_with("case,")) continue;
    std::istringstream fields(line);
    std::string field;
    std::vector<std::string> values;
    while (std::getline(fields, field, ',')) values.push_back(field);
    if (values.size() != 8) throw std::runtime_error("bad golden row: " + line);
    pairs.push_back({values[0], Ellipsoid{std::stod(values[1]), std::stod(values[2])}, std::stod(values[3]),
                     std::stod(values[4]), std::stod(values[5]), std::stod(values[6]), std::stod(values[7])});
  }
  return pairs;
}

double geodesic(const GoldenPair& pair, KernelKind kind, Unit unit = Unit::meters) {
  DistanceOptions options;
  options.metric = Metric::geodesic;
  options.unit = unit;
  options.kernel = kind;
  options.ellipsoid = pair.ellipsoid;
  DistanceKernel kernel(options);
  kernel.add(pair.latitude1, pair.longitude1);
  kernel.add(pair.latitude2, pair.longitude2);
  return kernel.distance(0, 1);
}

/// Every kernel: scalar (GeographicLib) and the vectorized inverse on each
/// instruction set this machine runs, forced through simd::use_target.
class GeodesicAccuracy : public ::testing::TestWithParam<testing::KernelVariant> {
 protected:
  [[nodiscard]] KernelKind kind() const { return GetParam().kind; }

 private:
  testing::DispatchTo dispatch_{GetParam()};
};

TEST_P(GeodesicAccuracy, EveryStressPairIsWithinOneMicrometreOfProj) {
  const std::vector<GoldenPair> pairs = golden_pairs();
  ASSERT_GT(pairs.size(), 600u);
  std::map<std::string, double> worst_by_case;
  for (const GoldenPair& pair : pairs) {
    const double error = std::abs(geodesic(pair, kind()) - pair.meters);
    double& worst = worst_by_case[pair.name];
    worst = std::max(worst, error);
    EXPECT_LE(error, contract_m) << pair.name << ": (" << pair.latitude1 << ", " << pair.longitude1 << ") to ("
                                 << pair.latitude2 << ", " << pair.longitude2 << ")";
  }
  // Every branch of the stress set was there to be checked.
  for (const std::string name : {"random", "near_pole", "across_pole", "pole_exact", "equator", "equator_far",
                                 "meridian", "opposite_meridians", "coincident", "millimetres", "nearly_antipodal",
                                 "antipodal", "antimeridian", "grs80", "prolate"}) {
    EXPECT_TRUE(worst_by_case.contains(name)) << name;
  }
}

TEST_P(GeodesicAccuracy, CoincidentPointsAreExactlyZeroAndEveryPairIsSymmetricBitForBit) {
  for (const GoldenPair& pair : golden_pairs()) {
    DistanceOptions options;
    options.metric = Metric::geodesic;
    options.kernel = kind();
    options.ellipsoid = pair.ellipsoid;
    DistanceKernel kernel(options);
    kernel.add(pair.latitude1, pair.longitude1);
    kernel.add(pair.latitude2, pair.longitude2);
    kernel.add(pair.latitude1, pair.longitude1);
    const double forward = kernel.distance(0, 1);
    const double backward = kernel.distance(1, 0);
    EXPECT_EQ(std::bit_cast<std::uint64_t>(forward), std::bit_cast<std::uint64_t>(backward)) << pair.name;
    EXPECT_EQ(kernel.distance(0, 2), 0.0);
    if (pair.name == "coincident") {
      EXPECT_EQ(forward, 0.0);
    }
  }
}

TEST_P(GeodesicAccuracy, UnitsAreTheMetresDividedByTheUnitsLength) {
  const GoldenPair pair = golden_pairs().front();
  const double meters = geodesic(pair, kind(), Unit::meters);
  EXPECT_EQ(geodesic(pair, kind(), Unit::kilometers), meters / 1000.0);
  EXPECT_EQ(geodesic(pair, kind(), Unit::miles), meters / 1609.344);
  EXPECT_EQ(geodesic(pair, kind(), Unit::nautical_miles), meters / 1852.0);
}

INSTANTIATE_TEST_SUITE_P(EveryKernel, GeodesicAccuracy, ::testing::ValuesIn(testing::kernel_variants()),
                         [](const auto& parameter) { return parameter.param.name; });

TEST(GeodesicMetric, TheWholeMatrixHasTheSameDoublesAsPairByPair) {
  // A matrix's rows are runs anchored at either end of a pair: each cell must
  // be the value of its two locations alone.
  std::vector<GoldenPair> pairs = golden_pairs();
  pairs.resize(60);
  DistanceOptions options;
  options.metric = Metric::geodesic;
  DistanceKernel kernel(options);
  for (const GoldenPair& pair : pairs) kernel.add(pair.latitude1, pair.longitude1);
  std::vector<double> matrix(kernel.pair_count());
  kernel.compute({0, matrix.size()}, matrix);
  std::size_t cell = 0;
  for (std::size_t destination = 1; destination < pairs.size(); ++destination) {
    for (std::size_t origin = 0; origin < destination; ++origin, ++cell) {
      DistanceKernel two(options);
      two.add(pairs[destination].latitude1, pairs[destination].longitude1);
      two.add(pairs[origin].latitude1, pairs[origin].longitude1);
      ASSERT_EQ(std::bit_cast<std::uint64_t>(matrix[cell]), std::bit_cast<std::uint64_t>(two.distance(0, 1)));
    }
  }
}

TEST(GeodesicMetric, TheReportNamesGeographicLibOrTheVectorizedInverse) {
  DistanceOptions options;
  options.metric = Metric::geodesic;
  options.kernel = KernelKind::scalar;
  EXPECT_EQ(describe_kernel(options), "scalar (GeographicLib)");
  options.kernel = KernelKind::simd;
  EXPECT_EQ(describe_kernel(options), describe_kernel(KernelKind::simd) + " (Karney inverse; hard pairs by GeographicLib)");
}

TEST(Ellipsoid, NamesAndAxisWithInverseFlatteningParse) {
  EXPECT_EQ(parse_ellipsoid("wgs84")->inverse_flattening, 298.257223563);
  EXPECT_EQ(parse_ellipsoid("grs80")->inverse_flattening, 298.257222101);
  const std::optional<Ellipsoid> custom = parse_ellipsoid("6378388,297");  // International 1924
  ASSERT_TRUE(custom);
  EXPECT_EQ(custom->semi_major_axis_m, 6378388.0);
  EXPECT_EQ(custom->inverse_flattening, 297.0);
  for (const char* text : {"", "WGS84", "6378137", "6378137,", ",298", "6378137;298", "a,b", "6378137,298,1", " 6378137,298"}) {
    EXPECT_FALSE(parse_ellipsoid(text)) << text;
  }
}

TEST(Ellipsoid, OnlyOblateAndProlateEllipsoidsWithinKarneysSeriesRangeAreAccepted) {
  for (const Ellipsoid accepted : {wgs84, grs80, Ellipsoid{6371008.8, 0.0}, Ellipsoid{6378137.0, 100.0},
                                   Ellipsoid{6378137.0, -100.0}, Ellipsoid{1.0, 298.0}}) {
    EXPECT_FALSE(ellipsoid_problem(accepted)) << to_string(accepted);
  }
  for (const Ellipsoid refused : {Ellipsoid{0.0, 298.0}, Ellipsoid{-1.0, 298.0}, Ellipsoid{NAN, 298.0},
                                  Ellipsoid{INFINITY, 298.0}, Ellipsoid{6378137.0, 1.0}, Ellipsoid{6378137.0, 0.5},
                                  Ellipsoid{6378137.0, 99.0}, Ellipsoid{6378137.0, -99.0}, Ellipsoid{6378137.0, NAN}}) {
    EXPECT_TRUE(ellipsoid_problem(refused)) << to_string(refused);
    DistanceOptions options;
    options.metric = Metric::geodesic;
    options.ellipsoid = refused;
    EXPECT_THROW(validate(options), std::invalid_argument) << to_string(refused);
  }
}

TEST(GeodesicMetric, TheBoundIsHalfTheLongestMeridianAndRefusesOverflow) {
  DistanceOptions options;
  options.metric = Metric::geodesic;
  options.unit = Unit::meters;
  // Half a meridian of WGS84 is 20,003,931.46 m (GeographicLib); the bound π·a is above it.
  EXPECT_GE(largest_distance(options), 20003931.46);
  EXPECT_LE(largest_distance(options), 20037508.35);  // π·6378137
  options.ellipsoid = {1e308, 298.257223563};
  EXPECT_THROW(validate(options), std::invalid_argument);
  options.unit = Unit::kilometers;
  options.ellipsoid = {1e308, 298.257223563};
  EXPECT_NO_THROW(validate(options));  // π·1e305 km is finite
}

}  // namespace
}  // namespace dm
