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

}  // namespace
}  // namespace dm
