#include "distance_matrix/executors/processes_executor.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "distance_matrix/errors.hpp"
#include "distance_matrix/matrix/chunking.hpp"
#include "support/executor_checks.hpp"
#include "support/random_locations.hpp"

namespace dm {
namespace {

using testing::computed_distances;
using testing::expected_distances;
using testing::untouched;

using ::testing::AllOf;
using ::testing::Each;
using ::testing::Eq;
using ::testing::HasSubstr;

/// The message of the ExecutionError that `compute` throws, or a test failure.
template <typename Compute>
std::string execution_error_of(Compute compute) {
  try {
    compute();
  } catch (const ExecutionError& error) {
    return error.what();
  }
  ADD_FAILURE() << "compute() did not throw ExecutionError";
  return {};
}

/// Per-chunk records that the child hooks write and the test reads: like the
/// executor's results, they must live in memory shared across fork().
class ChunkLog {
 public:
  explicit ChunkLog(std::size_t chunk_count)
      : count_(chunk_count),
        bytes_(chunk_count * sizeof(Entry)),
        entries_(static_cast<Entry*>(
            mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0))) {
    if (entries_ == MAP_FAILED) throw std::runtime_error("mmap failed");
    for (std::size_t chunk = 0; chunk < count_; ++chunk) new (&entries_[chunk]) Entry{};
  }
  ~ChunkLog() { munmap(entries_, bytes_); }
  ChunkLog(const ChunkLog&) = delete;
  ChunkLog& operator=(const ChunkLog&) = delete;

  /// Called in a child: chunk `chunk` is being computed by this process.
  void record(std::size_t chunk) const noexcept {
    entries_[chunk].visits.fetch_add(1, std::memory_order_relaxed);
    entries_[chunk].pid.store(getpid(), std::memory_order_relaxed);
  }

  [[nodiscard]] std::vector<int> visits() const {
    std::vector<int> all;
    for (std::size_t chunk = 0; chunk < count_; ++chunk)
      all.push_back(entries_[chunk].visits.load());
    return all;
  }
  [[nodiscard]] std::set<pid_t> pids() const {
    std::set<pid_t> all;
    for (std::size_t chunk = 0; chunk < count_; ++chunk) all.insert(entries_[chunk].pid.load());
    return all;
  }

 private:
  struct Entry {
    std::atomic<int> visits{0};
    std::atomic<pid_t> pid{0};
  };
  static_assert(std::atomic<int>::is_always_lock_free && std::atomic<pid_t>::is_always_lock_free);

  std::size_t count_;
  std::size_t bytes_;
  Entry* entries_;
};

/// The pids of the processes that computed chunks, across windows: written
/// by the children, so in shared memory too.
class PidLog {
 public:
  static constexpr std::size_t capacity = 4096;
  PidLog()
      : shared_(static_cast<Shared*>(
            mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0))) {
    if (shared_ == MAP_FAILED) throw std::runtime_error("mmap failed");
    new (shared_) Shared{};
  }
  ~PidLog() { munmap(shared_, sizeof(Shared)); }
  PidLog(const PidLog&) = delete;
  PidLog& operator=(const PidLog&) = delete;

  void record() const noexcept {
    const std::size_t slot = shared_->used.fetch_add(1, std::memory_order_relaxed);
    if (slot < capacity) shared_->pids[slot].store(getpid(), std::memory_order_relaxed);
  }
  /// Set by the parent between windows, read by the children.
  [[nodiscard]] std::atomic<int>& flag() const noexcept { return shared_->flag; }

  [[nodiscard]] std::set<pid_t> pids() const {
    std::set<pid_t> all;
    for (std::size_t slot = 0; slot < std::min(shared_->used.load(), capacity); ++slot) all.insert(shared_->pids[slot].load());
    return all;
  }

 private:
  struct Shared {
    std::atomic<std::size_t> used{0};
    std::atomic<int> flag{0};
    std::atomic<pid_t> pids[capacity];
  };
  Shared* shared_;
};

/// Computes `kernel`'s pairs in windows of `window` cells, as BatchRunner does.
std::vector<double> in_windows(Executor& executor, const DistanceKernel& kernel, std::size_t window) {
  std::vector<double> out(kernel.pair_count());
  for (std::size_t first = 0; first < out.size(); first += window) {
    const CellRange range{first, std::min(first + window, out.size())};
    executor.compute(kernel, range, std::span<double>(out).subspan(first, range.size()));
  }
  return out;
}

