// distance_matrix/run/compute_and_write.hpp
//
// compute_and_write(): the library's core for callers with the coordinates in
// hand: a matrix computed by a runner (or an executor), encoded and written
// to an output, header first, not committed.
//
// Thread safety: reentrant: concurrent calls with distinct runners, encoders
// and outputs are independent.
//
// Example:
//   const dm::DistanceKernel kernel(locations);
//   const dm::MatrixShape shape = dm::MatrixShape::pairs(locations.size());
//   const std::unique_ptr<dm::MatrixEncoder> encoder = dm::make_encoder({}, shape, locations);
//   dm::StreamingRunner runner;
//   dm::MemoryMatrixOutput output;
//   dm::compute_and_write(kernel, shape, runner, *encoder, output);

#pragma once

#include "distance_matrix/executors/executor.hpp"
#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/matrix/matrix_shape.hpp"
#include "distance_matrix/output/matrix_encoder.hpp"
#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/run/matrix_runner.hpp"

namespace dm {

/// The library's core, for callers that have the coordinates in hand (a
/// Python module, an MPI rank, a test): the matrix of `shape` over the
/// kernel's locations, computed by `runner`, encoded by `encoder` and
/// written to `output`, header first. Does not commit `output`.
///
/// Throws std::invalid_argument if the kernel holds fewer locations than the
/// shape needs or the encoder was made for another shape; otherwise what the
/// runner throws (ExecutionError, IoError).
MatrixReport compute_and_write(const DistanceKernel& kernel, const MatrixShape& shape, MatrixRunner& runner,
                            const MatrixEncoder& encoder, MatrixOutput& output,
                            const ProgressCallback& progress = {});

/// The same with any executor, a window at a time (BatchRunner).
MatrixReport compute_and_write(const DistanceKernel& kernel, const MatrixShape& shape, Executor& executor,
                            const MatrixEncoder& encoder, MatrixOutput& output,
                            const ProgressCallback& progress = {});

}  // namespace dm
