#pragma once

// The whole run, CSV text in and encoded bytes out, for tests that compare executors.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include "distance_matrix/input/csv_reader.hpp"
#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/run/batch_runner.hpp"
#include "distance_matrix/run/compute_and_write.hpp"
#include "distance_matrix/run/run_job.hpp"

namespace dm::testing {

/// The bytes the tool would write for the CSV `input` with `job` (CSV pairs by default).
inline std::string run_to_string(const std::string& input, const MatrixJob& job) {
  CsvLocationReader reader(input, "random.csv");
  MemoryMatrixOutput output;
  run_job(reader, nullptr, output, job);
  return output.bytes();
}

/// The same through a batch executor computing `window_cells` cells at a
/// time: the matrix reaches the encoder in pieces.
inline std::string run_to_string(const std::string& input, const MatrixJob& job, std::size_t window_cells) {
  const LocationTable locations = parse_locations(input, "random.csv");
  const DistanceKernel kernel(locations, job.distance);
  const MatrixShape shape = MatrixShape::of(resolve_layout(job.format, false), locations.size());
  const std::unique_ptr<MatrixEncoder> encoder = make_encoder(job.format, shape, locations);
  const std::unique_ptr<Executor> executor = make_executor(*batch_executor_of(job.executor), job.execution);
  BatchRunner runner(*executor, {.window_cells = window_cells});
  MemoryMatrixOutput output;
  compute_and_write(kernel, shape, runner, *encoder, output);
  return output.bytes();
}

/// What the library writes for the file `input` with the sequential executor.
inline std::string sequential_csv(const std::filesystem::path& input) {
  CsvLocationReader reader = CsvLocationReader::open(input);
  MemoryMatrixOutput output;
  run_job(reader, nullptr, output, {.executor = RunnerKind::sequential});
  return output.bytes();
}

}  // namespace dm::testing
