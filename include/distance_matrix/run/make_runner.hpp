#pragma once

#include <memory>

#include "distance_matrix/executors/executor.hpp"
#include "distance_matrix/run/batch_runner.hpp"
#include "distance_matrix/run/matrix_runner.hpp"

namespace dm {

/// The runner each strategy of the workshop runs as: `parallel` streams
/// (StreamingRunner), `async` is AsyncRunner, the others are a BatchRunner
/// over their executor (with `batch`), which the returned runner owns. Every ExecutorKind
/// has one, so a caller with arrays in hand (compute_matrix) can pick any.
[[nodiscard]] std::unique_ptr<MatrixRunner> make_runner(ExecutorKind kind, ExecutionOptions options,
                                                        BatchRunner::Options batch = {});

}  // namespace dm
