#include "distance_matrix/matrix/matrix_shape.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

namespace dm {
namespace {

using Cells = std::vector<std::pair<std::size_t, std::size_t>>;  // (anchor, other) per cell

/// Every cell of `shape` as (anchor, other), going through runs of at most `max_run` cells.
Cells cells_by_runs(const MatrixShape& shape, std::size_t first, std::size_t last) {
  Cells cells;
  std::size_t expected_offset = 0;
  shape.for_each_run({first, last}, [&](const MatrixRun& run, std::size_t offset) {
    EXPECT_EQ(offset, expected_offset);
    EXPECT_GT(run.size(), 0u);
    for (std::size_t other = run.first; other < run.last; ++other) cells.emplace_back(run.anchor, other);
    expected_offset += run.size();
  });
  return cells;
}

// The expected orders, written as the nested loops that define them.
Cells original_tool_order(std::size_t n) {
  Cells cells;
  for (std::size_t j = 1; j < n; ++j)
    for (std::size_t i = 0; i < j; ++i) cells.emplace_back(j, i);
  return cells;
}
Cells scipy_pdist_order(std::size_t n) {
  Cells cells;
  for (std::size_t i = 0; i + 1 < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) cells.emplace_back(i, j);
  return cells;
}
Cells row_major(std::size_t rows, std::size_t columns, std::size_t first_column) {
  Cells cells;
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < columns; ++c) cells.emplace_back(r, first_column + c);
  return cells;
}

void expect_order(const MatrixShape& shape, const Cells& expected) {
  ASSERT_EQ(shape.cell_count(), expected.size());
  EXPECT_EQ(cells_by_runs(shape, 0, expected.size()), expected);
  // Every sub-range, so that runs starting mid-row are right too.
  for (std::size_t first = 0; first <= expected.size(); ++first) {
    for (std::size_t last = first; last <= expected.size(); ++last) {
      const Cells part(expected.begin() + static_cast<std::ptrdiff_t>(first),
                       expected.begin() + static_cast<std::ptrdiff_t>(last));
      ASSERT_EQ(cells_by_runs(shape, first, last), part) << first << ".." << last;
    }
  }
}

TEST(MatrixShape, PairsFollowTheOriginalTool) {
  for (std::size_t n : {0, 1, 2, 3, 7}) expect_order(MatrixShape::pairs(n), original_tool_order(n));
}

TEST(MatrixShape, CondensedFollowsScipyPdist) {
  for (std::size_t n : {0, 1, 2, 3, 7}) expect_order(MatrixShape::condensed(n), scipy_pdist_order(n));
}

TEST(MatrixShape, SquareIsRowMajorOverEveryLocation) {
  for (std::size_t n : {0, 1, 2, 5}) expect_order(MatrixShape::square(n), row_major(n, n, 0));
}

TEST(MatrixShape, RectangleRunsFromOriginsToTheDestinationsAfterThem) {
  expect_order(MatrixShape::rectangle(3, 4), row_major(3, 4, 3));
  expect_order(MatrixShape::rectangle(1, 5), row_major(1, 5, 1));
  expect_order(MatrixShape::rectangle(4, 0), {});
  const MatrixShape shape = MatrixShape::rectangle(3, 4);
  EXPECT_EQ(shape.location_count(), 7u);
  EXPECT_EQ(shape.rows(), 3u);
  EXPECT_EQ(shape.columns(), 4u);
}

TEST(MatrixShape, CondensedFindsRowsExactlyForLargeMatrices) {
  // Far beyond what the enumeration above reaches: the last cells of each row.
  const std::size_t n = 3'000'000;
  const MatrixShape shape = MatrixShape::condensed(n);
  std::size_t row_start = 0;
  for (std::size_t i : {std::size_t{0}, std::size_t{1}, n / 2, n - 3, n - 2}) {
    row_start = i * (2 * n - i - 1) / 2;
    EXPECT_EQ(shape.run_at(row_start, n), (MatrixRun{i, i + 1, n})) << i;
    const std::size_t row_last = row_start + (n - 1 - i) - 1;
    EXPECT_EQ(shape.run_at(row_last, n), (MatrixRun{i, n - 1, n})) << i;
  }
}

TEST(MatrixShape, SizesAndNames) {
  EXPECT_EQ(MatrixShape::pairs(5).cell_count(), 10u);
  EXPECT_EQ(MatrixShape::condensed(5).cell_count(), 10u);
  EXPECT_EQ(MatrixShape::square(5).cell_count(), 25u);
  EXPECT_EQ(MatrixShape::of(Layout::square, 5), MatrixShape::square(5));
  EXPECT_THROW(static_cast<void>(MatrixShape::of(Layout::rectangle, 5)), std::invalid_argument);
  EXPECT_THROW(static_cast<void>(MatrixShape::square(std::size_t{1} << 33)), std::length_error);
  EXPECT_THROW(static_cast<void>(MatrixShape::rectangle(std::numeric_limits<std::size_t>::max(), 2)),
               std::length_error);
  EXPECT_EQ(parse_layout("condensed"), Layout::condensed);
  EXPECT_EQ(parse_layout("rectangle"), std::nullopt);
  EXPECT_EQ(to_string(Layout::square), "square");
}

}  // namespace
}  // namespace dm
