#include "distance_matrix/run.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "distance_matrix/csv_writer.hpp"
#include "support/random_locations.hpp"

namespace dm {
namespace {

using namespace std::chrono_literals;

/// Records the calls a run makes on its sink.
class RecordingSink final : public PairSink {
 public:
  void begin(const LocationTable& locations) override {
    calls.push_back("begin");
    locations_seen = &locations;
  }
  void consume(const PairBlock& block) override {
    calls.push_back("block " + std::to_string(block.first_pair) + "+" + std::to_string(block.distances.size()));
    distances.insert(distances.end(), block.distances.begin(), block.distances.end());
  }
  void finish() override { calls.push_back("finish"); }

  std::vector<std::string> calls;
  std::vector<double> distances;
  const LocationTable* locations_seen = nullptr;
};

TEST(Run, ReportsWhatItDid) {
  CsvLocationReader reader(testing::to_csv(testing::random_locations(50, 1)), "random.csv");
  RecordingSink sink;
  RunOptions options;
  options.executor = ExecutorKind::sequential;
  const RunReport report = run(reader, sink, options);

  EXPECT_EQ(report.executor, ExecutorKind::sequential);
  EXPECT_EQ(report.location_count, 50u);
  EXPECT_EQ(report.pair_count, 1225u);
  EXPECT_EQ(sink.distances.size(), 1225u);
  EXPECT_GE(report.total, report.read);
  EXPECT_GE(report.total.count(), 0.0);
  EXPECT_THAT(sink.calls, ::testing::ElementsAre("begin", "block 0+1225", "finish"));
}

TEST(Run, HandsTheMatrixToTheSinkOneWindowAtATime) {
  CsvLocationReader reader(testing::to_csv(testing::random_locations(10, 2)), "random.csv");
  RecordingSink sink;
  RunOptions options;
  options.executor = ExecutorKind::parallel;
  options.window_pairs = 20;
  run(reader, sink, options);
  EXPECT_THAT(sink.calls,
              ::testing::ElementsAre("begin", "block 0+20", "block 20+20", "block 40+5", "finish"));
}

TEST(Run, WritesRowByRowWhenIoIsSimulated) {
  CsvLocationReader reader(testing::to_csv(testing::random_locations(3, 3)), "random.csv");
  RecordingSink sink;
  RunOptions options;
  options.executor = ExecutorKind::sequential;
  options.io_latency = 1us;
  run(reader, sink, options);
  EXPECT_THAT(sink.calls, ::testing::ElementsAre("begin", "block 0+1", "block 1+1", "block 2+1", "finish"));
}

TEST(Run, RefusesInvalidInputBeforeTheSinkSeesAnything) {
  for (ExecutorKind kind : {ExecutorKind::sequential, ExecutorKind::parallel, ExecutorKind::pool}) {
    CsvLocationReader reader("a,1,2\nb,91.5,2\nc,3,4\n", "bad.csv");
    RecordingSink sink;
    RunOptions options;
    options.executor = kind;
    EXPECT_THROW(run(reader, sink, options), InputError) << to_string(kind);
    EXPECT_TRUE(sink.calls.empty()) << to_string(kind);
  }
}

TEST(Run, AcceptsZeroAndOneLocation) {
  for (const char* input : {"", "alone,1,2\n"}) {
    for (ExecutorKind kind : all_executor_kinds) {
      CsvLocationReader reader(input, "small.csv");
      StringOutput output;
      CsvPairWriter writer(output);
      RunOptions options;
      options.executor = kind;
      const RunReport report = run(reader, writer, options);
      EXPECT_EQ(report.pair_count, 0u) << to_string(kind);
      EXPECT_EQ(output.str(), "") << to_string(kind);
    }
  }
}

TEST(Run, WritesTheWorkshopSample) {
  CsvLocationReader reader(
      "ann arbor, 42.279594, -83.732124\n"
      "pleasant grove, 40.364118, -111.738540\n"
      "boston, 42.364758, -71.067421\n",
      "locations.csv");
  RecordingSink sink;
  run(reader, sink, {});
  // The reference values are the exact distances rounded to 16 digits; the
  // kernel is within an ulp or two of the exact value.
  ASSERT_EQ(sink.distances.size(), 3u);
  EXPECT_NEAR(sink.distances[0], 2337.868086809025, 1e-9);
  EXPECT_NEAR(sink.distances[1], 1040.300088008328, 1e-9);
  EXPECT_NEAR(sink.distances[2], 3369.022250836994, 1e-9);
}

}  // namespace
}  // namespace dm
