#include "distance_matrix/executors/thread_pool.hpp"

#include <algorithm>

namespace dm {

ThreadPool::ThreadPool(unsigned worker_count) {
  const unsigned count = std::max(worker_count, 1u);
  workers_.reserve(count);
  try {
    for (unsigned index = 0; index < count; ++index) workers_.emplace_back([this] { work(); });
  } catch (...) {
    // A thread failed to start: the destructor will not run for a half-built
    // object, and destroying a joinable std::thread terminates, so stop and
    // join the workers that did start before reporting the failure.
    stop_and_join();
    throw;
  }
}

ThreadPool::~ThreadPool() { stop_and_join(); }

void ThreadPool::stop_and_join() noexcept {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  task_available_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void ThreadPool::enqueue(std::function<void()> task) {
  {
    const std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  // Notifying after unlocking spares the woken worker from blocking straight
  // away on the mutex we would still hold.
  task_available_.notify_one();
}

void ThreadPool::wait_idle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return tasks_.empty() && running_ == 0; });
}

void ThreadPool::work() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      task_available_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      // Leave only once the queue is drained, so that the destructor finishes
      // every task already accepted instead of silently dropping it.
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
      // Counted under the same lock as the pop, so wait_idle() never sees an
      // empty queue while a just-taken task has not started yet.
      ++running_;
    }

    task();
    // Destroy the callable (and whatever it captured) before reporting the
    // task finished: after wait_idle() returns, callers may free what a
    // task refers to.
    task = nullptr;

    const std::lock_guard lock(mutex_);
    --running_;
    if (running_ == 0 && tasks_.empty()) idle_.notify_all();
  }
}

}  // namespace dm
