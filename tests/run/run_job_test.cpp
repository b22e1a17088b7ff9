#include "distance_matrix/run/run_job.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "src/run/simulated_latency.hpp"
#include "support/random_locations.hpp"

namespace dm {
namespace {

using namespace std::chrono_literals;

/// Records every append, so tests see how the run cut its writes.
class RecordingOutput final : public MatrixOutput {
 public:
  void append(std::string_view bytes) override {
    appends.emplace_back(bytes);
    text.append(bytes);
  }
  void write_at(std::uint64_t, std::string_view) override { ADD_FAILURE() << "unexpected write_at"; }
  void commit() override { ++commits; }

  std::vector<std::string> appends;
  std::string text;
  int commits = 0;
};

TEST(WriteMatrix, ReportsWhatItDidAndDoesNotCommit) {
  CsvLocationReader reader(testing::to_csv(testing::random_locations(50, 1)), "random.csv");
  RecordingOutput output;
  const RunReport report = run_job(reader, nullptr, output, {.executor = RunnerKind::sequential});

  EXPECT_EQ(report.executor, RunnerKind::sequential);
  EXPECT_EQ(report.location_count, 50u);
  EXPECT_EQ(report.pair_count, 1225u);
  EXPECT_EQ(std::count(output.text.begin(), output.text.end(), '\n'), 1225);
  EXPECT_EQ(output.commits, 0);
  EXPECT_FALSE(report.kernel.empty());
}

TEST(WriteMatrix, WritesCellByCellWhenIoIsSimulated) {
  for (RunnerKind kind : all_runner_kinds) {
    CsvLocationReader reader(testing::to_csv(testing::random_locations(3, 3)), "random.csv");
    RecordingOutput output;
    run_job(reader, nullptr, output, {.executor = kind, .io_latency = 1us});
    EXPECT_EQ(output.appends.size(), 3u) << to_string(kind);
    for (const std::string& append : output.appends) {
      EXPECT_EQ(std::count(append.begin(), append.end(), '\n'), 1) << to_string(kind);
    }
  }
}

TEST(WriteMatrix, RefusesInvalidInputBeforeTheOutputSeesAnything) {
  // Every executor but async on CSV pairs reads everything first; async does too for other formats.
  for (RunnerKind kind : all_runner_kinds) {
    for (const MatrixFormat format : {MatrixFormat{}, MatrixFormat{Format::npy, std::nullopt, ValueType::float64}}) {
      if (kind == RunnerKind::async && format.format == Format::csv) continue;
      CsvLocationReader reader("a,1,2\nb,91.5,2\nc,3,4\n", "bad.csv");
      RecordingOutput output;
      EXPECT_THROW(run_job(reader, nullptr, output, {.executor = kind, .format = format}), InputError)
          << to_string(kind);
      EXPECT_TRUE(output.appends.empty()) << to_string(kind);
    }
  }
}

TEST(WriteMatrix, TheAsyncExecutorStreamsAndStopsAtTheFirstBadRow) {
  const std::vector<Location> before = testing::random_locations(30, 4);
  const std::string csv = testing::to_csv(before) + "Nowhere,91.5,0\n" + testing::to_csv(testing::random_locations(30, 5));
  CsvLocationReader reader(csv, "bad.csv");
  RecordingOutput output;
  EXPECT_THROW(run_job(reader, nullptr, output, {.executor = RunnerKind::async}), InputError);

  CsvLocationReader valid(testing::to_csv(before), "good.csv");
  RecordingOutput reference;
  run_job(valid, nullptr, reference, {.executor = RunnerKind::sequential});
  EXPECT_TRUE(reference.text.starts_with(output.text)) << "only rows of the locations before the bad one";
}

TEST(WriteMatrix, AcceptsZeroAndOneLocation) {
  for (const char* input : {"", "alone,1,2\n"}) {
    for (RunnerKind kind : all_runner_kinds) {
      CsvLocationReader reader(input, "small.csv");
      RecordingOutput output;
      const RunReport report = run_job(reader, nullptr, output, {.executor = kind});
      EXPECT_EQ(report.pair_count, 0u) << to_string(kind);
      EXPECT_EQ(output.text, "") << to_string(kind);
    }
  }
}

TEST(WriteMatrix, WritesTheWorkshopSample) {
  CsvLocationReader reader(
      "ann arbor, 42.279594, -83.732124\n"
      "pleasant grove, 40.364118, -111.738540\n"
      "boston, 42.364758, -71.067421\n",
      "locations.csv");
  RecordingOutput output;
  run_job(reader, nullptr, output, {});
  // The reference values are the exact distances rounded to 16 digits; the
  // kernel is within an ulp or two of the exact value.
  std::vector<double> distances;  // the last field of each row
  std::istringstream rows(output.text);
  for (std::string row; std::getline(rows, row);) distances.push_back(std::stod(row.substr(row.rfind(',') + 1)));
  ASSERT_EQ(distances.size(), 3u) << output.text;
  EXPECT_NEAR(distances[0], 2337.868086809025, 1e-9);
  EXPECT_NEAR(distances[1], 1040.300088008328, 1e-9);
  EXPECT_NEAR(distances[2], 3369.022250836994, 1e-9);
}

TEST(SlowMatrixOutput, PassesEveryWriteThroughAndSkipsEmptyOnes) {
  MemoryMatrixOutput inner;
  SlowMatrixOutput slow(inner, 1us);
  slow.append("");
  slow.append("ab");
  slow.write_at(0, "X");
  slow.commit();
  EXPECT_EQ(inner.bytes(), "Xb");
  EXPECT_TRUE(inner.committed());
}

TEST(SlowLocationReader, YieldsTheReadersLocations) {
  CsvLocationReader reader("a,1,2\nb,3,4\n", "two.csv");
  SlowLocationReader slow(reader, 1us);
  EXPECT_EQ(slow.next(), (Location{"a", 1, 2}));
  EXPECT_EQ(slow.next(), (Location{"b", 3, 4}));
  EXPECT_EQ(slow.next(), std::nullopt);
}

}  // namespace
}  // namespace dm
