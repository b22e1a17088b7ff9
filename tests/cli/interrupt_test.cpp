// End-to-end tests of what the tool does when it is interrupted or limited:
// signals, `timeout`, the file size limit, a stream whose input turns out to
// be invalid, too large a radius, more workers than cores, a closed or broken
// standard error. Each runs the real binary (DM_CLI_PATH) in a child process
// with default signal dispositions and checks how it ended and the files it
// left behind.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "distance_matrix/run/runner_kind.hpp"
#include "distance_matrix/input/csv_reader.hpp"
#include "support/files.hpp"
#include "support/run_csv.hpp"

namespace dm {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::write_file;
using testing::entries;
using Clock = std::chrono::steady_clock;

const fs::path data_dir = DM_DATA_DIR;

/// Generous bound for a process to end once told to: a hang guard, not a
/// speed check (sanitizer builds on a loaded machine are slow).
constexpr std::chrono::seconds patience{60};

bool has_temporary(const fs::path& folder) {
  for (const std::string& name : entries(folder)) {
    if (name.find(".tmp.") != std::string::npos) return true;
  }
  return false;
}

/// `count` valid locations spread over the globe, deterministic.
std::string many_locations(std::size_t count) {
  std::string text;
  for (std::size_t index = 0; index < count; ++index) {
    const double latitude = -89.0 + static_cast<double>((index * 37) % 179);
    const double longitude = -179.0 + static_cast<double>((index * 101) % 359);
    text += "place" + std::to_string(index) + ',' + std::to_string(latitude) + ',' + std::to_string(longitude) + '\n';
  }
  return text;
}

/// How the child's standard streams and limits are set up.
struct Launch {
  explicit Launch(std::vector<std::string> arguments_after_program, std::string program_name = DM_CLI_PATH)
      : arguments(std::move(arguments_after_program)), program(std::move(program_name)) {}

