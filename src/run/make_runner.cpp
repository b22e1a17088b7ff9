#include "distance_matrix/run/make_runner.hpp"

#include <utility>

#include "distance_matrix/run/async_runner.hpp"
#include "distance_matrix/run/streaming_runner.hpp"

namespace dm {

std::unique_ptr<MatrixRunner> make_runner(ExecutorKind kind, ExecutionOptions options, BatchRunner::Options batch) {
  switch (kind) {
    case ExecutorKind::parallel: return std::make_unique<StreamingRunner>(options);
    case ExecutorKind::async: return std::make_unique<AsyncRunner>();
    case ExecutorKind::sequential:
    case ExecutorKind::threads:
    case ExecutorKind::pool:
    case ExecutorKind::processes: break;
  }
  return std::make_unique<BatchRunner>(make_executor(kind, options), batch);
}

}  // namespace dm
