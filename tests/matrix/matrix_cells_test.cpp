#include "distance_matrix/matrix/matrix_cells.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <vector>

#include "support/random_locations.hpp"

namespace dm {
namespace {

std::vector<double> computed(const MatrixCells& cells, CellRange range) {
  std::vector<double> out(range.size(), -1.0);
  cells.compute(range, out);
  return out;
}

std::uint64_t bits(double value) { return std::bit_cast<std::uint64_t>(value); }

class ShapedKernelTest : public ::testing::Test {
 protected:
  LocationTable locations{testing::random_locations(23, 7)};
  DistanceKernel kernel{locations};
  std::size_t n = locations.size();
};

TEST_F(ShapedKernelTest, EveryShapeGivesTheSameDoublesForTheSamePair) {
  const std::vector<double> pairs = computed(kernel, {0, pair_count(n)});
  const std::vector<double> condensed = computed({kernel, MatrixShape::condensed(n)}, {0, pair_count(n)});
  const std::vector<double> square = computed({kernel, MatrixShape::square(n)}, {0, n * n});
  std::size_t k = 0;
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(bits(square[i * n + i]), bits(0.0)) << "diagonal " << i;
    for (std::size_t j = i + 1; j < n; ++j, ++k) {
      const double value = pairs[pair_index({i, j})];
      EXPECT_EQ(bits(condensed[k]), bits(value)) << i << ',' << j;
      EXPECT_EQ(bits(square[i * n + j]), bits(value)) << i << ',' << j;
      EXPECT_EQ(bits(square[j * n + i]), bits(value)) << j << ',' << i;
    }
  }
}

TEST_F(ShapedKernelTest, RectangleMatchesTheSameLocationsInOneTable) {
  // Origins 0..9 and destinations 10..22 of the same table.
  const MatrixCells rectangle(kernel, MatrixShape::rectangle(10, 13));
  const std::vector<double> cells = computed(rectangle, {0, 130});
  for (std::size_t r = 0; r < 10; ++r) {
    for (std::size_t c = 0; c < 13; ++c) {
      EXPECT_EQ(bits(cells[r * 13 + c]), bits(kernel.distance(r, 10 + c))) << r << ',' << c;
    }
  }
}

TEST_F(ShapedKernelTest, ASplitRangeGivesTheSameDoubles) {
  for (const MatrixShape& shape : {MatrixShape::pairs(n), MatrixShape::condensed(n), MatrixShape::square(n)}) {
    const MatrixCells cells(kernel, shape);
    const std::vector<double> whole = computed(cells, {0, cells.cell_count()});
    std::vector<double> pieces;
    for (std::size_t first = 0; first < cells.cell_count(); first += 5) {
      const std::vector<double> piece = computed(cells, {first, std::min(first + 5, cells.cell_count())});
      pieces.insert(pieces.end(), piece.begin(), piece.end());
    }
    EXPECT_EQ(pieces, whole) << to_string(shape.layout());
  }
}

TEST_F(ShapedKernelTest, RefusesAShapeLargerThanTheKernel) {
  EXPECT_THROW(MatrixCells(kernel, MatrixShape::square(n + 1)), std::invalid_argument);
  EXPECT_THROW(MatrixCells(kernel, MatrixShape::rectangle(n, 1)), std::invalid_argument);
}

}  // namespace
}  // namespace dm
