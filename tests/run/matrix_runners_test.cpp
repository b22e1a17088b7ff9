// The runners and the core: every layout and format written by the
// streaming pipeline is byte-identical to a sequential batch run, whatever
// the block and worker counts. What every kind's runner writes (make_runner)
// is checked against hand-walked orders in
// tests/executors/executor_conformance_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "distance_matrix/errors.hpp"
#include "distance_matrix/executors/sequential_executor.hpp"
#include "distance_matrix/output/matrix_format.hpp"
#include "distance_matrix/run/batch_runner.hpp"
#include "distance_matrix/run/compute_and_write.hpp"
#include "distance_matrix/run/streaming_runner.hpp"
#include "support/failing_output.hpp"
#include "support/random_locations.hpp"

namespace dm {
namespace {

struct Case {
  MatrixFormat format;
  bool rectangle = false;
};

std::string name_of(const Case& c) {
  return std::string(to_string(c.format.format)) + ' ' + std::string(to_string(resolve_layout(c.format, c.rectangle))) +
         ' ' + std::string(to_string(c.format.value_type));
}

const std::vector<Case>& cases() {
  static const std::vector<Case> all{
      {{Format::csv, Layout::pairs, ValueType::float64}},
      {{Format::csv, Layout::square, ValueType::float64}},
      {{Format::csv, std::nullopt, ValueType::float64}, true},
      {{Format::npy, Layout::square, ValueType::float64}},
      {{Format::npy, Layout::condensed, ValueType::float64}},
      {{Format::npy, Layout::condensed, ValueType::float32}},
      {{Format::npy, std::nullopt, ValueType::float32}, true},
  };
  return all;
}

class MatrixRunnersTest : public ::testing::Test {
 protected:
  LocationTable locations{testing::random_locations(61, 5)};
  DistanceKernel kernel{locations};
  std::size_t origins = 40;  // for the rectangle: 40 origins, 21 destinations

  MatrixShape shape_of(const Case& c) const {
    return c.rectangle ? MatrixShape::rectangle(origins, locations.size() - origins)
                       : MatrixShape::of(resolve_layout(c.format, false), locations.size());
  }

  std::string write_with(MatrixRunner& runner, const Case& c, const ProgressCallback& progress = {}) const {
    const MatrixShape shape = shape_of(c);
    const std::unique_ptr<MatrixEncoder> encoder = make_encoder(c.format, shape, locations);
    MemoryMatrixOutput output;
    const MatrixReport report = compute_and_write(kernel, shape, runner, *encoder, output, progress);
    EXPECT_EQ(report.cell_count, shape.cell_count());
    EXPECT_FALSE(output.committed()) << "a runner never commits";
    return output.bytes();
  }

  std::string sequential(const Case& c) const {
    SequentialExecutor executor;
    BatchRunner runner(executor, {std::size_t{1} << 22, std::size_t{1} << 22});
    return write_with(runner, c);
  }
};

TEST_F(MatrixRunnersTest, StreamingWritesTheSequentialBytesWhateverTheBlocksAndWorkers) {
  for (const Case& c : cases()) {
    const std::string expected = sequential(c);
    ASSERT_FALSE(expected.empty());
    for (unsigned workers : {1u, 2u, 3u}) {
      for (std::size_t block : {std::size_t{1}, std::size_t{7}, std::size_t{100}, std::size_t{1} << 16}) {
        StreamingRunner runner({workers, block});
        EXPECT_EQ(write_with(runner, c), expected) << name_of(c) << ", " << workers << " workers, blocks of " << block;
      }
    }
  }
}

TEST_F(MatrixRunnersTest, StreamingSizesDefaultBlocksSoThatEverySlotIsReused) {
  // 2 workers keep 8 blocks in flight; without --chunk-size a block aims at
  // about 128 KiB of output, and a matrix gets at least 4 blocks per slot,
  // between 2048 cells and 65536 cells a block.
  const Case c{{Format::csv, Layout::pairs, ValueType::float64}};
  StreamingRunner small({2, 0});
  EXPECT_EQ(small.chunk_size(), 65536u) << "before any run: the configured default";
  write_with(small, c);
  EXPECT_EQ(small.chunk_size(), 1830u) << "61 locations: 1830 pairs, fewer than one smallest block";

  const LocationTable thousand{testing::random_locations(1000, 7)};
  const DistanceKernel thousand_kernel(thousand);
  const MatrixShape shape = MatrixShape::pairs(thousand.size());
  const std::unique_ptr<MatrixEncoder> encoder = make_encoder(c.format, shape, thousand);
  MemoryMatrixOutput streamed;
  StreamingRunner runner({2, 0});
  compute_and_write(thousand_kernel, shape, runner, *encoder, streamed);
  // CSV rows of two names and a distance: about 128 KiB of them a block.
  const double bytes_per_cell = static_cast<double>(streamed.bytes().size()) / 499'500.0;
  const double block_bytes = static_cast<double>(runner.chunk_size()) * bytes_per_cell;
  EXPECT_GT(block_bytes, 96.0 * 1024) << runner.chunk_size() << " cells of " << bytes_per_cell << " bytes";
  EXPECT_LT(block_bytes, 160.0 * 1024) << runner.chunk_size() << " cells of " << bytes_per_cell << " bytes";
  MemoryMatrixOutput sequential_output;
  SequentialExecutor executor;
  BatchRunner batch(executor, {std::size_t{1} << 22, std::size_t{1} << 22});
  compute_and_write(thousand_kernel, shape, batch, *encoder, sequential_output);
  EXPECT_EQ(streamed.bytes(), sequential_output.bytes());

  // 8-byte cells: 16Ki cells would be 128 KiB, but 32 blocks need fewer.
  const MatrixFormat npy_format{Format::npy, Layout::condensed, ValueType::float64};
  const MatrixShape condensed = MatrixShape::condensed(thousand.size());
  const std::unique_ptr<MatrixEncoder> npy = make_encoder(npy_format, condensed, thousand);
  MemoryMatrixOutput npy_output;
  compute_and_write(thousand_kernel, condensed, runner, *npy, npy_output);
  EXPECT_EQ(runner.chunk_size(), 15610u) << "499,500 pairs / 32 blocks, rounded up";

  StreamingRunner chosen({2, 100});
  write_with(chosen, c);
  EXPECT_EQ(chosen.chunk_size(), 100u) << "a chosen block size is kept";
}

/// A sequential executor with window memory of its own, which records
/// whether each window's `out` was in it.
class WindowMemoryExecutor final : public Executor {
 public:
  [[nodiscard]] ExecutorKind kind() const noexcept override { return ExecutorKind::sequential; }
  [[nodiscard]] unsigned workers() const noexcept override { return 1; }
  [[nodiscard]] std::size_t chunk_size() const noexcept override { return 0; }
  void compute(const MatrixCells& cells, CellRange range, std::span<double> out) override {
    const bool in_memory = !memory_.empty() && out.data() >= memory_.data() &&
                           out.data() + out.size() <= memory_.data() + memory_.size();
    windows_in_memory_.push_back(in_memory);
    inner_.compute(cells, range, out);
  }
  [[nodiscard]] std::span<double> window_memory(std::size_t cells) override {
    requests_.push_back(cells);
    memory_.assign(cells, 0.0);
    return memory_;
  }
  [[nodiscard]] const std::vector<std::size_t>& requests() const noexcept { return requests_; }
  [[nodiscard]] const std::vector<bool>& windows_in_memory() const noexcept { return windows_in_memory_; }

