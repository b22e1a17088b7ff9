// distance_matrix/run/run_job.hpp
//
// MatrixJob and run_job(): everything a command-line run asks for, and the
// run itself: read the locations, compute, encode and write with the runner
// the executor calls for. The library knows no command line: the tool's
// apps/ turn arguments into a MatrixJob.
//
// Thread safety: reentrant: concurrent runs with distinct readers and outputs
// are independent.
//
// Example:
//   dm::CsvLocationReader reader = dm::CsvLocationReader::open("data/locations.csv");
//   dm::OutputFile file("out.npy");
//   dm::FileMatrixOutput output(file);
//   dm::run_job(reader, nullptr, output, {.format = {.format = dm::Format::npy}});
//   output.commit();

#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "distance_matrix/executors/executor.hpp"
#include "distance_matrix/input/csv_reader.hpp"
#include "distance_matrix/kernel/distance_options.hpp"
#include "distance_matrix/output/matrix_encoder.hpp"
#include "distance_matrix/output/matrix_format.hpp"
#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/queries/query.hpp"
#include "distance_matrix/run/matrix_runner.hpp"
#include "distance_matrix/run/run_report.hpp"
#include "distance_matrix/run/runner_kind.hpp"

namespace dm {

/// Everything a command-line run asks for.
struct MatrixJob {
  RunnerKind executor = RunnerKind::parallel;  ///< the strategy, -e
  ExecutionOptions execution{};
  DistanceOptions distance{};
  MatrixFormat format{};
  /// Simulated latency per input row read and per output cell written (the
  /// workshop's I/O-bound experiment). Zero: no waiting.
  std::chrono::nanoseconds io_latency{0};
  /// A summary or the nearest neighbours instead of the matrix (CSV, or
  /// NumPy with format npy: queries/neighbours_npz.hpp, summary_npy.hpp).
  Query query{};
};

/// Why `job` cannot run, as a sentence for a usage error (format_problem(),
/// float32 too small for the radius, a query with options it has no use for
/// or an executor that does not answer it), or nullopt.
[[nodiscard]] std::optional<std::string> job_problem(const MatrixJob& job, bool has_destinations);

/// The whole output's size when the format fixes it before the first byte
/// (NPY: a header and cells of one size); nullopt for text, or past 2^64.
/// run_job gives it to MatrixOutput::expect_size before computing.
[[nodiscard]] std::optional<std::uint64_t> fixed_output_bytes(const MatrixEncoder& encoder);

/// Throws InputError ("dest.csv:1: no destinations ...") when the
/// destinations held no location (an empty file, or only a header): a
/// rectangle of zero columns is a mistake to report, not a result.
void throw_if_no_destinations(const CsvLocationReader& destinations, std::size_t destination_count);

/// Reads the locations (and the destinations, validated as strictly), then
/// computes, encodes and writes the matrix to `output` with the runner the
/// executor calls for: `parallel` streams through StreamingRunner, the
/// others run as BatchRunner over their executor, `async` is AsyncRunner:
/// on the original tool's CSV pairs it streams (AsyncRunner::stream_pairs,
/// writing while reading and stopping at the first invalid row), on every
/// other format it reads everything first like the others. Simulated
/// latency decorates the reader and the output (simulated_latency.hpp),
/// except for the async runner, which awaits it on timers.
/// Does not commit `output`. Throws std::invalid_argument when
/// job_problem() is not nullopt, InputError for invalid rows or no
/// destinations (before
/// anything is written, except by the async runner when it streams),
/// ExecutionError, IoError.
RunReport run_job(CsvLocationReader& reader, CsvLocationReader* destinations, MatrixOutput& output,
                       const MatrixJob& job, const ProgressCallback& progress = {});

}  // namespace dm
