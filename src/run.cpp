#include "distance_matrix/run.hpp"

#include <algorithm>
#include <thread>
#include <vector>

#include "distance_matrix/distance_kernel.hpp"
#include "distance_matrix/executors/async_pipeline.hpp"

namespace dm {
namespace {

using Clock = std::chrono::steady_clock;

/// The workshop's simulated I/O: a blocking wait, as a synchronous program
/// waiting on a disk or a network would.
void simulate_io(std::chrono::nanoseconds latency) {
  if (latency > std::chrono::nanoseconds::zero()) std::this_thread::sleep_for(latency);
}

LocationTable read_locations(CsvLocationReader& reader, std::chrono::nanoseconds latency) {
  LocationTable locations;
  while (std::optional<Location> location = reader.next()) {
    simulate_io(latency);
    locations.push_back(std::move(*location));
  }
  reader.throw_if_invalid();
  return locations;
}

void write_block(PairSink& sink, const PairBlock& block, std::chrono::nanoseconds latency) {
  if (latency == std::chrono::nanoseconds::zero()) {
    sink.consume(block);
    return;
  }
  for (std::size_t row = 0; row < block.distances.size(); ++row) {
    simulate_io(latency);
    sink.consume({block.first_pair + row, block.distances.subspan(row, 1)});
  }
}

/// Read everything, then compute and write the matrix one window at a time:
/// the shape of the original tool, with memory bounded by the window.
RunReport run_batch(CsvLocationReader& reader, PairSink& sink, const RunOptions& options) {
  const Clock::time_point start = Clock::now();
  std::unique_ptr<Executor> executor = make_executor(options.executor, options.execution);

  RunReport report;
  report.executor = executor->kind();
  report.chunk_size = executor->chunk_size();

  const LocationTable locations = read_locations(reader, options.io_latency);
  Clock::time_point mark = Clock::now();
  report.read = mark - start;
  report.location_count = locations.size();

  const DistanceKernel kernel(locations, options.distance);
  report.pair_count = kernel.pair_count();
  report.calculation = Clock::now() - mark;
  std::vector<double> window(std::min(report.pair_count, std::max<std::size_t>(options.window_pairs, 1)));

  sink.begin(locations);
  for (std::size_t first = 0; first < report.pair_count; first += window.size()) {
    const PairRange range{first, std::min(first + window.size(), report.pair_count)};
    const std::span<double> distances(window.data(), range.size());

    mark = Clock::now();
    executor->compute(kernel, range, distances);
    const Clock::time_point computed = Clock::now();
    report.calculation += computed - mark;

    write_block(sink, {range.first, distances}, options.io_latency);
    report.write += Clock::now() - computed;
  }
  report.workers = executor->workers();  // after computing: what the executor could actually use
  mark = Clock::now();
  sink.finish();
  const Clock::time_point end = Clock::now();
  report.write += end - mark;
  report.total = end - start;
  return report;
}

}  // namespace

RunReport run(CsvLocationReader& reader, PairSink& sink, const RunOptions& options) {
  if (options.executor == ExecutorKind::async) {
    AsyncPipeline::Options pipeline_options;
    pipeline_options.distance = options.distance;
    pipeline_options.io_latency = options.io_latency;
    return AsyncPipeline(std::move(pipeline_options)).run(reader, sink);
  }
  return run_batch(reader, sink, options);
}

}  // namespace dm
