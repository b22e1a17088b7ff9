#include "distance_matrix/executors/async_pipeline.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "distance_matrix/csv_writer.hpp"
#include "support/random_locations.hpp"

namespace dm {
namespace {

using namespace std::chrono_literals;
using Event = AsyncPipeline::Event;

/// Records what the pipeline hands its sink and checks the PairSink contract
/// on every call: begin first, contiguous blocks, location j known before
/// the pairs of row j arrive, finish last.
class RecordingSink : public PairSink {
 public:
  void begin(const LocationTable& locations) override {
    EXPECT_EQ(begin_calls, 0u) << "begin() called twice";
    ++begin_calls;
    locations_ = &locations;
  }

  void consume(const PairBlock& block) override {
    EXPECT_EQ(begin_calls, 1u) << "a block before begin()";
    EXPECT_EQ(finish_calls, 0u) << "a block after finish()";
    EXPECT_EQ(block.first_pair, distances.size()) << "blocks must follow each other without gaps";
    if (!block.distances.empty() && locations_ != nullptr) {
      const Pair last = pair_at(block.range().last - 1);
      EXPECT_LT(last.destination, locations_->size()) << "pairs of a location not yet in the table";
    }
    distances.insert(distances.end(), block.distances.begin(), block.distances.end());
    block_sizes.push_back(block.distances.size());
  }

  void finish() override {
    EXPECT_EQ(begin_calls, 1u) << "finish() without begin()";
    ++finish_calls;
  }

  std::size_t begin_calls = 0;
  std::size_t finish_calls = 0;
  std::vector<double> distances;
  std::vector<std::size_t> block_sizes;

 private:
  const LocationTable* locations_ = nullptr;
};

/// A sink whose output fails: throws IoError on block number `failing_block`
/// (counting from 0), as a full disk would.
class FailingSink final : public RecordingSink {
 public:
  explicit FailingSink(std::size_t failing_block) : failing_block_(failing_block) {}

  void consume(const PairBlock& block) override {
    if (block_sizes.size() == failing_block_) throw IoError("out.csv: No space left on device");
    RecordingSink::consume(block);
  }

