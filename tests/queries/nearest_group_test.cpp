// NeighbourIndex::nearest_group (a leaf's worth of origins searched in one
// walk of the tree, src/queries/chord_group_search.hpp) against brute force:
// any grouping of the origins (whole leaves, cut leaves, scattered origins,
// origins outside the index), k below and above the small-k array and past
// the candidates, more coincident points than k, poles and the antimeridian;
// and find_nearest, which searches by groups, the same bytes on any workers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <optional>
#include <random>
#include <span>
#include <vector>

#include "distance_matrix/memory/huge_page_allocator.hpp"
#include "distance_matrix/queries/nearest_arrays.hpp"
#include "distance_matrix/queries/neighbour_index.hpp"
#include "src/queries/chord_group_search.hpp"
#include "support/portable_scan.hpp"
#include "support/query_inputs.hpp"

namespace dm {
namespace {

LocationTable table_of(const std::vector<Location>& locations) {
  LocationTable table;
  for (const Location& location : locations) table.push_back(location);
  return table;
}

/// Every candidate measured pair by pair, sorted by distance then index.
std::vector<Neighbour> brute_force(const DistanceKernel& kernel, std::size_t origin, std::size_t first,
                                   std::size_t k) {
  std::vector<Neighbour> all;
  for (std::size_t other = first; other < kernel.size(); ++other) {
    if (other != origin) all.push_back({other, kernel.distance(origin, other)});
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const Neighbour& a, const Neighbour& b) { return a.distance < b.distance; });
  all.resize(std::min(k, all.size()));
  return all;
}

/// nearest_group over `origins` cut into runs of `run` (the last shorter),
/// each row checked against brute force.
void expect_group_rows(const NeighbourIndex& index, const DistanceKernel& kernel, std::size_t first,
                       std::span<const std::size_t> origins, std::size_t run, std::size_t k,
                       const std::string& label) {
  NeighbourSearchBuffers buffers;
  std::vector<Neighbour> out;
  std::vector<std::size_t> row_ends;
  for (std::size_t begin = 0; begin < origins.size(); begin += run) {
    const std::span<const std::size_t> group(origins.data() + begin, std::min(run, origins.size() - begin));
    index.nearest_group(group, k, out, row_ends, buffers);
    ASSERT_EQ(row_ends.size(), group.size());
    std::size_t row_begin = 0;
    for (std::size_t i = 0; i < group.size(); ++i) {
      const std::vector<Neighbour> row(out.begin() + static_cast<std::ptrdiff_t>(row_begin),
                                       out.begin() + static_cast<std::ptrdiff_t>(row_ends[i]));
      ASSERT_EQ(row, brute_force(kernel, group[i], first, k))
          << label << ", k " << k << ", runs of " << run << ", origin " << group[i];
      row_begin = row_ends[i];
    }
  }
}

/// The portable scan in the test's scope.
using PortableScan = testing::PortableScan<&queries::ChordGroupSearch::allow_avx512>;

void expect_brute_force_whatever_the_grouping();

TEST(NearestGroup, EveryRowIsTheBruteForceWhateverTheGrouping) { expect_brute_force_whatever_the_grouping(); }

TEST(NearestGroup, ThePortableScanToo) {
  const PortableScan portable;
  expect_brute_force_whatever_the_grouping();
}

void expect_brute_force_whatever_the_grouping() {
  for (const testing::QueryInput& input : testing::query_inputs()) {
    const DistanceKernel kernel(table_of(input.locations));
    // Over one table, and to the second half as destinations (origins outside the index).
    for (const std::size_t first : {std::size_t{0}, kernel.size() / 2}) {
      const NeighbourIndex index(kernel, first, kernel.size());
      const std::size_t origin_count = first == 0 ? kernel.size() : first;
      LargeVector<std::size_t> spatial = index.search_order(origin_count);
      std::vector<std::size_t> input_order(origin_count);
      for (std::size_t origin = 0; origin < origin_count; ++origin) input_order[origin] = origin;
      std::vector<std::size_t> reversed(spatial.rbegin(), spatial.rend());
      for (const std::size_t k : {std::size_t{1}, std::size_t{3}, std::size_t{10}, std::size_t{16}, std::size_t{17},
                                  std::size_t{40}, kernel.size() + 5}) {
        for (const std::size_t run : {std::size_t{1}, std::size_t{7}, std::size_t{32}, std::size_t{33}, std::size_t{256}}) {
          expect_group_rows(index, kernel, first, spatial, run, k, input.label + " in search order");
        }
        expect_group_rows(index, kernel, first, input_order, 32, k, input.label + " in input order");
        expect_group_rows(index, kernel, first, reversed, 256, k, input.label + " reversed");
      }
    }
  }
}

TEST(NearestGroup, MoreCoincidentPointsThanKGoByIndex) {
  // 100 points at one coordinate (three leaves' worth), one pole at many
  // longitudes, the antimeridian from both sides, and random others.
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<std::pair<double, double>> points;
  for (int index = 0; index < 400; ++index) {
    switch (index % 4) {
      case 0: points.emplace_back(-33.0, 151.0); break;
      case 1: points.emplace_back(-90.0, 360 * unit(random) - 180); break;
      case 2: points.emplace_back(unit(random) - 0.5, index % 8 == 2 ? 180.0 : -180.0 + 1e-7 * unit(random)); break;
      default: points.emplace_back(std::asin(2 * unit(random) - 1) * 180 / std::numbers::pi, 360 * unit(random) - 180); break;
    }
  }
  const DistanceKernel kernel(table_of(testing::named(points)));
  const NeighbourIndex index(kernel, 0, kernel.size());
  const LargeVector<std::size_t> spatial = index.search_order(kernel.size());
  for (const bool portable : {false, true}) {
    const bool previous = queries::ChordGroupSearch::allow_avx512(!portable);
    for (const std::size_t k : {std::size_t{5}, std::size_t{10}, std::size_t{16}, std::size_t{99}, std::size_t{120}}) {
      expect_group_rows(index, kernel, 0, spatial, 256, k, portable ? "coincident, portable" : "coincident");
    }
    queries::ChordGroupSearch::allow_avx512(previous);
  }
}

TEST(NearestGroup, AnEmptyIndexOrKZeroGivesEmptyRows) {
  const DistanceKernel kernel(table_of(testing::named({{0, 0}, {1, 1}, {2, 2}})));
  NeighbourSearchBuffers buffers;
  std::vector<Neighbour> out{{9, 9.0}};
  std::vector<std::size_t> row_ends{5};
  const std::vector<std::size_t> origins{0, 1, 2};
  const NeighbourIndex empty(kernel, 3, 3);
  empty.nearest_group(origins, 4, out, row_ends, buffers);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(row_ends, (std::vector<std::size_t>{0, 0, 0}));
  const NeighbourIndex all(kernel, 0, 3);
  all.nearest_group(origins, 0, out, row_ends, buffers);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(row_ends, (std::vector<std::size_t>{0, 0, 0}));
  all.nearest_group(origins, 5, out, row_ends, buffers);  // k past the candidates: the two others each
  EXPECT_EQ(row_ends, (std::vector<std::size_t>{2, 4, 6}));
}

struct Arrays {
  std::vector<double> distances;
  std::vector<std::int64_t> indices;
  friend bool operator==(const Arrays&, const Arrays&) = default;
};

Arrays brute_force_arrays(const DistanceKernel& kernel, std::size_t first_origin, std::size_t origins,
                          std::size_t first, std::size_t k) {
  Arrays arrays;
  for (std::size_t origin = first_origin; origin < origins; ++origin) {
    const std::vector<Neighbour> row = brute_force(kernel, origin, first, k);
    for (std::size_t rank = 0; rank < k; ++rank) {
      arrays.distances.push_back(rank < row.size() ? row[rank].distance : std::numeric_limits<double>::infinity());
      arrays.indices.push_back(rank < row.size() ? static_cast<std::int64_t>(row[rank].index - first) : -1);
    }
  }
  return arrays;
}

TEST(NearestGroup, FindNearestGivesTheSameBytesOnAnyWorkers) {
  std::mt19937_64 random(21);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<std::pair<double, double>> points;
  for (int index = 0; index < 3000; ++index) {
    if (index % 5 == 0) {
      points.emplace_back(12.0, 34.0);
    } else if (index % 5 == 1) {
      points.emplace_back(89.99 + 0.01 * unit(random), 360 * unit(random) - 180);
    } else {
      points.emplace_back(std::asin(2 * unit(random) - 1) * 180 / std::numbers::pi, 360 * unit(random) - 180);
    }
  }
  std::shuffle(points.begin(), points.end(), random);
  const DistanceKernel kernel(table_of(testing::named(points)));
  struct Case {
    std::size_t first_origin, origins, first_candidate, k;
  };
  // Over one table (also an MPI-like range of origins), to destinations,
  // and to fewer destinations than k.
  for (const Case& c : {Case{0, 3000, 0, 10}, Case{700, 2100, 0, 12}, Case{0, 2000, 2000, 10},
                        Case{0, 2995, 2995, 10}}) {
    const Arrays expected = brute_force_arrays(kernel, c.first_origin, c.origins, c.first_candidate, c.k);
    for (const unsigned workers : {1u, 2u, 3u, 8u}) {
      Arrays found{std::vector<double>((c.origins - c.first_origin) * c.k),
                   std::vector<std::int64_t>((c.origins - c.first_origin) * c.k)};
      find_nearest(kernel,
                   {.origins = c.origins, .first_candidate = c.first_candidate, .k = c.k, .within = std::nullopt,
                    .radius = mean_earth_radius_km, .workers = workers, .first_origin = c.first_origin},
                   found.distances, found.indices);
      EXPECT_TRUE(found == expected) << c.origins << " origins from " << c.first_origin << ", candidates from "
                                     << c.first_candidate << ", k " << c.k << ", " << workers << " workers";
    }
  }
}

TEST(NearestGroup, ATreeBuiltInParallelGivesTheSameAnswers) {
  // Enough points for the build's tasks (subtrees of 2^15 points and more).
  std::mt19937_64 random(33);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<std::pair<double, double>> points;
  for (int index = 0; index < 70000; ++index) {
    points.emplace_back(std::asin(2 * unit(random) - 1) * 180 / std::numbers::pi, 360 * unit(random) - 180);
  }
  const DistanceKernel kernel(table_of(testing::named(points)));
  const std::size_t k = 10;
  Arrays found[2];
  for (const unsigned workers : {1u, 2u}) {
    Arrays& arrays = found[workers - 1];
    arrays.distances.resize(kernel.size() * k);
    arrays.indices.resize(kernel.size() * k);
    find_nearest(kernel,
                 {.origins = kernel.size(), .first_candidate = 0, .k = k, .within = std::nullopt,
                  .radius = mean_earth_radius_km, .workers = workers},
                 arrays.distances, arrays.indices);
  }
  EXPECT_TRUE(found[0] == found[1]);
  for (std::size_t origin = 0; origin < kernel.size(); origin += 997) {
    const std::vector<Neighbour> row = brute_force(kernel, origin, 0, k);
    for (std::size_t rank = 0; rank < k; ++rank) {
      ASSERT_EQ(found[1].indices[origin * k + rank], static_cast<std::int64_t>(row[rank].index)) << origin;
      ASSERT_EQ(found[1].distances[origin * k + rank], row[rank].distance) << origin;
    }
  }
}

TEST(NearestGroup, SplitsThroughRunsOfEqualCoordinatesAreExact) {
  // The tree splits large nodes by bins of a coordinate, then selects in
  // the median's bin: here whole bins of equal coordinates (a meridian's
  // points share x/y ratios, a cluster shares every coordinate), next to
  // points spread over the sphere, in a tree large enough for many bins.
  std::mt19937_64 random(41);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<std::pair<double, double>> points;
  for (int index = 0; index < 9000; ++index) {
    if (index % 3 == 0) {
      points.emplace_back(-60 + 120 * unit(random), 30.0);  // one meridian
    } else if (index % 3 == 1 && index % 5 != 0) {
      points.emplace_back(48.8566, 2.3522);  // one place, many times
    } else {
      points.emplace_back(std::asin(2 * unit(random) - 1) * 180 / std::numbers::pi, 360 * unit(random) - 180);
    }
  }
  const DistanceKernel kernel(table_of(testing::named(points)));
  const std::size_t k = 7;
  Arrays found{std::vector<double>(kernel.size() * k), std::vector<std::int64_t>(kernel.size() * k)};
  find_nearest(kernel,
               {.origins = kernel.size(), .first_candidate = 0, .k = k, .within = std::nullopt,
                .radius = mean_earth_radius_km, .workers = 2},
               found.distances, found.indices);
  for (std::size_t origin = 0; origin < kernel.size(); origin += 31) {
    const std::vector<Neighbour> row = brute_force(kernel, origin, 0, k);
    for (std::size_t rank = 0; rank < k; ++rank) {
      ASSERT_EQ(found.indices[origin * k + rank], static_cast<std::int64_t>(row[rank].index)) << origin;
      ASSERT_EQ(found.distances[origin * k + rank], row[rank].distance) << origin;
    }
  }
}

}  // namespace
}  // namespace dm
