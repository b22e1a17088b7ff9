// The neighbour index on inputs large enough for a deep tree (hundreds of
// leaves): find_nearest and find_within against brute force, over one table
// and to destinations, on 1 and 3 workers. The searches run in the tree's
// order and start from the origin's leaf; the answers must not show it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "distance_matrix/queries/nearest_arrays.hpp"
#include "distance_matrix/queries/within_arrays.hpp"
#include "support/query_inputs.hpp"

namespace dm {
namespace {

/// Random points, tight clusters and exact duplicates mixed, in random input order.
LocationTable mixed_table(std::size_t count, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<std::pair<double, double>> points;
  for (std::size_t index = 0; index < count; ++index) {
    switch (index % 4) {
      case 0: points.emplace_back(std::asin(2 * unit(random) - 1) * 180 / std::numbers::pi, 360 * unit(random) - 180); break;
      case 1: points.emplace_back(45.0 + 0.01 * unit(random), 7.0 + 0.01 * unit(random)); break;
      case 2: points.emplace_back(-33.0, 151.0); break;
      default: points.emplace_back(89.9 + 0.1 * unit(random), 360 * unit(random) - 180); break;
    }
  }
  std::shuffle(points.begin(), points.end(), random);
  LocationTable table;
  for (const Location& location : testing::named(points)) table.push_back(location);
  return table;
}

struct Expected {
  std::vector<double> distances;
  std::vector<std::int64_t> indices;
};

Expected brute_force_nearest(const DistanceKernel& kernel, std::size_t origins, std::size_t first, std::size_t k) {
  Expected expected;
  for (std::size_t origin = 0; origin < origins; ++origin) {
    std::vector<std::pair<double, std::size_t>> all;
    for (std::size_t other = first; other < kernel.size(); ++other) {
      if (other != origin) all.emplace_back(kernel.distance(origin, other), other - first);
    }
    std::sort(all.begin(), all.end());
    for (std::size_t rank = 0; rank < k; ++rank) {
      expected.distances.push_back(rank < all.size() ? all[rank].first : std::numeric_limits<double>::infinity());
      expected.indices.push_back(rank < all.size() ? static_cast<std::int64_t>(all[rank].second) : -1);
    }
  }
  return expected;
}

TEST(DeepTree, NearestIsTheBruteForceOverOneTableAndToDestinations) {
  const LocationTable table = mixed_table(4000, 15);
  const DistanceKernel kernel(table);
  for (const std::size_t origins : {table.size(), std::size_t{1500}}) {
    const std::size_t first = origins == table.size() ? 0 : origins;
    for (const std::size_t k : {std::size_t{1}, std::size_t{10}, std::size_t{40}}) {
      const Expected expected = brute_force_nearest(kernel, origins, first, k);
      for (const unsigned workers : {1u, 3u}) {
        std::vector<double> distances(origins * k);
        std::vector<std::int64_t> indices(origins * k);
        find_nearest(kernel,
                     {.origins = origins, .first_candidate = first, .k = k, .within = std::nullopt,
                      .radius = mean_earth_radius_km, .workers = workers},
                     distances, indices);
        EXPECT_EQ(indices, expected.indices) << origins << " origins, k " << k << ", " << workers << " workers";
        EXPECT_EQ(distances, expected.distances) << origins << " origins, k " << k << ", " << workers << " workers";
      }
    }
  }
}

TEST(DeepTree, WithinIsTheBruteForceOverOneTableAndToDestinations) {
  const LocationTable table = mixed_table(3000, 16);
  const DistanceKernel kernel(table);
  for (const std::size_t origins : {table.size(), std::size_t{1000}}) {
    const std::size_t first = origins == table.size() ? 0 : origins;
    for (const double distance : {0.0, 0.5, 300.0}) {
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
      for (const unsigned workers : {1u, 3u}) {
        const WithinArrays found = find_within(kernel, {.origins = origins, .first_candidate = first, .k = std::nullopt,
                                                        .within = distance, .radius = mean_earth_radius_km,
                                                        .workers = workers});
        EXPECT_EQ(found.indptr, expected.indptr) << origins << " origins, within " << distance;
        EXPECT_EQ(found.indices, expected.indices) << origins << " origins, within " << distance;
        EXPECT_EQ(found.distances, expected.distances) << origins << " origins, within " << distance;
      }
    }
  }
}

}  // namespace
}  // namespace dm
