#include "distance_matrix/queries/row_summary.hpp"

#include <cmath>

namespace dm {

RowSummary summarize_row(std::span<const double> row, std::size_t own) noexcept {
  RowSummary summary;
  double sum = 0.0;
  for (std::size_t column = 0; column < row.size(); ++column) {
    if (column == own) continue;
    const double distance = row[column];
    if (summary.count == 0 || distance < summary.min) {
      summary.min = distance;
      summary.nearest = column;
    }
    if (summary.count == 0 || distance > summary.max) {
      summary.max = distance;
      summary.farthest = column;
    }
    sum += distance;
    ++summary.count;
  }
  if (summary.count == 0) return summary;
  const double count = static_cast<double>(summary.count);
  summary.mean = sum / count;
  // Two passes: the textbook E[x²] − E[x]² cancels catastrophically when
  // the distances are close together (a cluster seen from far away).
  double squares = 0.0;
  for (std::size_t column = 0; column < row.size(); ++column) {
    if (column == own) continue;
    const double deviation = row[column] - summary.mean;
    squares += deviation * deviation;
  }
  summary.sd = std::sqrt(squares / count);
  return summary;
}

}  // namespace dm
