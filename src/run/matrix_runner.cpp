#include "distance_matrix/run/matrix_runner.hpp"

#include <stdexcept>
#include <string>

namespace dm {

MatrixReport MatrixRunner::consume(const MatrixCells& /*cells*/, BlockConsumer& /*consumer*/,
                                   const ProgressCallback& /*progress*/) {
  throw std::invalid_argument("the " + std::string(to_string(kind())) +
                              " executor computes only whole matrices (its stages are not blocks)");
}

}  // namespace dm