 private:
  std::size_t failing_block_;
};

std::vector<double> kernel_distances(const std::vector<Location>& locations) {
  const DistanceKernel kernel(LocationTable{locations});
  std::vector<double> distances(kernel.pair_count());
  kernel.compute({0, kernel.pair_count()}, distances);
  return distances;
}

AsyncPipeline::Options with_latency(std::chrono::nanoseconds latency) {
  AsyncPipeline::Options options;
  options.io_latency = latency;
  return options;
}

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

class AsyncPipelineOutput : public ::testing::TestWithParam<Scenario> {};

TEST_P(AsyncPipelineOutput, EqualsTheKernelInOutputOrder) {
  const auto [location_count, latency] = GetParam();
  const std::vector<Location> locations = testing::random_locations(location_count, 42);
  CsvLocationReader reader(testing::to_csv(locations), "random.csv");
  RecordingSink sink;

  const RunReport report = AsyncPipeline(with_latency(latency)).run(reader, sink);

  EXPECT_EQ(sink.distances, kernel_distances(locations));
  EXPECT_EQ(sink.begin_calls, 1u);
  EXPECT_EQ(sink.finish_calls, 1u);
  EXPECT_EQ(report.executor, ExecutorKind::async);
  EXPECT_EQ(report.workers, 1u);
  EXPECT_EQ(report.location_count, location_count);
  EXPECT_EQ(report.pair_count, pair_count(location_count));
}

INSTANTIATE_TEST_SUITE_P(WithoutLatency, AsyncPipelineOutput,
                         ::testing::Values(Scenario{0, 0ns}, Scenario{1, 0ns}, Scenario{2, 0ns},
                                           Scenario{3, 0ns}, Scenario{5, 0ns}, Scenario{300, 0ns}),
                         scenario_name);
// Latency makes every output row a separate wait, so these stay small.
INSTANTIATE_TEST_SUITE_P(WithLatency, AsyncPipelineOutput,
                         ::testing::Values(Scenario{0, 1ms}, Scenario{1, 1ms}, Scenario{2, 1ms},
                                           Scenario{3, 1ms}, Scenario{5, 1ms}, Scenario{20, 100us}),
                         scenario_name);

TEST(AsyncPipeline, HandsWholeMatrixRowsToTheSinkWhenThereIsNoLatency) {
  CsvLocationReader reader(testing::to_csv(testing::random_locations(5, 1)), "random.csv");
  RecordingSink sink;
  AsyncPipeline(with_latency(0ns)).run(reader, sink);
  EXPECT_THAT(sink.block_sizes, ::testing::ElementsAre(1, 2, 3, 4));
}

TEST(AsyncPipeline, WritesOneOutputRowPerSimulatedIo) {
  CsvLocationReader reader(testing::to_csv(testing::random_locations(4, 1)), "random.csv");
  RecordingSink sink;
  AsyncPipeline(with_latency(1ms)).run(reader, sink);
  EXPECT_THAT(sink.block_sizes, ::testing::ElementsAre(1, 1, 1, 1, 1, 1));
}

TEST(AsyncPipeline, GivesTheSameResultWhateverTheChannelCapacity) {
  const std::vector<Location> locations = testing::random_locations(40, 3);
  for (const std::size_t capacity : {0u, 1u, 2u, 64u}) {
    CsvLocationReader reader(testing::to_csv(locations), "random.csv");
    RecordingSink sink;
    AsyncPipeline::Options options;
    options.channel_capacity = capacity;
    AsyncPipeline(options).run(reader, sink);
    EXPECT_EQ(sink.distances, kernel_distances(locations)) << "capacity " << capacity;
    EXPECT_EQ(sink.finish_calls, 1u) << "capacity " << capacity;
  }
}

TEST(AsyncPipeline, WritesTheSameCsvAsTheWriterFedDirectly) {
  const std::vector<Location> locations = testing::random_locations(12, 5);
  StringOutput expected;
  {
    const LocationTable table(locations);
    const std::vector<double> distances = kernel_distances(locations);
    CsvPairWriter writer(expected);
    writer.begin(table);
    writer.consume({0, distances});
    writer.finish();
  }

  for (const std::chrono::nanoseconds latency : both_latencies) {
    CsvLocationReader reader(testing::to_csv(locations), "random.csv");
    StringOutput output;
    CsvPairWriter writer(output);
    AsyncPipeline(with_latency(latency)).run(reader, writer);
    EXPECT_EQ(output.str(), expected.str()) << "latency " << latency.count() << "ns";
  }
}

TEST(AsyncPipeline, OverlapsReadingAndWriting) {
  CsvLocationReader reader(testing::to_csv(testing::random_locations(5, 7)), "random.csv");
  RecordingSink sink;
  using EventRecord = std::pair<Event, std::size_t>;
  std::vector<EventRecord> events;
  AsyncPipeline::Options options = with_latency(5ms);
  options.observer = [&events](Event event, std::size_t index) { events.emplace_back(event, index); };

  AsyncPipeline(options).run(reader, sink);

  const auto first_write = std::find(events.begin(), events.end(), EventRecord{Event::row_written, 0});
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
  EXPECT_EQ(sink.begin_calls, 1u);
  EXPECT_EQ(sink.finish_calls, 1u);
}

TEST(AsyncPipeline, ReportsTheLatencyItWaitedInReadAndWrite) {
  const std::vector<Location> locations = testing::random_locations(4, 9);
  CsvLocationReader reader(testing::to_csv(locations), "random.csv");
  RecordingSink sink;
  const std::chrono::nanoseconds latency = 1ms;

  const RunReport report = AsyncPipeline(with_latency(latency)).run(reader, sink);

  // Lower bounds only: a timer never fires before its deadline.
  EXPECT_GE(report.read, 4 * latency);
  EXPECT_GE(report.write, 6 * latency);
  EXPECT_GE(report.total, 4 * latency);
  EXPECT_GE(report.calculation.count(), 0.0);
}

TEST(AsyncPipeline, ComputesTheKnownDistanceFromAnnArborToBoston) {
  CsvLocationReader reader = CsvLocationReader::open(DM_DATA_DIR "/locations.csv");
  RecordingSink sink;
  AsyncPipeline(with_latency(0ns)).run(reader, sink);
  ASSERT_EQ(sink.distances.size(), 3u);
  // Pair (ann arbor, boston) = (0, 2) is pair index 1.
  EXPECT_NEAR(sink.distances[pair_index({0, 2})], 1040.300088008328, 1e-9);
}

TEST(AsyncPipeline, StopsAtTheFirstBadRowThrowsInputErrorAndDoesNotFinish) {
  const std::vector<Location> locations = testing::random_locations(6, 11);
  std::vector<Location> first_half(locations.begin(), locations.begin() + 3);
  std::vector<Location> second_half(locations.begin() + 3, locations.end());
  const std::string csv = testing::to_csv(first_half) + "Nowhere,91.5,0\n" + testing::to_csv(second_half);

  for (const std::chrono::nanoseconds latency : both_latencies) {
    CsvLocationReader reader(csv, "bad.csv");
    RecordingSink sink;
    try {
      AsyncPipeline(with_latency(latency)).run(reader, sink);
      ADD_FAILURE() << "expected InputError";
    } catch (const InputError& error) {
      ASSERT_EQ(error.diagnostics().size(), 1u);
      EXPECT_EQ(error.diagnostics()[0].line, 4u);
    }
    EXPECT_EQ(sink.begin_calls, 1u);
    EXPECT_EQ(sink.finish_calls, 0u) << "the output of an invalid input must not be committed";
    // Only pairs among the locations before the bad row may have left, in order.
    const std::vector<double> before_bad_row = kernel_distances(first_half);
    ASSERT_LE(sink.distances.size(), before_bad_row.size());
    EXPECT_EQ(sink.distances, std::vector<double>(before_bad_row.begin(), before_bad_row.begin() +
                                                                             static_cast<std::ptrdiff_t>(sink.distances.size())));
  }
}

TEST(AsyncPipeline, StillReportsTheBadRowsAfterTheFirst) {
  const std::string csv = testing::to_csv(testing::random_locations(200, 5)) + "Nowhere,91.5,0\n" +
                          testing::to_csv(testing::random_locations(200, 6)) + "Elsewhere,0,181\n";
  CsvLocationReader reader(csv, "bad.csv");
  RecordingSink sink;
  try {
    AsyncPipeline(with_latency(0ns)).run(reader, sink);
    ADD_FAILURE() << "expected InputError";
  } catch (const InputError& error) {
    ASSERT_EQ(error.diagnostics().size(), 2u);
    EXPECT_EQ(error.diagnostics()[0].line, 201u);
    EXPECT_EQ(error.diagnostics()[1].line, 402u);
  }
  EXPECT_LE(sink.distances.size(), pair_count(200));
  EXPECT_EQ(sink.finish_calls, 0u);
}

TEST(AsyncPipeline, RethrowsTheSinksIoErrorWithoutHanging) {
  struct Case {
    std::size_t location_count;
    std::chrono::nanoseconds latency;
    std::size_t channel_capacity;
    std::size_t failing_block;
  };
  // Full channels: reader and compute stage blocked on sends when the writer fails.
  // Latency: the reader waiting on its timer when the writer fails.
  for (const Case& scenario : {Case{300, 0ns, 1, 0}, Case{300, 0ns, 1, 50}, Case{300, 0ns, 0, 3},
                               Case{30, 1ms, 1, 0}, Case{30, 1ms, 64, 2}}) {
    CsvLocationReader reader(testing::to_csv(testing::random_locations(scenario.location_count, 13)),
                             "random.csv");
    FailingSink sink(scenario.failing_block);
    AsyncPipeline::Options options = with_latency(scenario.latency);
    options.channel_capacity = scenario.channel_capacity;

    EXPECT_THROW(AsyncPipeline(options).run(reader, sink), IoError)
        << scenario.location_count << " locations, failing block " << scenario.failing_block;
    EXPECT_EQ(sink.block_sizes.size(), scenario.failing_block);
    EXPECT_EQ(sink.finish_calls, 0u);
  }
}

TEST(AsyncPipeline, RethrowsAFailureOfTheSinksBegin) {
  class RefusingSink final : public RecordingSink {
    void begin(const LocationTable&) override { throw IoError("out.csv: Permission denied"); }
  };
  CsvLocationReader reader(testing::to_csv(testing::random_locations(100, 17)), "random.csv");
  RefusingSink sink;
  AsyncPipeline::Options options;
  options.channel_capacity = 1;
  EXPECT_THROW(AsyncPipeline(options).run(reader, sink), IoError);
  EXPECT_TRUE(sink.distances.empty());
  EXPECT_EQ(sink.finish_calls, 0u);
}

TEST(AsyncPipeline, RethrowsAFailureOfTheReadStage) {
  CsvLocationReader reader(testing::to_csv(testing::random_locations(50, 19)), "random.csv");
  RecordingSink sink;
  AsyncPipeline::Options options = with_latency(100us);
  options.channel_capacity = 1;
  options.observer = [](Event event, std::size_t index) {
    if (event == Event::location_read && index == 10) throw std::runtime_error("observer gave up");
  };
  EXPECT_THROW(AsyncPipeline(options).run(reader, sink), std::runtime_error);
  EXPECT_EQ(sink.finish_calls, 0u);
}

}  // namespace
}  // namespace dm
