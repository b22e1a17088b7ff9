// End-to-end tests of the distance_matrix tool: each runs the real binary
// (DM_CLI_PATH) in a child process and checks its exit code, standard output,
// standard error and the files it leaves behind.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "distance_matrix/input/csv_reader.hpp"
#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/version.hpp"
#include "option_table.hpp"
#include "support/files.hpp"
#include "support/run_tool.hpp"
#include "support/scratch_folder.hpp"
#include "support/run_csv.hpp"

namespace dm {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::write_file;
using testing::entries;
using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;

const fs::path data_dir = DM_DATA_DIR;

/// What the library itself writes for `input`, computed in this process: the
/// tool must write exactly these bytes, whatever the executor.
std::string library_output(const fs::path& input) { return testing::sequential_csv(input); }

/// The rows of data/locations.csv: its three names without the spaces around
/// them, in the original tool's pair order.
const std::string& locations_output() {
  static const std::string text = library_output(data_dir / "locations.csv");
  return text;
}

using Result = testing::ToolResult;

class CliTest : public ::testing::Test {
 protected:
  /// A copy of a data file in the work folder: the tool writes beside its
  /// input by default and must never write into the source tree.
  fs::path copy_data(const std::string& name) {
    const fs::path copy = work_ / name;
    fs::copy_file(data_dir / name, copy);
    return copy;
  }

  /// Runs the tool with `arguments`, standard input from `stdin_path`, and
  /// captures both output streams in files outside the work folder.
  Result run(const std::vector<std::string>& arguments, const fs::path& stdin_path = "/dev/null") {
    return testing::run_tool(arguments, folder_, stdin_path);
  }

