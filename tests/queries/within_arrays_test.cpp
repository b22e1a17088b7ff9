// find_within (dm.within's CSR arrays) against brute force: every pair
// measured by the kernel, kept when at most the distance, on the inputs where
// an index goes wrong first; the same arrays whatever the workers.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "distance_matrix/queries/within_arrays.hpp"
#include "support/query_inputs.hpp"

namespace dm {
namespace {

LocationTable table_of(const std::vector<Location>& a, const std::vector<Location>& b = {}) {
  LocationTable table;
  for (const Location& location : a) table.push_back(location);
  for (const Location& location : b) table.push_back(location);
  return table;
}

WithinArrays brute_force(const DistanceKernel& kernel, std::size_t origins, std::size_t first, double distance) {
  WithinArrays expected;
  expected.indptr.push_back(0);
  for (std::size_t origin = 0; origin < origins; ++origin) {
    for (std::size_t other = first; other < kernel.size(); ++other) {
      const double d = kernel.distance(origin, other);
      if (other != origin && d <= distance) {
        expected.indices.push_back(static_cast<std::int64_t>(other - first));
        expected.distances.push_back(d);
      }
    }
    expected.indptr.push_back(static_cast<std::int64_t>(expected.indices.size()));
  }
  return expected;
}

void expect_equal(const WithinArrays& found, const WithinArrays& expected, const std::string& label) {
  EXPECT_EQ(found.indptr, expected.indptr) << label;
  EXPECT_EQ(found.indices, expected.indices) << label;
  EXPECT_EQ(found.distances, expected.distances) << label;
}

TEST(FindWithin, IsTheBruteForceOverOneTable) {
  for (const testing::QueryInput& input : testing::query_inputs()) {
    const DistanceKernel kernel(table_of(input.locations), {});
    for (double distance : {0.0, 1.0, 500.0, 20016.0}) {
      for (unsigned workers : {1u, 2u, 3u}) {  // each pair found once and mirrored, in 1, 2 or 3 ranges
        const NeighbourQuery query{.origins = kernel.size(), .first_candidate = 0, .k = std::nullopt,
                                   .within = distance, .radius = mean_earth_radius_km, .workers = workers};
        expect_equal(find_within(kernel, query), brute_force(kernel, kernel.size(), 0, distance),
                     input.label + ", distance " + std::to_string(distance) + ", workers " + std::to_string(workers));
      }
    }
  }
}

TEST(FindWithin, IsTheBruteForceToDestinations) {
  const std::vector<testing::QueryInput> inputs = testing::query_inputs();
  for (std::size_t a = 0; a + 1 < inputs.size(); ++a) {
    const std::vector<Location>& origins = inputs[a].locations;
    const DistanceKernel kernel(table_of(origins, inputs[a + 1].locations), {});
    const NeighbourQuery query{.origins = origins.size(), .first_candidate = origins.size(), .k = std::nullopt,
                               .within = 2000.0, .radius = mean_earth_radius_km, .workers = 2};
    expect_equal(find_within(kernel, query), brute_force(kernel, origins.size(), origins.size(), 2000.0),
                 inputs[a].label + " to " + inputs[a + 1].label);
  }
}

TEST(FindWithin, RefusesAQueryWithoutADistance) {
  const DistanceKernel kernel(table_of({{"a", 0.0, 0.0}}), {});
  EXPECT_THROW(static_cast<void>(find_within(kernel, {.origins = 1, .first_candidate = 0, .k = 1,
                                                      .within = std::nullopt, .radius = 1.0, .workers = 1})),
               std::invalid_argument);
}

}  // namespace
}  // namespace dm
