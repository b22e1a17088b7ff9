#include "distance_matrix/run/make_runner.hpp"

#include <utility>

#include "distance_matrix/run/async_runner.hpp"
#include "distance_matrix/run/streaming_runner.hpp"

namespace dm {

std::unique_ptr<MatrixRunner> make_runner(RunnerKind kind, ExecutionOptions options, BatchRunner::Options batch) {
  switch (kind) {
    case RunnerKind::parallel: return std::make_unique<StreamingRunner>(options);
    case RunnerKind::async: return std::make_unique<AsyncRunner>();
    case RunnerKind::sequential:
    case RunnerKind::threads:
    case RunnerKind::pool:
    case RunnerKind::processes: break;
  }
  return std::make_unique<BatchRunner>(make_executor(*batch_executor_of(kind), options), batch);
}

}  // namespace dm
