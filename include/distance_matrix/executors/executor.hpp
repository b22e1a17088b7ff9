// distance_matrix/executors/executor.hpp
//
// Executor: who computes which cells of a window, and when. ExecutorKind
// names the batch executors, make_executor() builds each (the workshop's
// strategies are RunnerKind, run/runner_kind.hpp).
// Executors only fill a buffer of doubles through MatrixCells::compute: they
// never read input, encode or write output (the runners in run/ do).
//
// Thread safety: an executor is used by one thread at a time (compute() may
// start threads or processes of its own); distinct executors are independent.
//
// Example:
//   const dm::DistanceKernel kernel(locations);
//   const std::unique_ptr<dm::Executor> executor = dm::make_executor(dm::ExecutorKind::pool, {.workers = 4});
//   std::vector<double> out(kernel.pair_count());
//   executor->compute(kernel, {0, out.size()}, out);  // the original tool's pairs order

#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "distance_matrix/enum_names.hpp"
#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/matrix/cell_range.hpp"
#include "distance_matrix/matrix/matrix_cells.hpp"

namespace dm {

/// The batch executors: who computes which cells of a window, and when.
/// The workshop's strategies (runner_kind.hpp) run on them, all but async.
enum class ExecutorKind {
  sequential,  ///< one loop on the calling thread: the baseline
  threads,     ///< a new std::thread per task (the naive strategy; slow on purpose)
  pool,        ///< the project's own fixed-size thread pool
  processes,   ///< forked worker processes writing into shared memory
  parallel,    ///< oneTBB work-stealing over the triangle of pairs: the production default
};

inline constexpr EnumName<ExecutorKind> executor_kind_names[] = {
    {ExecutorKind::sequential, "sequential"}, {ExecutorKind::threads, "threads"},
    {ExecutorKind::pool, "pool"},             {ExecutorKind::processes, "processes"},
    {ExecutorKind::parallel, "parallel"}};
inline constexpr auto all_executor_kinds = values_in(executor_kind_names);

[[nodiscard]] std::string_view to_string(ExecutorKind kind) noexcept;
[[nodiscard]] std::optional<ExecutorKind> parse_executor_kind(std::string_view text) noexcept;

/// How much parallelism and how big the tasks; 0 means "the executor's default".
struct ExecutionOptions {
  unsigned workers = 0;        ///< threads or processes; default: hardware threads
  std::size_t chunk_size = 0;  ///< pairs per task; 1 = one task per pair
};

/// `requested`, or the number of hardware threads (at least 1) when it is 0.
[[nodiscard]] unsigned resolve_workers(unsigned requested) noexcept;

/// A scheduling strategy for the cells of one window of the matrix.
///
/// Executors decide who computes which cells and when; the math is always
/// MatrixCells::compute (runs of DistanceKernel::compute_run), so every
/// executor yields the same doubles for every shape. They write into `out`
/// (slot k - range.first for cell k), never to the output: ordering,
/// encoding and I/O stay outside, in the runners.
class Executor {
 public:
  virtual ~Executor() = default;

  [[nodiscard]] virtual ExecutorKind kind() const noexcept = 0;
  /// Workers actually used (1 for sequential), for the report.
  [[nodiscard]] virtual unsigned workers() const noexcept = 0;
  /// Pairs per task actually used.
  [[nodiscard]] virtual std::size_t chunk_size() const noexcept = 0;

  /// Fills out[k - range.first] with the distance of cell k for every k in
  /// `range`. A DistanceKernel converts to the original tool's pairs order.
  /// Throws ExecutionError if the work could not be completed.
  virtual void compute(const MatrixCells& kernel, CellRange range, std::span<double> out) = 0;

  /// A run: the compute() calls between begin_run(kernel) and end_run() all
  /// take `kernel`, which stays alive and unchanged until end_run(). An
  /// executor may keep state across the run's windows (the processes
  /// executor keeps its worker processes); BatchRunner brackets its windows
  /// so. compute() outside a run works on its own. Default: nothing.
  virtual void begin_run(const MatrixCells& kernel) { static_cast<void>(kernel); }
  virtual void end_run() noexcept {}

  /// Within a run: memory for `cells` results that compute() fills in place
  /// when `out` lies in it, where any other `out` may cost a copy (the
  /// processes executor's workers can write only to memory shared with
  /// them). Valid until end_run() or the next call; a window that fails may
  /// leave it partly written. Empty (the default, and outside a run): bring
  /// your own memory.
  [[nodiscard]] virtual std::span<double> window_memory(std::size_t cells) {
    static_cast<void>(cells);
    return {};
  }
};

/// begin_run() now, end_run() however the scope is left.
class ExecutorRun {
 public:
  ExecutorRun(Executor& executor, const MatrixCells& kernel) : executor_(executor) { executor.begin_run(kernel); }
  ~ExecutorRun() { executor_.end_run(); }
  ExecutorRun(const ExecutorRun&) = delete;
  ExecutorRun& operator=(const ExecutorRun&) = delete;

 private:
  Executor& executor_;
};

/// The executor for `kind`.
[[nodiscard]] std::unique_ptr<Executor> make_executor(ExecutorKind kind, ExecutionOptions options);

}  // namespace dm
