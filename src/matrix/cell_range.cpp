#include "distance_matrix/matrix/cell_range.hpp"

#include <cmath>

namespace dm {

Pair pair_at(std::size_t index) noexcept {
  // destination j is the largest j with j(j-1)/2 <= index. The square root
  // gives it up to rounding; the two loops correct the last step exactly.
  auto destination = static_cast<std::size_t>(
      (1.0 + std::sqrt(1.0 + 8.0 * static_cast<double>(index))) / 2.0);
  while (pair_count(destination) > index) --destination;
  while (pair_count(destination + 1) <= index) ++destination;
  return {index - pair_count(destination), destination};
}

}  // namespace dm
