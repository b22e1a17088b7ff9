// The progress line, seen the way a user sees it: stderr on a real
// pseudo-terminal (script(1) from bsdutils), in a file, or silenced.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "distance_matrix/output/matrix_output.hpp"
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
// starts on a clean line: each drawn line ("\r<text>\033[K") is followed by
// a carriage return (its redraw or its erasure), never by data. The output
// must outgrow the output buffer (FileMatrixOutput::default_buffer_bytes)
// so that rows reach the screen while the line is drawn: 320 locations,
// 51,040 distances, about 1.5 MB, at the smallest latency that lasts > 1 s.
TEST_F(ProgressTest, IsErasedBeforeDataGoesToTheSameTerminal) {
  std::ofstream(folder / "many.csv") << testing::to_csv(testing::random_locations(320, 9));
  const std::string screen =
      on_terminal((folder / "many.csv").string() + " -e sequential --io-latency 1us -o -");
  ASSERT_GT(screen.size(), FileMatrixOutput::default_buffer_bytes) << "no row reached the screen during the run";
  ASSERT_THAT(screen, HasSubstr(" distances (")) << "the line was never drawn";
  // An erasure "\r\033[K" has no text between; a draw does.
  std::size_t drawn_then_data = 0;
  for (std::size_t at = screen.find("\033[K"); at != std::string::npos; at = screen.find("\033[K", at + 1)) {
    const bool after_text = at > 0 && screen[at - 1] != '\r';
    const std::size_t next = at + 3;
    if (after_text && next < screen.size() && screen[next] != '\r') ++drawn_then_data;
  }
  EXPECT_EQ(drawn_then_data, 0u);
}

// Issue 18.16: Ctrl-C while the line is on the terminal. The tool's standard
// error is a pseudo-terminal the test reads; once the line is drawn (seen,
// not waited for) the test sends SIGINT, and the last bytes on the screen
// must erase it.
TEST_F(ProgressTest, ASignalErasesTheLineBeforeTheToolDies) {
  const int terminal = ::posix_openpt(O_RDWR | O_NOCTTY);
  ASSERT_GE(terminal, 0);
  ASSERT_EQ(::grantpt(terminal), 0);
  ASSERT_EQ(::unlockpt(terminal), 0);
  const std::string screen_path = ::ptsname(terminal);
  const std::string input = (folder / "sixty.csv").string();
  const std::string output = (folder / "out.csv").string();
  const pid_t child = ::fork();
  if (child == 0) {
    const int screen = ::open(screen_path.c_str(), O_RDWR | O_NOCTTY);
    if (screen < 0 || ::dup2(screen, STDERR_FILENO) < 0) ::_exit(127);
    // 5 ms per distance: about nine seconds, long past the moment of the signal.
    ::execl(DM_CLI_PATH, DM_CLI_PATH, input.c_str(), "-e", "sequential", "--io-latency", "5ms", "-o",
            output.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_GT(child, 0);
  std::string screen;
  char buffer[4096];
  bool signalled = false;
  for (ssize_t count = 0; (count = ::read(terminal, buffer, sizeof buffer)) > 0;) {
    screen.append(buffer, static_cast<std::size_t>(count));
    if (!signalled && screen.find(" left\033[K") != std::string::npos) {
      ASSERT_EQ(::kill(child, SIGINT), 0);
      signalled = true;
    }
  }  // read() fails with EIO once the tool has died and closed the terminal
  ::close(terminal);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(signalled) << screen;
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) << status;
  EXPECT_THAT(screen, EndsWith(erase_line));
  EXPECT_FALSE(fs::exists(folder / "out.csv"));
}

}  // namespace
}  // namespace dm
