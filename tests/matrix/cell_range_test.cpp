#include "distance_matrix/matrix/cell_range.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace dm {
namespace {

TEST(PairCount, IsZeroForFewerThanTwoLocations) {
  EXPECT_EQ(pair_count(0), 0u);
  EXPECT_EQ(pair_count(1), 0u);
  EXPECT_EQ(pair_count(2), 1u);
  EXPECT_EQ(pair_count(5), 10u);
  EXPECT_EQ(pair_count(1000), 499500u);
}

TEST(PairOrder, FollowsTheOriginalToolDestinationMajor) {
  // for j = 1 … n-1, for i = 0 … j-1
  std::vector<Pair> expected;
  for (std::size_t j = 1; j < 6; ++j) {
    for (std::size_t i = 0; i < j; ++i) expected.push_back({i, j});
  }
  for (std::size_t k = 0; k < expected.size(); ++k) {
    EXPECT_EQ(pair_at(k), expected[k]) << "pair index " << k;
    EXPECT_EQ(pair_index(expected[k]), k);
  }
}

TEST(PairOrder, InverseIsExactForLargeIndices) {
  // Around 2^53 the square root in pair_at is inexact; the correction loops must fix it.
  for (std::size_t destination : {std::size_t{94906265}, std::size_t{134217728}, std::size_t{3037000499}}) {
    for (std::size_t origin : {std::size_t{0}, destination / 2, destination - 1}) {
      const Pair pair{origin, destination};
      EXPECT_EQ(pair_at(pair_index(pair)), pair);
    }
  }
}

TEST(SplitPart, CoversTheRangeInNearEqualPieces) {
  const CellRange range{10, 33};
  std::size_t next = range.first;
  for (std::size_t part = 0; part < 5; ++part) {
    const CellRange piece = split_part(range, 5, part);
    EXPECT_EQ(piece.first, next);
    EXPECT_TRUE(piece.size() == 4 || piece.size() == 5);
    next = piece.last;
  }
  EXPECT_EQ(next, range.last);
}

TEST(Chunks, CoverTheRangeWithAShorterLastChunk) {
  const CellRange range{3, 20};
  ASSERT_EQ(chunk_count(range, 5), 4u);
  EXPECT_EQ(chunk_at(range, 5, 0), (CellRange{3, 8}));
  EXPECT_EQ(chunk_at(range, 5, 3), (CellRange{18, 20}));
  EXPECT_EQ(chunk_count(range, 1), 17u);
  EXPECT_EQ(chunk_count(range, 100), 1u);
  EXPECT_EQ(chunk_at(range, 100, 0), range);
  EXPECT_EQ(chunk_count(CellRange{4, 4}, 3), 0u);
  EXPECT_EQ(chunk_count(range, SIZE_MAX), 1u);
}

}  // namespace
}  // namespace dm
