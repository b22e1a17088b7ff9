#include "distance_matrix/executors/pool_executor.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "distance_matrix/errors.hpp"
#include "support/executor_checks.hpp"
#include "support/random_locations.hpp"
#include "support/sanitizer.hpp"

namespace dm {
namespace {

using testing::computed_distances;
using testing::expected_distances;

TEST(PoolExecutor, SplitsALargeRangeIntoManyDefaultChunks) {
  // 124,750 pairs: about 30 chunks of the default size, the last one partial.
  const DistanceKernel kernel(LocationTable(testing::random_locations(500, 5)));
  PoolExecutor executor({3, 0});
  const CellRange range{0, kernel.pair_count()};
  EXPECT_EQ(computed_distances(executor, kernel, range), expected_distances(kernel, range));
}

TEST(PoolExecutor, ReportsItsSettings) {
  const PoolExecutor executor({3, 64});
  EXPECT_EQ(executor.kind(), ExecutorKind::pool);
  EXPECT_EQ(executor.workers(), 3u);
  EXPECT_EQ(executor.chunk_size(), 64u);
}

TEST(PoolExecutor, DefaultsToTheHardwareThreadsAndTheDefaultChunk) {
  const PoolExecutor executor;
  const unsigned hardware = std::thread::hardware_concurrency();
  EXPECT_EQ(executor.workers(), hardware > 0 ? hardware : 1u);
  EXPECT_EQ(executor.chunk_size(), PoolExecutor::default_chunk_size);
}

#ifdef DM_UNDER_SANITIZER
TEST(PoolExecutor, ReportsAPoolTheSystemRefusesAsAnExecutionError) {
  GTEST_SKIP() << "sanitizer runtimes need address space that this test takes away";
}
#else
/// Size of this process's address space, in bytes (first field of /proc/self/statm).
std::size_t address_space_bytes() {
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) return 0;
  unsigned long pages = 0;
  const int fields = std::fscanf(statm, "%lu", &pages);
  std::fclose(statm);
  return fields == 1 ? pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

TEST(PoolExecutor, ReportsAPoolTheSystemRefusesAsAnExecutionError) {
  // Root ignores RLIMIT_NPROC, so starve the threads of address space
  // instead: in a child process, cap it a little above what is in use, so
  // that only a few of the 200 thread stacks can be mapped.
  enum Outcome : int { refused = 10, other_exception = 11, no_exception = 12, no_limit = 13 };
  const pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    const rlimit limit{address_space_bytes() + (4u << 20), RLIM_INFINITY};
    if (limit.rlim_cur <= (4u << 20) || setrlimit(RLIMIT_AS, &limit) != 0) _exit(no_limit);
    try {
      const PoolExecutor executor({200, 0});
    } catch (const ExecutionError& error) {
      _exit(std::string_view(error.what()).find("could not start a pool of 200 threads") == 0
                ? refused
                : other_exception);
    } catch (...) {
      _exit(other_exception);
    }
    _exit(no_exception);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child died instead of reporting the error";
  EXPECT_EQ(WEXITSTATUS(status), refused);
}
#endif

}  // namespace
}  // namespace dm
