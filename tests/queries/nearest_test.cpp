// --nearest against brute force: every candidate measured by the kernel
// pair by pair, sorted by the test (distance, then input order), on the
// inputs where an index goes wrong first; the same bytes whatever the
// workers; distances identical to the matrix's.
#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "distance_matrix/input/csv_reader.hpp"
#include "distance_matrix/matrix/matrix_cells.hpp"
#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/queries/neighbours_csv.hpp"
#include "distance_matrix/queries/neighbour_index.hpp"
#include "distance_matrix/run/run_job.hpp"
#include "support/query_inputs.hpp"
#include "support/random_locations.hpp"

namespace dm {
namespace {

LocationTable table_of(const std::vector<Location>& a, const std::vector<Location>& b = {}) {
  LocationTable table;
  for (const Location& location : a) table.push_back(location);
  for (const Location& location : b) table.push_back(location);
  return table;
}

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

TEST(NeighbourIndex, FindsExactlyTheBruteForceNeighbours) {
  for (const testing::QueryInput& input : testing::query_inputs()) {
    for (KernelKind kind : {KernelKind::simd, KernelKind::scalar}) {
      const DistanceKernel kernel(table_of(input.locations), {.kernel = kind});
      const NeighbourIndex index(kernel, 0, kernel.size());
      std::vector<Neighbour> found;
      for (std::size_t k : {std::size_t{1}, std::size_t{3}, std::size_t{12}, kernel.size() + 5}) {
        for (std::size_t origin = 0; origin < kernel.size(); ++origin) {
          index.nearest(origin, k, found);
          ASSERT_EQ(found, brute_force(kernel, origin, 0, k))
              << input.label << ", " << to_string(kind) << ", k " << k << ", origin " << origin;
        }
      }
    }
  }
}

TEST(NeighbourIndex, SearchesOnlyTheDestinationsAndCountsCoincidentOnes) {
  for (const testing::QueryInput& input : testing::query_inputs()) {
    const std::size_t origins = input.locations.size() / 3;
    // Destinations overlap the origins: the same points under other names
    // are neighbours at distance 0.
    std::vector<Location> destinations(input.locations.begin() + static_cast<std::ptrdiff_t>(origins / 2),
                                       input.locations.end());
    const std::vector<Location> sources(input.locations.begin(),
                                        input.locations.begin() + static_cast<std::ptrdiff_t>(origins));
    const DistanceKernel kernel(table_of(sources, destinations));
    const NeighbourIndex index(kernel, origins, kernel.size());
    std::vector<Neighbour> found;
    for (std::size_t k : {std::size_t{1}, std::size_t{4}, kernel.size()}) {
      for (std::size_t origin = 0; origin < origins; ++origin) {
        index.nearest(origin, k, found);
        ASSERT_EQ(found, brute_force(kernel, origin, origins, k)) << input.label << ", k " << k << ", origin " << origin;
      }
    }
  }
}

TEST(NeighbourIndex, DistancesAreTheMatrixOwnDoubles) {
  const std::vector<testing::QueryInput> inputs = testing::query_inputs();
  const DistanceKernel kernel(table_of(inputs.front().locations));
  const MatrixCells square(kernel, MatrixShape::square(kernel.size()));
  std::vector<double> row(kernel.size());
  const NeighbourIndex index(kernel, 0, kernel.size());
  std::vector<Neighbour> found;
  for (std::size_t origin = 0; origin < kernel.size(); origin += 7) {
    square.compute({origin * kernel.size(), (origin + 1) * kernel.size()}, row);
    index.nearest(origin, 5, found);
    for (const Neighbour& neighbour : found) EXPECT_EQ(neighbour.distance, row[neighbour.index]);
  }
}

TEST(NeighbourIndex, HandlesTinyAndEmptySets) {
  const DistanceKernel kernel(table_of({{"a", 1, 2}, {"b", 1, 2}}));
  std::vector<Neighbour> found;
  NeighbourIndex(kernel, 0, 2).nearest(0, 5, found);
  EXPECT_EQ(found, (std::vector<Neighbour>{{1, 0.0}}));
  NeighbourIndex(kernel, 0, 1).nearest(0, 5, found);
  EXPECT_TRUE(found.empty()) << "the origin alone has no neighbour";
  NeighbourIndex(kernel, 2, 2).nearest(0, 5, found);
  EXPECT_TRUE(found.empty());
  EXPECT_THROW(NeighbourIndex(kernel, 1, 3), std::invalid_argument);
}

std::vector<Neighbour> brute_force_within(const DistanceKernel& kernel, std::size_t origin, std::size_t first,
                                          double distance) {
  std::vector<Neighbour> all;
  for (std::size_t other = first; other < kernel.size(); ++other) {
    const double measured = kernel.distance(origin, other);
    if (other != origin && measured <= distance) all.push_back({other, measured});
  }
  return all;
}

TEST(NeighbourIndex, WithinFindsExactlyTheBruteForcePairs) {
  for (const testing::QueryInput& input : testing::query_inputs()) {
    const DistanceKernel kernel(table_of(input.locations));
    const NeighbourIndex index(kernel, 0, kernel.size());
    std::vector<Neighbour> found;
    // 0 (coincident points only), metres, a region, a hemisphere, and past
    // half the circumference (everything).
    for (double distance : {0.0, 0.001, 500.0, 10000.0, 20015.0, 30000.0}) {
      for (std::size_t origin = 0; origin < kernel.size(); ++origin) {
        index.within(origin, distance, mean_earth_radius_km, found);
        ASSERT_EQ(found, brute_force_within(kernel, origin, 0, distance))
            << input.label << ", within " << distance << ", origin " << origin;
      }
    }
    // A distance exactly equal to a pair's is within (at most D).
    const double exact = kernel.distance(0, 1);
    index.within(0, exact, mean_earth_radius_km, found);
    EXPECT_TRUE(std::find(found.begin(), found.end(), Neighbour{1, exact}) != found.end()) << input.label;
  }
}

std::string neighbours_csv(const std::vector<Location>& origins, const std::vector<Location>& destinations,
                           std::optional<std::size_t> k, std::optional<double> within, unsigned workers) {
  const LocationTable table = table_of(origins, destinations);
  const DistanceKernel kernel(table);
  MemoryMatrixOutput output;
  write_neighbours_csv(kernel, table,
                       {.origins = origins.size(),
                        .first_candidate = destinations.empty() ? 0 : origins.size(),
                        .k = k,
                        .within = within,
                        .radius = mean_earth_radius_km,
                        .workers = workers},
                       output);
  return output.bytes();
}

std::string row(const LocationTable& table, const Neighbour& neighbour, std::size_t origin) {
  char digits[32];
  return std::string(table.name(origin)) + ',' + std::string(table.name(neighbour.index)) + ',' +
         std::string(digits, std::to_chars(digits, digits + sizeof digits, neighbour.distance).ptr);
}

TEST(WithinCsv, EachUnorderedPairOnceOverOneTableEveryPairWithDestinations) {
  const std::vector<testing::QueryInput> inputs = testing::query_inputs();
  for (const testing::QueryInput& input : inputs) {
    const std::vector<Location>& locations = input.locations;
    const std::size_t half = locations.size() / 2;
    const std::vector<Location> origins(locations.begin(), locations.begin() + static_cast<std::ptrdiff_t>(half));
    const std::vector<Location> destinations(locations.begin() + static_cast<std::ptrdiff_t>(half / 2), locations.end());
    for (const bool to : {false, true}) {
      const std::vector<Location>& sources = to ? origins : locations;
      const std::vector<Location> none;
      const LocationTable table = table_of(sources, to ? destinations : none);
      const DistanceKernel kernel(table);
      const double distance = 800.0;
      std::string expected = "origin,destination,distance\n";
      for (std::size_t origin = 0; origin < sources.size(); ++origin) {
        for (const Neighbour& neighbour : brute_force_within(kernel, origin, to ? sources.size() : origin + 1, distance)) {
          expected += row(table, neighbour, origin) + '\n';
        }
      }
      for (unsigned workers : {1u, 3u}) {
        EXPECT_EQ(neighbours_csv(sources, to ? destinations : none, std::nullopt, distance, workers), expected)
            << input.label << (to ? " --to" : "") << ", " << workers << " workers";
      }
    }
  }
}

TEST(WithinCsv, NearestWithinKeepsAtMostKWithinTheDistanceNearestFirst) {
  for (const testing::QueryInput& input : testing::query_inputs()) {
    const LocationTable table = table_of(input.locations);
    const DistanceKernel kernel(table);
    const double distance = 300.0;
    std::string expected = "origin,destination,distance,rank\n";
    for (std::size_t origin = 0; origin < table.size(); ++origin) {
      std::size_t rank = 0;
      for (const Neighbour& neighbour : brute_force(kernel, origin, 0, 4)) {
        if (neighbour.distance <= distance) expected += row(table, neighbour, origin) + ',' + std::to_string(++rank) + '\n';
      }
    }
    EXPECT_EQ(neighbours_csv(input.locations, {}, 4, distance, 2), expected) << input.label;
  }
}

std::string nearest_csv(const std::vector<Location>& locations, std::size_t k, unsigned workers) {
  const LocationTable table = table_of(locations);
  const DistanceKernel kernel(table);
  MemoryMatrixOutput output;
  write_neighbours_csv(kernel, table,
                       {.origins = table.size(),
                        .first_candidate = 0,
                        .k = k,
                        .within = std::nullopt,
                        .radius = mean_earth_radius_km,
                        .workers = workers},
                       output);
  return output.bytes();
}

TEST(NearestCsv, WritesTheBruteForceRowsInOrder) {
  const std::vector<Location> locations = testing::query_inputs()[1].locations;  // clustered
  const LocationTable table = table_of(locations);
  const DistanceKernel kernel(table);
  std::ostringstream expected;
  expected << "origin,destination,distance,rank\n";
  for (std::size_t origin = 0; origin < table.size(); ++origin) {
    const std::vector<Neighbour> neighbours = brute_force(kernel, origin, 0, 3);
    for (std::size_t rank = 0; rank < neighbours.size(); ++rank) {
      char digits[32];
      const std::string distance(digits, std::to_chars(digits, digits + sizeof digits, neighbours[rank].distance).ptr);
      expected << table.name(origin) << ',' << table.name(neighbours[rank].index) << ',' << distance << ','
               << rank + 1 << '\n';
    }
  }
  EXPECT_EQ(nearest_csv(locations, 3, 1), expected.str());
}

TEST(NearestCsv, TheSameBytesWhateverTheWorkers) {
  // More origins than a few chunks of 256, names that need quoting.
  const std::vector<Location> locations = testing::random_locations(1500, 8);
  const std::string expected = nearest_csv(locations, 4, 1);
  for (unsigned workers : {2u, 3u, 5u}) EXPECT_EQ(nearest_csv(locations, 4, workers), expected) << workers;
}

std::string through_run_job(const std::vector<Location>& origins, const std::vector<Location>* destinations,
                            RunnerKind executor, std::size_t k, unsigned workers = 0) {
  CsvLocationReader reader(testing::to_csv(origins), "origins.csv");
  std::optional<CsvLocationReader> to;
  if (destinations != nullptr) to.emplace(testing::to_csv(*destinations), "destinations.csv");
  MemoryMatrixOutput output;
  MatrixJob job{.executor = executor, .execution = {workers, 0}};
  job.query.nearest = k;
  run_job(reader, to ? &*to : nullptr, output, job);
  return output.bytes();
}

TEST(NearestCsv, SequentialAndParallelWriteTheSameBytesWithAndWithoutDestinations) {
  const std::vector<Location> origins = testing::random_locations(700, 21);
  const std::vector<Location> destinations = testing::random_locations(300, 22);
  for (const std::vector<Location>* to : {static_cast<const std::vector<Location>*>(nullptr), &destinations}) {
    const std::string expected = through_run_job(origins, to, RunnerKind::sequential, 6);
    ASSERT_GT(expected.size(), 1000u);
    for (unsigned workers : {1u, 2u, 4u}) {
      EXPECT_EQ(through_run_job(origins, to, RunnerKind::parallel, 6, workers), expected) << workers;
    }
  }
}

TEST(NearestCsv, RefusesWhatItCannotAnswer) {
  const std::vector<Location> origins = testing::random_locations(5, 1);
  EXPECT_THROW(through_run_job(origins, nullptr, RunnerKind::pool, 2), std::invalid_argument);
  EXPECT_THROW(through_run_job(origins, nullptr, RunnerKind::async, 2), std::invalid_argument);
  EXPECT_THROW(through_run_job(origins, nullptr, RunnerKind::parallel, 0), std::invalid_argument);
}

}  // namespace
}  // namespace dm
