#include "distance_matrix/executors/threads_executor.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "distance_matrix/errors.hpp"
#include "support/executor_checks.hpp"
#include "support/random_locations.hpp"
#include "support/sanitizer.hpp"

namespace dm {
namespace {

using testing::computed_distances;
using testing::expected_distances;

TEST(ThreadsExecutor, DefaultsToAThreadPerPairAndTheLiveThreadCap) {
  const ThreadsExecutor executor;
  EXPECT_EQ(executor.kind(), ExecutorKind::threads);
  EXPECT_EQ(executor.chunk_size(), 1u);
  EXPECT_EQ(executor.workers(), ThreadsExecutor::max_live_threads);
}

TEST(ThreadsExecutor, UsesTheRequestedWorkersAsTheLiveThreadCap) {
  const ThreadsExecutor executor({3, 16});
  EXPECT_EQ(executor.workers(), 3u);
  EXPECT_EQ(executor.chunk_size(), 16u);
}

TEST(ThreadsExecutor, HandlesMoreThreadsThanTheCapWithTheDefaultSettings) {
  // 1,225 pairs, one thread each, at most 64 alive: the window slides many times.
  const DistanceKernel kernel(LocationTable(testing::random_locations(50, 7)));
  ThreadsExecutor executor;
  const CellRange range{0, kernel.pair_count()};
  EXPECT_EQ(computed_distances(executor, kernel, range), expected_distances(kernel, range));
}

#ifdef DM_UNDER_SANITIZER
TEST(ThreadsExecutor, ReportsThreadsTheSystemRefusesAsAnExecutionError) {
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

TEST(ThreadsExecutor, ReportsThreadsTheSystemRefusesAsAnExecutionError) {
  // Root ignores RLIMIT_NPROC, so starve the threads of address space
  // instead: in a child process, cap it a little above what is in use. Each
  // new thread needs a fresh stack mapping of several megabytes, so only a
  // few (those reusing cached stacks) can start before std::thread throws.
  const DistanceKernel kernel(LocationTable(testing::random_locations(50, 9)));
  const CellRange range{0, kernel.pair_count()};
  std::vector<double> out(range.size());
  ThreadsExecutor executor({ThreadsExecutor::max_live_threads, 1});
  enum Outcome : int { refused = 10, other_exception = 11, no_exception = 12, no_limit = 13 };

  const pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    const rlimit limit{address_space_bytes() + (4u << 20), RLIM_INFINITY};
    if (limit.rlim_cur <= (4u << 20) || setrlimit(RLIMIT_AS, &limit) != 0) _exit(no_limit);
    try {
      executor.compute(kernel, range, out);
    } catch (const ExecutionError& error) {
      _exit(std::string_view(error.what()).find("could not start thread") == 0 ? refused
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
