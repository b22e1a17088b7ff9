#include "distance_matrix/executors/thread_pool.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <future>
#include <latch>
#include <memory>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace dm {
namespace {

using ::testing::Each;
using ::testing::Eq;

TEST(ThreadPool, ReturnsTheResultOfEveryTask) {
  ThreadPool pool(4);
  std::vector<std::future<std::size_t>> results;
  for (std::size_t value = 0; value < 1000; ++value) {
    results.push_back(pool.submit([value] { return value * value; }));
  }
  for (std::size_t value = 0; value < results.size(); ++value) {
    EXPECT_EQ(results[value].get(), value * value);
  }
}

TEST(ThreadPool, AcceptsMoveOnlyTasksAndResults) {
  ThreadPool pool(2);
  auto owned = std::make_unique<int>(42);
  std::future<std::unique_ptr<int>> result =
      pool.submit([owned = std::move(owned)]() mutable { return std::move(owned); });
  const std::unique_ptr<int> returned = result.get();
  ASSERT_NE(returned, nullptr);
  EXPECT_EQ(*returned, 42);
}

TEST(ThreadPool, PropagatesATaskExceptionThroughItsFuture) {
  ThreadPool pool(2);
  std::future<int> failing = pool.submit([]() -> int { throw std::runtime_error("task failed"); });
  // Let the worker drop its reference to the exception first. The exception
  // object is shared through reference counts inside the uninstrumented
  // libstdc++, which ThreadSanitizer cannot see; if the worker released it
  // while we read the message, TSan would report a (false) race.
  pool.wait_idle();
  try {
    failing.get();
    FAIL() << "the task's exception was not rethrown";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "task failed");
  }
  // The worker that ran the failing task is still serving.
  EXPECT_EQ(pool.submit([] { return 7; }).get(), 7);
}

TEST(ThreadPool, RunsTasksOnItsWorkersNotOnTheCaller) {
  ThreadPool pool(3);
  std::vector<std::future<std::thread::id>> runners;
  for (int task = 0; task < 200; ++task) {
    runners.push_back(pool.submit([] { return std::this_thread::get_id(); }));
  }
  std::set<std::thread::id> distinct;
  for (auto& runner : runners) distinct.insert(runner.get());
  EXPECT_EQ(distinct.count(std::this_thread::get_id()), 0u);
  EXPECT_LE(distinct.size(), 3u);
}

TEST(ThreadPool, RunsAsManyTasksAtOnceAsItHasWorkers) {
  // Each task waits for all the others: this completes only if the pool
  // really runs `size()` tasks concurrently (and would hang otherwise).
  constexpr unsigned worker_count = 4;
  ThreadPool pool(worker_count);
  std::latch everyone_started(worker_count);
  std::vector<std::future<std::thread::id>> tasks;
  for (unsigned task = 0; task < worker_count; ++task) {
    tasks.push_back(pool.submit([&everyone_started] {
      everyone_started.arrive_and_wait();
      return std::this_thread::get_id();
    }));
  }
  std::set<std::thread::id> threads;
  for (auto& task : tasks) threads.insert(task.get());
  EXPECT_EQ(threads.size(), worker_count) << "each waiting task holds a worker of its own";
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
}

TEST(ThreadPool, WaitIdleReturnsOnlyWhenEveryPostedTaskHasFinished) {
  ThreadPool pool(3);
  constexpr std::size_t task_count = 2000;
  std::vector<int> finished(task_count, 0);
  for (std::size_t task = 0; task < task_count; ++task) {
    pool.post([&finished, task] {
      // Some work, so that tasks are still running when the queue runs dry.
      volatile double sink = 0;
      for (int step = 0; step < 200; ++step) sink = sink + step;
      finished[task] = 1;
    });
  }
  pool.wait_idle();
  // Plain ints, read without a lock: wait_idle() must also order the
  // tasks' writes before our reads (ThreadSanitizer checks that).
  EXPECT_THAT(finished, Each(Eq(1)));
}

TEST(ThreadPool, WaitIdleWaitsForARunningTaskNotJustForAnEmptyQueue) {
  ThreadPool pool(1);
  std::promise<void> started;
  std::promise<void> open_gate;
  bool finished = false;  // plain: wait_idle() must order the task's write before our read
  pool.post([&started, &finished, gate = open_gate.get_future().share()] {
    started.set_value();
    gate.wait();
    finished = true;
  });
  // The queue is empty from here on, but the task is still running.
  started.get_future().wait();
  std::jthread opener([&open_gate] { open_gate.set_value(); });
  pool.wait_idle();
  EXPECT_TRUE(finished);
}

TEST(ThreadPool, WaitIdleOnAnIdlePoolReturnsAndThePoolKeepsWorking) {
  ThreadPool pool(2);
  pool.wait_idle();  // nothing was ever posted: returns at once
  int ran = 0;       // plain: wait_idle() must order the task's write before our read
  pool.post([&ran] { ++ran; });
  pool.wait_idle();
  pool.wait_idle();  // idle again: returns at once, and ran nothing twice
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(pool.submit([] { return 42; }).get(), 42) << "the pool still runs tasks after waiting idle";
}

TEST(ThreadPool, DestructorRunsTasksStillQueued) {
  std::atomic<int> ran{0};
  std::promise<void> open_gate;
  {
    ThreadPool pool(1);
    // The single worker is held at the gate while the other tasks pile up
    // in the queue behind it.
    pool.post([gate = open_gate.get_future().share()] { gate.wait(); });
    for (int task = 0; task < 100; ++task) pool.post([&ran] { ran.fetch_add(1); });
    open_gate.set_value();
  }
  EXPECT_EQ(ran.load(), 100);
}

TEST(ThreadPool, HasAtLeastOneWorker) {
  ThreadPool none_requested(0);
  EXPECT_EQ(none_requested.size(), 1u);
  EXPECT_EQ(none_requested.submit([] { return 5; }).get(), 5);

  ThreadPool three(3);
  EXPECT_EQ(three.size(), 3u);
}

TEST(ThreadPool, AcceptsTasksFromSeveralThreadsAtOnce) {
  ThreadPool pool(3);
  constexpr int submitter_count = 4;
  constexpr int tasks_per_submitter = 500;
  std::vector<long> sums(submitter_count, 0);
  std::atomic<int> posted_ran{0};
  {
    std::vector<std::jthread> submitters;
    for (int submitter = 0; submitter < submitter_count; ++submitter) {
      submitters.emplace_back([&, submitter] {
        std::vector<std::future<long>> results;
        for (int task = 0; task < tasks_per_submitter; ++task) {
          results.push_back(pool.submit([task] { return static_cast<long>(task); }));
          pool.post([&posted_ran] { posted_ran.fetch_add(1); });
        }
        for (auto& result : results) sums[submitter] += result.get();
      });
    }
  }
  pool.wait_idle();
  constexpr long expected_sum = tasks_per_submitter * (tasks_per_submitter - 1L) / 2;
  EXPECT_THAT(sums, Each(Eq(expected_sum)));
  EXPECT_EQ(posted_ran.load(), submitter_count * tasks_per_submitter);
}

TEST(ThreadPool, TasksCanSubmitMoreTasks) {
  ThreadPool pool(2);
  std::atomic<int> ran{0};
  for (int task = 0; task < 50; ++task) {
    pool.post([&] {
      ran.fetch_add(1);
      pool.post([&ran] { ran.fetch_add(1); });
    });
  }
  // A follow-up is queued before its parent task finishes, so idleness
  // covers the follow-ups too.
  pool.wait_idle();
  EXPECT_EQ(ran.load(), 100);
}

}  // namespace
}  // namespace dm
