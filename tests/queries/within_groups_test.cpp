// --within's group search (NeighbourIndex::within_group, src/queries/within_groups.hpp)
// against brute force: every pair measured by the kernel, kept when at most
// the distance; groups as within_groups cuts them and arbitrary ones (far
// apart, larger than a leaf, one origin); clusters denser than a leaf,
// duplicates, poles, the antimeridian, distances past half the circumference;
// origins not indexed (--to); and the CLI outputs' windows of origins, the
// same bytes whatever the workers.
#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "distance_matrix/errors.hpp"
#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/queries/neighbour_index.hpp"
#include "distance_matrix/queries/neighbour_search.hpp"
#include "distance_matrix/queries/neighbours_csv.hpp"
#include "distance_matrix/queries/neighbours_npz.hpp"
#include "distance_matrix/queries/within_arrays.hpp"
#include "src/queries/within_groups.hpp"
#include "src/queries/within_rows.hpp"
#include "support/failing_output.hpp"
#include "support/portable_scan.hpp"
#include "support/query_inputs.hpp"

namespace dm {
namespace {

LocationTable table_of(const std::vector<Location>& a, const std::vector<Location>& b = {}) {
  LocationTable table;
  for (const Location& location : a) table.push_back(location);
  for (const Location& location : b) table.push_back(location);
  return table;
}

std::vector<Neighbour> brute_force(const DistanceKernel& kernel, std::size_t origin, std::size_t first,
                                   double distance) {
  std::vector<Neighbour> all;
  for (std::size_t other = first; other < kernel.size(); ++other) {
    const double measured = kernel.distance(origin, other);
    if (other != origin && measured <= distance) all.push_back({other, measured});
  }
  return all;
}

/// The query inputs and one more: clusters of hundreds of points within a
/// few metres (many leaves, all in reach of each other), on a sparse background.
std::vector<testing::QueryInput> inputs() {
  std::vector<testing::QueryInput> all = testing::query_inputs();
  std::mt19937_64 random(21);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<std::pair<double, double>> points;
  for (int index = 0; index < 900; ++index) {
    if (index % 9 == 0) {
      points.emplace_back(180 * unit(random) - 90, 360 * unit(random) - 180);
    } else {
      const double centre = (index % 3) * 40.0 - 40.0;
      points.emplace_back(centre + 3e-5 * unit(random), 179.99995 + 1e-4 * unit(random) - (index % 2) * 359.9999);
    }
  }
  all.push_back({"dense", testing::named(points)});
  return all;
}

/// within_group's rows for `group`, one vector per origin.
std::vector<std::vector<Neighbour>> group_rows(const NeighbourIndex& index, std::span<const std::size_t> group,
                                               double distance, bool later_only) {
  WithinGroupRows rows;
  rows.counts.push_back(99);  // appended to, not cleared
  NeighbourSearchBuffers buffers;
  index.within_group(group, distance, mean_earth_radius_km, later_only, rows, buffers);
  EXPECT_EQ(rows.counts.size(), group.size() + 1);
  std::vector<std::vector<Neighbour>> result;
  std::size_t place = 0;
  for (std::size_t member = 0; member < group.size(); ++member) {
    const std::size_t count = rows.counts[member + 1];
    result.emplace_back(rows.neighbours.begin() + static_cast<std::ptrdiff_t>(place),
                        rows.neighbours.begin() + static_cast<std::ptrdiff_t>(place + count));
    place += count;
  }
  EXPECT_EQ(place, rows.neighbours.size());
  return result;
}

/// The portable scan in the test's scope.
using PortableScan = testing::PortableScan<&queries::allow_within_avx512>;

void expect_group_rows_are_the_brute_force();

TEST(WithinGroup, EveryGroupRowIsTheBruteForce) { expect_group_rows_are_the_brute_force(); }

TEST(WithinGroup, EveryGroupRowOfThePortableScanIsTheBruteForce) {
  const PortableScan portable;
  expect_group_rows_are_the_brute_force();
}

void expect_group_rows_are_the_brute_force() {
  for (const testing::QueryInput& input : inputs()) {
    const DistanceKernel kernel(table_of(input.locations));
    const NeighbourIndex index(kernel, 0, kernel.size());
    std::vector<std::size_t> origins(kernel.size());
    std::iota(origins.begin(), origins.end(), 0);
    std::vector<std::size_t> starts;
    index.within_groups(origins, starts);
    ASSERT_EQ(starts.front(), 0u);
    ASSERT_EQ(starts.back(), kernel.size());
    std::vector<std::size_t> sorted = origins;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i) ASSERT_EQ(sorted[i], i) << input.label << ": each origin once";
    for (std::size_t group = 0; group + 1 < starts.size(); ++group) {
      ASSERT_GT(starts[group + 1], starts[group]);
      ASSERT_LE(starts[group + 1] - starts[group], 32u);
    }
    // 0 (coincident points only), metres, a region, a hemisphere, and past
    // half the circumference (everything).
    for (const double distance : {0.0, 0.005, 500.0, 10000.0, 20015.0, 30000.0}) {
      for (const bool later_only : {false, true}) {
        for (std::size_t group = 0; group + 1 < starts.size(); ++group) {
          const std::span<const std::size_t> members(origins.data() + starts[group], starts[group + 1] - starts[group]);
          const auto rows = group_rows(index, members, distance, later_only);
          for (std::size_t member = 0; member < members.size(); ++member) {
            const std::size_t origin = members[member];
            ASSERT_EQ(rows[member], brute_force(kernel, origin, later_only ? origin + 1 : 0, distance))
                << input.label << ", within " << distance << ", origin " << origin << (later_only ? ", later" : "");
          }
        }
      }
    }
  }
}

TEST(WithinGroup, AnyOriginsMayFormAGroup) {
  for (const testing::QueryInput& input : inputs()) {
    const DistanceKernel kernel(table_of(input.locations));
    const NeighbourIndex index(kernel, 0, kernel.size());
    // All at once (a box around the whole set), every seventh (far apart),
    // and one alone; with repeats.
    std::vector<std::size_t> all(kernel.size());
    std::iota(all.begin(), all.end(), 0);
    std::vector<std::size_t> spread;
    for (std::size_t origin = 0; origin < kernel.size(); origin += 7) spread.push_back(origin);
    spread.push_back(0);
    const std::vector<std::size_t> alone{kernel.size() - 1};
    for (const std::vector<std::size_t>* group : {&std::as_const(all), &std::as_const(spread), &alone}) {
      for (const double distance : {0.0, 300.0, 25000.0}) {
        const auto rows = group_rows(index, *group, distance, false);
        for (std::size_t member = 0; member < group->size(); ++member) {
          ASSERT_EQ(rows[member], brute_force(kernel, (*group)[member], 0, distance))
              << input.label << ", within " << distance << ", origin " << (*group)[member];
        }
      }
    }
  }
}

TEST(WithinGroup, OriginsNotIndexedSearchOnlyTheDestinations) {
  const std::vector<testing::QueryInput> all = inputs();
  for (std::size_t a = 0; a < all.size(); ++a) {
    const std::vector<Location>& origins = all[a].locations;
    const std::vector<Location>& destinations = all[(a + 1) % all.size()].locations;
    const DistanceKernel kernel(table_of(origins, destinations));
    const NeighbourIndex index(kernel, origins.size(), kernel.size());
    std::vector<std::size_t> asked(origins.size());
    std::iota(asked.begin(), asked.end(), 0);
    std::vector<std::size_t> starts;
    index.within_groups(asked, starts);
    for (const double distance : {0.0, 1.0, 2000.0, 30000.0}) {
      for (std::size_t group = 0; group + 1 < starts.size(); ++group) {
        ASSERT_LE(starts[group + 1] - starts[group], 32u);
        const std::span<const std::size_t> members(asked.data() + starts[group], starts[group + 1] - starts[group]);
        const auto rows = group_rows(index, members, distance, false);
        for (std::size_t member = 0; member < members.size(); ++member) {
          ASSERT_EQ(rows[member], brute_force(kernel, members[member], origins.size(), distance))
              << all[a].label << " --to, within " << distance << ", origin " << members[member];
        }
      }
    }
  }
}

TEST(WithinGroup, EmptyIndexAndNegativeDistanceGiveEmptyRows) {
  const DistanceKernel kernel(table_of({{"a", 0.0, 0.0}, {"b", 0.0, 0.0}}));
  const NeighbourIndex empty(kernel, 2, 2);
  const std::vector<std::size_t> group{0, 1};
  EXPECT_EQ(group_rows(empty, group, 10.0, false), (std::vector<std::vector<Neighbour>>{{}, {}}));
  const NeighbourIndex index(kernel, 0, 2);
  EXPECT_EQ(group_rows(index, group, -1.0, false), (std::vector<std::vector<Neighbour>>{{}, {}}));
  EXPECT_EQ(group_rows(index, group, 0.0, false), (std::vector<std::vector<Neighbour>>{{{1, 0.0}}, {{0, 0.0}}}));
}

/// Many points (several of the outputs' windows of origins), clustered as
/// cities are: each origin's row by NeighbourIndex::within, itself checked
/// against brute force above.
std::vector<Location> many_clustered(std::size_t count) {
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<Location> locations;
  for (std::size_t index = 0; index < count; ++index) {
    const double centre_latitude = -80.0 + 10.0 * static_cast<double>(index % 17);
    const double centre_longitude = -180.0 + 22.5 * static_cast<double>((index / 17) % 16);
    locations.push_back({"p" + std::to_string(index), centre_latitude + 0.3 * unit(random),
                         centre_longitude + 0.3 * unit(random)});
  }
  return locations;
}

TEST(WithinRows, WindowsOfManyOriginsGiveWithinsRowsWhateverTheWorkers) {
  const std::vector<Location> locations = many_clustered(150'000);
  const LocationTable table = table_of(locations);
  const DistanceKernel kernel(table);
  const NeighbourIndex index(kernel, 0, kernel.size());
  const double distance = 1.0;
  std::string expected_csv = "origin,destination,distance\n";
  std::vector<std::int64_t> expected_indptr{0};
  std::vector<std::int64_t> expected_indices;
  std::vector<Neighbour> row;
  NeighbourSearchBuffers buffers;
  char digits[32];
  for (std::size_t origin = 0; origin < kernel.size(); ++origin) {
    index.within(origin, distance, mean_earth_radius_km, row, buffers);
    for (const Neighbour& neighbour : row) {
      expected_indices.push_back(static_cast<std::int64_t>(neighbour.index));
      if (neighbour.index <= origin) continue;
      expected_csv += table.name(origin);
      expected_csv += ',';
      expected_csv += table.name(neighbour.index);
      expected_csv += ',';
      expected_csv.append(digits, std::to_chars(digits, digits + sizeof digits, neighbour.distance).ptr);
      expected_csv += '\n';
    }
    expected_indptr.push_back(static_cast<std::int64_t>(expected_indices.size()));
  }
  ASSERT_GT(expected_indices.size(), kernel.size());  // several per origin: windows of different sizes
  for (const unsigned workers : {1u, 2u, 3u, 8u}) {
    const NeighbourQuery query{.origins = kernel.size(), .first_candidate = 0, .k = std::nullopt,
                               .within = distance, .radius = mean_earth_radius_km, .workers = workers};
    MemoryMatrixOutput csv;
    const MatrixReport report = write_neighbours_csv(kernel, table, query, csv);
    EXPECT_EQ(csv.bytes(), expected_csv) << workers << " workers";
    EXPECT_EQ(report.cell_count, (expected_indices.size()) / 2) << workers << " workers";
    const WithinArrays arrays = find_within(kernel, query);
    EXPECT_EQ(std::vector<std::int64_t>(arrays.indptr.begin(), arrays.indptr.end()), expected_indptr)
        << workers << " workers";
    EXPECT_EQ(std::vector<std::int64_t>(arrays.indices.begin(), arrays.indices.end()), expected_indices)
        << workers << " workers";
    // An MPI rank's share: origins from the middle of a window on.
    NeighbourQuery share = query;
    share.first_origin = 70'001;
    const WithinArrays tail = find_within(kernel, share);
    ASSERT_EQ(tail.indptr.size(), kernel.size() - share.first_origin + 1);
    EXPECT_EQ(tail.indptr.back(), expected_indptr.back() - expected_indptr[share.first_origin]) << workers;
  }
}

// search_within_rows reserves each thread's rows for the caller's estimate
// of the pairs: an estimate past what can be reserved (a sample far denser
// than its window) only leaves the rows to grow as they fill.
TEST(WithinRows, AnEstimateTooLargeToReserveGivesTheSameRows) {
  const std::vector<Location> locations = many_clustered(20'000);
  const LocationTable table = table_of(locations);
  const DistanceKernel kernel(table);
  for (const unsigned workers : {1u, 2u}) {
    const NeighbourQuery query{.origins = kernel.size(), .first_candidate = 0, .k = std::nullopt,
                               .within = 5.0, .radius = mean_earth_radius_km, .workers = workers};
    WorkerArena arena(workers);
    const std::unique_ptr<NeighbourSearch> search = neighbour_search_for(kernel, query, arena);
    WithinRows unreserved;
    search_within_rows(*search, query, 0, kernel.size(), false, 0, arena, unreserved);
    ASSERT_GT(unreserved.pairs, kernel.size());
    for (const std::size_t expected : {std::size_t{10}, std::numeric_limits<std::size_t>::max() / 2,
                                       std::numeric_limits<std::size_t>::max()}) {
      WithinRows reserved;
      search_within_rows(*search, query, 0, kernel.size(), false, expected, arena, reserved);
      ASSERT_EQ(reserved.pairs, unreserved.pairs) << expected;
      for (std::size_t row = 0; row < kernel.size(); ++row) {
        ASSERT_TRUE(std::equal(reserved.rows[row].begin(), reserved.rows[row].end(), unreserved.rows[row].begin(),
                               unreserved.rows[row].end(),
                               [](const Neighbour& a, const Neighbour& b) {
                                 return a.index == b.index && a.distance == b.distance;
                               }))
            << expected << " row " << row;
      }
    }
  }
}

// The CSV's windows are searched while the window before is written (with
// workers, and pairs enough): the same bytes as one worker's, which
// searches each window before writing it (checked against brute force
// above); and an error in a write still reaches the caller, after the
// search running beside it has ended (its rows are freed on the way out).
TEST(WithinRows, CsvWindowsSearchedBesideTheWritesGiveOneWorkersBytesAndStopAtAWriteError) {
  const std::vector<Location> locations = many_clustered(20'000);
  const LocationTable table = table_of(locations);
  const DistanceKernel kernel(table);
  std::string one_worker;
  for (const unsigned workers : {1u, 2u, 3u}) {
    {
      const NeighbourQuery query{.origins = kernel.size(), .first_candidate = 0, .k = std::nullopt,
                                 .within = 20.0, .radius = mean_earth_radius_km, .workers = workers};
      MemoryMatrixOutput csv;
      static_cast<void>(write_neighbours_csv(kernel, table, query, csv));
      if (workers == 1) one_worker = csv.bytes();
      EXPECT_EQ(csv.bytes(), one_worker) << workers << " workers";
    }
    const NeighbourQuery query{.origins = kernel.size(), .first_candidate = 0, .k = std::nullopt,
                               .within = 20.0, .radius = mean_earth_radius_km, .workers = workers};
    testing::FailingOutput counting(0);
    const MatrixReport report = write_neighbours_csv(kernel, table, query, counting);
    // Enough pairs that the windows are searched beside the writes (neighbours_csv.cpp's pipelined_from_pairs).
    ASSERT_GE(report.cell_count, std::size_t{1} << 18) << workers << " workers";
    ASSERT_GT(counting.appends(), 8) << workers << " workers";  // text in several windows
    for (const int fail_at : {1, 2, counting.appends() / 2, counting.appends()}) {
      testing::FailingOutput output(fail_at);
      EXPECT_THROW(static_cast<void>(write_neighbours_csv(kernel, table, query, output)), IoError)
          << workers << " workers, append " << fail_at;
      EXPECT_EQ(output.appends(), fail_at) << workers << " workers: nothing appended after the error";
    }
  }
}

}  // namespace
}  // namespace dm
