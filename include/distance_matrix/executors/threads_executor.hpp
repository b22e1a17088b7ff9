// distance_matrix/executors/threads_executor.hpp
//
// ThreadsExecutor: a new std::thread for every task, the workshop's naive
// strategy (slow on purpose with one pair a task); at most 64 threads, or
// --workers, alive at once.
//
// Thread safety: one compute() at a time per executor.
//
// Example:
//   dm::ThreadsExecutor executor({.workers = 8, .chunk_size = 1024});
//   executor.compute(kernel, {0, kernel.pair_count()}, out);

#pragma once

#include "distance_matrix/executors/executor.hpp"

namespace dm {

/// A new std::thread for every task: the workshop's naive threaded version.
///
/// With the default task of one pair, creating and joining a thread costs far
/// more than the haversine it runs, so this is much slower than sequential:
/// that is the lesson. To avoid exhausting the system on large inputs, at
/// most `max_live_threads` threads (or `--workers`, when given) exist at
/// once; when the window is full the oldest thread is joined before the next
/// one starts. A thread the system refuses to create makes compute() throw
/// ExecutionError, after the running ones have been joined.
class ThreadsExecutor final : public Executor {
 public:
  static constexpr std::size_t default_chunk_size = 1;
  static constexpr unsigned max_live_threads = 64;

  /// options.workers caps the live threads (default max_live_threads);
  /// options.chunk_size is the pairs per thread (default 1).
  explicit ThreadsExecutor(ExecutionOptions options = {});

  [[nodiscard]] ExecutorKind kind() const noexcept override { return ExecutorKind::threads; }
  [[nodiscard]] unsigned workers() const noexcept override { return live_threads_; }
  [[nodiscard]] std::size_t chunk_size() const noexcept override { return chunk_size_; }
  void compute(const MatrixCells& kernel, CellRange range, std::span<double> out) override;

 private:
  unsigned live_threads_;
  std::size_t chunk_size_;
};

}  // namespace dm
