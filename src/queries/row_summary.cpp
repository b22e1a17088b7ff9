#include "distance_matrix/queries/row_summary.hpp"

#include <algorithm>
#include <cmath>

namespace dm {
namespace {

/// Independent accumulators, so that the compiler can keep them in one
/// vector register each: four lanes of the sum, the minimum and the maximum.
/// The order of the additions is fixed by the row alone (lane = column mod
/// 4 within each segment), never by where the matrix was cut into blocks.
constexpr std::size_t lanes = 4;

struct Totals {
  double sum[lanes] = {0, 0, 0, 0};
  double min[lanes];
  double max[lanes];

  explicit Totals(double first) {
    std::fill(std::begin(min), std::end(min), first);
    std::fill(std::begin(max), std::end(max), first);
  }

  void add(std::span<const double> values) noexcept {
    // Locals, not the members: `values` might alias them as far as the
    // compiler knows, which would keep every accumulator in memory.
    double lane_sum[lanes];
    double lane_min[lanes];
    double lane_max[lanes];
    for (std::size_t lane = 0; lane < lanes; ++lane) {
      lane_sum[lane] = sum[lane];
      lane_min[lane] = min[lane];
      lane_max[lane] = max[lane];
    }
    const double* const data = values.data();
    const std::size_t size = values.size();
    std::size_t index = 0;
    for (; index + lanes <= size; index += lanes) {
      for (std::size_t lane = 0; lane < lanes; ++lane) {
        const double value = data[index + lane];
        lane_sum[lane] += value;
        lane_min[lane] = value < lane_min[lane] ? value : lane_min[lane];
        lane_max[lane] = value > lane_max[lane] ? value : lane_max[lane];
      }
    }
    for (std::size_t lane = 0; index < size; ++index, ++lane) {
      const double value = data[index];
      lane_sum[lane] += value;
      lane_min[lane] = value < lane_min[lane] ? value : lane_min[lane];
      lane_max[lane] = value > lane_max[lane] ? value : lane_max[lane];
    }
    for (std::size_t lane = 0; lane < lanes; ++lane) {
      sum[lane] = lane_sum[lane];
      min[lane] = lane_min[lane];
      max[lane] = lane_max[lane];
    }
  }
};

double squared_deviations(std::span<const double> values, double mean) noexcept {
  double lane_sums[lanes] = {0, 0, 0, 0};
  std::size_t index = 0;
  for (; index + lanes <= values.size(); index += lanes) {
    for (std::size_t lane = 0; lane < lanes; ++lane) {
      const double deviation = values[index + lane] - mean;
      lane_sums[lane] += deviation * deviation;
    }
  }
  for (std::size_t lane = 0; index < values.size(); ++index, ++lane) {
    const double deviation = values[index] - mean;
    lane_sums[lane] += deviation * deviation;
  }
  return (lane_sums[0] + lane_sums[1]) + (lane_sums[2] + lane_sums[3]);
}

/// The first column of `row`, `own` left out, holding exactly `value`.
std::size_t first_column_of(std::span<const double> row, std::size_t own, double value) noexcept {
  for (std::size_t column = 0; column < row.size(); ++column) {
    if (column != own && row[column] == value) return column;
  }
  return 0;  // unreachable: value came from the row
}

}  // namespace

RowSummary summarize_row(std::span<const double> row, std::size_t own) noexcept {
  RowSummary summary;
  // The columns before and after the origin's own: two branch-free segments.
  const std::size_t split = std::min(own, row.size());
  const std::span<const double> before = row.first(split);
  const std::span<const double> after = row.subspan(std::min(split + 1, row.size()));
  summary.count = before.size() + after.size();
  if (summary.count == 0) return summary;

  Totals totals(before.empty() ? after.front() : before.front());
  totals.add(before);
  totals.add(after);
  const double sum = (totals.sum[0] + totals.sum[1]) + (totals.sum[2] + totals.sum[3]);
  summary.min = std::min({totals.min[0], totals.min[1], totals.min[2], totals.min[3]});
  summary.max = std::max({totals.max[0], totals.max[1], totals.max[2], totals.max[3]});
  // Ties go to the first column: found by value, which is exact.
  summary.nearest = first_column_of(row, own, summary.min);
  summary.farthest = first_column_of(row, own, summary.max);

  const double count = static_cast<double>(summary.count);
  summary.mean = sum / count;
  // Two passes: the textbook E[x²] − E[x]² cancels catastrophically when
  // the distances are close together (a cluster seen from far away).
  summary.sd = std::sqrt((squared_deviations(before, summary.mean) + squared_deviations(after, summary.mean)) / count);
  return summary;
}

}  // namespace dm
