#include "distance_matrix/executors/executor.hpp"

#include <thread>

#include "distance_matrix/executors/parallel_executor.hpp"
#include "distance_matrix/executors/pool_executor.hpp"
#include "distance_matrix/executors/processes_executor.hpp"
#include "distance_matrix/executors/sequential_executor.hpp"
#include "distance_matrix/executors/threads_executor.hpp"

namespace dm {

std::string_view to_string(ExecutorKind kind) noexcept { return name_in(executor_kind_names, kind); }

std::optional<ExecutorKind> parse_executor_kind(std::string_view text) noexcept {
  return value_in(executor_kind_names, text);
}

unsigned resolve_workers(unsigned requested) noexcept {
  if (requested > 0) return requested;
  const unsigned hardware = std::thread::hardware_concurrency();
  return hardware > 0 ? hardware : 1;
}

std::unique_ptr<Executor> make_executor(ExecutorKind kind, ExecutionOptions options) {
  switch (kind) {
    case ExecutorKind::sequential: return std::make_unique<SequentialExecutor>();
    case ExecutorKind::threads: return std::make_unique<ThreadsExecutor>(options);
    case ExecutorKind::pool: return std::make_unique<PoolExecutor>(options);
    case ExecutorKind::processes: return std::make_unique<ProcessesExecutor>(options);
    case ExecutorKind::parallel: break;
  }
  return std::make_unique<ParallelExecutor>(options);
}

}  // namespace dm
