// distance_matrix/executors/sequential_executor.hpp
//
// SequentialExecutor: one loop on the calling thread, the baseline every
// other strategy is measured against.
//
// Thread safety: it holds no state: any number of threads may call compute()
// at once, on disjoint outputs.
//
// Example:
//   dm::SequentialExecutor executor;
//   executor.compute(kernel, {0, kernel.pair_count()}, out);

#pragma once

#include "distance_matrix/executors/executor.hpp"

namespace dm {

/// One loop on the calling thread: the baseline every other strategy is measured against.
class SequentialExecutor final : public Executor {
 public:
  [[nodiscard]] ExecutorKind kind() const noexcept override { return ExecutorKind::sequential; }
  [[nodiscard]] unsigned workers() const noexcept override { return 1; }
  [[nodiscard]] std::size_t chunk_size() const noexcept override { return 0; }
  void compute(const MatrixCells& kernel, CellRange range, std::span<double> out) override;
};

}  // namespace dm