  std::vector<std::string> arguments;
  std::string program;
  int stdout_descriptor = -1;  ///< -1: a file in the scratch folder; -2: closed
  int stderr_descriptor = -1;  ///< -1: a file in the scratch folder; -2: closed
  std::optional<rlim_t> file_size_limit;
};

class InterruptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "interrupt_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    scratch_ = pattern;
    work_ = scratch_ / "work";
    fs::create_directory(work_);
    write_file(work_ / "out.csv", "earlier output\n");
  }
  void TearDown() override { fs::remove_all(scratch_); }

  /// Starts the tool in the work folder with every signal at its default
  /// action and none blocked, whatever this test process inherited (a
  /// background job's SIGINT is ignored, and the tool honours that).
  pid_t start(const Launch& launch) {
    const fs::path out_path = scratch_ / "stdout";
    const fs::path err_path = scratch_ / "stderr";
    std::vector<std::string> copies{launch.program};
    copies.insert(copies.end(), launch.arguments.begin(), launch.arguments.end());
    std::vector<char*> argv;
    for (std::string& argument : copies) argv.push_back(argument.data());
    argv.push_back(nullptr);

    const pid_t child = ::fork();
    if (child == 0) {
      for (int signal_number = 1; signal_number < NSIG; ++signal_number) std::signal(signal_number, SIG_DFL);
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      if (::chdir(work_.c_str()) != 0) ::_exit(126);
      // Open everything before closing anything: a closed descriptor would
      // otherwise be the one the next open() returns.
      const int in = ::open("/dev/null", O_RDONLY);
      const int out = launch.stdout_descriptor >= 0
                          ? launch.stdout_descriptor
                          : ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int err = launch.stderr_descriptor >= 0
                          ? launch.stderr_descriptor
                          : ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(in, STDIN_FILENO);
      ::dup2(out, STDOUT_FILENO);
      ::dup2(err, STDERR_FILENO);
      if (launch.stdout_descriptor == -2) ::close(STDOUT_FILENO);
      if (launch.stderr_descriptor == -2) ::close(STDERR_FILENO);
      if (launch.file_size_limit) {
        const rlimit limit{*launch.file_size_limit, *launch.file_size_limit};
        ::setrlimit(RLIMIT_FSIZE, &limit);
      }
      ::execvp(argv[0], argv.data());
      ::_exit(127);
    }
    return child;
  }

  /// Waits for `child` to end, at most `patience`; kills it past that.
  static int wait_bounded(pid_t child) {
    const Clock::time_point deadline = Clock::now() + patience;
    int status = 0;
    for (;;) {
      const pid_t done = ::waitpid(child, &status, WNOHANG);
      if (done == child) return status;
      if (Clock::now() > deadline) {
        ADD_FAILURE() << "pid " << child << " still running after " << patience.count() << " s";
        ::kill(child, SIGKILL);
        ::waitpid(child, &status, 0);
        return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling, not synchronization
    }
  }

  /// Waits until `condition` holds or `child` has ended; true if it holds.
  template <typename Condition>
  static bool poll_until(pid_t child, Condition condition) {
    const Clock::time_point deadline = Clock::now() + patience;
    while (Clock::now() < deadline) {
      if (condition()) return true;
      if (::kill(child, 0) != 0) return false;
      int status = 0;
      if (::waitpid(child, &status, WNOHANG) == child) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  }

  /// Runs the tool with standard output a pipe; returns every byte it wrote
  /// there and its wait status.
  std::pair<std::string, int> run_into_pipe(std::vector<std::string> arguments) {
    int pipe_ends[2];
    if (::pipe(pipe_ends) != 0) return {"", -1};
    Launch launch(std::move(arguments));
    launch.stdout_descriptor = pipe_ends[1];
    const pid_t child = start(launch);
    ::close(pipe_ends[1]);
    std::string bytes;
    char buffer[65536];
    for (;;) {
      const ssize_t got = ::read(pipe_ends[0], buffer, sizeof buffer);
      if (got > 0) {
        bytes.append(buffer, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        break;
      }
    }
    ::close(pipe_ends[0]);
    return {bytes, wait_bounded(child)};
  }

  std::string captured_stderr() const { return read_file(scratch_ / "stderr"); }
  std::string captured_stdout() const { return read_file(scratch_ / "stdout"); }

  fs::path scratch_;
  fs::path work_;
};

const std::set<std::string> untouched = {"five.csv", "out.csv"};

// --- Signals: the temporary is removed, the old output kept, the process dies by that signal.

class SignalTest : public InterruptTest, public ::testing::WithParamInterface<std::tuple<RunnerKind, int>> {};

TEST_P(SignalTest, RemovesTheTemporaryKeepsTheOldOutputAndDiesByTheSignal) {
  const auto [executor, signal_number] = GetParam();
  fs::copy_file(data_dir / "five_locations.csv", work_ / "five.csv");
  // An hour per row read: the run never ends by itself.
  const pid_t child = start(Launch({"five.csv", "-e", std::string(to_string(executor)), "--workers", "2",
                              "--io-latency", "60min", "-q", "-o", "out.csv"}));
  ASSERT_TRUE(poll_until(child, [&] { return has_temporary(work_); })) << captured_stderr();

  ASSERT_EQ(::kill(child, signal_number), 0);
  const int status = wait_bounded(child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status << ", stderr: " << captured_stderr();
  EXPECT_EQ(WTERMSIG(status), signal_number);
  EXPECT_EQ(entries(work_), untouched);
  EXPECT_EQ(read_file(work_ / "out.csv"), "earlier output\n");
}

std::string signal_test_name(const ::testing::TestParamInfo<std::tuple<RunnerKind, int>>& info) {
  const int signal_number = std::get<1>(info.param);
  const std::string name = signal_number == SIGINT ? "SIGINT" : signal_number == SIGTERM ? "SIGTERM" : "SIGHUP";
  return std::string(to_string(std::get<0>(info.param))) + '_' + name;
}

INSTANTIATE_TEST_SUITE_P(EveryExecutor, SignalTest,
                         ::testing::Combine(::testing::ValuesIn(all_runner_kinds),
                                            ::testing::Values(SIGINT, SIGTERM, SIGHUP)),
                         signal_test_name);

/// Interrupts a processes run while its workers compute and collects the
/// workers, which this process adopts as a subreaper: each must have been
/// killed (SIGKILL, by the kernel, as its parent died), none left computing.
class WorkerProcessesTest : public InterruptTest, public ::testing::WithParamInterface<int> {};

TEST_P(WorkerProcessesTest, DieWithTheirParent) {
  const int signal_number = GetParam();
  write_file(work_ / "many.csv", many_locations(3000));
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  // One pair per chunk: a window of 4M pairs keeps the workers busy for a while.
  const pid_t child =
      start(Launch({"many.csv", "-e", "processes", "--workers", "2", "--chunk-size", "1", "-q", "-o", "out.csv"}));
  const fs::path children_list = "/proc/" + std::to_string(child) + "/task/" + std::to_string(child) + "/children";
  const bool workers_started = poll_until(child, [&] { return !read_file(children_list).empty(); });
  ASSERT_TRUE(workers_started) << "no worker process seen; stderr: " << captured_stderr();

  ASSERT_EQ(::kill(child, signal_number), 0);
  const int status = wait_bounded(child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), signal_number);

  int adopted = 0;
  for (;;) {
    int worker_status = 0;
    const pid_t worker = ::waitpid(-1, &worker_status, 0);
    if (worker == -1) break;  // ECHILD: no child left
    ++adopted;
    // Killed by the kernel as its parent died, or — forked in the parent's
    // last instant — it saw itself orphaned before any work and left with
    // status 69. Any other end means it went on computing without a parent.
    const bool killed_with_parent = WIFSIGNALED(worker_status) && WTERMSIG(worker_status) == SIGKILL;
    const bool left_as_orphan = WIFEXITED(worker_status) && WEXITSTATUS(worker_status) == 69;
    EXPECT_TRUE(killed_with_parent || left_as_orphan)
        << "worker " << worker << " outlived its parent (status " << worker_status << ')';
  }
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
  EXPECT_GE(adopted, 1);
  EXPECT_EQ(read_file(work_ / "out.csv"), "earlier output\n");
  if (signal_number != SIGKILL) {
    EXPECT_EQ(entries(work_), (std::set<std::string>{"many.csv", "out.csv"}));
  }
}

// SIGKILL cannot be caught: the temporary stays (documented), but the workers still die.
std::string signal_name(const ::testing::TestParamInfo<int>& parameter) {
  return parameter.param == SIGINT ? "SIGINT" : parameter.param == SIGTERM ? "SIGTERM" : "SIGKILL";
}

INSTANTIATE_TEST_SUITE_P(Signals, WorkerProcessesTest, ::testing::Values(SIGINT, SIGTERM, SIGKILL), signal_name);

TEST_F(InterruptTest, TimeoutEndsTheRunWithoutLeavingTheTemporary) {
  fs::copy_file(data_dir / "five_locations.csv", work_ / "five.csv");
  // timeout sends SIGTERM after a second; --preserve-status reports how the tool ended.
  const pid_t child = start(Launch(
      {"--preserve-status", "1", DM_CLI_PATH, "five.csv", "--io-latency", "60min", "-q", "-o", "out.csv"}, "timeout"));
  const int status = wait_bounded(child);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
  EXPECT_EQ(entries(work_), untouched);
  EXPECT_EQ(read_file(work_ / "out.csv"), "earlier output\n");
}

// --- The file size limit: an error message, exit 4, nothing left.

TEST_F(InterruptTest, TheFileSizeLimitIsAnIoErrorNamingTheLimit) {
  Launch launch({(data_dir / "1k_locations.csv").string(), "-q", "-o", "out.csv"});
  launch.file_size_limit = 4096;
  const pid_t child = start(launch);
  const int status = wait_bounded(child);
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 4);
  EXPECT_EQ(captured_stderr(),
            "distance_matrix: cannot write 'out.csv': File too large (the file size limit, ulimit -f, is 4096 "
            "bytes)\n");
  EXPECT_EQ(entries(work_), std::set<std::string>{"out.csv"});
  EXPECT_EQ(read_file(work_ / "out.csv"), "earlier output\n");
}

// --- Async on a stream: stops at the first bad row.

TEST_F(InterruptTest, AsyncOnAStreamStopsAtTheFirstBadRow) {
  // 3,000 rows, the third invalid: only the pair of the first two may leave.
  std::string input = "first,10,20\nsecond,11,21\nbad,95,0\n" + many_locations(2997);
  write_file(work_ / "in.csv", input);
  const std::string first_row = "first,second,";
  for (const std::vector<std::string>& choice :
       {std::vector<std::string>{"-e", "async"}, std::vector<std::string>{"-r", "asyncio"}}) {
    std::vector<std::string> arguments{"in.csv", "-q", "-o", "-"};
    arguments.insert(arguments.end(), choice.begin(), choice.end());
    const auto [bytes, status] = run_into_pipe(arguments);
    ASSERT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(WEXITSTATUS(status), 3);
    EXPECT_EQ(captured_stderr(), "in.csv:3: latitude 95 is outside [-90, 90]\n");
    // At most the one row of the first two locations: "first,second,<distance>\n".
    EXPECT_LE(bytes.size(), first_row.size() + 20) << bytes.substr(0, 200);
    EXPECT_EQ(bytes.substr(0, std::min(bytes.size(), first_row.size())),
              first_row.substr(0, std::min(bytes.size(), first_row.size())));
  }
}

TEST_F(InterruptTest, EveryExecutorButAsyncWritesNothingOnInvalidInput) {
  write_file(work_ / "in.csv", "first,10,20\nsecond,11,21\nbad,95,0\n" + many_locations(500));
  for (const RunnerKind executor : all_runner_kinds) {
    if (executor == RunnerKind::async) continue;
    const auto [bytes, status] = run_into_pipe({"in.csv", "-q", "-o", "-", "-e", std::string(to_string(executor))});
    ASSERT_TRUE(WIFEXITED(status)) << to_string(executor);
    EXPECT_EQ(WEXITSTATUS(status), 3) << to_string(executor);
    EXPECT_EQ(bytes, "") << to_string(executor);
  }
}

// --- Too large a radius.

TEST_F(InterruptTest, ARadiusWhoseDistancesWouldOverflowIsAUsageError) {
  fs::copy_file(data_dir / "five_locations.csv", work_ / "five.csv");
  const pid_t child = start(Launch({"five.csv", "--radius", "1e308", "--unit", "m", "-o", "out.csv"}));
  const int status = wait_bounded(child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  // DBL_MAX / 2π km, in meters: 1.7976931348623157e308 / 6.283185307179586 / 1000.
  EXPECT_EQ(captured_stderr(),
            "distance_matrix: --radius: 1e+308 km gives infinite distances in m; the largest radius allowed with "
            "--unit m is 2.861117485757028e+304 km\nRun with --help for more information.\n");
  EXPECT_EQ(entries(work_), untouched);
  EXPECT_EQ(read_file(work_ / "out.csv"), "earlier output\n");
}

// --- More workers than cores: no oneTBB warning, and the report tells the truth.

TEST_F(InterruptTest, QuietMeansAnEmptyStandardErrorForEveryExecutorAndWorkerCount) {
  // 4,950 one-pair tasks: enough for oneTBB to ask for every worker (it
  // warned here before), few enough for a thread per task.
  write_file(work_ / "hundred.csv", many_locations(100));
  const unsigned beyond_cores = std::max(3u, std::thread::hardware_concurrency() + 2);
  for (const RunnerKind executor : all_runner_kinds) {
    for (const unsigned workers : {1u, 2u, beyond_cores}) {
      const pid_t child = start(Launch({"hundred.csv", "-e", std::string(to_string(executor)), "--workers",
                                        std::to_string(workers), "--chunk-size", "1", "-q", "-o", "/dev/null"}));
      const int status = wait_bounded(child);
      ASSERT_TRUE(WIFEXITED(status));
      EXPECT_EQ(WEXITSTATUS(status), 0) << to_string(executor) << ' ' << workers;
      EXPECT_EQ(captured_stderr(), "") << to_string(executor) << ' ' << workers;
    }
  }
}

TEST_F(InterruptTest, ParallelReportsTheWorkersItRanWith) {
  const unsigned beyond_cores = std::max(3u, std::thread::hardware_concurrency() + 2);
  write_file(work_ / "hundred.csv", many_locations(100));
  const pid_t child = start(Launch({"hundred.csv", "-e", "parallel", "--workers", std::to_string(beyond_cores),
                                    "--chunk-size", "1", "-o", "/dev/null"}));
  const int status = wait_bounded(child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const std::string err = captured_stderr();
  EXPECT_NE(err.find("(parallel, " + std::to_string(beyond_cores) + " workers, chunk 1, "), std::string::npos)
      << err;
  EXPECT_EQ(err.find("TBB"), std::string::npos) << err;
}

// --- A standard error that cannot take the report after a successful run.

std::string expected_five_output() { return testing::sequential_csv(data_dir / "five_locations.csv"); }

TEST_F(InterruptTest, AClosedStandardErrorDoesNotFailACommittedRun) {
  fs::copy_file(data_dir / "five_locations.csv", work_ / "five.csv");
  Launch launch({"five.csv", "-o", "out.csv"});
  launch.stderr_descriptor = -2;
  const int status = wait_bounded(start(launch));
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(read_file(work_ / "out.csv"), expected_five_output());
  EXPECT_EQ(entries(work_), untouched);
}

TEST_F(InterruptTest, AStandardErrorPipeWithoutReaderDoesNotFailACommittedRun) {
  fs::copy_file(data_dir / "five_locations.csv", work_ / "five.csv");
  int pipe_ends[2];
  ASSERT_EQ(::pipe(pipe_ends), 0);
  ::close(pipe_ends[0]);  // the reader is gone before the first byte
  Launch launch({"five.csv", "-o", "out.csv"});
  launch.stderr_descriptor = pipe_ends[1];
  const pid_t child = start(launch);
  ::close(pipe_ends[1]);
  const int status = wait_bounded(child);
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(read_file(work_ / "out.csv"), expected_five_output());
  EXPECT_EQ(entries(work_), untouched);
}

// A closed standard output is not silently replaced by the next file opened.
TEST_F(InterruptTest, AClosedStandardOutputIsAnIoError) {
  fs::copy_file(data_dir / "five_locations.csv", work_ / "five.csv");
  Launch launch({"five.csv", "-q", "-o", "-"});
  launch.stdout_descriptor = -2;
  const int status = wait_bounded(start(launch));
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 4);
  EXPECT_EQ(captured_stderr(), "distance_matrix: cannot write standard output: Bad file descriptor\n");
  EXPECT_EQ(entries(work_), untouched);
}

}  // namespace
}  // namespace dm
