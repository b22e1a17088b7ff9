#pragma once

#include <algorithm>
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
    for (UnzeroedLargeVector<double>& column : columns_) column.assign(simd::input_padding, 0.0);
  }

  void reserve(std::size_t count) {
    for (UnzeroedLargeVector<double>& column : columns_) column.reserve(count + simd::input_padding);
  }

  /// Appends one location's N values.
  void append(const std::array<double, N>& values) {
    for (std::size_t k = 0; k < N; ++k) {
      columns_[k][size_] = values[k];
      columns_[k].push_back(0.0);
    }
    ++size_;
  }

  /// Appends columns[k].size() locations' values at once (all the same size):
  /// a copy a column instead of N stores and N growth checks a location.
  void append_columns(const std::array<std::span<const double>, N>& columns) {
    const std::size_t count = columns[0].size();
    for (std::size_t k = 0; k < N; ++k) {
      UnzeroedLargeVector<double>& column = columns_[k];
      column.resize(size_ + count + simd::input_padding);
      std::copy(columns[k].begin(), columns[k].end(), column.begin() + static_cast<std::ptrdiff_t>(size_));
      std::fill(column.end() - static_cast<std::ptrdiff_t>(simd::input_padding), column.end(), 0.0);
    }
    size_ += count;
  }

  [[nodiscard]] const double* column(std::size_t k) const noexcept { return columns_[k].data(); }

  /// Appends `count` locations whose values the caller writes at the
  /// returned pointers (one a column); the padding after them is zeroed.
  /// Unwritten until then, so that the first touch of fresh pages falls on
  /// whichever threads write them.
  std::array<double*, N> room(std::size_t count) {
    std::array<double*, N> starts{};
    for (std::size_t k = 0; k < N; ++k) {
      UnzeroedLargeVector<double>& column = columns_[k];
      column.resize(size_ + count + simd::input_padding);
      std::fill(column.end() - static_cast<std::ptrdiff_t>(simd::input_padding), column.end(), 0.0);
      starts[k] = column.data() + size_;
    }
    size_ += count;
    return starts;
  }

  /// Location i of the result is location order[i] of these, values copied
  /// a column at a time.
  [[nodiscard]] PaddedColumns permuted(std::span<const std::size_t> order) const {
    PaddedColumns result;
    if (size_ == 0) return result;  // a kernel kind that prepares nothing here
    for (std::size_t k = 0; k < N; ++k) {
      const double* const from = columns_[k].data();
      UnzeroedLargeVector<double>& to = result.columns_[k];
      to.resize(order.size() + simd::input_padding);
      for (std::size_t i = 0; i < order.size(); ++i) to[i] = from[order[i]];
      std::fill(to.end() - static_cast<std::ptrdiff_t>(simd::input_padding), to.end(), 0.0);
    }
    result.size_ = order.size();
    return result;
  }

 private:
  // Unzeroed: a resize leaves the new values to the copy that writes them.
  std::array<UnzeroedLargeVector<double>, N> columns_;
  std::size_t size_ = 0;
};

}  // namespace dm::metrics
