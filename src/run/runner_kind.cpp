#include "distance_matrix/run/runner_kind.hpp"

namespace dm {

std::string_view to_string(RunnerKind kind) noexcept { return name_in(runner_kind_names, kind); }

std::optional<RunnerKind> parse_runner_kind(std::string_view text) noexcept {
  return value_in(runner_kind_names, text);
}

std::optional<ExecutorKind> batch_executor_of(RunnerKind kind) noexcept {
  switch (kind) {
    case RunnerKind::sequential: return ExecutorKind::sequential;
    case RunnerKind::threads: return ExecutorKind::threads;
    case RunnerKind::pool: return ExecutorKind::pool;
    case RunnerKind::processes: return ExecutorKind::processes;
    case RunnerKind::parallel: return ExecutorKind::parallel;
    case RunnerKind::async: break;
  }
  return std::nullopt;
}

RunnerKind runner_kind_of(ExecutorKind kind) noexcept {
  switch (kind) {
    case ExecutorKind::sequential: return RunnerKind::sequential;
    case ExecutorKind::threads: return RunnerKind::threads;
    case ExecutorKind::pool: return RunnerKind::pool;
    case ExecutorKind::processes: return RunnerKind::processes;
    case ExecutorKind::parallel: break;
  }
  return RunnerKind::parallel;
}

}  // namespace dm
