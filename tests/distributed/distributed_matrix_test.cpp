// The distributed run's pieces that need no MPI: the shares, the location
// broadcast's packing, failure agreement and write_share over a job of one.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "distance_matrix/distributed/distributed_matrix.hpp"
#include "distance_matrix/errors.hpp"
#include "distance_matrix/output/csv_pairs_encoder.hpp"
#include "distance_matrix/output/matrix_format.hpp"
#include "support/files.hpp"
#include "support/random_locations.hpp"
#include "support/scratch_folder.hpp"

namespace dm {
namespace {

namespace fs = std::filesystem;

/// An empty file in `folder` for a SharedFile to open (it opens existing files only).
std::string empty_file(const testing::ScratchFolder& folder) {
  const fs::path path = folder.path() / "shared.out";
  std::ofstream{path};
  return path.string();
}

TEST(RankShareTest, TheTriangleIsSplitIntoEqualPairCountsThatCoverEveryCellOnce) {
  const MatrixShape shape = MatrixShape::pairs(1000);  // 499,500 pairs
  for (unsigned ranks : {1u, 2u, 3u, 7u}) {
    std::size_t next = 0;
    for (unsigned rank = 0; rank < ranks; ++rank) {
      const CellRange share = rank_share(shape, ranks, rank);
      EXPECT_EQ(share.first, next);
      EXPECT_LE(share.size(), 499'500 / ranks + 1);
      EXPECT_GE(share.size(), 499'500 / ranks);
      next = share.last;
    }
    EXPECT_EQ(next, 499'500u);
  }
}

TEST(RankShareTest, ASquareIsSplitIntoWholeRows) {
  const MatrixShape shape = MatrixShape::square(10);
  EXPECT_EQ(rank_share(shape, 3, 0), (CellRange{0, 40}));
  EXPECT_EQ(rank_share(shape, 3, 1), (CellRange{40, 70}));
  EXPECT_EQ(rank_share(shape, 3, 2), (CellRange{70, 100}));
  EXPECT_EQ(rank_share(MatrixShape::rectangle(2, 5), 3, 2), (CellRange{10, 10}));  // more ranks than rows
}

TEST(WorkersPerRankTest, AChosenCountIsKeptAndTheDefaultIsTheMachinesThreads) {
  const SingleProcessCommunicator alone;  // the only rank on its machine
  EXPECT_EQ(workers_per_rank(3, alone), 3u);
  EXPECT_EQ(workers_per_rank(0, alone), std::max(std::thread::hardware_concurrency(), 1u));
}

TEST(LocationPackingTest, LocationsSurviveTheRoundTripExactly) {
  const LocationTable locations(testing::random_locations(50, 3));
  const LocationTable unpacked = unpack_locations(pack_locations(locations));
  ASSERT_EQ(unpacked.size(), locations.size());
  for (std::size_t index = 0; index < locations.size(); ++index) EXPECT_EQ(unpacked.at(index), locations.at(index));
  EXPECT_THROW(static_cast<void>(unpack_locations(pack_locations(locations).substr(0, 100))), std::invalid_argument);
}

TEST(AgreeTest, AFailureOfAnyRankIsThrownWithItsKindAndMessage) {
  SingleProcessCommunicator communicator;
  EXPECT_NO_THROW(agree(communicator, std::nullopt));
  try {
    agree(communicator, RankFailure{FailureKind::io, "cannot write 'x': No space left on device"});
    FAIL() << "no exception";
  } catch (const DistributedFailure& failure) {
    EXPECT_EQ(failure.kind(), FailureKind::io);
    EXPECT_STREQ(failure.what(), "cannot write 'x': No space left on device");
  }
  EXPECT_EQ(failure_of(std::make_exception_ptr(IoError("disk"))).kind, FailureKind::io);
  EXPECT_EQ(failure_of(std::make_exception_ptr(std::runtime_error("x"))).kind, FailureKind::failure);
}

TEST(WriteShareTest, AJobOfOneWritesTheStreamingRunnersBytes) {
  const LocationTable locations(testing::random_locations(120, 5));
  const DistanceKernel kernel(locations);
  for (const MatrixFormat format : {MatrixFormat{Format::csv, Layout::pairs, ValueType::float64},
                                    MatrixFormat{Format::csv, Layout::square, ValueType::float64},
                                    MatrixFormat{Format::npy, Layout::condensed, ValueType::float32}}) {
    const MatrixShape shape = MatrixShape::of(*format.layout, locations.size());
    const auto encoder = make_encoder(format, shape, locations);
    const MatrixCells cells(kernel, shape);
    StreamingRunner runner(ExecutionOptions{2, 1000});
    MemoryMatrixOutput expected;
    static_cast<void>(runner.run(cells, *encoder, expected, {}));

    const testing::ScratchFolder folder("write_share_test");
    const std::string name = empty_file(folder);
    SingleProcessCommunicator communicator;
    const std::unique_ptr<SharedFile> file = communicator.open_shared_file(name);
    const ShareReport report = write_share(communicator, cells, runner, *encoder, *file);
    file->close();
    EXPECT_EQ(report.share, (CellRange{0, shape.cell_count()}));
    EXPECT_EQ(report.bytes, expected.bytes().size());
    EXPECT_TRUE(testing::read_file(name) == expected.bytes()) << to_string(*format.layout);
  }
}

TEST(WriteShareTest, ProgressRunsThroughBothPassesOfTextAndTheOnePassOfBinary) {
  const LocationTable locations(testing::random_locations(120, 5));
  const DistanceKernel kernel(locations);
  for (const MatrixFormat format : {MatrixFormat{Format::csv, Layout::pairs, ValueType::float64},
                                    MatrixFormat{Format::npy, Layout::condensed, ValueType::float64}}) {
    const MatrixShape shape = MatrixShape::of(*format.layout, locations.size());
    const auto encoder = make_encoder(format, shape, locations);
    const MatrixCells cells(kernel, shape);
    StreamingRunner runner(ExecutionOptions{2, 1000});
    const testing::ScratchFolder folder("write_share_test");
    const std::string name = empty_file(folder);
    SingleProcessCommunicator communicator;
    const std::unique_ptr<SharedFile> file = communicator.open_shared_file(name);
    std::vector<std::pair<std::size_t, std::size_t>> calls;
    static_cast<void>(write_share(communicator, cells, runner, *encoder, *file,
                                  [&](std::size_t done, std::size_t total) { calls.emplace_back(done, total); }));
    file->close();

    // 7,140 pairs in blocks of 1,000: 8 blocks a pass; text is encoded twice.
    const std::size_t passes = format.format == Format::csv ? 2 : 1;
    ASSERT_EQ(calls.size(), 8 * passes) << to_string(format.format);
    for (std::size_t call = 0; call < calls.size(); ++call) {
      EXPECT_EQ(calls[call].second, passes * 7140);
      if (call > 0) {
        EXPECT_GT(calls[call].first, calls[call - 1].first);
      }
    }
    EXPECT_EQ(calls[7].first, 7140u) << "the first pass ends half way for text, at the end for binary";
    EXPECT_EQ(calls.back().first, passes * 7140);
  }
}

TEST(JobProgressTest, OneRanksShareScalesToTheWholeJob) {
  EXPECT_EQ(job_cells_done(0, 100, 1000), 0u);
  EXPECT_EQ(job_cells_done(25, 100, 1000), 250u);
  EXPECT_EQ(job_cells_done(99, 100, 1000), 990u);
  EXPECT_EQ(job_cells_done(100, 100, 1000), 1000u);
  EXPECT_EQ(job_cells_done(0, 0, 1000), 1000u) << "an empty share is done";
  // No overflow of done × job_cells.
  const std::size_t huge = std::size_t{1} << 62;
  EXPECT_EQ(job_cells_done(huge / 2, huge, huge), huge / 2);
}

}  // namespace
}  // namespace dm
