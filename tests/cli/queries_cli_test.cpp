// --summary and --nearest through the real tool: the rows, the same bytes
// from each executor that answers them, and one clear usage error (exit 2,
// nothing written) for every combination that means nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/random_locations.hpp"
#include "support/run_tool.hpp"
#include "support/scratch_folder.hpp"

namespace dm {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::read_whole_file;

class QueriesCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(folder / "in.csv") << testing::to_csv(testing::random_locations(300, 9));
    std::ofstream(folder / "to.csv") << "name,latitude,longitude\n" << testing::to_csv(testing::random_locations(40, 10));
  }
  testing::ToolResult run(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), path("in.csv"));
    return testing::run_tool(arguments, scratch.path());
  }
  std::string path(const std::string& name) const { return (folder / name).string(); }

  testing::ScratchFolder scratch{"queries_cli_test"};
  const fs::path& folder = scratch.work();
};

TEST_F(QueriesCliTest, EveryExecutorThatAnswersWritesTheSameBytes) {
  const std::vector<std::vector<std::string>> queries{
      {"--summary"}, {"--nearest", "5"}, {"--within", "1500km"}, {"--nearest", "5", "--within", "1500km"}};
  for (const std::vector<std::string>& query : queries) {
    for (const bool to : {false, true}) {
      std::string expected;
      for (const std::string executor : {"sequential", "threads", "pool", "processes", "parallel"}) {
        if (query[0] != "--summary" && executor != "sequential" && executor != "parallel") continue;
        std::vector<std::string> arguments{"-e", executor, "-q", "-o", path("out.csv")};
        arguments.insert(arguments.end(), query.begin(), query.end());
        if (to) arguments.insert(arguments.end(), {"--to", path("to.csv")});
        const testing::ToolResult result = run(arguments);
        ASSERT_EQ(result.exit_code, 0) << result.err;
        const std::string written = read_whole_file(folder / "out.csv");
        if (expected.empty()) {
          expected = written;
          const std::size_t rows = static_cast<std::size_t>(std::count(written.begin(), written.end(), '\n'));
          if (query.size() == 1 && query[0] == "--summary") {
            EXPECT_EQ(rows, 301u);
            EXPECT_THAT(written, StartsWith("name,count,min,nearest,max,farthest,mean,sd\n"));
          } else if (query.size() == 2 && query[0] == "--nearest") {
            EXPECT_EQ(rows, 300u * 5 + 1);
            EXPECT_THAT(written, StartsWith("origin,destination,distance,rank\n"));
          } else if (query[0] == "--within") {
            EXPECT_GT(rows, 100u);
            EXPECT_THAT(written, StartsWith("origin,destination,distance\n"));
          } else {
            EXPECT_GT(rows, 100u);
            EXPECT_LT(rows, 300u * 5 + 1) << "some of the 5 nearest are farther than 1500 km";
          }
        }
        EXPECT_EQ(written, expected) << query[0] << " -e " << executor << (to ? " --to" : "");
      }
    }
  }
}

TEST_F(QueriesCliTest, MeaninglessCombinationsAreUsageErrors) {
  struct Refusal {
    std::vector<std::string> arguments;
    std::string says;
  };
  const std::vector<Refusal> refusals{
      {{"--nearest", "0"}, "K is a whole number of at least 1"},
      {{"--nearest", "-3"}, "K is a whole number of at least 1"},
      {{"--nearest", "two"}, "K is a whole number of at least 1"},
      {{"--summary", "--nearest", "2"}, "--summary and --nearest cannot be combined"},
      {{"--summary", "--layout", "square"}, "--layout shapes the full matrix"},
      {{"--nearest", "3", "--layout", "pairs"}, "--layout shapes the full matrix"},
      {{"--summary", "--dtype", "float32"}, "--dtype is for NumPy outputs"},
      {{"--nearest", "3", "--dtype", "float32"}, "--dtype is for NumPy outputs"},
      {{"--summary", "-e", "async"}, "--summary runs with -e sequential, threads, pool, processes or parallel"},
      {{"--nearest", "3", "-e", "pool"}, "--nearest runs with -e sequential or parallel"},
      {{"--nearest", "3", "-r", "asyncio"}, "--nearest runs with -e sequential or parallel"},
      {{"--nearest", "3", "--metric", "equirectangular"}, "--nearest needs --metric haversine"},
      {{"--summary", "--io-latency", "1ms"}, "cannot be combined with --summary"},
      {{"--summary", "-e", "mpi", "--partitioned"}, "drop --partitioned"},
      {{"--within", "-1"}, "is not a distance"},
      {{"--within", "10furlongs"}, "is not a distance"},
      {{"--within", "nan"}, "is not a distance"},
      {{"--within", "inf"}, "is not a distance"},
      {{"--within", "km"}, "is not a distance"},
      {{"--summary", "--within", "5"}, "--summary and --within cannot be combined"},
      {{"--within", "5", "-e", "pool"}, "--within runs with -e sequential or parallel"},
      {{"--within", "5", "--metric", "equirectangular"}, "--within needs --metric haversine"},
  };
  for (const Refusal& refusal : refusals) {
    std::vector<std::string> arguments = refusal.arguments;
    arguments.insert(arguments.end(), {"-o", path("out.csv")});
    const testing::ToolResult result = run(arguments);
    const std::string label = ::testing::PrintToString(refusal.arguments);
    EXPECT_EQ(result.exit_code, 2) << label << ": " << result.err;
    EXPECT_THAT(result.err, StartsWith("distance_matrix: ")) << label;
    EXPECT_THAT(result.err.substr(0, result.err.find('\n')), HasSubstr(refusal.says)) << label << ": " << result.err;
    EXPECT_FALSE(fs::exists(folder / "out.csv")) << label << ": nothing is written";
  }
}

TEST_F(QueriesCliTest, WithinTakesADistanceInTheUnitOrWithItsOwn) {
  std::string expected;
  for (const std::vector<std::string>& within : std::vector<std::vector<std::string>>{
           {"--within", "800"}, {"--within", "800km"}, {"--within", "800000m"}, {"--within", "800000", "--unit", "m"}}) {
    std::vector<std::string> arguments{"-q", "-o", path("out.csv")};
    arguments.insert(arguments.end(), within.begin(), within.end());
    const testing::ToolResult result = run(arguments);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    // Count the pairs: the distances of --unit m are in metres.
    const std::string written = read_whole_file(folder / "out.csv");
    const std::string pairs = std::to_string(std::count(written.begin(), written.end(), '\n'));
    if (expected.empty()) expected = pairs;
    EXPECT_EQ(pairs, expected) << ::testing::PrintToString(within);
  }
  EXPECT_GT(std::stoi(expected), 10);
}

TEST_F(QueriesCliTest, HelpStatesTheRules) {
  const testing::ToolResult result = testing::run_tool({"--help"}, scratch.path());
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("a location is never its own neighbour"));
  EXPECT_THAT(result.out, HasSubstr("--summary"));
  EXPECT_THAT(result.out, HasSubstr("--nearest"));
  EXPECT_THAT(result.out, HasSubstr("--within"));
}

}  // namespace
}  // namespace dm
