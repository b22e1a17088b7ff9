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
