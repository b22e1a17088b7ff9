#include "distance_matrix/queries/row_summary.hpp"

#include <algorithm>

namespace dm {
namespace {

/// values (columns first, first + 1, …) into `total`, a lane's capacity at a time.
void tally_segment(std::span<const double> values, std::size_t first, const TallyGrid& grid, ExactTally& total) {
  TallyLanes lanes;
  for (std::size_t start = 0; start < values.size(); start += TallyLanes::lane_capacity) {
    const std::size_t count = std::min(TallyLanes::lane_capacity, values.size() - start);
    lanes.clear();
    tally_values(values.data() + start, count, first + start, grid, lanes, 0, nullptr);
    total.add(lanes);
  }
}

}  // namespace

RowSummary summarize_row(std::span<const double> row, std::size_t own, const TallyGrid& grid) noexcept {
  RowSummary summary;
  // The columns before and after the origin's own.
  const std::size_t split = std::min(own, row.size());
  const std::size_t after = std::min(split + 1, row.size());
  summary.count = split + (row.size() - after);
  if (summary.count == 0) return summary;
  ExactTally total;
  tally_segment(row.first(split), 0, grid, total);
  tally_segment(row.subspan(after), after, grid, total);
  summary.min = total.min;
  summary.nearest = static_cast<std::size_t>(total.nearest);
  summary.max = total.max;
  summary.farthest = static_cast<std::size_t>(total.farthest);
  summary.mean = total.mean(summary.count, grid);
  summary.sd = total.standard_deviation(summary.count, grid);
  return summary;
}

}  // namespace dm