bool no_child_left() { return waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD; }

TEST(ProcessesExecutor, ForksItsWorkersOncePerRun) {
  const DistanceKernel kernel(LocationTable(testing::random_locations(60, 5)));  // 1770 pairs
  const std::vector<double> expected = expected_distances(kernel, {0, kernel.pair_count()});
  {
    const PidLog log;
    ProcessesExecutor executor({2, 10}, [&log](std::size_t) { log.record(); });
    {
      const ExecutorRun run(executor, kernel);
      EXPECT_EQ(in_windows(executor, kernel, 200), expected);  // 9 windows
    }
    EXPECT_LE(log.pids().size(), 2u) << "every window of a run is computed by the same two workers";
    EXPECT_TRUE(no_child_left()) << "end_run() reaps the workers";
  }
  // Outside a run, each call forks its own workers.
  const PidLog log;
  ProcessesExecutor executor({2, 10}, [&log](std::size_t) { log.record(); });
  EXPECT_EQ(in_windows(executor, kernel, 200), expected);
  EXPECT_GT(log.pids().size(), 2u);
  EXPECT_TRUE(no_child_left());
}

TEST(ProcessesExecutor, AWorkerDyingInARunFailsItsWindowAndTheNextStartsNewWorkers) {
  const DistanceKernel kernel(LocationTable(testing::random_locations(60, 6)));
  const PidLog log;
  ProcessesExecutor executor({2, 10}, [&log](std::size_t chunk) {
    if (log.flag().load() == 1 && chunk == 3) raise(SIGKILL);
  });
  const ExecutorRun run(executor, kernel);
  std::vector<double> out(200, untouched);
  executor.compute(kernel, {0, 200}, out);
  EXPECT_EQ(out, expected_distances(kernel, {0, 200}));

  log.flag().store(1);
  std::vector<double> failed(200, untouched);
  EXPECT_THAT(execution_error_of([&] { executor.compute(kernel, {200, 400}, failed); }),
              HasSubstr("was killed by signal 9"));
  EXPECT_THAT(failed, Each(Eq(untouched)));

  log.flag().store(0);  // the new workers are forked after this
  executor.compute(kernel, {400, 600}, out);
  EXPECT_EQ(out, expected_distances(kernel, {400, 600}));
}

TEST(ProcessesExecutor, ComputesEveryWindowOfARunInPlaceInOneMappingWithTheSameWorkers) {
  const DistanceKernel kernel(LocationTable(testing::random_locations(60, 7)));  // 1770 pairs
  const PidLog log;
  ProcessesExecutor executor({2, 10}, [&log](std::size_t) { log.record(); });
  const ExecutorRun run(executor, kernel);
  const std::span<double> memory = executor.window_memory(500);
  ASSERT_EQ(memory.size(), 500u);
  // Windows of every size up to the memory's, the first one small (before,
  // a later larger window forked new workers), at every place in it.
  std::size_t first = 0;
  for (const std::size_t size : {7u, 500u, 1u, 333u, 499u, 64u, 250u, 116u}) {
    const std::size_t offset = (500 - size) / 2;
    const CellRange range{first, first + size};
    const std::span<double> out = memory.subspan(offset, size);
    std::fill(out.begin(), out.end(), untouched);
    executor.compute(kernel, range, out);
    EXPECT_EQ(std::vector<double>(out.begin(), out.end()), expected_distances(kernel, range))
        << "window [" << range.first << ", " << range.last << ") at offset " << offset;
    first += size;
  }
  EXPECT_LE(log.pids().size(), 2u) << "every window of the run is computed by the same two workers";
  EXPECT_EQ(executor.window_memory(300).data(), memory.data()) << "a smaller request reuses the mapping";
  // An `out` of the caller's own still works (through a copy).
  std::vector<double> own(200, untouched);
  executor.compute(kernel, {1000, 1200}, own);
  EXPECT_EQ(own, expected_distances(kernel, {1000, 1200}));
  EXPECT_LE(log.pids().size(), 2u);
}

TEST(ProcessesExecutor, HasNoWindowMemoryOutsideARun) {
  ProcessesExecutor executor({2, 10});
  EXPECT_TRUE(executor.window_memory(100).empty());
  const DistanceKernel kernel(LocationTable(testing::random_locations(10, 7)));
  { const ExecutorRun run(executor, kernel); }
  EXPECT_TRUE(executor.window_memory(100).empty()) << "end_run() unmaps it";
}

