#include "distance_matrix/run/run_job.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

#include "distance_matrix/errors.hpp"
#include "distance_matrix/queries/neighbours_csv.hpp"
#include "distance_matrix/queries/neighbours_npz.hpp"
#include "distance_matrix/queries/summary_consumer.hpp"
#include "distance_matrix/queries/summary_npy.hpp"
#include "distance_matrix/queries/summary_sweep.hpp"
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

/// Every location of `reader` into `locations`, each after the simulated
/// read latency; parsed by `threads` threads at once without one.
void read_into(LocationTable& locations, CsvLocationReader& reader, std::chrono::nanoseconds latency,
               unsigned threads) {
  locations.reserve(locations.size() + reader.expected_locations());
  if (latency == no_latency) {
    reader.read_rest_into(locations, threads);
    return;
  }
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
RunReport stream_async(CsvLocationReader& reader, MatrixOutput& output, const MatrixJob& job,
                       const ProgressCallback& progress) {
  AsyncRunner runner(AsyncRunner::Options{.io_latency = job.io_latency});
  const AsyncRunner::StreamReport streamed = runner.stream_pairs(reader, job.distance, output, progress);
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

/// The executors that answer --summary by summarize_rows (each pair once,
/// the reduction fused into the kernel) rather than row by row through
/// their own blocks: those that also answer the index searches, as
/// sequential and parallel runs of the library's own search loops.
bool sweeps_summary(RunnerKind executor) noexcept {
  return executor == RunnerKind::sequential || executor == RunnerKind::parallel;
}

/// "a, b or c": the executors that answer a query, for its usage error.
std::string executor_names(std::span<const RunnerKind> kinds) {
  std::string names;
  for (std::size_t index = 0; index < kinds.size(); ++index) {
    if (index > 0) names += index + 1 == kinds.size() ? " or " : ", ";
    names += to_string(kinds[index]);
  }
  return names;
}

/// A query's outputs are CSV rows of their own: the matrix's format options
/// mean nothing to them, and the executors that do not answer them say so.
std::optional<std::string> query_problem(const MatrixJob& job) {
  const Query& query = job.query;
  if (query.is_matrix()) return std::nullopt;
  if (query.summary && (query.nearest || query.within)) {
    return std::string("--summary and ") + (query.nearest ? "--nearest" : "--within") +
           " cannot be combined: --summary summarises every distance (--nearest and --within go together)";
  }
  const std::string option(query_option(query));
  if (query.nearest && *query.nearest == 0) return "--nearest needs K of at least 1";
  if (query.within && !(*query.within >= 0 && std::isfinite(*query.within))) {
    return "--within needs a finite distance of at least 0";
  }
  if (job.format.layout) return "--layout shapes the full matrix; " + option + " writes rows of its own: drop --layout";
  if (job.format.format == Format::csv && job.format.value_type != ValueType::float64) {
    return "--dtype is for NumPy outputs; " + option + " writes CSV here: add --format npy or drop --dtype";
  }
  if (job.io_latency > std::chrono::nanoseconds::zero()) {
    return "--io-latency simulates the matrix's writes and cannot be combined with " + option;
  }
  if ((query.nearest || query.within) && job.distance.metric == Metric::equirectangular) {
    return option + " needs --metric haversine or geodesic: its index orders locations by great-circle distance, "
                    "which equirectangular distances do not follow";
  }
  const std::span<const RunnerKind> answering = executors_answering(query);
  if (std::find(answering.begin(), answering.end(), job.executor) == answering.end()) {
    return option + " runs with -e " + executor_names(answering) + " (or mpi), not -e " +
           std::string(to_string(job.executor));
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> job_problem(const MatrixJob& job, bool has_destinations) {
  if (std::optional<std::string> problem = query_problem(job)) return problem;
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
    RunReport report = stream_async(reader, output, job, progress);
    report.kernel = describe_kernel(job.distance);
    return report;
  }
  // The async runner awaits its latency on timers; the others block on it.
  SlowMatrixOutput slow(output, job.io_latency);
  MatrixOutput& target =
      job.io_latency > no_latency && job.executor != RunnerKind::async ? static_cast<MatrixOutput&>(slow) : output;

  const Clock::time_point start = Clock::now();
  // The production executor reads on its workers too (the workshop's
  // others keep to their own strategy, see the kernel below), one part a
  // core at most: more workers than cores would only cut more parts.
  const unsigned reading_threads = job.executor == RunnerKind::parallel
                                       ? std::min(resolve_workers(job.execution.workers), resolve_workers(0))
                                       : 1u;
  LocationTable locations;
  read_into(locations, reader, job.io_latency, reading_threads);
  const std::size_t origins = locations.size();
  if (destinations != nullptr) read_into(locations, *destinations, job.io_latency, reading_threads);
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
  const bool rectangle = destinations != nullptr;
  const std::unique_ptr<MatrixRunner> runner = runner_for(job);
  // The production executor prepares the kernel on its workers too; the
  // workshop's others keep to their own strategy (and the processes
  // executor forks: no oneTBB threads before it).
  DistanceKernel kernel(locations, job.distance, job.executor == RunnerKind::parallel ? runner->workers() : 1u);
  MatrixReport matrix;
  if (job.query.nearest || job.query.within) {
    const NeighbourQuery neighbours{.origins = origins,
                                    .first_candidate = rectangle ? origins : 0,
                                    .k = job.query.nearest,
                                    .within = job.query.within,
                                    .radius = job.distance.radius_km / kilometers_per(job.distance.unit),
                                    .workers = job.executor == RunnerKind::sequential ? 1u : runner->workers()};
    const Clock::time_point setup_done = Clock::now();
    // The kernel handed over: the index searches a copy of its own, and the
    // search's arrays reuse the kernel's memory (huge_pages keeps it).
    if (job.format.format == Format::csv) {
      matrix = write_neighbours_csv(std::move(kernel), locations, neighbours, target, progress);
    } else {
      // The arrays hold indices, not names: the table's memory goes back
      // before the index is built, which reuses it.
      locations = LocationTable();
      matrix = job.query.nearest
                   ? write_nearest_npz(std::move(kernel), neighbours, job.format.value_type, target, progress)
                   : write_within_npz(std::move(kernel), neighbours, job.format.value_type, target, progress);
    }
    matrix.calculation += setup_done - prepared;
  } else if (job.query.summary) {
    // Every origin's whole row: the square (its diagonal left out) or the rectangle.
    const MatrixShape shape = rectangle ? MatrixShape::rectangle(origins, locations.size() - origins)
                                        : MatrixShape::square(origins);
    if (sweeps_summary(job.executor)) {
      // Each pair once, reduced in the kernel's registers: the same bytes as
      // the block runners' row by row reduction below.
      const unsigned workers = job.executor == RunnerKind::sequential ? 1u : runner->workers();
      SummaryProgress origins_done;
      if (progress) {
        const std::size_t columns = shape.columns();
        origins_done = [&progress, columns](std::size_t done, std::size_t all) {
          progress(done * columns, all * columns);
        };
      }
      const std::vector<RowSummary> rows = summarize_rows(kernel, shape, workers, origins_done);
      const Clock::time_point computed = Clock::now();
      if (job.format.format == Format::csv) {
        write_summary_csv(locations, shape, rows, target);
      } else {
        write_summary_npy(locations, shape, rows, job.format.value_type, target);
      }
      matrix.cell_count = shape.cell_count();
      matrix.calculation = computed - prepared;
      matrix.write = Clock::now() - computed;
      matrix.total = Clock::now() - prepared;
    } else {
      const TallyGrid grid = TallyGrid::for_largest(largest_distance(job.distance));
      std::unique_ptr<BlockConsumer> consumer;
      if (job.format.format == Format::csv) {
        consumer = std::make_unique<SummaryConsumer>(locations, shape, target, grid);
      } else {
        auto records = std::make_unique<SummaryNpyConsumer>(locations, shape, job.format.value_type, target, grid);
        target.expect_size(records->file_bytes());
        consumer = std::move(records);
      }
      const Clock::time_point setup_done = Clock::now();
      matrix = runner->consume(MatrixCells(kernel, shape), *consumer, progress);
      matrix.calculation += setup_done - prepared;
    }
  } else {
    const MatrixShape shape = rectangle ? MatrixShape::rectangle(origins, locations.size() - origins)
                                        : MatrixShape::of(resolve_layout(job.format, false), origins);
    const std::unique_ptr<MatrixEncoder> encoder = make_encoder(job.format, shape, locations);
    if (const std::optional<std::uint64_t> size = fixed_output_bytes(*encoder)) target.expect_size(*size);
    const Clock::time_point setup_done = Clock::now();
    matrix = compute_and_write(kernel, shape, *runner, *encoder, target, progress);
    matrix.calculation += setup_done - prepared;
  }

  report.executor = runner->kind();
  report.workers = runner->workers();
  report.chunk_size = runner->chunk_size();
  report.pair_count = matrix.cell_count;
  report.calculation = matrix.calculation;
  report.write = matrix.write;
  report.stages_overlap = runner->stages_overlap();
  if (job.query.nearest || job.query.within) {
    // Searched in tasks of origins, a batch at a time, then written.
    report.workers = job.executor == RunnerKind::sequential ? 1u : runner->workers();
    report.chunk_size = nearest_origins_per_task;
    report.stages_overlap = false;
  }
  report.kernel = describe_kernel(job.distance);
  report.total = Clock::now() - start;
  return report;
}

}  // namespace dm
