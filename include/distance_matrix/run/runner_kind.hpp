// distance_matrix/run/runner_kind.hpp
//
// RunnerKind: the workshop's strategies, the tool's -e choices (but mpi),
// each a MatrixRunner made by make_runner(); batch_executor_of() names the
// batch executor (ExecutorKind) a strategy computes with.
//
// Thread safety: values and pure functions.
//
// Example:
//   dm::parse_runner_kind("async");                      // RunnerKind::async
//   dm::batch_executor_of(dm::RunnerKind::parallel);     // ExecutorKind::parallel
//   dm::batch_executor_of(dm::RunnerKind::async);        // nullopt: its coroutines also read and write

#pragma once

#include <optional>
#include <string_view>

#include "distance_matrix/enum_names.hpp"
#include "distance_matrix/executors/executor.hpp"

namespace dm {

/// The strategies of the concurrency workshop (the tool's -e choices): how
/// a whole matrix is computed, encoded and written. Each is a MatrixRunner
/// (make_runner()); all but `async` compute with the batch executor of the
/// same name.
enum class RunnerKind {
  sequential,  ///< BatchRunner over SequentialExecutor: the baseline
  threads,     ///< BatchRunner over ThreadsExecutor (slow on purpose)
  pool,        ///< BatchRunner over PoolExecutor
  processes,   ///< BatchRunner over ProcessesExecutor
  async,       ///< AsyncRunner: one thread, read/compute/write coroutines joined by channels (Asio)
  parallel,    ///< StreamingRunner, oneTBB's pipeline over ParallelExecutor's strategy: the production default
};

/// The names the tool's -e takes (with "mpi", which is no RunnerKind).
inline constexpr EnumName<RunnerKind> runner_kind_names[] = {
    {RunnerKind::sequential, "sequential"}, {RunnerKind::threads, "threads"}, {RunnerKind::pool, "pool"},
    {RunnerKind::processes, "processes"},   {RunnerKind::async, "async"},     {RunnerKind::parallel, "parallel"}};
inline constexpr auto all_runner_kinds = values_in(runner_kind_names);

[[nodiscard]] std::string_view to_string(RunnerKind kind) noexcept;
[[nodiscard]] std::optional<RunnerKind> parse_runner_kind(std::string_view text) noexcept;

/// The batch executor `kind` computes with, or nullopt for `async`, whose
/// coroutines also read and write.
[[nodiscard]] std::optional<ExecutorKind> batch_executor_of(RunnerKind kind) noexcept;
/// The strategy a BatchRunner over an executor of `kind` is.
[[nodiscard]] RunnerKind runner_kind_of(ExecutorKind kind) noexcept;

}  // namespace dm
