#include "distance_matrix/run/batch_runner.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "distance_matrix/matrix/chunking.hpp"

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
  const Clock::time_point start = Clock::now();
  MatrixReport report;
  report.cell_count = cells.cell_count();

  output.append(encoder.header());
  const ExecutorRun executor_run(executor_, cells);
  const Chunking windows = Chunking::of({0, report.cell_count}, options_.window_cells);
  std::vector<double> window(std::min(report.cell_count, options_.window_cells));
  std::string bytes;
  for (std::size_t index = 0; index < windows.count(); ++index) {
    const CellRange range = windows.piece(index);
    Clock::time_point mark = Clock::now();
    executor_.compute(cells, range, std::span<double>(window.data(), range.size()));
    const Clock::time_point computed = Clock::now();
    report.calculation += computed - mark;

    const Chunking appends = Chunking::of(range, options_.append_cells);
    for (std::size_t piece = 0; piece < appends.count(); ++piece) {
      const CellRange part = appends.piece(piece);
      bytes.clear();
      encoder.encode(part, std::span<const double>(window).subspan(part.first - range.first, part.size()), bytes);
      output.append(bytes);
      if (progress) progress(part.last, report.cell_count);
    }
    report.write += Clock::now() - computed;
  }
  report.total = Clock::now() - start;
  return report;
}

}  // namespace dm