 private:
  SequentialExecutor inner_;
  std::vector<double> memory_;
  std::vector<std::size_t> requests_;
  std::vector<bool> windows_in_memory_;
};

TEST_F(MatrixRunnersTest, BatchRunnerComputesEveryWindowInTheExecutorsWindowMemory) {
  const Case c{{Format::npy, Layout::condensed, ValueType::float64}};
  WindowMemoryExecutor executor;
  BatchRunner runner(executor, {250, 33});
  EXPECT_EQ(write_with(runner, c), sequential(c));
  EXPECT_EQ(executor.requests(), std::vector<std::size_t>{250}) << "asked once per run, for one window";
  const std::size_t windows = (shape_of(c).cell_count() + 249) / 250;
  EXPECT_EQ(executor.windows_in_memory(), std::vector<bool>(windows, true));
}

TEST_F(MatrixRunnersTest, ReportsProgressInOrderUpToEveryCell) {
  const Case c{{Format::npy, Layout::square, ValueType::float64}};
  std::vector<std::size_t> seen;
  StreamingRunner runner({2, 500});
  write_with(runner, c, [&](std::size_t done, std::size_t total) {
    EXPECT_EQ(total, 61u * 61u);
    seen.push_back(done);
  });
  ASSERT_FALSE(seen.empty());
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(seen.size(), (61u * 61u + 499u) / 500u);
  EXPECT_EQ(seen.back(), 61u * 61u);
}

TEST_F(MatrixRunnersTest, AnOutputErrorStopsTheStreamingPipeline) {
  const MatrixShape shape = MatrixShape::square(locations.size());
  const NpyEncoder encoder(shape, ValueType::float64);
  for (int fail_at : {1, 2, 5}) {
    testing::FailingOutput output(fail_at);
    StreamingRunner runner({2, 64});
    EXPECT_THROW(compute_and_write(kernel, shape, runner, encoder, output), IoError) << fail_at;
  }
}

TEST_F(MatrixRunnersTest, RefusesMismatchedShapes) {
  const NpyEncoder encoder(MatrixShape::square(locations.size()), ValueType::float64);
  MemoryMatrixOutput output;
  StreamingRunner runner;
  EXPECT_THROW(compute_and_write(kernel, MatrixShape::condensed(locations.size()), runner, encoder, output),
               std::invalid_argument);
  const NpyEncoder too_big(MatrixShape::square(locations.size() + 1), ValueType::float64);
  EXPECT_THROW(compute_and_write(kernel, MatrixShape::square(locations.size() + 1), runner, too_big, output),
               std::invalid_argument);
}

TEST_F(MatrixRunnersTest, WritesOnlyTheHeaderForAnEmptyMatrix) {
  const DistanceKernel empty_kernel(LocationTable{});
  const NpyEncoder encoder(MatrixShape::square(0), ValueType::float64);
  MemoryMatrixOutput output;
  StreamingRunner runner;
  compute_and_write(empty_kernel, MatrixShape::square(0), runner, encoder, output);
  EXPECT_EQ(output.bytes(), npy_header(ValueType::float64, {0, 0}));
}

}  // namespace
}  // namespace dm
