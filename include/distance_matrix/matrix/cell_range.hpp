// distance_matrix/matrix/cell_range.hpp
//
// CellRange and Pair: flat half-open ranges of cells and the original
// tool's pair order (pair_index, pair_at). Ranges are cut by Chunking
// (chunking.hpp).
//
// Thread safety: values and pure functions.
//
// Example:
//   dm::pair_index({1, 2});                      // 2: (0, 1), (0, 2), (1, 2), (0, 3), ...
//   dm::pair_at(3);                              // {0, 3}
//   dm::CellRange{3, 8}.size();                  // 5 cells

#pragma once

#include <cstddef>
#include <cstdint>

namespace dm {

/// The output order of the original tool: for j = 1 … n-1, for i = 0 … j-1,
/// the pair (i, j). A pair's position in that order is its *pair index*
/// k = j(j-1)/2 + i, so the whole matrix is one flat range [0, n(n-1)/2) that
/// executors can split into equal pieces without caring about rows.
struct Pair {
  std::size_t origin = 0;       ///< i, always < destination
  std::size_t destination = 0;  ///< j

  friend bool operator==(const Pair&, const Pair&) = default;
};

/// Number of unordered pairs of `location_count` locations.
[[nodiscard]] constexpr std::size_t pair_count(std::size_t location_count) noexcept {
  return location_count < 2 ? 0 : location_count * (location_count - 1) / 2;
}

/// Position of pair (origin, destination) in the output order.
[[nodiscard]] constexpr std::size_t pair_index(Pair pair) noexcept {
  return pair_count(pair.destination) + pair.origin;
}

/// The pair at position `index` of the output order (inverse of pair_index).
[[nodiscard]] Pair pair_at(std::size_t index) noexcept;

/// Half-open range [first, last) of pair indices.
struct CellRange {
  std::size_t first = 0;
  std::size_t last = 0;

  [[nodiscard]] constexpr std::size_t size() const noexcept { return last - first; }
  [[nodiscard]] constexpr bool empty() const noexcept { return first == last; }

  friend bool operator==(const CellRange&, const CellRange&) = default;
};

}  // namespace dm
