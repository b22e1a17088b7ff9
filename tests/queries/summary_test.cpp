// --summary against brute force: every origin's distances to all the
// others taken from the kernel pair by pair, reduced by the test itself
// (long double sums, the deviations in a second pass); the same bytes from
// every executor and block size.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "distance_matrix/input/csv_reader.hpp"
#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/queries/row_summary.hpp"
#include "distance_matrix/queries/summary_consumer.hpp"
#include "distance_matrix/run/run_job.hpp"
#include "support/query_inputs.hpp"
#include "support/random_locations.hpp"

namespace dm {
namespace {

std::vector<std::vector<std::string>> rows_of(const std::string& csv) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(csv);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> fields;
    std::istringstream split(line);
    std::string field;
    while (std::getline(split, field, ',')) fields.push_back(field);
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    rows.push_back(fields);
  }
  return rows;
}

std::string summary_of(const std::vector<Location>& origins, const std::vector<Location>* destinations,
                       RunnerKind executor, ExecutionOptions execution = {}) {
  CsvLocationReader reader(testing::to_csv(origins), "origins.csv");
  std::optional<CsvLocationReader> to;
  if (destinations != nullptr) to.emplace(testing::to_csv(*destinations), "destinations.csv");
  MemoryMatrixOutput output;
  MatrixJob job{.executor = executor, .execution = execution};
  job.query.summary = true;
  run_job(reader, to ? &*to : nullptr, output, job);
  return output.bytes();
}

/// The summary computed here, from the kernel's distances one pair at a time.
void expect_brute_force(const std::string& csv, const std::vector<Location>& origins,
                        const std::vector<Location>* destinations, const std::string& label) {
  LocationTable table;
  for (const Location& location : origins) table.push_back(location);
  if (destinations != nullptr) {
    for (const Location& location : *destinations) table.push_back(location);
  }
  const DistanceKernel kernel(table);
  const std::size_t first = destinations != nullptr ? origins.size() : 0;
  const std::size_t last = table.size();

  const std::vector<std::vector<std::string>> rows = rows_of(csv);
  ASSERT_EQ(rows.size(), origins.size() + 1) << label;
  EXPECT_EQ(rows[0], (std::vector<std::string>{"name", "count", "min", "nearest", "max", "farthest", "mean", "sd"}));
  for (std::size_t origin = 0; origin < origins.size(); ++origin) {
    const std::vector<std::string>& row = rows[origin + 1];
    ASSERT_EQ(row.size(), 8u) << label << " row " << origin;
    std::size_t count = 0;
    std::size_t nearest = 0;
    std::size_t farthest = 0;
    double min = 0;
    double max = 0;
    long double sum = 0;
    std::vector<double> distances;
    for (std::size_t other = first; other < last; ++other) {
      if (destinations == nullptr && other == origin) continue;
      const double distance = kernel.distance(origin, other);
      distances.push_back(distance);
      if (count == 0 || distance < min) min = distance, nearest = other;
      if (count == 0 || distance > max) max = distance, farthest = other;
      sum += distance;
      ++count;
    }
    EXPECT_EQ(row[0], origins[origin].name) << label;
    EXPECT_EQ(row[1], std::to_string(count)) << label;
    if (count == 0) {
      for (std::size_t field = 2; field < 8; ++field) EXPECT_EQ(row[field], "") << label;
      continue;
    }
    const long double mean = sum / count;
    long double squares = 0;
    for (const double distance : distances) squares += (distance - mean) * (distance - mean);
    const double sd = static_cast<double>(std::sqrt(squares / count));
    EXPECT_EQ(std::strtod(row[2].c_str(), nullptr), min) << label << " row " << origin;
    EXPECT_EQ(row[3], table.name(nearest)) << label << " row " << origin;
    EXPECT_EQ(std::strtod(row[4].c_str(), nullptr), max) << label << " row " << origin;
    EXPECT_EQ(row[5], table.name(farthest)) << label << " row " << origin;
    // The documented bound: mean and sd are exact for the distances rounded
    // to multiples of 2^-17 km (the Earth in km: π · 6371.0088 km is just
    // under 2^32 of those steps), so each is within half a step of the
    // kernel's doubles' own, plus their final rounding.
    const double half_step = std::ldexp(1.0, -18);
    EXPECT_NEAR(std::strtod(row[6].c_str(), nullptr), static_cast<double>(mean), half_step + 1e-12 * max)
        << label << " row " << origin;
    EXPECT_NEAR(std::strtod(row[7].c_str(), nullptr), sd, half_step + 1e-12 * max) << label << " row " << origin;
  }
}

