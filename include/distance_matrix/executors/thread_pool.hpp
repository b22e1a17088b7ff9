// distance_matrix/executors/thread_pool.hpp
//
// ThreadPool: the workshop's hand-made fixed-size pool (one FIFO queue, one
// mutex, one condition variable), written out to show how a pool works and
// what its lock costs. PoolExecutor runs on it.
//
// Thread safety: submit(), post() and wait_idle() may be called from any
// thread; wait_idle() never from one of the pool's tasks.
//
// Example:
//   dm::ThreadPool pool(4);
//   std::future<int> answer = pool.submit([] { return 6 * 7; });
//   pool.post([] { /* fire and forget */ });
//   pool.wait_idle();
//   const int value = answer.get();  // 42

#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace dm {

/// A fixed-size thread pool, written out in full because showing how one works
/// is its purpose (the workshop's hand-made pool). N workers wait on one
/// condition variable for tasks from one FIFO queue guarded by one mutex.
///
/// That single lock is the cost the workshop measures: every task pays a lock,
/// a queue push and pop, a std::function and a wake-up, so tiny tasks (one
/// pair each) spend most of their time in the pool rather than in the math.
/// Production code balances bigger chunks with work stealing (see
/// ParallelExecutor); this pool stays simple on purpose.
class ThreadPool {
 public:
  /// Starts `worker_count` threads (at least one). Throws std::system_error
  /// if a thread cannot be started.
  explicit ThreadPool(unsigned worker_count);
  /// Finishes every queued task, then joins the workers.
  ~ThreadPool();

  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  [[nodiscard]] unsigned size() const noexcept { return static_cast<unsigned>(workers_.size()); }

  /// Queues `task`; the future yields its result or rethrows its exception.
  template <typename Task>
  [[nodiscard]] auto submit(Task task) -> std::future<std::invoke_result_t<Task&>> {
    using Result = std::invoke_result_t<Task&>;
    // std::function needs a copyable callable, std::packaged_task is move-only:
    // share it. (std::move_only_function would avoid this, but it is C++23.)
    auto packaged = std::make_shared<std::packaged_task<Result()>>(std::move(task));
    std::future<Result> result = packaged->get_future();
    enqueue([packaged] { (*packaged)(); });
    return result;
  }

  /// Queues `task` without a future, for callers that track completion
  /// themselves. There is nowhere to deliver an exception from a posted task,
  /// so one that escapes ends the program (std::terminate), as it would on a
  /// bare std::thread: use submit() for work that can throw.
  void post(std::function<void()> task) { enqueue(std::move(task)); }

  /// Blocks until the queue is empty and no worker is running a task. Must
  /// not be called from a task (it would wait for itself).
  void wait_idle();

 private:
  void enqueue(std::function<void()> task);
  void work();
  void stop_and_join() noexcept;

  std::mutex mutex_;
  std::condition_variable task_available_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> tasks_;
  std::size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace dm
