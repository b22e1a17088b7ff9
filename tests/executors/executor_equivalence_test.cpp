// Every executor must give the same bytes as the sequential baseline: they
// share one kernel and one writer and differ only in scheduling.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "support/run_csv.hpp"
#include "support/random_locations.hpp"

namespace dm {
namespace {

using testing::run_to_string;

struct Scenario {
  RunnerKind executor;
  std::size_t location_count;
  unsigned workers;
  std::size_t chunk_size;
};

std::string scenario_name(const ::testing::TestParamInfo<Scenario>& info) {
  const Scenario& s = info.param;
  return std::string(to_string(s.executor)) + "_" + std::to_string(s.location_count) + "_locations_" +
         std::to_string(s.workers) + "_workers_chunk_" + std::to_string(s.chunk_size);
}

class ExecutorEquivalence : public ::testing::TestWithParam<Scenario> {};

TEST_P(ExecutorEquivalence, MatchesSequentialByteForByte) {
  const Scenario& scenario = GetParam();
  const std::string input =
      testing::to_csv(testing::random_locations(scenario.location_count, 1000 + scenario.location_count));

  const std::string expected = run_to_string(input, {.executor = RunnerKind::sequential});

  MatrixJob job;
  job.executor = scenario.executor;
  job.execution = {scenario.workers, scenario.chunk_size};
  EXPECT_EQ(run_to_string(input, job), expected);

  // Small windows: the same bytes when the matrix reaches the encoder in pieces.
  if (scenario.executor != RunnerKind::async) {
    EXPECT_EQ(run_to_string(input, job, 97), expected);
  }
}

/// Every layout and format: each executor writes the sequential bytes.
TEST_P(ExecutorEquivalence, MatchesSequentialInEveryFormat) {
  const Scenario& scenario = GetParam();
  const std::string input =
      testing::to_csv(testing::random_locations(scenario.location_count, 2000 + scenario.location_count));
  for (const MatrixFormat format : {MatrixFormat{Format::csv, Layout::square, ValueType::float64},
                                    MatrixFormat{Format::npy, Layout::square, ValueType::float64},
                                    MatrixFormat{Format::npy, Layout::condensed, ValueType::float32}}) {
    MatrixJob job{.executor = RunnerKind::sequential, .format = format};
    const std::string expected = run_to_string(input, job);
    job.executor = scenario.executor;
    job.execution = {scenario.workers, scenario.chunk_size};
    EXPECT_EQ(run_to_string(input, job), expected)
        << to_string(format.format) << ' ' << to_string(*format.layout);
  }
}

std::vector<Scenario> scenarios() {
  std::vector<Scenario> all;
  for (RunnerKind executor : all_runner_kinds) {
    for (std::size_t count : {0, 1, 2, 3, 37, 300}) {
      // Thread per pair on 45,000 pairs is the slow lesson, not a test: use chunks there.
      const std::size_t default_chunk = executor == RunnerKind::threads && count > 100 ? 64 : 0;
      all.push_back({executor, count, 0, default_chunk});
    }
    all.push_back({executor, 37, 1, 1});
    all.push_back({executor, 37, 3, 7});
    all.push_back({executor, 120, 2, 1000000});
  }
  return all;
}

INSTANTIATE_TEST_SUITE_P(AllExecutors, ExecutorEquivalence, ::testing::ValuesIn(scenarios()), scenario_name);

}  // namespace
}  // namespace dm
