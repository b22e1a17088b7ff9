#include "distance_matrix/executors/sequential_executor.hpp"

namespace dm {

void SequentialExecutor::compute(const MatrixCells& kernel, CellRange range,
                                 std::span<double> out) {
  kernel.compute(range, out);
}

}  // namespace dm
