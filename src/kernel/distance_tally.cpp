#include "distance_matrix/kernel/distance_tally.hpp"

#include <cmath>

namespace dm {
namespace {

constexpr double two_16 = 65536.0;
constexpr double two_minus_16 = 1.0 / 65536.0;

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

/// Σq² from its three exact parts: h²·2^32 + h·l·2^17 + l².
inline uint128_t squares_of(double high, double cross, double low) noexcept {
  return (static_cast<uint128_t>(static_cast<std::uint64_t>(high)) << 32) +
         (static_cast<uint128_t>(static_cast<std::uint64_t>(cross)) << 17) +
         static_cast<uint128_t>(static_cast<std::uint64_t>(low));
}

}  // namespace

void tally_values(const double* values, std::size_t count, std::size_t first, const TallyGrid& grid,
                  TallyLanes& row, std::size_t lane, const ColumnTallies* columns, std::size_t anchor) noexcept {
  const double anchor_index = static_cast<double>(anchor);
  for (std::size_t offset = 0; offset < count; ++offset) {
    const double value = values[offset];
    const std::size_t column = first + offset;
    const double q = grid_steps(value, grid);
    const double h = std::floor(q * two_minus_16);
    const double l = q - h * two_16;  // exact: an integer below 2^16, with or without a fused multiply-add
    keep_smaller(value, static_cast<double>(column), row.min[lane], row.nearest[lane]);
    keep_larger(value, static_cast<double>(column), row.max[lane], row.farthest[lane]);
    row.sum[lane] += q;
    row.high[lane] += h * h;
    row.cross[lane] += h * l;
    row.low[lane] += l * l;
    if (columns == nullptr) continue;
    keep_smaller(value, anchor_index, columns->min[column], columns->nearest[column]);
    keep_larger(value, anchor_index, columns->max[column], columns->farthest[column]);
    columns->sum[column] += q;
    columns->high[column] += h * h;
    columns->cross[column] += h * l;
    columns->low[column] += l * l;
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
    part.sum = static_cast<std::uint64_t>(lanes.sum[lane]);
    part.squares = squares_of(lanes.high[lane], lanes.cross[lane], lanes.low[lane]);
    add(part);
  }
}

void ExactTally::add(const ColumnTallies& columns, std::size_t column) noexcept {
  ExactTally part;
  part.min = columns.min[column];
  part.nearest = as_index(columns.nearest[column]);
  part.max = columns.max[column];
  part.farthest = as_index(columns.farthest[column]);
  part.sum = static_cast<std::uint64_t>(columns.sum[column]);
  part.squares = squares_of(columns.high[column], columns.cross[column], columns.low[column]);
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
  columns.sum[column] = columns.high[column] = columns.cross[column] = columns.low[column] = 0.0;
}

}  // namespace dm
