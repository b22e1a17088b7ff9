#pragma once

#include <functional>

#include "distance_matrix/executor.hpp"

namespace dm {

/// Worker processes, the C++ counterpart of the workshop's process pool.
///
/// What crosses the process boundary, and what cannot: fork() gives each
/// child a copy-on-write image of the parent, so the kernel and its
/// coordinates arrive without any serialization (Python must pickle them).
/// Nothing flows back through that copy: a child's writes to its own memory
/// are invisible to the parent. Results therefore travel through one
/// anonymous MAP_SHARED mapping holding plain doubles and a shared atomic
/// chunk counter — trivially copyable data only. Pointers into a child's
/// heap, std::string, exceptions and callbacks cannot cross; a child reports
/// failure only through its exit status.
///
/// Children claim chunks from the shared counter until none are left, then
/// _exit(0). The parent waits for every child; one that is killed or exits
/// non-zero makes compute() throw ExecutionError — never a hang, never a
/// silently missing result — and `out` is left untouched: results are copied
/// out of the shared mapping only once every child has succeeded.
///
/// A child is a copy of only the thread that forked; locks other threads
/// held at that moment stay locked in it for good. So the child takes no
/// locks, allocates nothing, and leaves through _exit(): no destructors, no
/// atexit handlers, no second flush of the parent's buffered output.
class ProcessesExecutor final : public Executor {
 public:
  /// Called in the child before each chunk it computes; tests use it to make
  /// a worker die. It runs in the child's copy of memory: whatever it writes
  /// is lost unless it writes to memory mapped shared before compute().
  using ChildHook = std::function<void(std::size_t chunk_index)>;

  explicit ProcessesExecutor(ExecutionOptions options = {}, ChildHook child_hook = {});

  [[nodiscard]] ExecutorKind kind() const noexcept override { return ExecutorKind::processes; }
  [[nodiscard]] unsigned workers() const noexcept override { return workers_; }
  /// Pairs per claimed chunk; 0 (the default) means range.size() / (8 × workers).
  [[nodiscard]] std::size_t chunk_size() const noexcept override { return chunk_size_; }
  void compute(const ShapedKernel& kernel, PairRange range, std::span<double> out) override;

 private:
  unsigned workers_;
  std::size_t chunk_size_;
  ChildHook child_hook_;
};

}  // namespace dm