TEST(Summary, MatchesBruteForceOnEveryKindOfInput) {
  for (const testing::QueryInput& input : testing::query_inputs()) {
    expect_brute_force(summary_of(input.locations, nullptr, RunnerKind::parallel), input.locations, nullptr,
                       input.label);
  }
}

TEST(Summary, WithDestinationsSummarisesEveryDestinationIncludingCoincidentOnes) {
  const std::vector<testing::QueryInput> inputs = testing::query_inputs();
  for (const testing::QueryInput& input : inputs) {
    const std::vector<Location> origins(input.locations.begin(), input.locations.begin() + 40);
    // The destinations hold copies of some origins: they are other points
    // at the same coordinates, so they count, at distance 0.
    std::vector<Location> destinations(input.locations.begin() + 20, input.locations.end());
    for (Location& location : destinations) location.name = "d" + location.name;
    expect_brute_force(summary_of(origins, &destinations, RunnerKind::parallel), origins, &destinations,
                       input.label + " --to");
  }
}

TEST(Summary, EveryExecutorAndBlockSizeWritesTheSameBytes) {
  // Names that need quoting, poles and the antimeridian.
  const std::vector<Location> locations = testing::random_locations(97, 3);
  const std::vector<Location> destinations = testing::random_locations(31, 4);
  for (const std::vector<Location>* to : {static_cast<const std::vector<Location>*>(nullptr), &destinations}) {
    const std::string expected = summary_of(locations, to, RunnerKind::sequential);
    ASSERT_FALSE(expected.empty());
    for (RunnerKind kind : {RunnerKind::threads, RunnerKind::pool, RunnerKind::processes,
                              RunnerKind::parallel}) {
      for (std::size_t chunk : {std::size_t{0}, std::size_t{1}, std::size_t{150}, std::size_t{100000}}) {
        for (unsigned workers : {1u, 3u}) {
          EXPECT_EQ(summary_of(locations, to, kind, {workers, chunk}), expected)
              << to_string(kind) << ", chunk " << chunk << ", " << workers << " workers" << (to ? ", --to" : "");
        }
      }
    }
  }
}

TEST(Summary, AnOriginWithNothingToSummariseHasCountZero) {
  const std::vector<Location> one{{"alone", 10, 20}};
  EXPECT_EQ(summary_of(one, nullptr, RunnerKind::parallel),
            "name,count,min,nearest,max,farthest,mean,sd\nalone,0,,,,,,\n");
  EXPECT_EQ(summary_of({}, nullptr, RunnerKind::sequential), "name,count,min,nearest,max,farthest,mean,sd\n");
}

TEST(Summary, ANameIsQuotedAsInEveryCsvOutput) {
  const std::vector<Location> locations{{"Washington, D.C.", 38.9, -77.0}, {"The \"Big\" Apple", 40.7, -74.0}};
  const std::string csv = summary_of(locations, nullptr, RunnerKind::sequential);
  EXPECT_NE(csv.find("\n\"Washington, D.C.\",1,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",\"The \"\"Big\"\" Apple\","), std::string::npos) << csv;
}

TEST(Summary, RowSummaryBreaksTiesByColumnAndLeavesItsOwnColumnOut) {
  const TallyGrid unit_grid{1.0};  // whole units: these distances are exact on it
  const double row[] = {5, 0, 2, 2, 9, 9, 1};
  const RowSummary summary = summarize_row(row, 1, unit_grid);
  EXPECT_EQ(summary.count, 6u);
  EXPECT_EQ(summary.min, 1.0);
  EXPECT_EQ(summary.nearest, 6u);
  EXPECT_EQ(summary.max, 9.0);
  EXPECT_EQ(summary.farthest, 4u);
  EXPECT_DOUBLE_EQ(summary.mean, 28.0 / 6);
  const RowSummary ties = summarize_row(row, no_column, unit_grid);
  EXPECT_EQ(ties.min, 0.0);
  EXPECT_EQ(ties.nearest, 1u);
  const double equal[] = {3, 3, 3};
  const RowSummary flat = summarize_row(equal, 0, unit_grid);
  EXPECT_EQ(flat.nearest, 1u);
  EXPECT_EQ(flat.farthest, 1u);
  EXPECT_EQ(flat.sd, 0.0);
}

TEST(Summary, RefusesAShapeThatIsNotRows) {
  const LocationTable locations(testing::random_locations(5, 1));
  MemoryMatrixOutput output;
  EXPECT_THROW(SummaryConsumer(locations, MatrixShape::pairs(5), output, TallyGrid{}), std::invalid_argument);
  EXPECT_THROW(SummaryConsumer(locations, MatrixShape::square(4), output, TallyGrid{}), std::invalid_argument);
}

}  // namespace
}  // namespace dm
