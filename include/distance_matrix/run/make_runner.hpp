// distance_matrix/run/make_runner.hpp
//
// make_runner(): the runner each strategy runs as (StreamingRunner for
// parallel, AsyncRunner for async, a BatchRunner over the executor for the
// others).
//
// Thread safety: returns a new runner; see the runner's own header.
//
// Example:
//   const std::unique_ptr<dm::MatrixRunner> runner = dm::make_runner(dm::RunnerKind::pool, {.workers = 4});
//   dm::compute_and_write(kernel, shape, *runner, *encoder, output);

#pragma once

#include <memory>

#include "distance_matrix/executors/executor.hpp"
#include "distance_matrix/run/batch_runner.hpp"
#include "distance_matrix/run/matrix_runner.hpp"
#include "distance_matrix/run/runner_kind.hpp"

namespace dm {

/// The runner each strategy of the workshop runs as: `parallel` streams
/// (StreamingRunner), `async` is AsyncRunner, the others are a BatchRunner
/// over their executor (with `batch`), which the returned runner owns.
[[nodiscard]] std::unique_ptr<MatrixRunner> make_runner(RunnerKind kind, ExecutionOptions options,
                                                        BatchRunner::Options batch = {});

}  // namespace dm
