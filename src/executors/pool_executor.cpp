#include "distance_matrix/executors/pool_executor.hpp"

#include <algorithm>
#include <string>
#include <system_error>

#include "distance_matrix/errors.hpp"
#include "distance_matrix/matrix/chunking.hpp"

namespace dm {
namespace {

/// Everything the tasks of one compute() call share. Each task captures only
/// a pointer to it and its chunk number: two words, which std::function
/// stores inline, so the measured per-task cost is the pool's own (lock,
/// queue, wake-up) and not an extra heap allocation of ours.
struct ChunkedJob {
  const MatrixCells& kernel;
  Chunking chunks;
  std::span<double> out;

  void run(std::size_t chunk) const noexcept { chunks.compute(kernel, chunk, out); }
};

/// A pool of `workers` threads, reporting threads the system refuses as the
/// ExecutionError that every executor failure is.
ThreadPool start_pool(unsigned workers) {
  try {
    return ThreadPool(workers);
  } catch (const std::system_error& error) {
    throw ExecutionError("could not start a pool of " + std::to_string(workers) +
                         " threads: " + error.what());
  }
}

}  // namespace

PoolExecutor::PoolExecutor(ExecutionOptions options)
    : pool_(start_pool(resolve_workers(options.workers))),
      chunk_size_(options.chunk_size > 0 ? options.chunk_size : default_chunk_size) {}

void PoolExecutor::compute(const MatrixCells& kernel, CellRange range, std::span<double> out) {
  if (range.empty()) return;
  const ChunkedJob job{kernel, Chunking::of(range, chunk_size_), out};
  const std::size_t chunks = job.chunks.count();

  // Tasks are posted without futures: with one pair per task, a future each
  // (a shared state on the heap, a second synchronization) would add costs
  // of our own to the pool's that the experiment measures. The tasks cannot
  // throw (the kernel is noexcept), so completion is all there is to wait
  // for, and the pool belongs to this executor: once it is idle, every chunk
  // of this call is done.
  try {
    for (std::size_t chunk = 0; chunk < chunks; ++chunk) {
      pool_.post([&job, chunk] { job.run(chunk); });
    }
  } catch (...) {
    // Queuing failed (out of memory): the chunks already queued refer to
    // `job` and `out`, so they must finish before the error leaves.
    pool_.wait_idle();
    throw;
  }
  pool_.wait_idle();
}

}  // namespace dm