  testing::ScratchFolder scratch_{"cli_test"};
  const fs::path& folder_ = scratch_.path();
  const fs::path& work_ = scratch_.work();
};

/// Splits "origin,destination,distance" rows (no quoting in these tests).
std::vector<std::tuple<std::string, std::string, double>> parse_rows(std::string_view text) {
  std::vector<std::tuple<std::string, std::string, double>> rows;
  while (!text.empty()) {
    const std::string_view line = text.substr(0, text.find('\n'));
    text.remove_prefix(std::min(text.size(), line.size() + 1));
    const std::size_t first_comma = line.find(',');
    const std::size_t second_comma = line.find(',', first_comma + 1);
    double distance = 0;
    std::from_chars(line.data() + second_comma + 1, line.data() + line.size(), distance);
    rows.emplace_back(line.substr(0, first_comma),
                      line.substr(first_comma + 1, second_comma - first_comma - 1), distance);
  }
  return rows;
}

TEST_F(CliTest, WritesTheWorkshopSampleWithTrimmedNamesAndReferenceDistances) {
  const Result result = run({(data_dir / "locations.csv").string(), "-o", "-", "--quiet"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const auto rows = parse_rows(result.out);
  ASSERT_EQ(rows.size(), 3u) << result.out;
  // Reference values on the 6371.0088 km sphere (README); the last digit of
  // the shortest round-trip form belongs to the kernel, so compare numerically.
  const std::tuple<const char*, const char*, double> expected[] = {
      {"ann arbor", "pleasant grove", 2337.868086809025},
      {"ann arbor", "boston", 1040.300088008328},
      {"pleasant grove", "boston", 3369.022250836994}};
  for (std::size_t row = 0; row < 3; ++row) {
    EXPECT_EQ(std::get<0>(rows[row]), std::get<0>(expected[row]));
    EXPECT_EQ(std::get<1>(rows[row]), std::get<1>(expected[row]));
    EXPECT_NEAR(std::get<2>(rows[row]), std::get<2>(expected[row]), 1e-9);
  }
}

TEST_F(CliTest, WritesOutputCsvBesideTheInputByDefault) {
  const fs::path input = copy_data("locations.csv");
  const Result result = run({input.string(), "--quiet"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(read_file(work_ / "output.csv"), locations_output());
  EXPECT_THAT(result.out, IsEmpty());
  EXPECT_EQ(entries(work_), (std::set<std::string>{"locations.csv", "output.csv"}));
}

TEST_F(CliTest, WritesTheExactBytesToTheChosenOutput) {
  const fs::path output = folder_ / "distances.csv";
  const Result result = run({(data_dir / "locations.csv").string(), "-o", output.string(), "--quiet"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(read_file(output), locations_output());
}

TEST_F(CliTest, ReplacesAnExistingOutput) {
  const fs::path input = copy_data("locations.csv");
  write_file(work_ / "output.csv", "stale\n");
  const Result result = run({input.string(), "--quiet"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(read_file(work_ / "output.csv"), locations_output());
  EXPECT_EQ(entries(work_), (std::set<std::string>{"locations.csv", "output.csv"}));
}

class EveryExecutorTest : public CliTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(EveryExecutorTest, WritesTheSameBytesWithTheKernel) {
  const std::string kernel = GetParam();
  const std::string input = (data_dir / "many_locations.csv").string();
  const fs::path reference_path = folder_ / "sequential.csv";
  const Result reference =
      run({input, "-e", "sequential", "--kernel", kernel, "-o", reference_path.string(), "--quiet"});
  ASSERT_EQ(reference.exit_code, 0) << reference.err;
  const std::string expected = read_file(reference_path);
  EXPECT_EQ(std::count(expected.begin(), expected.end(), '\n'), 250 * 249 / 2);

  // A thread per pair (the threads executor's default) would take a second
  // here; the defaults get their own test on a small file.
  const std::vector<std::vector<std::string>> variants = {
      {"-e", "threads", "--chunk-size", "100"},
      {"-e", "pool"},
      {"-e", "pool", "--workers", "3", "--chunk-size", "7"},
      {"-e", "processes"},
      {"-e", "processes", "--workers", "3", "--chunk-size", "1000"},
      {"-e", "async"},
      {"-e", "parallel"},
      {"-e", "parallel", "--workers", "1", "--chunk-size", "1"},
      {"-r", "asyncio"},
      {"-r", "standard"},
      {}};
  for (const std::vector<std::string>& variant : variants) {
    const fs::path output = folder_ / "variant.csv";
    std::vector<std::string> arguments = {input, "-o", output.string(), "--quiet", "--kernel", kernel};
    arguments.insert(arguments.end(), variant.begin(), variant.end());
    const Result result = run(arguments);
    const std::string label = kernel + ' ' + ::testing::PrintToString(variant);
    EXPECT_EQ(result.exit_code, 0) << label << ": " << result.err;
    EXPECT_TRUE(read_file(output) == expected) << label << " wrote different bytes";
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, EveryExecutorTest, ::testing::Values("simd", "scalar"));

TEST_F(CliTest, SimdAndScalarKernelsAgreeWithinTheContractAndTheReportNamesThem) {
  const std::string input = (data_dir / "many_locations.csv").string();
  const Result simd = run({input, "--kernel", "simd", "-o", "-"});
  const Result scalar = run({input, "--kernel", "scalar", "-o", "-"});
  ASSERT_EQ(simd.exit_code, 0) << simd.err;
  ASSERT_EQ(scalar.exit_code, 0) << scalar.err;
  EXPECT_THAT(simd.err, HasSubstr(", simd " + std::string(simd_target_name()) + ")\n"));
  EXPECT_THAT(scalar.err, HasSubstr(", scalar)\n"));
  const auto simd_rows = parse_rows(simd.out);
  const auto scalar_rows = parse_rows(scalar.out);
  ASSERT_EQ(simd_rows.size(), scalar_rows.size());
  ASSERT_EQ(simd_rows.size(), 250u * 249u / 2);
  for (std::size_t row = 0; row < simd_rows.size(); ++row) {
    EXPECT_EQ(std::get<1>(simd_rows[row]), std::get<1>(scalar_rows[row]));
    EXPECT_NEAR(std::get<2>(simd_rows[row]), std::get<2>(scalar_rows[row]), 1e-9) << "row " << row;
  }
}

TEST_F(CliTest, EveryExecutorWithItsDefaultsWritesWhatTheLibraryWrites) {
  const fs::path input = data_dir / "five_locations.csv";
  const std::string expected = library_output(input);
  for (const RunnerKind executor : all_runner_kinds) {
    const std::string name(to_string(executor));
    const Result result = run({input.string(), "-e", name, "-o", "-", "--quiet"});
    EXPECT_EQ(result.exit_code, 0) << name << ": " << result.err;
    EXPECT_EQ(result.out, expected) << name;
  }
}

TEST_F(CliTest, SimulatedLatencyChangesNothingInTheOutput) {
  const std::string input = (data_dir / "locations.csv").string();
  for (const char* executor : {"sequential", "async"}) {
    const Result result = run({input, "-e", executor, "--io-latency", "1ms", "-o", "-", "--quiet"});
    EXPECT_EQ(result.exit_code, 0) << executor << ": " << result.err;
    EXPECT_EQ(result.out, locations_output()) << executor;
  }
}

TEST_F(CliTest, DashWritesToStandardOutput) {
  const fs::path input = copy_data("locations.csv");
  const Result result = run({input.string(), "-o", "-", "--quiet"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, locations_output());
  EXPECT_EQ(entries(work_), std::set<std::string>{"locations.csv"}) << "no output.csv";
}

TEST_F(CliTest, StandardInputIsReadWithDashAndWrittenToStandardOutput) {
  const Result result = run({"-", "--quiet"}, data_dir / "locations.csv");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, locations_output());
}

TEST_F(CliTest, ADeviceIsWrittenStraightThrough) {
  const Result result = run({(data_dir / "locations.csv").string(), "-o", "/dev/null", "--quiet"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

TEST_F(CliTest, PrintsTimingsOnStandardError) {
  const fs::path input = copy_data("locations.csv");
  const Result result = run({input.string(), "-e", "pool", "--workers", "2", "--chunk-size", "1"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, IsEmpty());
  const std::string number = "[0-9]+\\.[0-9]{3} s";
  EXPECT_THAT(result.err, ContainsRegex("read +" + number + " +3 locations\n"));
  EXPECT_THAT(result.err,
              ContainsRegex("calculation +" + number + " +3 pairs \\(pool, 2 workers, chunk 1, simd " +
                            std::string(simd_target_name()) + "\\)\n"));
  EXPECT_THAT(result.err, ContainsRegex("write +" + number + " +-> .*output\\.csv\n"));
  EXPECT_THAT(result.err, ContainsRegex("total +" + number + "\n"));
}

TEST_F(CliTest, QuietPrintsNothingOnStandardError) {
  const fs::path input = copy_data("locations.csv");
  const Result result = run({input.string(), "--quiet"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.err, IsEmpty());
  EXPECT_THAT(result.out, IsEmpty());
}

TEST_F(CliTest, UnitMetricAndRadiusChangeTheDistances) {
  const std::string input = (data_dir / "locations.csv").string();
  const Result meters = run({input, "--unit", "m", "-o", "-", "--quiet"});
  EXPECT_EQ(meters.exit_code, 0) << meters.err;
  EXPECT_THAT(meters.out, StartsWith("ann arbor,pleasant grove,2337868.08680"));

  const Result flat = run({input, "--metric", "equirectangular", "--radius", "6371", "-o", "-", "--quiet"});
  EXPECT_EQ(flat.exit_code, 0) << flat.err;
  EXPECT_THAT(flat.out, StartsWith("ann arbor,pleasant grove,23"));
  EXPECT_NE(flat.out, locations_output());
}

class InvalidInputTest : public CliTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(InvalidInputTest, ExitsWith3ReportsEveryBadLineAndLeavesTheOutputAlone) {
  const fs::path input = work_ / "bad.csv";
  write_file(input,
             "ann arbor, 42.279594, -83.732124\n"
             "north pole,91.5,0\n"
             "boston, 42.364758, -71.067421\n"
             "nowhere,1\n");
  write_file(work_ / "output.csv", "previous result\n");
  const Result result = run({input.string(), "-e", GetParam()});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_THAT(result.err, AllOf(HasSubstr("bad.csv:2: "), HasSubstr("bad.csv:4: ")));
  EXPECT_THAT(result.err, Not(HasSubstr("bad.csv:1:")));
  EXPECT_THAT(result.err, Not(HasSubstr("total"))) << "no timings after a failure";
  EXPECT_EQ(read_file(work_ / "output.csv"), "previous result\n");
  EXPECT_EQ(entries(work_), (std::set<std::string>{"bad.csv", "output.csv"})) << "no temporary left";
}

INSTANTIATE_TEST_SUITE_P(SomeExecutors, InvalidInputTest,
                         ::testing::Values("sequential", "parallel", "async"));

TEST_F(CliTest, AMissingInputIsAnIoError) {
  const fs::path input = work_ / "missing.csv";
  const Result result = run({input.string()});
  EXPECT_EQ(result.exit_code, 4);
  EXPECT_THAT(result.err, AllOf(StartsWith("distance_matrix: "), HasSubstr(input.string())));
  EXPECT_TRUE(entries(work_).empty());
}

TEST_F(CliTest, AMissingOutputFolderIsAnIoError) {
  const fs::path output = work_ / "out" / "x.csv";
  const Result result = run({(data_dir / "locations.csv").string(), "-o", output.string()});
  EXPECT_EQ(result.exit_code, 4);
  EXPECT_EQ(result.err,
            "distance_matrix: cannot write '" + output.string() + "': No such file or directory\n");
}

using Arguments = std::vector<std::string>;

class UsageErrorTest : public CliTest, public ::testing::WithParamInterface<Arguments> {};

TEST_P(UsageErrorTest, ExitsWith2AndAHint) {
  Arguments arguments = GetParam();
  for (std::string& argument : arguments) {
    if (argument == "INPUT") argument = (data_dir / "locations.csv").string();
  }
  arguments.insert(arguments.end(), {"-o", (work_ / "never.csv").string()});
  const Result result = run(arguments);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_THAT(result.err, MatchesRegex("distance_matrix: [^\n]+\nRun with --help for more information\\.\n"));
  EXPECT_THAT(result.out, IsEmpty());
  EXPECT_TRUE(entries(work_).empty());
}

// "INPUT" stands for data/locations.csv.
INSTANTIATE_TEST_SUITE_P(
    BadArguments, UsageErrorTest,
    ::testing::Values(Arguments{}, Arguments{"INPUT", "--bogus"}, Arguments{"INPUT", "INPUT"},
                      Arguments{"INPUT", "-e", "fibers"}, Arguments{"INPUT", "-r", "trio"},
                      Arguments{"INPUT", "-r", "asyncio", "-e", "pool"},
                      Arguments{"INPUT", "-r", "standard", "-e", "async"},
                      Arguments{"INPUT", "--workers", "0"}, Arguments{"INPUT", "--workers", "-2"},
                      Arguments{"INPUT", "--workers", "two"}, Arguments{"INPUT", "--workers", "4294967297"},
                      Arguments{"INPUT", "--workers", "1025"}, Arguments{"INPUT", "--chunk-size", "0"},
                      Arguments{"INPUT", "--chunk-size", "-3"}, Arguments{"INPUT", "--io-latency", "500"},
                      Arguments{"INPUT", "--io-latency", "-1s"}, Arguments{"INPUT", "--metric", "manhattan"},
                      Arguments{"INPUT", "--unit", "furlong"}, Arguments{"INPUT", "--radius", "0"},
                      Arguments{"INPUT", "--radius", "inf"}, Arguments{"INPUT", "--radius", "nan"},
                      Arguments{"INPUT", "--workers"}, Arguments{"INPUT", "--kernel", "avx512"}));

TEST_F(CliTest, AsyncioRunnerAgreesWithTheAsyncExecutor) {
  const Result result =
      run({(data_dir / "locations.csv").string(), "-r", "asyncio", "-e", "async", "-o", "-"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, locations_output());
  EXPECT_THAT(result.err, HasSubstr("(async, "));
}

TEST_F(CliTest, VersionPrintsTheVersion) {
  const Result result = run({"--version"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, std::string("distance_matrix ") + dm::version + "\n");
  EXPECT_THAT(result.err, IsEmpty());
}

/// The names of the options --help lists: the first word of each line that
/// starts an option ("  -o,--output PATH ...", "  INPUT PATH REQUIRED ...").
std::set<std::string> options_listed_by(const std::string& help) {
  std::set<std::string> names;
  std::istringstream lines(help);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("  -", 0) == 0 || line.rfind("  INPUT ", 0) == 0) names.insert(line.substr(2, line.find(' ', 2) - 2));
  }
  return names;
}

TEST_F(CliTest, HelpDocumentsEveryOptionOfTheTableWithItsChoicesAndTheExitCodes) {
  const Result result = run({"--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.err, IsEmpty());
  // apps/option_table.hpp is what the parser registers: each of its options
  // is in --help, none is missing from it, and each that takes a name shows
  // every name the parser accepts.
  std::set<std::string> expected;
  for (const cli::OptionSpelling& spelling : cli::command_line_options) {
    const std::string flags = cli::flags_of(spelling.option);
    expected.insert(flags);
    if (spelling.choices == nullptr) continue;
    std::string names;
    for (const std::string& name : spelling.choices()) names += (names.empty() ? "" : ",") + name;
    EXPECT_THAT(result.out, HasSubstr("\n  " + flags + " NAME:{" + names + "}"));
  }
  EXPECT_EQ(options_listed_by(result.out), expected);
  // Each code with its meaning, as README.md's table of exit codes gives them.
  for (const char* code : {"\n  0  success\n", "\n  1  the computation failed", "\n  2  bad command-line arguments\n",
                           "\n  3  invalid input", "\n  4  a file could not be read or written\n",
                           "\n  128+N  killed by signal N\n"}) {
    EXPECT_THAT(result.out, HasSubstr(code));
  }
}

}  // namespace
}  // namespace dm
