// distance_matrix/kernel/distance_tally.hpp
//
// DistanceTally: exact, order-independent running totals of distances (count
// aside): the smallest and largest with the lowest index holding them, the
// sum and the sum of squares of the distances rounded to a fixed grid. What
// --summary reduces each location's distances to, whether the kernel feeds
// them one row at a time or each pair once to both of its locations.
//
// Thread safety: plain values; each tally belongs to one thread at a time.
//
// Example:
//   const dm::TallyGrid grid = dm::TallyGrid::for_largest(20015.1);  // km on the Earth
//   dm::TallyLanes lanes;
//   const double row[] = {12.5, 3.0};
//   dm::tally_values(row, 2, 1, grid, lanes, 0, nullptr);  // columns 1 and 2
//   dm::ExactTally total;
//   total.add(lanes);
//   // total.min == 3.0, total.nearest == 2, total.mean(2, grid) == 7.75

#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace dm {

__extension__ typedef unsigned __int128 uint128_t;  // GCC and Clang; -Wpedantic wants the __extension__

/// The grid distances are rounded to before they are summed: multiples of
/// 1/scale, scale a power of two chosen so that the largest distance the
/// metric can return is fewer than 2^32 steps. A rounded distance q (an
/// integer below 2^32) and its square are summed exactly, so the totals are
/// the same whatever order the distances come in, and mean and standard
/// deviation are exact for the rounded distances: each within half a step
/// (step() / 2) of those of the kernel's doubles. On the Earth in km that
/// step is 2^-17 km, about 7.6 mm: mean and sd within 3.8 mm.
struct TallyGrid {
  /// Rounded distances never exceed this many steps (larger ones are clamped;
  /// none is, for a metric's own largest distance).
  static constexpr double largest_steps = 4294967295.0;  // 2^32 - 1

  double scale = 1.0;  ///< steps per unit of distance, a power of two

  /// The finest grid on which `largest` (a metric's longest distance) is
  /// fewer than 2^32 steps, with a margin of a millionth for rounding.
  [[nodiscard]] static TallyGrid for_largest(double largest) noexcept {
    if (!(largest > 0) || !std::isfinite(largest)) return {};
    const int exponent = static_cast<int>(std::floor(std::log2(largest_steps / (largest * 1.000001))));
    return {std::ldexp(1.0, exponent)};
  }

  /// One step, in the unit of the distances.
  [[nodiscard]] double step() const noexcept { return 1.0 / scale; }
};

/// How many lanes TallyLanes holds: the widest vector of doubles (AVX-512: 8) and more.
inline constexpr std::size_t tally_lane_count = 16;

/// Per-lane running totals of the distances of one location (a row), as the
/// vectorized kernel keeps them: each lane a tally of its own, merged by
/// ExactTally::add(). Sums are of the rounded distances q as 64-bit
/// integers: Σq stays below 2^52 (q < 2^32, at most lane_capacity
/// distances); Σq² is a 128-bit integer in two words, squares_low wrapping
/// modulo 2^64 and squares_high counting its carries (each q² < 2^64 is
/// one 32 × 32-bit product, so the vector code needs no wider multiply).
/// Indices are stored as doubles (exact below 2^53). A lane holds at most
/// `lane_capacity` distances before it must be moved into an ExactTally.
struct TallyLanes {
  static constexpr std::size_t lane_capacity = std::size_t{1} << 20;

  alignas(64) double min[tally_lane_count];
  alignas(64) double nearest[tally_lane_count];  ///< lowest index holding min
  alignas(64) double max[tally_lane_count];
  alignas(64) double farthest[tally_lane_count];           ///< lowest index holding max
  alignas(64) std::uint64_t sum[tally_lane_count];           ///< Σ q
  alignas(64) std::uint64_t squares_low[tally_lane_count];   ///< Σ q² modulo 2^64
  alignas(64) std::uint64_t squares_high[tally_lane_count];  ///< Σ q² / 2^64, rounded down

