// `distance_matrix bench` end to end: runs the real tool on a small input and
// checks its table and both report files, the JSON with Python's json module
// and the SVG with Python's XML parser (independent parsers).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

struct Output {
  int exit_code = -1;
  std::string text;  ///< standard output and standard error together
};

/// Runs a shell command (only fixed text and paths made here) and captures its output.
Output capture(const std::string& command) {
  Output output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[4096];
  std::size_t read = 0;
  while ((read = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.text.append(buffer, read);
  const int status = ::pclose(pipe);
  if (WIFEXITED(status)) output.exit_code = WEXITSTATUS(status);
  return output;
}

class BenchCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "bench_command_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    folder_ = pattern;
  }
  void TearDown() override { fs::remove_all(folder_); }
  fs::path folder_;
};

TEST_F(BenchCommandTest, PrintsTheTableAndWritesAJsonAndAnSvgReport) {
  const fs::path report = folder_ / "report";
  const Output run = capture(std::string(DM_CLI_PATH) + " bench " + DM_DATA_DIR + "/five_locations.csv --repeat 2 --report " +
                             report.string());
  ASSERT_EQ(run.exit_code, 0) << run.text;
  EXPECT_THAT(run.text, HasSubstr("5 locations, 10 pairs, median of 2"));
  EXPECT_THAT(run.text, ::testing::ContainsRegex("executor +metric +kernel +workers +chunk +median ms +pairs/s +speed-up"));
  EXPECT_THAT(run.text,
              ::testing::ContainsRegex("\nsequential +haversine +scalar +1 +auto +[0-9.]+ +[0-9.]+ [kMG ]?p +1\\.0x\n"));
  for (const char* executor : {"sequential", "threads", "pool", "processes", "parallel", "async"}) {
    for (const char* kernel : {"scalar", "simd"}) {
      EXPECT_THAT(run.text, ::testing::ContainsRegex(std::string("\n") + executor + " +haversine +" + kernel + " "))
          << executor << ' ' << kernel;
    }
  }
  for (const char* executor : {"sequential", "parallel"}) {
    for (const char* kernel : {"scalar", "simd"}) {
      EXPECT_THAT(run.text, ::testing::ContainsRegex(std::string("\n") + executor + " +geodesic +" + kernel + " "))
          << executor << " geodesic " << kernel;
    }
  }
  EXPECT_THAT(run.text, ::testing::Not(HasSubstr("DIFFERENT")));

  // The JSON, read back by a real parser: one entry per row of the table,
  // every executor with both kernels, every result identical.
  const Output json = capture(
      "python3 -c 'import json, math, sys\n"
      "d = json.load(open(sys.argv[1]))\n"
      "r = d[\"results\"]\n"
      "print(d[\"locations\"], d[\"pairs\"], d[\"all_identical\"], d[\"simd_scalar_max_difference_km\"] <= 1e-9,"
      " d[\"geodesic_simd_scalar_max_difference_km\"] <= 1e-9)\n"
      "print(sorted({(x[\"executor\"], x[\"kernel\"]) for x in r if x[\"metric\"] == \"haversine\"}))\n"
      "print(sorted({(x[\"executor\"], x[\"kernel\"]) for x in r if x[\"metric\"] == \"geodesic\"}))\n"
      "close = lambda a, b: math.isclose(a, b, rel_tol=1e-8)\n"
      "print(all(len(x[\"seconds\"]) == 2 and close(x[\"median_seconds\"], sum(x[\"seconds\"]) / 2)"
      " and close(x[\"pairs_per_second\"] * x[\"median_seconds\"], d[\"pairs\"])"
      " and x[\"identical\"] for x in r), r[0][\"executor\"], r[0][\"kernel\"], float(r[0][\"speedup_over_sequential_scalar\"]))\n' " +
      (report / "bench.json").string());
  ASSERT_EQ(json.exit_code, 0) << json.text;
  EXPECT_EQ(json.text,
            "5 10 True True True\n"
            "[('async', 'scalar'), ('async', 'simd'), ('parallel', 'scalar'), ('parallel', 'simd'), "
            "('pool', 'scalar'), ('pool', 'simd'), ('processes', 'scalar'), ('processes', 'simd'), "
            "('sequential', 'scalar'), ('sequential', 'simd'), ('threads', 'scalar'), ('threads', 'simd')]\n"
            "[('parallel', 'scalar'), ('parallel', 'simd'), ('sequential', 'scalar'), ('sequential', 'simd')]\n"
            "True sequential scalar 1.0\n");

  // The SVG, read back as XML: one bar per result, labelled.
  const Output svg = capture(
      "python3 -c 'import sys, xml.etree.ElementTree as E\n"
      "root = E.parse(sys.argv[1]).getroot()\n"
      "n = \"{http://www.w3.org/2000/svg}\"\n"
      "bars = [r for r in root.iter(n + \"rect\") if r.get(\"fill\") in (\"#1f77b4\", \"#ff7f0e\")]\n"
      "texts = [t.text for t in root.iter(n + \"text\")]\n"
      "print(root.tag == n + \"svg\", len(bars) - 2, any(\"sequential  scalar\" in t for t in texts))\n' " +
      (report / "bench.svg").string());
  ASSERT_EQ(svg.exit_code, 0) << svg.text;
  const Output rows = capture("python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))[\"results\"]))' " +
                              (report / "bench.json").string());
  EXPECT_EQ(svg.text, "True " + rows.text.substr(0, rows.text.size() - 1) + " True\n");
}

TEST_F(BenchCommandTest, RefusesABadRepeatCountWithExitCode2) {
  const Output run = capture(std::string(DM_CLI_PATH) + " bench " + DM_DATA_DIR + "/five_locations.csv --repeat 0");
  EXPECT_EQ(run.exit_code, 2) << run.text;
  EXPECT_THAT(run.text, HasSubstr("distance_matrix bench: "));
}

// Issue 18.10: the report folder is checked before the benchmark, not after
// it: the table's header never appears, no case is measured.
TEST_F(BenchCommandTest, AReportFolderThatCannotBeWrittenIsRefusedBeforeMeasuring) {
  std::ofstream(folder_ / "plain_file") << "not a folder\n";
  for (const fs::path& report : {folder_ / "plain_file" / "report", folder_ / "plain_file"}) {
    const Output run = capture(std::string(DM_CLI_PATH) + " bench " + DM_DATA_DIR +
                               "/five_locations.csv --repeat 1 --report " + report.string());
    EXPECT_EQ(run.exit_code, 4) << run.text;
    EXPECT_THAT(run.text, HasSubstr("distance_matrix: cannot ")) << report;
    EXPECT_THAT(run.text, Not(HasSubstr("locations, "))) << "measured before refusing: " << run.text;
  }
}

TEST_F(BenchCommandTest, AMissingInputIsAnIoError) {
  const Output run = capture(std::string(DM_CLI_PATH) + " bench " + (folder_ / "missing.csv").string());
  EXPECT_EQ(run.exit_code, 4) << run.text;
}

}  // namespace
