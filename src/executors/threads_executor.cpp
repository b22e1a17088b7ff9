#include "distance_matrix/executors/threads_executor.hpp"

#include <algorithm>
#include <deque>
#include <string>
#include <system_error>
#include <thread>

#include "distance_matrix/errors.hpp"
#include "distance_matrix/matrix/chunking.hpp"

namespace dm {
namespace {

void join_all(std::deque<std::thread>& threads) noexcept {
  for (std::thread& thread : threads) thread.join();
  threads.clear();
}

}  // namespace

ThreadsExecutor::ThreadsExecutor(ExecutionOptions options)
    : live_threads_(options.workers > 0 ? options.workers : max_live_threads),
      chunk_size_(options.chunk_size > 0 ? options.chunk_size : default_chunk_size) {}

void ThreadsExecutor::compute(const MatrixCells& kernel, CellRange range,
                              std::span<double> out) {
  if (range.empty()) return;
  const Chunking chunking = Chunking::of(range, chunk_size_);
  const std::size_t chunks = chunking.count();

  // Oldest first: when the window is full, the thread started longest ago is
  // the likeliest to have finished, so joining it blocks the least.
  std::deque<std::thread> live;
  for (std::size_t chunk = 0; chunk < chunks; ++chunk) {
    if (live.size() == live_threads_) {
      live.front().join();
      live.pop_front();
    }
    try {
      live.emplace_back([&kernel, chunking, chunk, out] { chunking.compute(kernel, chunk, out); });
    } catch (const std::system_error& error) {
      // The system refused another thread (EAGAIN: process or memory
      // limits). The running threads write into `out`, so they must finish
      // before we leave; a joinable std::thread must not be destroyed anyway.
      join_all(live);
      throw ExecutionError("could not start thread " + std::to_string(chunk + 1) + " of " +
                           std::to_string(chunks) + ": " + error.what());
    } catch (...) {
      join_all(live);
      throw;
    }
  }
  join_all(live);
}

}  // namespace dm