  TallyLanes() noexcept { clear(); }
  void clear() noexcept {
    for (std::size_t lane = 0; lane < tally_lane_count; ++lane) {
      min[lane] = std::numeric_limits<double>::infinity();
      max[lane] = -std::numeric_limits<double>::infinity();
      nearest[lane] = farthest[lane] = std::numeric_limits<double>::infinity();
      sum[lane] = squares_low[lane] = squares_high[lane] = 0;
    }
  }
};

/// The same totals for every column (location) at once, one array per field,
/// indexed by location: the "other side" of a pair computed once for both of
/// its locations. Each column holds at most TallyLanes::lane_capacity
/// distances before it must be moved into an ExactTally. The arrays must be
/// readable and writable at every index the runs touch.
struct ColumnTallies {
  double* min = nullptr;
  double* nearest = nullptr;
  double* max = nullptr;
  double* farthest = nullptr;
  std::uint64_t* sum = nullptr;
  std::uint64_t* squares_low = nullptr;
  std::uint64_t* squares_high = nullptr;
};

/// Where a run of distances is written with its rounded distances q
/// (grid_steps) and their squares q², one entry per distance: what the
/// column side of a square's summary reads back instead of computing them
/// again (simd::tally_triangle_columns).
struct TallyOutput {
  double* distances = nullptr;
  std::uint64_t* steps = nullptr;
  std::uint64_t* squares = nullptr;
};

/// The rounded distance, q, of `distance` on `grid`, as an exact integer in
/// a double: the vectorized kernel computes it with the same operations.
[[nodiscard]] inline double grid_steps(double distance, const TallyGrid& grid) noexcept {
  constexpr double two_52 = 4503599627370496.0;  // adding it rounds to an integer (to even), as the vector code
  const double steps = std::fmin(distance * grid.scale, TallyGrid::largest_steps);
  return (steps + two_52) - two_52;  // never reassociated without -ffast-math, which the project never uses
}

/// Adds distances values[0 .. count), of locations first, first + 1, …, to
/// lane `lane` of `row` and, when `columns` is not null, each also to its
/// location's column, as from location `anchor`. The scalar twin of the
/// kernel's fused runs (DistanceKernel::tally_run): the same totals, bit for bit.
void tally_values(const double* values, std::size_t count, std::size_t first, const TallyGrid& grid,
                  TallyLanes& row, std::size_t lane, const ColumnTallies* columns, std::size_t anchor = 0) noexcept;

/// One location's distances, totalled exactly: what TallyLanes and
/// ColumnTallies are moved into, in any order, with the same result.
struct ExactTally {
  double min = std::numeric_limits<double>::infinity();
  std::uint64_t nearest = std::numeric_limits<std::uint64_t>::max();  ///< lowest index holding min
  double max = -std::numeric_limits<double>::infinity();
  std::uint64_t farthest = std::numeric_limits<std::uint64_t>::max();  ///< lowest index holding max
  uint128_t sum = 0;      ///< Σ q
  uint128_t squares = 0;  ///< Σ q²

  /// One distance `value` (q its grid_steps) of location `index`.
  void add(double value, std::uint64_t index, double q) noexcept;
  /// Another tally of the same location's distances (disjoint from these).
  void add(const ExactTally& other) noexcept;
  /// Every lane of `lanes`.
  void add(const TallyLanes& lanes) noexcept;
  /// Column `column` of `columns`.
  void add(const ColumnTallies& columns, std::size_t column) noexcept;

  /// Mean and population standard deviation of `count` rounded distances
  /// (count > 0), in the distances' unit: exact for the rounded distances,
  /// then rounded to a double.
  [[nodiscard]] double mean(std::uint64_t count, const TallyGrid& grid) const noexcept;
  [[nodiscard]] double standard_deviation(std::uint64_t count, const TallyGrid& grid) const noexcept;
};

/// Empties column `column` of `columns` (its tally moved elsewhere).
void clear_column(const ColumnTallies& columns, std::size_t column) noexcept;

}  // namespace dm
