#include "distance_matrix/executors/parallel_executor.hpp"

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <thread>
#include <vector>

#include "support/executor_checks.hpp"
#include "support/random_locations.hpp"

namespace dm {
namespace {

using testing::expected_distances;

// The executor keeps its task arena between calls (issue 6: one was built
// per call); a smaller process-wide limit in force for one call must still
// be obeyed and reported, and the next call must go back to --workers.
TEST(ParallelExecutor, ReusedAcrossCallsAndLimitsComputesEveryCall) {
  const DistanceKernel kernel(LocationTable(testing::random_locations(300, 5)));
  const CellRange range{0, kernel.pair_count()};
  ParallelExecutor executor({2, 0});
  for (int call = 0; call < 3; ++call) {
    std::vector<double> out(range.size(), -1.0);
    if (call == 1) {
      const tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
      executor.compute(kernel, range, out);
      EXPECT_EQ(executor.workers(), 1u);
    } else {
      executor.compute(kernel, range, out);
      EXPECT_EQ(executor.workers(), 2u);
    }
    EXPECT_EQ(out, expected_distances(kernel, range)) << "call " << call;
  }
}

TEST(ParallelExecutor, ReportsItsSettings) {
  ParallelExecutor executor({3, 64});
  EXPECT_EQ(executor.kind(), ExecutorKind::parallel);
  EXPECT_EQ(executor.workers(), 3u);
  EXPECT_EQ(executor.chunk_size(), 64u);
  const unsigned hardware = std::thread::hardware_concurrency();
  EXPECT_EQ(ParallelExecutor().workers(), hardware > 0 ? hardware : 1u) << "by default, one per hardware thread";
}

}  // namespace
}  // namespace dm
