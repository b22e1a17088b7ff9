#include "distance_matrix/run/run_job.hpp"

#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <stdexcept>

#include "distance_matrix/errors.hpp"
#include "distance_matrix/run/async_runner.hpp"
#include "distance_matrix/run/batch_runner.hpp"
#include "distance_matrix/run/compute_and_write.hpp"
#include "distance_matrix/run/make_runner.hpp"
#include "src/run/simulated_latency.hpp"

namespace dm {
namespace {

/// 3.142e+39: a magnitude a reader takes in at a glance.
std::string readable(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

using Clock = std::chrono::steady_clock;
constexpr std::chrono::nanoseconds no_latency{0};

/// Every location of `reader` into `locations`, each after the simulated read latency.
void read_into(LocationTable& locations, CsvLocationReader& reader, std::chrono::nanoseconds latency) {
  SlowLocationReader slow(reader, latency);
  while (std::optional<Location> location = slow.next()) locations.push_back(std::move(*location));
}

std::unique_ptr<MatrixRunner> runner_for(const MatrixJob& job) {
  if (job.io_latency == no_latency) return make_runner(job.executor, job.execution);
  if (job.executor == RunnerKind::async) {
    return std::make_unique<AsyncRunner>(AsyncRunner::Options{.io_latency = job.io_latency});
  }
  // With simulated latency every cell is its own write: that experiment is
  // about waits, so parallel runs as a batch over its executor too.
  BatchRunner::Options one_cell_per_write;
  one_cell_per_write.append_cells = 1;
  return std::make_unique<BatchRunner>(make_executor(*batch_executor_of(job.executor), job.execution),
                                       one_cell_per_write);
}

/// The async runner on the original tool's CSV: computed and written while
/// the input is still being read.
RunReport stream_async(CsvLocationReader& reader, MatrixOutput& output, const MatrixJob& job) {
  AsyncRunner runner(AsyncRunner::Options{.io_latency = job.io_latency});
  const AsyncRunner::StreamReport streamed = runner.stream_pairs(reader, job.distance, output);
  RunReport report;
  report.executor = runner.kind();
  report.workers = runner.workers();
  report.chunk_size = runner.chunk_size();
  report.location_count = streamed.location_count;
  report.pair_count = streamed.matrix.cell_count;
  report.read = streamed.read;
  report.calculation = streamed.matrix.calculation;
  report.write = streamed.matrix.write;
  report.total = streamed.matrix.total;
  report.stages_overlap = true;
  return report;
}

}  // namespace

std::optional<std::string> job_problem(const MatrixJob& job, bool has_destinations) {
  if (std::optional<std::string> problem = format_problem(job.format, has_destinations)) return problem;
  if (!can_hold(job.format.value_type, job.distance)) {
    // Four significant digits: the limit is what matters, not its 309 digits.
    return "--dtype " + std::string(to_string(job.format.value_type)) + " cannot hold distances up to " +
           readable(largest_distance(job.distance)) + ' ' + std::string(to_string(job.distance.unit)) +
           " (its largest value is " + readable(static_cast<double>(std::numeric_limits<float>::max())) +
           "; the radius is too large): use float64";
  }
  return std::nullopt;
}

std::optional<std::uint64_t> fixed_output_bytes(const MatrixEncoder& encoder) {
  const std::uint64_t cell_bytes = encoder.fixed_cell_bytes();
  if (cell_bytes == 0) return std::nullopt;
  const std::uint64_t cells = encoder.shape().cell_count();
  const std::uint64_t header = encoder.header().size();
  if (cells > (std::numeric_limits<std::uint64_t>::max() - header) / cell_bytes) return std::nullopt;
  return header + cells * cell_bytes;
}

void throw_if_no_destinations(const CsvLocationReader& destinations, std::size_t destination_count) {
  if (destination_count > 0) return;
  throw InputError({Diagnostic{destinations.display_name(), 1,
                               "no destinations: --to needs at least one name,latitude,longitude row"}},
                   1);
}

RunReport run_job(CsvLocationReader& reader, CsvLocationReader* destinations, MatrixOutput& output,
                       const MatrixJob& job, const ProgressCallback& progress) {
  if (std::optional<std::string> problem = job_problem(job, destinations != nullptr)) {
    throw std::invalid_argument(*problem);
  }
  const bool streams = job.executor == RunnerKind::async && destinations == nullptr &&
                       job.format.format == Format::csv && resolve_layout(job.format, false) == Layout::pairs;
  if (streams) {
    RunReport report = stream_async(reader, output, job);
    report.kernel = describe_kernel(job.distance.kernel);
    return report;
  }
  // The async runner awaits its latency on timers; the others block on it.
  SlowMatrixOutput slow(output, job.io_latency);
  MatrixOutput& target =
      job.io_latency > no_latency && job.executor != RunnerKind::async ? static_cast<MatrixOutput&>(slow) : output;

  const Clock::time_point start = Clock::now();
  LocationTable locations;
  read_into(locations, reader, job.io_latency);
  const std::size_t origins = locations.size();
  if (destinations != nullptr) read_into(locations, *destinations, job.io_latency);
  // Both files are checked before either is refused, so one run reports every bad row.
  reader.throw_if_invalid();
  if (destinations != nullptr) {
    destinations->throw_if_invalid();
    throw_if_no_destinations(*destinations, locations.size() - origins);
  }
  RunReport report;
  report.read = Clock::now() - start;
  report.location_count = locations.size();

  const Clock::time_point prepared = Clock::now();
  const DistanceKernel kernel(locations, job.distance);
  const MatrixShape shape = destinations != nullptr ? MatrixShape::rectangle(origins, locations.size() - origins)
                                                    : MatrixShape::of(resolve_layout(job.format, false), origins);
  const std::unique_ptr<MatrixEncoder> encoder = make_encoder(job.format, shape, locations);
  if (const std::optional<std::uint64_t> size = fixed_output_bytes(*encoder)) target.expect_size(*size);
  const Clock::time_point setup_done = Clock::now();

  const std::unique_ptr<MatrixRunner> runner = runner_for(job);
  const MatrixReport matrix = compute_and_write(kernel, shape, *runner, *encoder, target, progress);

  report.executor = runner->kind();
  report.workers = runner->workers();
  report.chunk_size = runner->chunk_size();
  report.pair_count = matrix.cell_count;
  report.calculation = matrix.calculation + (setup_done - prepared);
  report.write = matrix.write;
  report.stages_overlap = runner->stages_overlap();
  report.kernel = describe_kernel(job.distance.kernel);
  report.total = Clock::now() - start;
  return report;
}

}  // namespace dm
