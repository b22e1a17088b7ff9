#include "distance_matrix/kernel/distance_tally.hpp"

#include <cmath>

namespace dm {
namespace {

/// value (of `index`) against a running (min, nearest): smaller, or as small at a lower index.
inline void keep_smaller(double value, double index, double& min, double& nearest) noexcept {
  if (value < min || (value == min && index < nearest)) min = value, nearest = index;
}
inline void keep_larger(double value, double index, double& max, double& farthest) noexcept {
  if (value > max || (value == max && index < farthest)) max = value, farthest = index;
}

inline std::uint64_t as_index(double index) noexcept {
  return std::isfinite(index) ? static_cast<std::uint64_t>(index) : std::numeric_limits<std::uint64_t>::max();
}

/// Σq² from its two words.
inline uint128_t squares_of(std::uint64_t low, std::uint64_t high) noexcept {
  return (static_cast<uint128_t>(high) << 64) | low;
}

/// Adds q² (below 2^64) to the two words of a Σq², as the vector code does.
inline void add_square(std::uint64_t square, std::uint64_t& low, std::uint64_t& high) noexcept {
  low += square;
  high += low < square ? 1 : 0;
}

}  // namespace

void tally_values(const double* values, std::size_t count, std::size_t first, const TallyGrid& grid,
                  TallyLanes& row, std::size_t lane, const ColumnTallies* columns, std::size_t anchor) noexcept {
  const double anchor_index = static_cast<double>(anchor);
  for (std::size_t offset = 0; offset < count; ++offset) {
    const double value = values[offset];
    const std::size_t column = first + offset;
    const auto q = static_cast<std::uint64_t>(grid_steps(value, grid));
    const std::uint64_t square = q * q;  // q < 2^32
    keep_smaller(value, static_cast<double>(column), row.min[lane], row.nearest[lane]);
    keep_larger(value, static_cast<double>(column), row.max[lane], row.farthest[lane]);
    row.sum[lane] += q;
    add_square(square, row.squares_low[lane], row.squares_high[lane]);
    if (columns == nullptr) continue;
    keep_smaller(value, anchor_index, columns->min[column], columns->nearest[column]);
    keep_larger(value, anchor_index, columns->max[column], columns->farthest[column]);
    columns->sum[column] += q;
    add_square(square, columns->squares_low[column], columns->squares_high[column]);
  }
}

void ExactTally::add(double value, std::uint64_t index, double q) noexcept {
  if (value < min || (value == min && index < nearest)) min = value, nearest = index;
  if (value > max || (value == max && index < farthest)) max = value, farthest = index;
  const auto steps = static_cast<std::uint64_t>(q);
  sum += steps;
  squares += static_cast<uint128_t>(steps) * steps;
}

void ExactTally::add(const ExactTally& other) noexcept {
  if (other.min < min || (other.min == min && other.nearest < nearest)) min = other.min, nearest = other.nearest;
  if (other.max > max || (other.max == max && other.farthest < farthest)) max = other.max, farthest = other.farthest;
  sum += other.sum;
  squares += other.squares;
}

void ExactTally::add(const TallyLanes& lanes) noexcept {
  for (std::size_t lane = 0; lane < tally_lane_count; ++lane) {
    ExactTally part;
    part.min = lanes.min[lane];
    part.nearest = as_index(lanes.nearest[lane]);
    part.max = lanes.max[lane];
    part.farthest = as_index(lanes.farthest[lane]);
    part.sum = lanes.sum[lane];
    part.squares = squares_of(lanes.squares_low[lane], lanes.squares_high[lane]);
    add(part);
  }
}

void ExactTally::add(const ColumnTallies& columns, std::size_t column) noexcept {
  ExactTally part;
  part.min = columns.min[column];
  part.nearest = as_index(columns.nearest[column]);
  part.max = columns.max[column];
  part.farthest = as_index(columns.farthest[column]);
  part.sum = columns.sum[column];
  part.squares = squares_of(columns.squares_low[column], columns.squares_high[column]);
  add(part);
}

double ExactTally::mean(std::uint64_t count, const TallyGrid& grid) const noexcept {
  // sum < 2^32 · count: exact in a long double's 64-bit significand up to 2^32 distances.
  const long double steps = static_cast<long double>(sum) / static_cast<long double>(count);
  return static_cast<double>(steps / static_cast<long double>(grid.scale));
}

double ExactTally::standard_deviation(std::uint64_t count, const TallyGrid& grid) const noexcept {
  // count² · variance = count · Σq² − (Σq)², an exact non-negative integer
  // (Cauchy–Schwarz): no cancellation, whatever the spread. It fits 128 bits
  // while count < 2^31 (count · Σq² < count² · 2^64); beyond, long double.
  long double scaled_variance = 0;
  if (count < (std::uint64_t{1} << 31)) {
    scaled_variance = static_cast<long double>(count * squares - sum * sum);
  } else {
    const long double n = static_cast<long double>(count);
    const long double s = static_cast<long double>(sum);
    scaled_variance = std::fmax(0.0L, n * static_cast<long double>(squares) - s * s);
  }
  const long double sd_steps = std::sqrt(scaled_variance) / static_cast<long double>(count);
  return static_cast<double>(sd_steps / static_cast<long double>(grid.scale));
}

void clear_column(const ColumnTallies& columns, std::size_t column) noexcept {
  columns.min[column] = std::numeric_limits<double>::infinity();
  columns.max[column] = -std::numeric_limits<double>::infinity();
  columns.nearest[column] = columns.farthest[column] = std::numeric_limits<double>::infinity();
  columns.sum[column] = columns.squares_low[column] = columns.squares_high[column] = 0;
}

}  // namespace dm
