#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <vector>

#include "distance_matrix/memory/huge_page_allocator.hpp"
#include "src/kernel/simd_distance.hpp"

namespace dm::metrics {

/// N columns of doubles, one value per location, each followed by
/// simd::input_padding zeros so that vector code may read a whole vector past
/// the last location.
template <std::size_t N>
class PaddedColumns {
 public:
  PaddedColumns() {
    for (LargeVector<double>& column : columns_) column.assign(simd::input_padding, 0.0);
  }

  void reserve(std::size_t count) {
    for (LargeVector<double>& column : columns_) column.reserve(count + simd::input_padding);
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

  /// Location i of the result is location order[i] of these, values copied.
  [[nodiscard]] PaddedColumns permuted(std::span<const std::size_t> order) const {
    PaddedColumns result;
    if (size_ == 0) return result;  // a kernel kind that prepares nothing here
    result.reserve(order.size());
    for (const std::size_t location : order) {
      std::array<double, N> values;
      for (std::size_t k = 0; k < N; ++k) values[k] = columns_[k][location];
      result.append(values);
    }
    return result;
  }

 private:
  std::array<LargeVector<double>, N> columns_;
  std::size_t size_ = 0;
};

}  // namespace dm::metrics
