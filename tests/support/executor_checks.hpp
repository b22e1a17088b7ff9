#pragma once

// Checks shared by the executor tests: the sequential baseline, and an output
// buffer with guard slots that catch writes outside the requested range.
#include <gtest/gtest.h>

#include <cstddef>
#include <span>
#include <vector>

#include "distance_matrix/executors/executor.hpp"
#include "distance_matrix/kernel/distance_kernel.hpp"

namespace dm::testing {

inline constexpr double untouched = -1.0;
inline constexpr std::size_t guard_slots = 3;

/// What a direct kernel call gives: the sequential baseline, bit for bit.
inline std::vector<double> expected_distances(const DistanceKernel& kernel, CellRange range) {
  std::vector<double> out(range.size());
  kernel.compute(range, out);
  return out;
}

/// Runs `executor` on `range` with guard slots on both sides of the output,
/// checks the guards were not written and returns the range's slots.
inline std::vector<double> computed_distances(Executor& executor, const DistanceKernel& kernel,
                                       CellRange range) {
  std::vector<double> buffer(range.size() + 2 * guard_slots, untouched);
  executor.compute(kernel, range, std::span<double>(buffer).subspan(guard_slots, range.size()));
  for (std::size_t slot = 0; slot < guard_slots; ++slot) {
    EXPECT_EQ(buffer[slot], untouched) << "wrote before the output";
    EXPECT_EQ(buffer[buffer.size() - 1 - slot], untouched) << "wrote past the output";
  }
  return {buffer.begin() + guard_slots, buffer.end() - guard_slots};
}

/// The whole matrix, a window in the middle, the last pair and an empty range.
inline std::vector<CellRange> ranges_of(const DistanceKernel& kernel) {
  const std::size_t pairs = kernel.pair_count();
  std::vector<CellRange> ranges{{0, pairs}};
  if (pairs >= 3) ranges.push_back({pairs / 3, pairs - pairs / 5});
  if (pairs >= 1) ranges.push_back({pairs - 1, pairs});
  ranges.push_back({pairs / 2, pairs / 2});
  return ranges;
}

}  // namespace dm::testing
