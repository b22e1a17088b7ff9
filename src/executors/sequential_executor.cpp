#include "distance_matrix/executors/sequential_executor.hpp"

namespace dm {

void SequentialExecutor::compute(const ShapedKernel& kernel, PairRange range,
                                 std::span<double> out) {
  kernel.compute(range, out);
}

}  // namespace dm
