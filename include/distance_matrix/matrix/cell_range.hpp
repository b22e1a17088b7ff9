// distance_matrix/matrix/cell_range.hpp
//
// CellRange and Pair: flat half-open ranges of cells, the original tool's
// pair order (pair_index, pair_at) and the arithmetic that cuts a range into
// parts or chunks.
//
// Thread safety: values and pure functions.
//
// Example:
//   dm::pair_index({1, 2});                      // 2: (0, 1), (0, 2), (1, 2), (0, 3), ...
//   dm::pair_at(3);                              // {0, 3}
//   dm::chunk_count(dm::CellRange{0, 10}, 4);    // 3 chunks: 4 + 4 + 2 cells

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

/// The `index`-th of `count` contiguous, near-equal pieces of `range`
/// (sizes differ by at most one pair).
[[nodiscard]] constexpr CellRange split_part(CellRange range, std::size_t count,
                                             std::size_t index) noexcept {
  const std::size_t base = range.size() / count;
  const std::size_t extra = range.size() % count;
  const std::size_t begin = range.first + index * base + (index < extra ? index : extra);
  return {begin, begin + base + (index < extra ? 1 : 0)};
}

/// Number of chunks of at most `chunk_size` pairs that cover `range`.
[[nodiscard]] constexpr std::size_t chunk_count(CellRange range, std::size_t chunk_size) noexcept {
  // Not (size + chunk - 1) / chunk: that wraps for chunk sizes near SIZE_MAX.
  return range.size() / chunk_size + (range.size() % chunk_size != 0 ? 1 : 0);
}

/// Chunk number `index` of `range` cut into pieces of `chunk_size` pairs (the last may be shorter).
[[nodiscard]] constexpr CellRange chunk_at(CellRange range, std::size_t chunk_size,
                                           std::size_t index) noexcept {
  const std::size_t begin = range.first + index * chunk_size;
  const std::size_t end = range.last - begin < chunk_size ? range.last : begin + chunk_size;
  return {begin, end};
}

}  // namespace dm
