// summarize_rows (each pair once, the reduction fused into the kernel)
// against the row-by-row reduction of the matrix's own rows, and mean and sd
// against a long double brute force where the textbook one-pass formula
// fails: a tight cluster seen from far away.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <string_view>
#include <vector>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/kernel/distance_tally.hpp"
#include "distance_matrix/queries/row_summary.hpp"
#include "distance_matrix/queries/summary_sweep.hpp"
#include "src/kernel/simd_distance.hpp"
#include "support/random_locations.hpp"

namespace dm {
namespace {

void expect_same(const RowSummary& actual, const RowSummary& expected, const std::string& label) {
  EXPECT_EQ(actual.count, expected.count) << label;
  EXPECT_EQ(actual.min, expected.min) << label;
  EXPECT_EQ(actual.nearest, expected.nearest) << label;
  EXPECT_EQ(actual.max, expected.max) << label;
  EXPECT_EQ(actual.farthest, expected.farthest) << label;
  EXPECT_EQ(actual.mean, expected.mean) << label;
  EXPECT_EQ(actual.sd, expected.sd) << label;
}

/// Each origin's row computed whole by the kernel and reduced by summarize_row.
std::vector<RowSummary> row_by_row(const DistanceKernel& kernel, const MatrixShape& shape) {
  const TallyGrid grid = TallyGrid::for_largest(largest_distance(kernel.options()));
  const bool square = shape.layout() == Layout::square;
  const std::size_t first = square ? 0 : shape.rows();
  std::vector<double> row(shape.columns());
  std::vector<RowSummary> rows;
  for (std::size_t origin = 0; origin < shape.rows(); ++origin) {
    kernel.compute_run(origin, first, kernel.size(), row.data());
    rows.push_back(summarize_row(row, square ? origin : no_column, grid));
  }
  return rows;
}

void expect_sweep_matches_rows(const DistanceOptions& options, std::size_t count, std::size_t destinations,
                               const std::string& label) {
  LocationTable table(testing::random_locations(count + destinations, 15));
  const DistanceKernel kernel(table, options);
  const MatrixShape shape =
      destinations > 0 ? MatrixShape::rectangle(count, destinations) : MatrixShape::square(count);
  const std::vector<RowSummary> expected = row_by_row(kernel, shape);
  for (unsigned workers : {1u, 2u, 3u}) {
    const std::vector<RowSummary> swept = summarize_rows(kernel, shape, workers);
    ASSERT_EQ(swept.size(), expected.size());
    for (std::size_t origin = 0; origin < expected.size(); ++origin) {
      expect_same(swept[origin], expected[origin],
                  label + ", " + std::to_string(workers) + " workers, origin " + std::to_string(origin));
      if (::testing::Test::HasFailure()) return;
    }
  }
}

// More locations than a tile of columns (2048) and a task of origins (64),
// so rows and columns are each summed across tiles, tasks and workers.
TEST(SummarizeRows, HaversineSimdFusedGivesTheRowByRowValuesForAnyWorkers) {
  expect_sweep_matches_rows({}, 4500, 0, "haversine simd square");
  expect_sweep_matches_rows({}, 130, 4400, "haversine simd rectangle");
}

TEST(SummarizeRows, MetricsWithoutAFusedKernelGiveTheRowByRowValuesToo) {
  DistanceOptions scalar;
  scalar.kernel = KernelKind::scalar;
  expect_sweep_matches_rows(scalar, 2300, 0, "haversine scalar square");
  DistanceOptions equirectangular;
  equirectangular.metric = Metric::equirectangular;
  expect_sweep_matches_rows(equirectangular, 2300, 0, "equirectangular square");
  expect_sweep_matches_rows(equirectangular, 70, 2100, "equirectangular rectangle");
  DistanceOptions geodesic;
  geodesic.metric = Metric::geodesic;
  expect_sweep_matches_rows(geodesic, 150, 0, "geodesic square");
}

TEST(SummarizeRows, TheEarthInKilometresIsSummedOnAGridOfTwoToTheMinus17) {
  // π · 6371.0088 km = 20015.1 km: 2^17 steps a km gives 2.62e9 steps, the
  // finest power of two below 2^32 (4.29e9).
  const TallyGrid grid = TallyGrid::for_largest(largest_distance(DistanceOptions{}));
  EXPECT_EQ(grid.step(), std::ldexp(1.0, -17));
}

// An origin 5,000 km from 2,000 destinations spread over 20 m: mean 5,000 km,
// sd under a metre. The one-pass E[x²] − E[x]² in doubles loses about
// 25e6 · 1.1e-16 = 3e-9 km² to cancellation, an sd error of metres; the
// exact tally stays within half a step (3.8 mm) of the long double
// two-pass value of the same doubles.
TEST(SummarizeRows, MeanAndSdOfAFarTightClusterAgreeWithALongDoubleBruteForce) {
  LocationTable table;
  table.push_back({"origin", 0.0, 0.0});
  for (std::size_t index = 0; index < 2000; ++index) {
    const double offset = static_cast<double>(index % 200) * 1e-6 + static_cast<double>(index / 200) * 1e-6;
    table.push_back({"d" + std::to_string(index), 30.0 + offset, 35.0 - offset});
  }
  const DistanceKernel kernel(table);
  for (unsigned workers : {1u, 2u}) {
    const std::vector<RowSummary> rows = summarize_rows(kernel, MatrixShape::rectangle(1, 2000), workers);
    long double sum = 0;
    std::vector<double> distances;
    for (std::size_t other = 1; other < table.size(); ++other) {
      distances.push_back(kernel.distance(0, other));
      sum += distances.back();
    }
    const long double mean = sum / 2000;
    long double squares = 0;
    for (const double distance : distances) squares += (distance - mean) * (distance - mean);
    const long double sd = std::sqrt(squares / 2000);
    ASSERT_GT(mean, 4000);
    ASSERT_GT(sd, 1e-4);  // under a metre, not zero: the case the one-pass formula gets wrong
    const double half_step = std::ldexp(1.0, -18);
    EXPECT_NEAR(rows[0].mean, static_cast<double>(mean), half_step + 1e-12 * static_cast<double>(mean));
    EXPECT_NEAR(rows[0].sd, static_cast<double>(sd), half_step);
    EXPECT_EQ(rows[0].count, 2000u);
  }
}

/// summarize_rows of `table`'s square against the row-by-row reduction,
/// for 1, 2, 3 and 8 workers, which must also agree with each other bit for bit.
void expect_square_matches_rows(const LocationTable& table, const DistanceOptions& options, const std::string& label) {
  const DistanceKernel kernel(table, options);
  const MatrixShape shape = MatrixShape::square(kernel.size());
  const std::vector<RowSummary> expected = row_by_row(kernel, shape);
  for (unsigned workers : {1u, 2u, 3u, 8u}) {
    const std::vector<RowSummary> swept = summarize_rows(kernel, shape, workers);
    ASSERT_EQ(swept.size(), expected.size()) << label;
    for (std::size_t origin = 0; origin < expected.size(); ++origin) {
      expect_same(swept[origin], expected[origin],
                  label + ", " + std::to_string(workers) + " workers, origin " + std::to_string(origin));
      if (::testing::Test::HasFailure()) return;
    }
  }
}

// The square is swept in tiles of 64 origins by 128 columns, each vector
// of 8 (AVX-512) or fewer lanes; sizes on either side of every boundary,
// down to one and two locations.
TEST(SummarizeRows, EverySizeAroundTheTileAndVectorBoundariesGivesTheRowByRowValues) {
  for (std::size_t count : {1u, 2u, 3u, 7u, 8u, 9u, 15u, 16u, 17u, 63u, 64u, 65u, 66u, 127u, 128u, 129u, 255u, 256u,
                            257u, 320u, 321u, 513u}) {
    const LocationTable table(testing::random_locations(count, 40 + count));
    expect_square_matches_rows(table, {}, "haversine simd, " + std::to_string(count) + " locations");
    if (::testing::Test::HasFailure()) return;
  }
  DistanceOptions scalar;
  scalar.kernel = KernelKind::scalar;
  for (std::size_t count : {1u, 2u, 65u, 257u}) {
    expect_square_matches_rows(LocationTable(testing::random_locations(count, 7)), scalar,
                               "haversine scalar, " + std::to_string(count) + " locations");
  }
}

// Every location three times (one copy in another tile of origins and of
// columns) and a ring of points at exactly the same distance from the
// centre: the smallest and largest distances are tied, within a vector,
// across vectors and across tiles, and each must name the lowest index.
TEST(SummarizeRows, TiesAndDuplicatesNameTheLowestIndexForAnyWorkers) {
  const std::vector<Location> distinct = testing::random_locations(150, 3);
  LocationTable table;
  for (std::size_t copy = 0; copy < 3; ++copy) {
    for (const Location& location : distinct) table.push_back(location);
  }
  table.push_back({"centre", 0.0, 0.0});
  for (const double longitude : {10.0, -10.0}) table.push_back({"east-west", 0.0, longitude});
  for (const double latitude : {10.0, -10.0}) table.push_back({"north-south", latitude, 0.0});
  for (std::size_t index = 0; index < 70; ++index) table.push_back({"same", 45.0, 45.0});
  expect_square_matches_rows(table, {}, "duplicates and ties");
}

// The fused sweep is compiled once per instruction set (AVX-512, AVX2,
// SSE4, ... and Highway's portable code): each, forced in turn, must give
// the row-by-row values, with vectors of 8, 4, 2 or 1 lanes.
TEST(SummarizeRows, EveryInstructionSetGivesTheRowByRowValues) {
  const LocationTable table(testing::random_locations(300, 11));
  for (const std::string_view target : simd::runnable_targets()) {
    ASSERT_TRUE(simd::use_target(target)) << target;
    expect_square_matches_rows(table, {}, "haversine simd on " + std::string(target));
  }
  EXPECT_TRUE(simd::use_target(""));
}

TEST(DistanceTally, SquaresCarryIntoTheHighWordExactly) {
  // q = 2^32 − 1, the largest step: q² just under 2^64, so every second one
  // carries out of the low word.
  const TallyGrid grid{1.0};
  const std::vector<double> values(5, TallyGrid::largest_steps);
  TallyLanes lanes;
  tally_values(values.data(), values.size(), 0, grid, lanes, 0, nullptr);
  ExactTally total;
  total.add(lanes);
  const std::uint64_t q = 4294967295u;
  EXPECT_TRUE(total.sum == static_cast<uint128_t>(5) * q);
  EXPECT_TRUE(total.squares == static_cast<uint128_t>(5) * q * q);
  EXPECT_EQ(total.nearest, 0u);
  EXPECT_EQ(total.farthest, 0u);
}

TEST(SummarizeRows, RefusesAShapeThatIsNotRows) {
  const DistanceKernel kernel(LocationTable(testing::random_locations(5, 1)));
  EXPECT_THROW((void)summarize_rows(kernel, MatrixShape::pairs(5), 1), std::invalid_argument);
  EXPECT_THROW((void)summarize_rows(kernel, MatrixShape::square(4), 1), std::invalid_argument);
}

}  // namespace
}  // namespace dm
