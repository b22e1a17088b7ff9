// The progress line, seen the way a user sees it: stderr on a real
// pseudo-terminal (script(1) from bsdutils), in a file, or silenced.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/random_locations.hpp"
#include "support/run_tool.hpp"

namespace dm {
namespace {

namespace fs = std::filesystem;
using ::testing::ContainsRegex;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* erase_line = "\r\033[K";

class ProgressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "progress_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    folder = pattern;
    // 60 locations, 1,770 distances at 1 ms of simulated latency each: a run
    // of about two seconds, long enough for the line to appear.
    std::ofstream(folder / "sixty.csv") << testing::to_csv(testing::random_locations(60, 9));
    std::ofstream(folder / "three.csv") << testing::to_csv(testing::random_locations(3, 9));
  }
  void TearDown() override { fs::remove_all(folder); }

  /// Everything the tool printed on a pseudo-terminal (stdout and stderr both).
  std::string on_terminal(const std::string& arguments) {
    const std::string command = std::string("script -qefc \"") + DM_CLI_PATH + ' ' + arguments + "\" /dev/null";
    std::string output;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return output;
    char buffer[4096];
    std::size_t count = 0;
    while ((count = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, count);
    EXPECT_EQ(::pclose(pipe), 0) << output;
    return output;
  }

  std::string slow_run() const {
    return (folder / "sixty.csv").string() + " -e sequential --io-latency 1ms -o " + (folder / "out.csv").string();
  }

  fs::path folder;
};

TEST_F(ProgressTest, IsRedrawnInPlaceOnATerminalAndErasedAtTheEnd) {
  const std::string screen = on_terminal(slow_run());
  // Redrawn: carriage return, the line, erase to the end of the line.
  EXPECT_THAT(screen, ContainsRegex("\r[0-9,]+ of 1,770 distances \\([0-9]+%\\), [0-9.]+( k)?/s, [0-9.]+ s left\033\\[K"));
  // Erased before the timings: nothing of it is left on the screen.
  const std::size_t timings = screen.find("read ");
  ASSERT_NE(timings, std::string::npos) << screen;
  EXPECT_THAT(screen.substr(0, timings), EndsWith(erase_line));
  EXPECT_THAT(screen.substr(timings), Not(HasSubstr("distances (")));
  // At most a few redraws a second, not one per distance written (1,770
  // calls): even a run slowed down twelvefold stays under the bound.
  std::size_t draws = 0;
  for (std::size_t at = screen.find(" distances ("); at != std::string::npos; at = screen.find(" distances (", at + 1)) ++draws;
  EXPECT_GE(draws, 1u);
  EXPECT_LE(draws, 100u);
}

TEST_F(ProgressTest, QuietSilencesItOnATerminal) {
  EXPECT_THAT(on_terminal(slow_run() + " --quiet"), Not(HasSubstr("distances")));
}

TEST_F(ProgressTest, ShortRunsShowNothing) {
  const std::string screen =
      on_terminal((folder / "three.csv").string() + " -o " + (folder / "out.csv").string());
  EXPECT_THAT(screen, Not(HasSubstr("distances (")));
  EXPECT_THAT(screen, HasSubstr("read "));
}

TEST_F(ProgressTest, IsSilentWhenStderrIsNotATerminal) {
  const testing::ToolResult result =
      testing::run_tool({(folder / "sixty.csv").string(), "-e", "sequential", "--io-latency", "1ms", "-o",
                                 (folder / "out.csv").string()},
                        folder);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.err, Not(HasSubstr("distances (")));
  EXPECT_THAT(result.err, HasSubstr("read "));
}

TEST_F(ProgressTest, ProgressForcesPlainLinesIntoALogFile) {
  const testing::ToolResult result =
      testing::run_tool({(folder / "sixty.csv").string(), "-e", "sequential", "--io-latency", "1ms", "-o",
                                 (folder / "out.csv").string(), "--progress", "--quiet"},
                        folder);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.err, ContainsRegex("^[0-9,]+ of 1,770 distances \\([0-9]+%\\), [^\n]* left\n"));
  EXPECT_THAT(result.err, Not(HasSubstr("\033")));
  EXPECT_THAT(result.err, Not(HasSubstr("\r")));
}

// Issue 18.15: the streaming -e async path (CSV pairs) reports through the
// same callback; its total is unknown until the input ends, so the line
// counts distances and the rate, without a percentage or a time left.
TEST_F(ProgressTest, AsyncStreamingShowsTheLineToo) {
  const testing::ToolResult result =
      testing::run_tool({(folder / "sixty.csv").string(), "-e", "async", "--io-latency", "1ms", "-o",
                         (folder / "out.csv").string(), "--progress", "--quiet"},
                        folder);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.err, ContainsRegex("^[0-9,]+ distances, [0-9.]+( k)?/s\n"));
  EXPECT_THAT(result.err, Not(HasSubstr(" left")));
}

// Issue 18.16: with -o - on the terminal the line is on, every data row
// starts on a clean line: each drawn line ("...\033[K") is followed by a
// carriage return (its redraw or its erasure), never by data.
TEST_F(ProgressTest, IsErasedBeforeDataGoesToTheSameTerminal) {
  for (const char* executor : {"sequential", "async"}) {
    SCOPED_TRACE(executor);
    const std::string screen =
        on_terminal((folder / "sixty.csv").string() + " -e " + executor + " --io-latency 1ms -o -");
    ASSERT_THAT(screen, HasSubstr(" distances")) << "the line was never drawn";
    EXPECT_THAT(screen, HasSubstr("\n"));  // data rows reached the screen
    // A draw is "\r<text>\033[K"; an erasure "\r\033[K" has no text.
    EXPECT_THAT(screen, Not(ContainsRegex("\r[^\r\033]+\033\\[K[^\r]"))) << screen;
  }
}

}  // namespace
}  // namespace dm
