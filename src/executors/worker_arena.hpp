#pragma once

#include <memory>
#include <utility>

#include <tbb/task_arena.h>

namespace dm {

/// The one owner of oneTBB parallelism in the library: a task_arena of
/// `workers` threads, made once by the executor or runner that owns it and
/// entered by each of its calls.
///
/// Never sets oneTBB's limits: they are process-wide and the smallest
/// active one wins, so a library call setting one would cap every other
/// caller (concurrent Python calls with different workers= used to); they
/// belong to the application's main(). The arena therefore asks for no more
/// than the process allows, max_allowed_parallelism (by default the hardware
/// threads; the tool raises it): asking for more makes oneTBB print a warning
/// and run with fewer anyway. It is made again only if that limit changed.
///
/// Not thread-safe: one owner, one call at a time (as the executors are).
class WorkerArena {
 public:
  explicit WorkerArena(unsigned workers) noexcept : workers_(workers) {}

  /// The threads the last execute() ran with (before any, the workers asked for).
  [[nodiscard]] unsigned threads() const noexcept { return arena_ ? threads_ : workers_; }

  /// Makes the arena, or again if the process's limit changed since, and
  /// returns the threads execute() will run with.
  unsigned ready();

  /// Runs `work` in the arena, on the calling thread and up to threads() - 1
  /// of oneTBB's workers.
  template <class Work>
  void execute(Work&& work) {
    ready();
    arena_->execute(std::forward<Work>(work));
  }

 private:
  unsigned workers_;
  unsigned threads_ = 0;
  std::unique_ptr<tbb::task_arena> arena_;
};

}  // namespace dm
