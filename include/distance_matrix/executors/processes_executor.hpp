// distance_matrix/executors/processes_executor.hpp
//
// ProcessesExecutor: forked worker processes that write their cells into
// shared memory; a worker that dies makes compute() throw ExecutionError,
// never hang, and leaves the output untouched.
//
// Thread safety: one compute() (or run) at a time per executor. Usable in a
// multithreaded program: a child takes no locks and allocates nothing.
//
// Example:
//   dm::ProcessesExecutor executor({.workers = 4});
//   {
//     const dm::ExecutorRun run(executor, kernel);  // the workers are forked once for the run
//     executor.compute(kernel, {0, 1000}, std::span<double>(out).first(1000));
//     executor.compute(kernel, {1000, 2000}, std::span<double>(out).subspan(1000, 1000));
//   }                                               // ... and reaped here

#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "distance_matrix/executors/executor.hpp"

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
/// Workers are forked once per run (see Executor::begin_run), like a
/// process pool: between begin_run() and end_run() the same children
/// compute every window, each told to start by one byte on its own socket
/// and answering with one byte when the chunks run out; end_run() tells
/// them to leave and reaps them. compute() outside a run forks its workers
/// for that one call.
///
/// A run has one shared mapping, made once, before the workers are forked,
/// and pre-faulted (MAP_POPULATE in the parent, MADV_POPULATE_WRITE in each
/// worker as it starts): window_memory() hands it to the caller, and a
/// window whose `out` lies in it is computed in place, so per window only
/// one byte each way crosses each worker's socket. Any other `out` costs a
/// copy out of the mapping, through its start (so window memory handed out
/// earlier is overwritten there); the mapping is made as large as the window
/// if it was not asked for, and a larger window later starts new workers. So processes pay
/// for being processes once per run: the fork, and the first touch of the
/// shared pages.
///
/// Children claim chunks from the shared counter until none are left. The
/// parent waits for every child of the window; one that is killed or exits
/// makes compute() throw ExecutionError — never a hang, never a silently
/// missing result — once the other children have finished the window and
/// left. An `out` of the caller's own is then left untouched (results are
/// copied to it only once every child has succeeded); window memory may be
/// partly written. The next compute() forks new workers.
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
  void compute(const MatrixCells& kernel, CellRange range, std::span<double> out) override;
  void begin_run(const MatrixCells& kernel) override;
  void end_run() noexcept override;
  /// The run's one shared mapping, made here (pre-faulted) and reused by
  /// every window: the workers write straight into it, so a window costs a
  /// byte each way on each worker's socket and nothing else crosses.
  [[nodiscard]] std::span<double> window_memory(std::size_t cells) override;

  ProcessesExecutor(const ProcessesExecutor&) = delete;
  ProcessesExecutor& operator=(const ProcessesExecutor&) = delete;
  ~ProcessesExecutor() override;

  /// The worker processes of one run and the memory they share with the
  /// parent (defined in the source file).
  class Workers;
  class SharedResults;

 private:
  unsigned workers_;
  std::size_t chunk_size_;
  ChildHook child_hook_;
  std::optional<MatrixCells> run_kernel_;  ///< between begin_run() and end_run()
  std::unique_ptr<SharedResults> run_memory_;  ///< the run's window memory, made once
  std::unique_ptr<Workers> run_workers_;       ///< started by the run's first compute()
};

}  // namespace dm
