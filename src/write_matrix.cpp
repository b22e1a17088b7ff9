#include "distance_matrix/write_matrix.hpp"

#include <memory>
#include <stdexcept>
#include <thread>

#include "distance_matrix/batch_runner.hpp"
#include "distance_matrix/compute_matrix.hpp"
#include "distance_matrix/csv_writer.hpp"
#include "distance_matrix/executors/async_pipeline.hpp"
#include "distance_matrix/executors/parallel_executor.hpp"
#include "distance_matrix/streaming_runner.hpp"

namespace dm {
namespace {

using Clock = std::chrono::steady_clock;

/// The workshop's simulated I/O: a blocking wait, as a synchronous program
/// waiting on a disk or a network would.
void simulate_io(std::chrono::nanoseconds latency) {
  if (latency > std::chrono::nanoseconds::zero()) std::this_thread::sleep_for(latency);
}

/// Decorates an output with the simulated latency before every write.
class SlowOutput final : public MatrixOutput {
 public:
  SlowOutput(MatrixOutput& inner, std::chrono::nanoseconds latency) : inner_(inner), latency_(latency) {}
  void append(std::string_view bytes) override {
    if (bytes.empty()) return;  // a format without a header writes no header
    simulate_io(latency_);
    inner_.append(bytes);
  }
  void write_at(std::uint64_t offset, std::string_view bytes) override {
    simulate_io(latency_);
    inner_.write_at(offset, bytes);
  }
  void commit() override { inner_.commit(); }

 private:
  MatrixOutput& inner_;
  std::chrono::nanoseconds latency_;
};

/// The async pipeline still writes through the historical PairSink.
class AppendingBytes final : public ByteOutput {
 public:
  explicit AppendingBytes(MatrixOutput& output) : output_(output) {}
  void write(std::string_view bytes) override { output_.append(bytes); }

 private:
  MatrixOutput& output_;
};

/// Every location of `reader`, each after the simulated read latency.
void read_into(LocationTable& locations, CsvLocationReader& reader, std::chrono::nanoseconds latency) {
  while (std::optional<Location> location = reader.next()) {
    simulate_io(latency);
    locations.push_back(std::move(*location));
  }
}

RunReport run_async(CsvLocationReader& reader, MatrixOutput& output, const MatrixJob& job) {
  AsyncPipeline::Options options;
  options.distance = job.distance;
  options.io_latency = job.io_latency;
  AppendingBytes bytes(output);
  CsvPairWriter writer(bytes);
  return AsyncPipeline(std::move(options)).run(reader, writer);
}

std::unique_ptr<MatrixRunner> make_runner(const MatrixJob& job, std::unique_ptr<Executor>& executor) {
  // With simulated latency every cell is its own write: that experiment
  // is about waits, so parallel runs as a batch over its executor too.
  if (job.executor == ExecutorKind::parallel && job.io_latency == std::chrono::nanoseconds::zero()) {
    return std::make_unique<StreamingRunner>(job.execution);
  }
  executor = make_executor(job.executor, job.execution);
  BatchRunner::Options options;
  if (job.io_latency > std::chrono::nanoseconds::zero()) options.append_cells = 1;
  return std::make_unique<BatchRunner>(*executor, options);
}

}  // namespace

std::optional<std::string> job_problem(const MatrixJob& job, bool has_destinations) {
  if (std::optional<std::string> problem = format_problem(job.format, has_destinations)) return problem;
  if (job.executor == ExecutorKind::async &&
      (has_destinations || resolve_layout(job.format, false) != Layout::pairs || job.format.format != Format::csv)) {
    return "the async executor streams the original tool's CSV pairs as locations arrive; other formats, "
           "layouts and --to need every location first: use another executor";
  }
  if (!can_hold(job.format.value_type, job.distance)) {
    return "--dtype " + std::string(to_string(job.format.value_type)) + " cannot hold distances up to " +
           std::to_string(largest_distance(job.distance)) + ' ' + std::string(to_string(job.distance.unit)) +
           " (the radius is too large): use float64";
  }
  return std::nullopt;
}

RunReport write_matrix(CsvLocationReader& reader, CsvLocationReader* destinations, MatrixOutput& output,
                       const MatrixJob& job, const ProgressCallback& progress) {
  if (std::optional<std::string> problem = job_problem(job, destinations != nullptr)) {
    throw std::invalid_argument(*problem);
  }
  SlowOutput slow(output, job.io_latency);
  MatrixOutput& target = job.io_latency > std::chrono::nanoseconds::zero() ? static_cast<MatrixOutput&>(slow) : output;
  if (job.executor == ExecutorKind::async) {
    RunReport report = run_async(reader, target, job);
    report.kernel = describe_kernel(job.distance.kernel);
    return report;
  }

  const Clock::time_point start = Clock::now();
  LocationTable locations;
  read_into(locations, reader, job.io_latency);
  const std::size_t origins = locations.size();
  if (destinations != nullptr) read_into(locations, *destinations, job.io_latency);
  // Both files are checked before either is refused, so one run reports every bad row.
  reader.throw_if_invalid();
  if (destinations != nullptr) destinations->throw_if_invalid();
  RunReport report;
  report.read = Clock::now() - start;
  report.location_count = locations.size();

  const Clock::time_point prepared = Clock::now();
  const DistanceKernel kernel(locations, job.distance);
  const MatrixShape shape = destinations != nullptr ? MatrixShape::rectangle(origins, locations.size() - origins)
                                                    : MatrixShape::of(resolve_layout(job.format, false), origins);
  const std::unique_ptr<MatrixEncoder> encoder = make_encoder(job.format, shape, locations);
  const Clock::time_point setup_done = Clock::now();

  std::unique_ptr<Executor> executor;
  const std::unique_ptr<MatrixRunner> runner = make_runner(job, executor);
  const MatrixReport matrix = compute_matrix(kernel, shape, *runner, *encoder, target, progress);

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
