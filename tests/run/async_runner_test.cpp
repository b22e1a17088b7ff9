#include "distance_matrix/run/async_runner.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "distance_matrix/executors/sequential_executor.hpp"
#include "distance_matrix/output/csv_pairs_encoder.hpp"
#include "distance_matrix/output/csv_table_encoder.hpp"
#include "distance_matrix/output/npy_encoder.hpp"
#include "distance_matrix/run/batch_runner.hpp"
#include "distance_matrix/run/compute_and_write.hpp"
#include "support/random_locations.hpp"

namespace dm {
namespace {

using namespace std::chrono_literals;
using Event = AsyncRunner::Event;

/// Keeps every append apart, so tests see how the runner cut its writes;
/// throws IoError on append number `failing_append` (from 0), as a full disk would.
class RecordingOutput final : public MatrixOutput {
 public:
  explicit RecordingOutput(std::size_t failing_append = static_cast<std::size_t>(-1))
      : failing_append_(failing_append) {}

  void append(std::string_view bytes) override {
    if (appends.size() == failing_append_) throw IoError("out.csv: No space left on device");
    appends.emplace_back(bytes);
    text.append(bytes);
  }
  void write_at(std::uint64_t, std::string_view) override { ADD_FAILURE() << "the async runner appends"; }
  void commit() override { ADD_FAILURE() << "a runner never commits"; }

  std::vector<std::string> appends;
  std::string text;

