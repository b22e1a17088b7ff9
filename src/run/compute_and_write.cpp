#include "distance_matrix/run/compute_and_write.hpp"

#include <stdexcept>

#include "distance_matrix/run/batch_runner.hpp"

namespace dm {

MatrixReport compute_and_write(const DistanceKernel& kernel, const MatrixShape& shape, MatrixRunner& runner,
                            const MatrixEncoder& encoder, MatrixOutput& output, const ProgressCallback& progress) {
  if (!(encoder.shape() == shape)) throw std::invalid_argument("the encoder was made for another matrix shape");
  const MatrixCells cells(kernel, shape);  // checks the kernel holds enough locations
  return runner.run(cells, encoder, output, progress);
}

MatrixReport compute_and_write(const DistanceKernel& kernel, const MatrixShape& shape, Executor& executor,
                            const MatrixEncoder& encoder, MatrixOutput& output, const ProgressCallback& progress) {
  BatchRunner runner(executor);
  return compute_and_write(kernel, shape, runner, encoder, output, progress);
}

}  // namespace dm
