// Randomized stress: many runs with random sizes, executors, worker counts,
// chunk sizes and window sizes, each compared byte for byte with the
// sequential executor. Deterministic: run i uses seed i, so a failure names
// the seed that reproduces it. CI runs a bounded number of runs; set
// DM_STRESS_RUNS for a longer soak, e.g.
//   DM_STRESS_RUNS=5000 build/ci-gcc/tests/executor_stress_test
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

#include "support/run_csv.hpp"
#include "support/random_locations.hpp"

namespace dm {
namespace {

using testing::run_to_string;

std::uint64_t runs_requested() {
  constexpr std::uint64_t default_runs = 100;
  const char* text = std::getenv("DM_STRESS_RUNS");
  if (text == nullptr || *text == '\0') return default_runs;
  return std::strtoull(text, nullptr, 10);
}

struct StressRun {
  std::size_t location_count;
  MatrixJob options;
  std::size_t window_cells = 0;  ///< 0: through write_matrix; otherwise a batch runner with this window

  [[nodiscard]] std::string describe(std::uint64_t seed) const {
    return "seed " + std::to_string(seed) + ": " + std::to_string(location_count) + " locations, " +
           std::string(to_string(options.executor)) + ", " + std::to_string(options.execution.workers) +
           " workers, chunk " + std::to_string(options.execution.chunk_size) + ", window " +
           (window_cells == 0 ? std::string("default") : std::to_string(window_cells));
  }
};

StressRun draw(std::uint64_t seed) {
  std::mt19937_64 random(seed);
  const auto pick = [&](std::uint64_t low, std::uint64_t high) {
    return std::uniform_int_distribution<std::uint64_t>(low, high)(random);
  };
  StressRun run;
  // Mostly small inputs, sometimes up to 500 locations (124,750 pairs).
  run.location_count = pick(0, 9) < 8 ? pick(0, 60) : pick(61, 500);
  run.options.executor = all_runner_kinds[pick(0, std::size(all_runner_kinds) - 1)];
  run.options.execution.workers = static_cast<unsigned>(pick(0, 5));  // 0: the default
  const std::uint64_t chunk_kind = pick(0, 3);
  run.options.execution.chunk_size = chunk_kind == 0 ? 0 : chunk_kind == 1 ? pick(1, 8) : pick(9, 5000);
  if (run.options.executor == RunnerKind::threads && run.options.execution.chunk_size < 64) {
    // A thread per pair over 100,000 pairs is the workshop's slow lesson, not a stress case.
    run.options.execution.chunk_size = 64 + pick(0, 1000);
  }
  // A small window through a batch runner (not async: it has no executor).
  if (run.options.executor != RunnerKind::async && pick(0, 2) == 0) run.window_cells = pick(1, 300);
  return run;
}

TEST(ExecutorStress, RandomRunsMatchSequentialByteForByte) {
  const std::uint64_t runs = runs_requested();
  for (std::uint64_t seed = 0; seed < runs; ++seed) {
    const StressRun stress = draw(seed);
    const std::string input = testing::to_csv(testing::random_locations(stress.location_count, seed));
    MatrixJob baseline = stress.options;
    baseline.executor = RunnerKind::sequential;
    baseline.execution = {};
    const std::string expected = run_to_string(input, baseline);
    const std::string actual = stress.window_cells == 0 ? run_to_string(input, stress.options)
                                                        : run_to_string(input, stress.options, stress.window_cells);
    ASSERT_EQ(actual, expected) << stress.describe(seed);
  }
}

}  // namespace
}  // namespace dm