 private:
  std::size_t failing_append_;
};

/// The original tool's CSV for `locations`, through the kernel and the encoder directly.
std::string expected_csv(const std::vector<Location>& locations) {
  const LocationTable table(locations);
  const DistanceKernel kernel(table);
  std::vector<double> distances(kernel.pair_count());
  kernel.compute({0, kernel.pair_count()}, distances);
  std::string bytes;
  CsvPairsEncoder(table, MatrixShape::pairs(table.size())).encode({0, distances.size()}, distances, bytes);
  return bytes;
}

AsyncRunner::Options with_latency(std::chrono::nanoseconds latency) {
  AsyncRunner::Options options;
  options.io_latency = latency;
  return options;
}

std::size_t lines(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

struct Scenario {
  std::size_t location_count;
  std::chrono::nanoseconds latency;
};

std::string scenario_name(const ::testing::TestParamInfo<Scenario>& info) {
  const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(info.param.latency);
  return std::to_string(info.param.location_count) + "_locations_" + std::to_string(latency.count()) +
         "us_latency";
}

/// No simulated I/O (the fast path), then some.
constexpr std::chrono::nanoseconds both_latencies[] = {0ns, 100us};

class AsyncRunnerStream : public ::testing::TestWithParam<Scenario> {};

TEST_P(AsyncRunnerStream, WritesTheOriginalToolsCsv) {
  const auto [location_count, latency] = GetParam();
  const std::vector<Location> locations = testing::random_locations(location_count, 42);
  CsvLocationReader reader(testing::to_csv(locations), "random.csv");
  RecordingOutput output;
  AsyncRunner runner(with_latency(latency));

  const AsyncRunner::StreamReport report = runner.stream_pairs(reader, {}, output);

  EXPECT_EQ(output.text, expected_csv(locations));
  EXPECT_EQ(report.location_count, location_count);
  EXPECT_EQ(report.matrix.cell_count, pair_count(location_count));
  EXPECT_EQ(runner.kind(), RunnerKind::async);
  EXPECT_EQ(runner.workers(), 1u);
}

INSTANTIATE_TEST_SUITE_P(WithoutLatency, AsyncRunnerStream,
                         ::testing::Values(Scenario{0, 0ns}, Scenario{1, 0ns}, Scenario{2, 0ns},
                                           Scenario{3, 0ns}, Scenario{5, 0ns}, Scenario{300, 0ns}),
                         scenario_name);
// Latency makes every cell a separate wait, so these stay small.
INSTANTIATE_TEST_SUITE_P(WithLatency, AsyncRunnerStream,
                         ::testing::Values(Scenario{0, 1ms}, Scenario{1, 1ms}, Scenario{2, 1ms},
                                           Scenario{3, 1ms}, Scenario{5, 1ms}, Scenario{20, 100us}),
                         scenario_name);

/// The CSV rows in each append of a streamed run over `count` locations.
std::vector<std::size_t> rows_per_append(std::size_t count, std::chrono::nanoseconds latency) {
  CsvLocationReader reader(testing::to_csv(testing::random_locations(count, 1)), "random.csv");
  RecordingOutput output;
  AsyncRunner(with_latency(latency)).stream_pairs(reader, {}, output);
  std::vector<std::size_t> rows;
  for (const std::string& append : output.appends) rows.push_back(lines(append));
  return rows;
}

TEST(AsyncRunner, AppendsWholeRowsWhenThereIsNoLatency) {
  EXPECT_THAT(rows_per_append(5, 0ns), ::testing::ElementsAre(1, 2, 3, 4));
}

TEST(AsyncRunner, AppendsOneCellPerSimulatedIo) {
  EXPECT_THAT(rows_per_append(4, 1ms), ::testing::ElementsAre(1, 1, 1, 1, 1, 1));
}

TEST(AsyncRunner, GivesTheSameBytesWhateverTheChannelCapacity) {
  const std::vector<Location> locations = testing::random_locations(40, 3);
  for (const std::size_t capacity : {0u, 1u, 2u, 64u}) {
    CsvLocationReader reader(testing::to_csv(locations), "random.csv");
    RecordingOutput output;
    AsyncRunner::Options options;
    options.channel_capacity = capacity;
    AsyncRunner(options).stream_pairs(reader, {}, output);
    EXPECT_EQ(output.text, expected_csv(locations)) << "capacity " << capacity;
  }
}

TEST(AsyncRunner, OverlapsReadingAndWriting) {
  CsvLocationReader reader(testing::to_csv(testing::random_locations(5, 7)), "random.csv");
  RecordingOutput output;
  using EventRecord = std::pair<Event, std::size_t>;
  std::vector<EventRecord> events;
  AsyncRunner::Options options = with_latency(5ms);
  options.observer = [&events](Event event, std::size_t index) { events.emplace_back(event, index); };

  AsyncRunner(options).stream_pairs(reader, {}, output);

  const auto first_write = std::find(events.begin(), events.end(), EventRecord{Event::cell_written, 0});
  const auto last_read = std::find(events.begin(), events.end(), EventRecord{Event::location_read, 4});
  ASSERT_NE(first_write, events.end());
  ASSERT_NE(last_read, events.end());
  EXPECT_LT(first_write, last_read) << "the first pair was only written after the whole input was read";

  // Every location read and every pair written exactly once, each kind in order.
  std::vector<std::size_t> reads;
  std::vector<std::size_t> writes;
  for (const auto& [event, index] : events) (event == Event::location_read ? reads : writes).push_back(index);
  EXPECT_THAT(reads, ::testing::ElementsAre(0, 1, 2, 3, 4));
  EXPECT_THAT(writes, ::testing::ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
}

TEST(AsyncRunner, ReportsTheLatencyItWaitedInReadAndWrite) {
  CsvLocationReader reader(testing::to_csv(testing::random_locations(4, 9)), "random.csv");
  RecordingOutput output;
  const std::chrono::nanoseconds latency = 1ms;

  const AsyncRunner::StreamReport report = AsyncRunner(with_latency(latency)).stream_pairs(reader, {}, output);

  // Lower bounds only: a timer never fires before its deadline.
  EXPECT_GE(report.read, 4 * latency);
  EXPECT_GE(report.matrix.write, 6 * latency);
  EXPECT_GE(report.matrix.total, 4 * latency);
}

TEST(AsyncRunner, ComputesTheKnownDistanceFromAnnArborToBoston) {
  CsvLocationReader reader = CsvLocationReader::open(DM_DATA_DIR "/locations.csv");
  RecordingOutput output;
  AsyncRunner().stream_pairs(reader, {}, output);
  const std::string row = "ann arbor,boston,";
  const std::size_t at = output.text.find(row);
  ASSERT_NE(at, std::string::npos) << output.text;
  EXPECT_NEAR(std::strtod(output.text.c_str() + at + row.size(), nullptr), 1040.300088008328, 1e-9);
}

TEST(AsyncRunner, StopsAtTheFirstBadRowAndThrowsInputError) {
  const std::vector<Location> locations = testing::random_locations(6, 11);
  const std::vector<Location> first_half(locations.begin(), locations.begin() + 3);
  const std::vector<Location> second_half(locations.begin() + 3, locations.end());
  const std::string csv = testing::to_csv(first_half) + "Nowhere,91.5,0\n" + testing::to_csv(second_half);

  for (const std::chrono::nanoseconds latency : both_latencies) {
    CsvLocationReader reader(csv, "bad.csv");
    RecordingOutput output;
    try {
      AsyncRunner(with_latency(latency)).stream_pairs(reader, {}, output);
      ADD_FAILURE() << "expected InputError";
    } catch (const InputError& error) {
      ASSERT_EQ(error.diagnostics().size(), 1u);
      EXPECT_EQ(error.diagnostics()[0].line, 4u);
    }
    // Only whole rows among the locations before the bad row may have left, in order.
    const std::string before_bad_row = expected_csv(first_half);
    EXPECT_TRUE(before_bad_row.starts_with(output.text)) << output.text;
    EXPECT_TRUE(output.text.empty() || output.text.back() == '\n') << output.text;
  }
}

TEST(AsyncRunner, StillReportsTheBadRowsAfterTheFirst) {
  const std::string csv = testing::to_csv(testing::random_locations(200, 5)) + "Nowhere,91.5,0\n" +
                          testing::to_csv(testing::random_locations(200, 6)) + "Elsewhere,0,181\n";
  CsvLocationReader reader(csv, "bad.csv");
  RecordingOutput output;
  try {
    AsyncRunner().stream_pairs(reader, {}, output);
    ADD_FAILURE() << "expected InputError";
  } catch (const InputError& error) {
    ASSERT_EQ(error.diagnostics().size(), 2u);
    EXPECT_EQ(error.diagnostics()[0].line, 201u);
    EXPECT_EQ(error.diagnostics()[1].line, 402u);
  }
  EXPECT_LE(lines(output.text), pair_count(200));
}

TEST(AsyncRunner, RethrowsTheOutputsIoErrorWithoutHanging) {
  struct Case {
    std::size_t location_count;
    std::chrono::nanoseconds latency;
    std::size_t channel_capacity;
    std::size_t failing_append;
  };
  // Full channels: reader and compute stage blocked on sends when the writer fails.
  // Latency: the reader waiting on its timer when the writer fails.
  for (const Case& scenario : {Case{300, 0ns, 1, 0}, Case{300, 0ns, 1, 50}, Case{300, 0ns, 0, 3},
                               Case{30, 1ms, 1, 0}, Case{30, 1ms, 64, 2}}) {
    CsvLocationReader reader(testing::to_csv(testing::random_locations(scenario.location_count, 13)),
                             "random.csv");
    RecordingOutput output(scenario.failing_append);
    AsyncRunner::Options options = with_latency(scenario.latency);
    options.channel_capacity = scenario.channel_capacity;

    EXPECT_THROW(AsyncRunner(options).stream_pairs(reader, {}, output), IoError)
        << scenario.location_count << " locations, failing append " << scenario.failing_append;
    EXPECT_EQ(output.appends.size(), scenario.failing_append);
  }
}

TEST(AsyncRunner, RethrowsAFailureOfTheReadStage) {
  CsvLocationReader reader(testing::to_csv(testing::random_locations(50, 19)), "random.csv");
  RecordingOutput output;
  AsyncRunner::Options options = with_latency(100us);
  options.channel_capacity = 1;
  options.observer = [](Event event, std::size_t index) {
    if (event == Event::location_read && index == 10) throw std::runtime_error("observer gave up");
  };
  EXPECT_THROW(AsyncRunner(options).stream_pairs(reader, {}, output), std::runtime_error);
  EXPECT_LT(lines(output.text), pair_count(50));
}

// --- The locations in hand: every shape through MatrixRunner::run.

/// What the sequential batch runner writes: the reference bytes.
std::string sequential_bytes(const DistanceKernel& kernel, const MatrixShape& shape, const MatrixEncoder& encoder) {
  SequentialExecutor executor;
  MemoryMatrixOutput output;
  compute_and_write(kernel, shape, executor, encoder, output);
  return output.bytes();
}

TEST(AsyncRunner, WritesEveryShapeAsTheSequentialRunnerDoes) {
  const LocationTable locations(testing::random_locations(23, 29));
  const DistanceKernel kernel(locations);
  const MatrixShape square = MatrixShape::square(23);
  const MatrixShape condensed = MatrixShape::condensed(23);
  const MatrixShape rectangle = MatrixShape::rectangle(17, 6);
  const CsvTableEncoder square_table(locations, square);
  const CsvTableEncoder rectangle_table(locations, rectangle);
  const NpyEncoder square_npy(square, ValueType::float64);
  const NpyEncoder condensed_npy(condensed, ValueType::float32);
  const CsvPairsEncoder pairs(locations, MatrixShape::pairs(23));
  const std::vector<std::pair<const MatrixShape*, const MatrixEncoder*>> cases = {
      {&square, &square_table}, {&rectangle, &rectangle_table}, {&square, &square_npy},
      {&condensed, &condensed_npy}, {&pairs.shape(), &pairs}};

  for (const auto& [shape, encoder] : cases) {
    const std::string expected = sequential_bytes(kernel, *shape, *encoder);
    for (const std::chrono::nanoseconds latency : both_latencies) {
      for (const std::size_t max_row_cells : {std::size_t{1}, std::size_t{5}, std::size_t{1} << 16}) {
        AsyncRunner::Options options = with_latency(latency);
        options.max_row_cells = max_row_cells;
        options.channel_capacity = max_row_cells == 1 ? 0 : 64;
        RecordingOutput output;
        const MatrixReport report = AsyncRunner(options).run(MatrixCells(kernel, *shape), *encoder, output, {});
        EXPECT_EQ(output.text, expected) << to_string(shape->layout()) << ", latency " << latency.count()
                                         << "ns, rows of at most " << max_row_cells;
        EXPECT_EQ(report.cell_count, shape->cell_count());
      }
    }
  }
}

TEST(AsyncRunner, ReportsProgressInOrderUpToEveryCell) {
  const LocationTable locations(testing::random_locations(12, 31));
  const DistanceKernel kernel(locations);
  const MatrixShape shape = MatrixShape::square(12);
  const NpyEncoder encoder(shape, ValueType::float64);
  std::vector<std::size_t> seen;
  RecordingOutput output;
  AsyncRunner().run(MatrixCells(kernel, shape), encoder, output, [&](std::size_t done, std::size_t total) {
    EXPECT_EQ(total, 144u);
    seen.push_back(done);
  });
  ASSERT_FALSE(seen.empty());
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(seen.back(), 144u);
}

TEST(AsyncRunner, RethrowsAFailureToWriteTheHeader) {
  const LocationTable locations(testing::random_locations(100, 17));
  const DistanceKernel kernel(locations);
  const MatrixShape shape = MatrixShape::square(100);
  const NpyEncoder encoder(shape, ValueType::float64);
  RecordingOutput output(0);
  AsyncRunner::Options options;
  options.channel_capacity = 1;
  EXPECT_THROW(AsyncRunner(options).run(MatrixCells(kernel, shape), encoder, output, {}), IoError);
  EXPECT_TRUE(output.text.empty());
}

TEST(AsyncRunner, RefusesAnEncoderForAnotherShape) {
  const LocationTable locations(testing::random_locations(4, 37));
  const DistanceKernel kernel(locations);
  const NpyEncoder encoder(MatrixShape::square(4), ValueType::float64);
  RecordingOutput output;
  EXPECT_THROW(AsyncRunner().run(MatrixCells(kernel, MatrixShape::condensed(4)), encoder, output, {}),
               std::invalid_argument);
}

}  // namespace
}  // namespace dm
