#include "distance_matrix/compute_matrix.hpp"

#include <stdexcept>

#include "distance_matrix/batch_runner.hpp"

namespace dm {

MatrixReport compute_matrix(const DistanceKernel& kernel, const MatrixShape& shape, MatrixRunner& runner,
                            const MatrixEncoder& encoder, MatrixOutput& output, const ProgressCallback& progress) {
  if (!(encoder.shape() == shape)) throw std::invalid_argument("the encoder was made for another matrix shape");
  const ShapedKernel cells(kernel, shape);  // checks the kernel holds enough locations
  return runner.run(cells, encoder, output, progress);
}

MatrixReport compute_matrix(const DistanceKernel& kernel, const MatrixShape& shape, Executor& executor,
                            const MatrixEncoder& encoder, MatrixOutput& output, const ProgressCallback& progress) {
  BatchRunner runner(executor);
  return compute_matrix(kernel, shape, runner, encoder, output, progress);
}

}  // namespace dm
