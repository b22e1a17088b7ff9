// distance_matrix/queries/row_summary.hpp
//
// RowSummary and summarize_row: one origin's distances to all the others
// reduced to count, min and nearest, max and farthest, mean and sd.
//
// Thread safety: a pure function.
//
// Example:
//   const double row[] = {0.0, 12.5, 3.0};
//   const dm::TallyGrid grid = dm::TallyGrid::for_largest(20015.1);
//   dm::RowSummary s = dm::summarize_row(row, 0, grid);   // column 0 is the origin itself
//   // s.count == 2, s.min == 3.0, s.nearest == 2

#pragma once

#include <cstddef>
#include <limits>
#include <span>

#include "distance_matrix/kernel/distance_tally.hpp"

namespace dm {

/// One origin's distances to all the others, summarised: what --summary
/// writes per origin (QGIS's summary matrix, with the nearest and farthest
/// named).
struct RowSummary {
  std::size_t count = 0;     ///< distances summarised (the others, or the destinations)
  double min = 0.0;          ///< 0 when count is 0, as every field below
  std::size_t nearest = 0;   ///< column of the first minimum (ties: the lowest column)
  double max = 0.0;
  std::size_t farthest = 0;  ///< column of the first maximum (ties: the lowest column)
  double mean = 0.0;         ///< of the distances rounded to `grid` (within half its step)
  double sd = 0.0;           ///< population standard deviation (NumPy's std, ddof = 0), likewise
};

/// Column value meaning "leave no column out" (a rectangle's rows).
inline constexpr std::size_t no_column = std::numeric_limits<std::size_t>::max();

/// The summary of `row`, the distances from one origin to columns 0, 1, …,
/// leaving out column `own` (the origin itself in a square; no_column for
/// none). min, max and their columns are the row's own doubles (ties: the
/// lowest column); mean and sd are exact for the distances rounded to
/// `grid` (ExactTally), then rounded once: the result depends only on the
/// row's values, never on their order or on how the matrix was cut, and it
/// is the value summarize_rows() finds for the same row.
[[nodiscard]] RowSummary summarize_row(std::span<const double> row, std::size_t own, const TallyGrid& grid) noexcept;

}  // namespace dm
