// Calls with different worker counts at the same time each get their own
// (issue 18 item 14, issue 19): the library sets no process-wide oneTBB
// limit, so one call's workers never cap another's.
#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "distance_matrix/executors/parallel_executor.hpp"
#include "distance_matrix/executors/sequential_executor.hpp"
#include "distance_matrix/output/csv_pairs_encoder.hpp"
#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/run/batch_runner.hpp"
#include "distance_matrix/run/compute_and_write.hpp"
#include "distance_matrix/run/streaming_runner.hpp"
#include "support/executor_checks.hpp"
#include "support/random_locations.hpp"

namespace dm {
namespace {

using testing::expected_distances;

class ConcurrentWorkersTest : public ::testing::Test {
 protected:
  // As the tool's main() does: the process allows more threads than this
  // machine may have cores, so only the library could cap the calls below.
  const tbb::global_control allow_workers{tbb::global_control::max_allowed_parallelism, 8};
  LocationTable locations{testing::random_locations(120, 19)};
  DistanceKernel kernel{locations};
  MatrixShape shape = MatrixShape::pairs(locations.size());
  CsvPairsEncoder encoder{locations, shape};

  /// The CSV a run of `runner` writes; `inside` is called on every block written.
  std::string write_with(MatrixRunner& runner, const ProgressCallback& inside = {}) const {
    MemoryMatrixOutput output;
    compute_and_write(kernel, shape, runner, encoder, output, inside);
    return output.bytes();
  }

  std::string sequential() const {
    SequentialExecutor executor;
    BatchRunner runner(executor);
    return write_with(runner);
  }
};

TEST_F(ConcurrentWorkersTest, EachCallRunsWithItsOwnWorkersWhileAnotherRuns) {
  const std::string expected = sequential();
  std::latch one_worker_inside(1);
  std::latch one_worker_may_finish(1);
  int one_worker_concurrency = 0;
  std::string one_worker_bytes;
  unsigned one_worker_reported = 0;

  // A one-worker run, held inside its oneTBB arena (in its writer stage)
  // while the other calls run from start to end.
  std::thread one_worker([&] {
    StreamingRunner runner({1, 100});
    bool first = true;
    one_worker_bytes = write_with(runner, [&](std::size_t, std::size_t) {
      if (!first) return;
      first = false;
      one_worker_concurrency = tbb::this_task_arena::max_concurrency();
      one_worker_inside.count_down();
      one_worker_may_finish.wait();
    });
    one_worker_reported = runner.workers();
  });
  one_worker_inside.wait();

  int two_workers_concurrency = 0;
  StreamingRunner streaming({2, 100});
  const std::string two_workers_bytes = write_with(streaming, [&](std::size_t, std::size_t) {
    two_workers_concurrency = tbb::this_task_arena::max_concurrency();
  });
  EXPECT_EQ(two_workers_concurrency, 2);
  EXPECT_EQ(streaming.workers(), 2u);
  EXPECT_EQ(two_workers_bytes, expected);

  ParallelExecutor parallel({3, 0});
  const CellRange all{0, kernel.pair_count()};
  std::vector<double> out(all.size(), -1.0);
  parallel.compute(kernel, all, out);
  EXPECT_EQ(parallel.workers(), 3u);
  EXPECT_EQ(out, expected_distances(kernel, all));

  one_worker_may_finish.count_down();
  one_worker.join();
  EXPECT_EQ(one_worker_concurrency, 1);
  EXPECT_EQ(one_worker_reported, 1u);
  EXPECT_EQ(one_worker_bytes, expected);
}

// The library reads the process's limit but never sets one: a call asks
// its arena for no more threads than the application allows, so oneTBB has
// nothing to warn about, and reports what it ran with.
TEST_F(ConcurrentWorkersTest, ObeysAndReportsTheApplicationsLimit) {
  const std::string expected = sequential();
  StreamingRunner streaming({4, 100});
  {
    const tbb::global_control application(tbb::global_control::max_allowed_parallelism, 2);
    int concurrency = 0;
    ::testing::internal::CaptureStderr();
    const std::string bytes = write_with(streaming, [&](std::size_t, std::size_t) {
      concurrency = tbb::this_task_arena::max_concurrency();
    });
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
    EXPECT_EQ(bytes, expected);
    EXPECT_EQ(concurrency, 2);
    EXPECT_EQ(streaming.workers(), 2u);
  }
  EXPECT_EQ(write_with(streaming), expected);
  EXPECT_EQ(streaming.workers(), 4u);
}

}  // namespace
}  // namespace dm