TEST(ProcessesExecutor, AWorkerKilledWhileWritingToWindowMemoryIsReportedAndTheRunGoesOn) {
  const DistanceKernel kernel(LocationTable(testing::random_locations(60, 9)));
  const PidLog log;
  ProcessesExecutor executor({2, 10}, [&log](std::size_t chunk) {
    if (log.flag().load() == 1 && chunk == 3) raise(SIGKILL);
  });
  const ExecutorRun run(executor, kernel);
  const std::span<double> memory = executor.window_memory(300);
  executor.compute(kernel, {0, 300}, memory);
  EXPECT_EQ(std::vector<double>(memory.begin(), memory.end()), expected_distances(kernel, {0, 300}));

  log.flag().store(1);
  EXPECT_THAT(execution_error_of([&] { executor.compute(kernel, {300, 600}, memory); }),
              AllOf(HasSubstr("worker process "), HasSubstr("was killed by signal 9")));

  log.flag().store(0);  // the new workers are forked after this, into the same memory
  EXPECT_EQ(executor.window_memory(300).data(), memory.data());
  executor.compute(kernel, {600, 900}, memory);
  EXPECT_EQ(std::vector<double>(memory.begin(), memory.end()), expected_distances(kernel, {600, 900}));
}

TEST(ProcessesExecutor, ReportsItsSettings) {
  const ProcessesExecutor executor({3, 64});
  EXPECT_EQ(executor.kind(), ExecutorKind::processes);
  EXPECT_EQ(executor.workers(), 3u);
  EXPECT_EQ(executor.chunk_size(), 64u);

  const ProcessesExecutor by_default;
  const unsigned hardware = std::thread::hardware_concurrency();
  EXPECT_EQ(by_default.workers(), hardware > 0 ? hardware : 1u);
  EXPECT_EQ(by_default.chunk_size(), 0u) << "0 stands for the per-window default";
}

TEST(ProcessesExecutor, ComputesEveryChunkExactlyOnceInChildProcesses) {
  const DistanceKernel kernel(LocationTable(testing::random_locations(60, 4)));
  const CellRange range{100, kernel.pair_count()};
  constexpr std::size_t chunk_size = 10;
  const ChunkLog log(Chunking::of(range, chunk_size).count());
  ProcessesExecutor executor({3, chunk_size}, [&log](std::size_t chunk) { log.record(chunk); });

  EXPECT_EQ(computed_distances(executor, kernel, range), expected_distances(kernel, range));
  EXPECT_THAT(log.visits(), Each(Eq(1)));
  const std::set<pid_t> workers = log.pids();
  EXPECT_LE(workers.size(), 3u);
  EXPECT_EQ(workers.count(getpid()), 0u) << "a chunk was computed by the parent";
}

TEST(ProcessesExecutor, HandlesMoreWorkersThanChunks) {
  const DistanceKernel kernel(LocationTable(testing::random_locations(10, 4)));
  const CellRange range{0, 2};
  const ChunkLog log(2);
  ProcessesExecutor executor({5, 1}, [&log](std::size_t chunk) { log.record(chunk); });
  EXPECT_EQ(computed_distances(executor, kernel, range), expected_distances(kernel, range));
  EXPECT_THAT(log.visits(), Each(Eq(1)));
}

TEST(ProcessesExecutor, StartsNoChildForAnEmptyRange) {
  const DistanceKernel kernel(LocationTable(testing::random_locations(3, 1)));
  const PidLog log;
  ProcessesExecutor executor({2, 1}, [&log](std::size_t) { log.record(); });
  std::vector<double> guarded(2, untouched);
  executor.compute(kernel, {2, 2}, std::span<double>(guarded).subspan(1, 0));
  EXPECT_TRUE(log.pids().empty()) << "a worker process computed a chunk of an empty range";
  EXPECT_THAT(guarded, Each(Eq(untouched)));
  EXPECT_TRUE(no_child_left());
}

TEST(ProcessesExecutor, ReportsAWorkerKilledBySigkill) {
  const DistanceKernel kernel(LocationTable(testing::random_locations(40, 8)));
  const CellRange range{0, kernel.pair_count()};
  std::vector<double> out(range.size(), untouched);
  ProcessesExecutor executor({3, 16}, [](std::size_t chunk) {
    if (chunk == 0) raise(SIGKILL);
  });
  EXPECT_THAT(execution_error_of([&] { executor.compute(kernel, range, out); }),
              AllOf(HasSubstr("worker process "), HasSubstr("was killed by signal 9 (Killed)")));
  EXPECT_THAT(out, Each(Eq(untouched))) << "partial results must not reach the output";
}

