#include "distance_matrix/matrix/chunking.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "support/random_locations.hpp"

namespace dm {
namespace {

TEST(Chunking, KeepsChunksBetweenOneCellAndTheWholeRange) {
  EXPECT_EQ(Chunking::of({10, 20}, 0).chunk_size, 1u);
  EXPECT_EQ(Chunking::of({10, 20}, 3).chunk_size, 3u);
  EXPECT_EQ(Chunking::of({10, 20}, std::numeric_limits<std::size_t>::max()).chunk_size, 10u);
  EXPECT_EQ(Chunking::of({10, 20}, std::numeric_limits<std::size_t>::max()).count(), 1u);
}

TEST(Chunking, CutsTheRangeIntoConsecutivePiecesTheLastShorter) {
  const Chunking chunking = Chunking::of({10, 20}, 4);
  ASSERT_EQ(chunking.count(), 3u);
  EXPECT_EQ(chunking.piece(0), (CellRange{10, 14}));
  EXPECT_EQ(chunking.piece(1), (CellRange{14, 18}));
  EXPECT_EQ(chunking.piece(2), (CellRange{18, 20}));
}

// Cuts worked out by hand: the executors' tasks, the runners' windows and
// blocks (by size) and the MPI ranks' shares (into parts) all come from here.
std::vector<CellRange> pieces_of(const Chunking& chunking) {
  std::vector<CellRange> pieces;
  for (std::size_t index = 0; index < chunking.count(); ++index) pieces.push_back(chunking.piece(index));
  return pieces;
}

TEST(Chunking, BySizeGivesPiecesOfThatSizeTheLastShorter) {
  const CellRange range{3, 20};  // 17 cells
  EXPECT_EQ(pieces_of(Chunking::of(range, 5)),
            (std::vector<CellRange>{{3, 8}, {8, 13}, {13, 18}, {18, 20}}));
  EXPECT_EQ(pieces_of(Chunking::of(range, 17)), (std::vector<CellRange>{range}));
  EXPECT_EQ(pieces_of(Chunking::of(range, 100)), (std::vector<CellRange>{range}));
  EXPECT_EQ(Chunking::of(range, 1).count(), 17u);
  EXPECT_EQ(Chunking::of(range, 1).piece(16), (CellRange{19, 20}));
  EXPECT_EQ(Chunking::of({4, 4}, 3).count(), 0u);
}

TEST(Chunking, BySizeNeverOverflowsNearTheEndOfSizeT) {
  constexpr std::size_t top = std::numeric_limits<std::size_t>::max();
  EXPECT_EQ(pieces_of(Chunking::of({top - 10, top}, top - 1)), (std::vector<CellRange>{{top - 10, top}}));
  EXPECT_EQ(pieces_of(Chunking::of({top - 10, top}, 4)),
            (std::vector<CellRange>{{top - 10, top - 6}, {top - 6, top - 2}, {top - 2, top}}));
}

TEST(Chunking, IntoPartsGivesNearEqualPiecesTheLongerFirst) {
  // 23 cells in 5 parts: 23 = 3 × 5 + 2 × 4.
  EXPECT_EQ(pieces_of(Chunking::into({10, 33}, 5)),
            (std::vector<CellRange>{{10, 15}, {15, 20}, {20, 25}, {25, 29}, {29, 33}}));
  EXPECT_EQ(pieces_of(Chunking::into({0, 12}, 3)), (std::vector<CellRange>{{0, 4}, {4, 8}, {8, 12}}));
  EXPECT_EQ(pieces_of(Chunking::into({0, 2}, 3)), (std::vector<CellRange>{{0, 1}, {1, 2}, {2, 2}}));
  EXPECT_EQ(pieces_of(Chunking::into({7, 7}, 2)), (std::vector<CellRange>{{7, 7}, {7, 7}}));
  EXPECT_EQ(pieces_of(Chunking::into({7, 9}, 1)), (std::vector<CellRange>{{7, 9}}));
}

TEST(Chunking, ComputesEachChunkIntoItsSlotsOfTheWindow) {
  const DistanceKernel kernel(LocationTable(testing::random_locations(9, 3)));  // 36 pairs
  const CellRange range{5, 30};
  std::vector<double> expected(range.size());
  kernel.compute(range, expected);

  const Chunking chunking = Chunking::of(range, 7);
  std::vector<double> out(range.size(), -1.0);
  for (std::size_t chunk = chunking.count(); chunk-- > 0;) chunking.compute(kernel, chunk, out);
  EXPECT_EQ(out, expected);
}

}  // namespace
}  // namespace dm
