// The workshop's strategies (RunnerKind) apart from the batch executors
// (ExecutorKind): every strategy has a runner, every executor kind an
// executor, and the two meet where a strategy computes with an executor.
#include "distance_matrix/run/runner_kind.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "distance_matrix/run/make_runner.hpp"

namespace dm {
namespace {

TEST(RunnerKind, EveryStrategyHasARunnerOfItsKind) {
  for (const RunnerKind kind : all_runner_kinds) {
    const std::unique_ptr<MatrixRunner> runner = make_runner(kind, {1, 0});
    ASSERT_NE(runner, nullptr);
    EXPECT_EQ(runner->kind(), kind) << to_string(kind);
  }
}

TEST(RunnerKind, EveryExecutorKindHasAnExecutorOfItsKind) {
  for (const ExecutorKind kind : all_executor_kinds) {
    const std::unique_ptr<Executor> executor = make_executor(kind, {1, 0});
    ASSERT_NE(executor, nullptr);
    EXPECT_EQ(executor->kind(), kind) << to_string(kind);
  }
}

TEST(RunnerKind, AllButAsyncComputeWithTheExecutorOfTheirName) {
  EXPECT_EQ(batch_executor_of(RunnerKind::sequential), ExecutorKind::sequential);
  EXPECT_EQ(batch_executor_of(RunnerKind::threads), ExecutorKind::threads);
  EXPECT_EQ(batch_executor_of(RunnerKind::pool), ExecutorKind::pool);
  EXPECT_EQ(batch_executor_of(RunnerKind::processes), ExecutorKind::processes);
  EXPECT_EQ(batch_executor_of(RunnerKind::parallel), ExecutorKind::parallel);
  EXPECT_EQ(batch_executor_of(RunnerKind::async), std::nullopt);
  for (const ExecutorKind kind : all_executor_kinds) {
    EXPECT_EQ(batch_executor_of(runner_kind_of(kind)), kind) << to_string(kind);
  }
}

}  // namespace
}  // namespace dm
