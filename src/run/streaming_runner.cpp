#include "distance_matrix/run/streaming_runner.hpp"

#include <tbb/parallel_pipeline.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "distance_matrix/matrix/chunking.hpp"
#include "distance_matrix/run/encoding_consumer.hpp"
#include "src/executors/handoff.hpp"
#include "src/executors/worker_arena.hpp"

namespace dm {
namespace {

using Clock = std::chrono::steady_clock;

/// One token of the pipeline. Slots are reused: block i lives in slot
/// i % slots, which is free again once block i - slots has been written
/// (the writer is serial and in order, and at most `slots` tokens live).
struct Block {
  CellRange cells;
  std::vector<double> distances;
  BlockPartial partial;
  std::chrono::duration<double> calculation{};
  Handoff handoff;
};

}  // namespace

StreamingRunner::StreamingRunner(ExecutionOptions options)
    : arena_(std::make_unique<WorkerArena>(resolve_workers(options.workers))),
      block_cells_(options.chunk_size > 0 ? options.chunk_size : default_block_cells),
      block_cells_chosen_(options.chunk_size > 0) {}

StreamingRunner::~StreamingRunner() = default;

unsigned StreamingRunner::workers() const noexcept { return arena_->threads(); }

std::size_t StreamingRunner::block_cells_for(std::size_t cell_count, std::size_t slots,
                                             std::size_t cell_bytes) const noexcept {
  if (block_cells_chosen_) return std::min(block_cells_, cell_count);
  const std::size_t by_bytes = std::clamp(target_block_bytes / std::max<std::size_t>(cell_bytes, 1),
                                          smallest_default_block_cells, default_block_cells);
  // At least 4 blocks per slot when the matrix allows: each slot's buffers
  // are then reused (a block in fresh memory pays a page fault per 4 KiB),
  // and the last blocks leave no worker idle for long.
  const std::size_t spread = (cell_count + 4 * slots - 1) / (4 * slots);
  return std::min({by_bytes, std::max(smallest_default_block_cells, spread), cell_count});
}

MatrixReport StreamingRunner::run(const MatrixCells& cells, const MatrixEncoder& encoder, MatrixOutput& output,
                                  const ProgressCallback& progress) {
  if (!(encoder.shape() == cells.shape())) throw std::invalid_argument("the encoder is for another shape");
  EncodingConsumer consumer(encoder, output);
  return consume(cells, consumer, progress);
}

MatrixReport StreamingRunner::consume(const MatrixCells& cells, BlockConsumer& consumer,
                                      const ProgressCallback& progress) {
  if (!(consumer.shape() == cells.shape())) throw std::invalid_argument("the consumer is for another shape");
  const Clock::time_point start = Clock::now();
  consumer.begin();
  MatrixReport report = consume_range(cells, {0, cells.cell_count()}, consumer, progress);
  report.total = Clock::now() - start;
  return report;
}

MatrixReport StreamingRunner::run_range(const MatrixCells& cells, CellRange range, const MatrixEncoder& encoder,
                                        MatrixOutput& output, const ProgressCallback& progress) {
  if (!(encoder.shape() == cells.shape())) throw std::invalid_argument("the encoder is for another shape");
  EncodingConsumer consumer(encoder, output);
  return consume_range(cells, range, consumer, progress);
}

MatrixReport StreamingRunner::consume_range(const MatrixCells& cells, CellRange range, BlockConsumer& consumer,
                                            const ProgressCallback& progress) {
  if (!(consumer.shape() == cells.shape())) throw std::invalid_argument("the consumer is for another shape");
  if (range.last > cells.cell_count() || range.first > range.last) {
    throw std::invalid_argument("the range is outside the matrix");
  }
  const std::size_t alignment = consumer.block_alignment();
  if (alignment > 1 && (range.first % alignment != 0 || range.last % alignment != 0)) {
    throw std::invalid_argument("the range does not start and end on a block boundary of the consumer");
  }
  const Clock::time_point start = Clock::now();
  MatrixReport report;
  report.cell_count = range.size();
  if (report.cell_count == 0) {
    report.total = Clock::now() - start;
    return report;
  }

  // Enough tokens to keep every worker busy while the writer drains one.
  const std::size_t slots = 4 * std::size_t{arena_->ready()};
  std::vector<Block> blocks(slots);
  const std::size_t block_cells = aligned_block_cells(
      block_cells_for(report.cell_count, slots, consumer.typical_cell_bytes()), consumer.block_alignment());
  block_cells_used_ = block_cells;
  const Chunking cuts = Chunking::of(range, block_cells);
  std::size_t next_block = 0;
  std::size_t next_slot = 0;

  Handoff cutter;
  Handoff writer;

  auto cut = [&](tbb::flow_control& control) -> Block* {
    cutter.enter();
    if (next_block == cuts.count()) {
      control.stop();
      cutter.leave();
      return nullptr;
    }
    Block& block = blocks[next_slot];
    next_slot = (next_slot + 1) % slots;
    block.handoff.enter();
    block.cells = cuts.piece(next_block++);
    block.handoff.leave();
    cutter.leave();
    return &block;
  };
  auto compute_and_consume = [&](Block* block) -> Block* {
    block->handoff.enter();
    const Clock::time_point begin = Clock::now();
    block->distances.resize(block->cells.size());
    cells.compute(block->cells, block->distances);
    const Clock::time_point computed = Clock::now();
    block->calculation = computed - begin;
    block->partial.bytes.clear();
    consumer.consume(block->cells, block->distances, block->partial);
    block->handoff.leave();
    return block;
  };
  auto finish = [&](Block* block) {
    writer.enter();
    block->handoff.enter();
    const Clock::time_point begin = Clock::now();
    consumer.finish(block->cells, block->distances, block->partial);
    report.write += Clock::now() - begin;
    report.calculation += block->calculation;
    if (progress) progress(block->cells.last - range.first, report.cell_count);
    block->handoff.leave();
    writer.leave();
  };

  arena_->execute([&] {
    tbb::parallel_pipeline(slots,
                           tbb::make_filter<void, Block*>(tbb::filter_mode::serial_in_order, cut) &
                               tbb::make_filter<Block*, Block*>(tbb::filter_mode::parallel, compute_and_consume) &
                               tbb::make_filter<Block*, void>(tbb::filter_mode::serial_in_order, finish));
  });
  // The writer's last release makes the report's sums visible here.
  writer.enter();
  report.total = Clock::now() - start;
  return report;
}

}  // namespace dm
