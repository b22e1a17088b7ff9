#include "distance_matrix/run/batch_runner.hpp"

#include <algorithm>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "distance_matrix/matrix/chunking.hpp"
#include "distance_matrix/run/encoding_consumer.hpp"

namespace dm {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

BatchRunner::BatchRunner(std::unique_ptr<Executor> executor, Options options)
    : BatchRunner(*executor, options) {
  owned_executor_ = std::move(executor);
}

BatchRunner::BatchRunner(Executor& executor, Options options) : executor_(executor), options_(options) {
  options_.window_cells = std::max<std::size_t>(options_.window_cells, 1);
  options_.append_cells = std::max<std::size_t>(options_.append_cells, 1);
}

MatrixReport BatchRunner::run(const MatrixCells& cells, const MatrixEncoder& encoder, MatrixOutput& output,
                              const ProgressCallback& progress) {
  if (!(encoder.shape() == cells.shape())) throw std::invalid_argument("the encoder is for another shape");
  EncodingConsumer consumer(encoder, output);
  return consume(cells, consumer, progress);
}

MatrixReport BatchRunner::consume(const MatrixCells& cells, BlockConsumer& consumer,
                                  const ProgressCallback& progress) {
  if (!(consumer.shape() == cells.shape())) throw std::invalid_argument("the consumer is for another shape");
  const Clock::time_point start = Clock::now();
  MatrixReport report;
  report.cell_count = cells.cell_count();
  const std::size_t alignment = consumer.block_alignment();
  const std::size_t window_cells = aligned_block_cells(options_.window_cells, alignment);
  const std::size_t append_cells = aligned_block_cells(options_.append_cells, alignment);

  consumer.begin();
  const ExecutorRun executor_run(executor_, cells);
  const Chunking windows = Chunking::of({0, report.cell_count}, window_cells);
  const std::size_t window_size = std::min(report.cell_count, window_cells);
  // The executor's own window memory when it has some (the processes
  // executor's shared mapping): its results need no copy to reach us.
  std::vector<double> own_window;
  std::span<double> window = executor_.window_memory(window_size);
  if (window.size() < window_size) {
    own_window.resize(window_size);
    window = own_window;
  }
  BlockPartial partial;
  for (std::size_t index = 0; index < windows.count(); ++index) {
    const CellRange range = windows.piece(index);
    Clock::time_point mark = Clock::now();
    executor_.compute(cells, range, window.first(range.size()));
    const Clock::time_point computed = Clock::now();
    report.calculation += computed - mark;

    const Chunking appends = Chunking::of(range, append_cells);
    for (std::size_t piece = 0; piece < appends.count(); ++piece) {
      const CellRange part = appends.piece(piece);
      const std::span<const double> distances = window.subspan(part.first - range.first, part.size());
      partial.bytes.clear();
      consumer.consume(part, distances, partial);
      consumer.finish(part, distances, partial);
      if (progress) progress(part.last, report.cell_count);
    }
    report.write += Clock::now() - computed;
  }
  report.total = Clock::now() - start;
  return report;
}

}  // namespace dm
