#include "distance_matrix/executors/parallel_executor.hpp"

#include "distance_matrix/matrix/chunking.hpp"
#include "src/executors/worker_arena.hpp"

#include <atomic>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>

namespace dm {
namespace {

#if defined(__SANITIZE_THREAD__)
constexpr bool thread_sanitizer = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr bool thread_sanitizer = true;
#else
constexpr bool thread_sanitizer = false;
#endif
#else
constexpr bool thread_sanitizer = false;
#endif

/// Makes TBB's "parallel_for has returned, every task is done" visible to
/// ThreadSanitizer. Debian's libtbb is not instrumented, so TSan cannot see
/// the synchronization in its scheduler and would report the caller reading
/// `out` as racing with the workers that wrote it. A release per task and an
/// acquire at the end state the same happens-before edge in instrumented
/// code. Only sanitizer builds pay for the atomic.
class CompletionEdge {
 public:
  void task_done() noexcept {
    if constexpr (thread_sanitizer) done_.fetch_add(1, std::memory_order_release);
  }
  void wait_observed() const noexcept {
    if constexpr (thread_sanitizer) static_cast<void>(done_.load(std::memory_order_acquire));
  }

 private:
  std::atomic<std::size_t> done_{0};
};

}  // namespace

// Why oneTBB rather than OpenMP: work stealing that composes (a parallel_for
// inside a task_arena of exactly --workers threads, callable from any thread
// without a global runtime setting), ranges that split the flat pair-index
// space on demand, and parallel_pipeline for the ordered streaming that later
// output formats need. OpenMP's `schedule(dynamic)` would do the loop too,
// but ties the thread count to process-wide state and gives no pipeline.
ParallelExecutor::ParallelExecutor(ExecutionOptions options)
    : chunk_size_(options.chunk_size), arena_(std::make_unique<WorkerArena>(resolve_workers(options.workers))) {}

ParallelExecutor::~ParallelExecutor() = default;

unsigned ParallelExecutor::workers() const noexcept { return arena_->threads(); }

void ParallelExecutor::compute(const MatrixCells& kernel, CellRange range,
                               std::span<double> out) {
  if (range.empty()) return;
  CompletionEdge completion;
  auto compute_piece = [&](const tbb::blocked_range<std::size_t>& piece) {
    kernel.compute({piece.begin(), piece.end()},
                   out.subspan(piece.begin() - range.first, piece.size()));
    completion.task_done();
  };
  arena_->execute([&] {
    if (chunk_size_ == 0) {
      // Auto partitioner: splits into a few pieces per thread and more only
      // when a thread steals, so scheduling cost stays small.
      tbb::parallel_for(tbb::blocked_range<std::size_t>(range.first, range.last, default_grain),
                        compute_piece, tbb::auto_partitioner{});
    } else {
      // Exactly --chunk-size pairs per task (the workshop's task-size
      // experiment): split the chunk numbers down to single chunks.
      const Chunking chunking = Chunking::of(range, chunk_size_);
      tbb::parallel_for(
          tbb::blocked_range<std::size_t>(0, chunking.count(), 1),
          [&](const tbb::blocked_range<std::size_t>& chunk_numbers) {
            for (std::size_t chunk = chunk_numbers.begin(); chunk != chunk_numbers.end(); ++chunk) {
              chunking.compute(kernel, chunk, out);
            }
            completion.task_done();
          },
          tbb::simple_partitioner{});
    }
  });
  completion.wait_observed();
}

}  // namespace dm
