// The block-consumer seam: every runner hands a consumer blocks that
// respect its alignment (whole rows of a square or a rectangle), consumes
// them on the workers and finishes them one at a time in cell order.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "distance_matrix/executors/executor.hpp"
#include "distance_matrix/run/batch_runner.hpp"
#include "distance_matrix/run/make_runner.hpp"
#include "distance_matrix/run/streaming_runner.hpp"
#include "support/random_locations.hpp"

namespace dm {
namespace {

/// Records what it is given; its "bytes" are each block's first distance of
/// every row, so the test can also check that consume() saw the right cells.
class RecordingConsumer final : public BlockConsumer {
 public:
  RecordingConsumer(const MatrixShape& shape, std::size_t alignment) : shape_(shape), alignment_(alignment) {}

  [[nodiscard]] const MatrixShape& shape() const noexcept override { return shape_; }
  [[nodiscard]] std::size_t block_alignment() const noexcept override { return alignment_; }
  [[nodiscard]] std::size_t typical_cell_bytes() const noexcept override { return 1; }
  void begin() override { ++begun; }
  void consume(CellRange cells, std::span<const double> distances, BlockPartial& partial) const override {
    partial.bytes = std::to_string(cells.first) + '-' + std::to_string(cells.last) + ':' +
                    std::to_string(distances.size()) + ';';
  }
  void finish(CellRange cells, std::span<const double> distances, BlockPartial& partial) override {
    blocks.push_back(cells);
    finished += partial.bytes;
    EXPECT_EQ(distances.size(), cells.size());
  }

  int begun = 0;
  std::vector<CellRange> blocks;
  std::string finished;

 private:
  MatrixShape shape_;
  std::size_t alignment_;
};

void expect_whole_rows_in_order(const RecordingConsumer& consumer, std::size_t columns, std::size_t cell_count,
                                const std::string& label) {
  EXPECT_EQ(consumer.begun, 1) << label;
  std::size_t next = 0;
  std::string expected;
  for (const CellRange& block : consumer.blocks) {
    EXPECT_EQ(block.first, next) << label << ": blocks finish in cell order, without gaps";
    EXPECT_EQ(block.first % columns, 0u) << label;
    EXPECT_EQ(block.size() % columns, 0u) << label;
    EXPECT_FALSE(block.empty()) << label;
    expected += std::to_string(block.first) + '-' + std::to_string(block.last) + ':' + std::to_string(block.size()) + ';';
    next = block.last;
  }
  EXPECT_EQ(next, cell_count) << label;
  EXPECT_EQ(consumer.finished, expected) << label << ": each block's own partial reaches finish()";
}

class BlockConsumerTest : public ::testing::Test {
 protected:
  LocationTable locations{testing::random_locations(53, 11)};
  DistanceKernel kernel{locations};
  std::vector<MatrixShape> shapes{MatrixShape::square(53), MatrixShape::rectangle(20, 33),
                                  MatrixShape::rectangle(33, 20)};
};

TEST_F(BlockConsumerTest, StreamingCutsWholeRowsWhateverTheBlockSize) {
  for (const MatrixShape& shape : shapes) {
    for (unsigned workers : {1u, 2u, 3u}) {
      for (std::size_t block : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{34}, std::size_t{100000}}) {
        RecordingConsumer consumer(shape, shape.columns());
        StreamingRunner runner({workers, block});
        runner.consume(MatrixCells(kernel, shape), consumer, {});
        expect_whole_rows_in_order(consumer, shape.columns(), shape.cell_count(),
                                   std::to_string(shape.rows()) + "x" + std::to_string(shape.columns()) + ", " +
                                       std::to_string(workers) + " workers, blocks of " + std::to_string(block));
      }
    }
  }
}

TEST_F(BlockConsumerTest, BatchRunnersRoundWindowsAndAppendsToWholeRows) {
  for (const MatrixShape& shape : shapes) {
    for (ExecutorKind kind : {ExecutorKind::sequential, ExecutorKind::threads, ExecutorKind::pool,
                              ExecutorKind::processes, ExecutorKind::parallel}) {
      for (std::size_t window : {std::size_t{1}, std::size_t{50}, std::size_t{250}}) {
        const std::unique_ptr<Executor> executor = make_executor(kind, {2, 0});
        BatchRunner runner(*executor, {window, 1});
        RecordingConsumer consumer(shape, shape.columns());
        runner.consume(MatrixCells(kernel, shape), consumer, {});
        expect_whole_rows_in_order(consumer, shape.columns(), shape.cell_count(),
                                   std::string(to_string(kind)) + ", window " + std::to_string(window));
      }
    }
  }
}

TEST_F(BlockConsumerTest, StreamingRangeMustBeRowAligned) {
  const MatrixShape shape = MatrixShape::square(53);
  RecordingConsumer consumer(shape, shape.columns());
  StreamingRunner runner({2, 0});
  EXPECT_THROW(runner.consume_range(MatrixCells(kernel, shape), {53, 100}, consumer, {}), std::invalid_argument);
  runner.consume_range(MatrixCells(kernel, shape), {53, 53 * 5}, consumer, {});
  EXPECT_EQ(consumer.begun, 0) << "a share writes no header";
  ASSERT_FALSE(consumer.blocks.empty());
  EXPECT_EQ(consumer.blocks.front().first, 53u);
  EXPECT_EQ(consumer.blocks.back().last, 53u * 5);
}

TEST_F(BlockConsumerTest, TheAsyncRunnerRefusesConsumers) {
  const MatrixShape shape = MatrixShape::square(53);
  RecordingConsumer consumer(shape, shape.columns());
  const std::unique_ptr<MatrixRunner> runner = make_runner(RunnerKind::async, {});
  EXPECT_THROW(runner->consume(MatrixCells(kernel, shape), consumer, {}), std::invalid_argument);
}

}  // namespace
}  // namespace dm
