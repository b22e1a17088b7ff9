#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "src/kernel/simd_distance.hpp"

namespace dm::metrics {

/// N columns of doubles, one value per location, each followed by
/// simd::input_padding zeros so that vector code may read a whole vector past
/// the last location.
template <std::size_t N>
class PaddedColumns {
 public:
  PaddedColumns() {
    for (std::vector<double>& column : columns_) column.assign(simd::input_padding, 0.0);
  }

  void reserve(std::size_t count) {
    for (std::vector<double>& column : columns_) column.reserve(count + simd::input_padding);
  }

  /// Appends one location's N values.
  void append(const std::array<double, N>& values) {
    for (std::size_t k = 0; k < N; ++k) {
      columns_[k][size_] = values[k];
      columns_[k].push_back(0.0);
    }
    ++size_;
  }

  [[nodiscard]] const double* column(std::size_t k) const noexcept { return columns_[k].data(); }

 private:
  std::array<std::vector<double>, N> columns_;
  std::size_t size_ = 0;
};

}  // namespace dm::metrics