TEST(ProcessesExecutor, ReportsAWorkerThatAborts) {
  const DistanceKernel kernel(LocationTable(testing::random_locations(40, 8)));
  const CellRange range{0, kernel.pair_count()};
  std::vector<double> out(range.size(), untouched);
  ProcessesExecutor executor({2, 16}, [](std::size_t chunk) {
    if (chunk == 0) std::abort();
  });
  EXPECT_THAT(execution_error_of([&] { executor.compute(kernel, range, out); }),
              HasSubstr("was killed by signal " + std::to_string(SIGABRT) + " (" +
                        strsignal(SIGABRT) + ")"));
}

TEST(ProcessesExecutor, ReportsAWorkerThatExitsWithAnErrorStatus) {
  const DistanceKernel kernel(LocationTable(testing::random_locations(40, 8)));
  const CellRange range{0, kernel.pair_count()};
  std::vector<double> out(range.size(), untouched);
  ProcessesExecutor executor({2, 16}, [](std::size_t chunk) {
    if (chunk == 0) _exit(3);
  });
  EXPECT_THAT(execution_error_of([&] { executor.compute(kernel, range, out); }),
              HasSubstr("exited with status 3"));
  EXPECT_THAT(out, Each(Eq(untouched)));
}

TEST(ProcessesExecutor, ReportsAnExceptionInAWorkerAsAFailedExit) {
  const DistanceKernel kernel(LocationTable(testing::random_locations(40, 8)));
  const CellRange range{0, kernel.pair_count()};
  std::vector<double> out(range.size());
  ProcessesExecutor executor({2, 16}, [](std::size_t chunk) {
    if (chunk == 0) throw std::runtime_error("cannot cross the process boundary");
  });
  EXPECT_THAT(execution_error_of([&] { executor.compute(kernel, range, out); }),
              HasSubstr("exited with status 70 (an exception escaped its work)"));
}

TEST(ProcessesExecutor, ReportsEveryWorkerDyingWithoutHanging) {
  const DistanceKernel kernel(LocationTable(testing::random_locations(40, 8)));
  const CellRange range{0, kernel.pair_count()};
  std::vector<double> out(range.size());
  // Each child dies on its first chunk, so all three do, and most chunks are never computed.
  ProcessesExecutor executor({3, 16}, [](std::size_t) { raise(SIGKILL); });
  EXPECT_THAT(execution_error_of([&] { executor.compute(kernel, range, out); }),
              AllOf(HasSubstr("was killed by signal 9"),
                    HasSubstr("(and 2 more worker processes failed)")));
}

TEST(ProcessesExecutor, WorksAgainAfterAWorkerFailed) {
  const DistanceKernel kernel(LocationTable(testing::random_locations(40, 8)));
  const CellRange range{0, kernel.pair_count()};
  bool fail = true;  // read in the child, in its copy of the parent's memory
  ProcessesExecutor executor({2, 16}, [&fail](std::size_t chunk) {
    if (fail && chunk == 0) raise(SIGKILL);
  });
  std::vector<double> out(range.size());
  EXPECT_THROW(executor.compute(kernel, range, out), ExecutionError);

  fail = false;  // children forked from now on see the new value
  EXPECT_EQ(computed_distances(executor, kernel, range), expected_distances(kernel, range));
}

TEST(ProcessesExecutor, WorksWhileOtherThreadsOfTheParentHoldLocks) {
  // fork() copies only the calling thread. These threads keep taking a
  // mutex and allocating, so children are often forked while a lock is held
  // by a thread that does not exist in the child: the children must not
  // need any of those locks.
  std::atomic<bool> stop{false};
  std::mutex busy_mutex;
  std::vector<std::jthread> busy_threads;
  for (int thread = 0; thread < 2; ++thread) {
    busy_threads.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
        const std::lock_guard lock(busy_mutex);
        std::vector<double> garbage(64, 1.0);
      }
    });
  }
  const DistanceKernel kernel(LocationTable(testing::random_locations(80, 12)));
  ProcessesExecutor executor({3, 50});
  for (int round = 0; round < 20; ++round) {
    const CellRange range{static_cast<std::size_t>(round) * 10, kernel.pair_count()};
    EXPECT_EQ(computed_distances(executor, kernel, range), expected_distances(kernel, range));
  }
  stop = true;
}

}  // namespace
}  // namespace dm
