// `-e mpi` end to end: the real tool under `mpirun --oversubscribe -np K`
// for K = 1, 2, 3 and 5 writes the same bytes as a single-process run of the
// same tool (itself checked against the golden files and NumPy by
// matrix_formats_test) in every format and layout and for --to; partitioned
// output; invalid input; more ranks than pairs; a rank killed mid-run.
#include <fcntl.h>
#include <sys/stat.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/files.hpp"
#include "support/python.hpp"
#include "support/random_locations.hpp"
#include "support/run_tool.hpp"

extern char** environ;

namespace dm {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::read_file;

struct Result {
  int exit_code = -1;  ///< -1 if killed by a signal
  std::string err;
};

class MpiCliTest : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    // Open MPI refuses root without these (CI runs as root); the shared-memory
    // transport alone keeps mpirun from probing the network at every start.
    ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    ::setenv("OMPI_MCA_btl", "self,vader", 1);
    ::setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 1);
    // When a job ends, Open MPI sends SIGTERM, then SIGKILL after this many
    // seconds (default 1). On a loaded machine a rank's cleanup (one unlink)
    // sometimes missed that second and SIGKILL left the temporary, as any
    // SIGKILL does (README): give the cleanup time to run.
    ::setenv("OMPI_MCA_odls_base_sigkill_timeout", "10", 1);
  }
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "mpi_cli_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    folder = pattern;
    std::ofstream(folder / "in.csv") << testing::to_csv(testing::random_locations(45, 8));
    std::ofstream(folder / "to.csv") << "name,latitude,longitude\n" << testing::to_csv(testing::random_locations(7, 9));
  }
  void TearDown() override { fs::remove_all(folder); }

  std::string path(const std::string& name) const { return (folder / name).string(); }

  /// Starts `mpirun -np ranks distance_matrix arguments…`, stdout and stderr into files.
  pid_t start_mpirun(unsigned ranks, const std::vector<std::string>& arguments) {
    std::vector<std::string> words{DM_MPIEXEC, "--oversubscribe", "-np", std::to_string(ranks), DM_CLI_PATH};
    words.insert(words.end(), arguments.begin(), arguments.end());
    return spawn(words);
  }
  pid_t spawn(std::vector<std::string> words) {
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, path("stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, path("stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t child = -1;
    const int spawned = posix_spawn(&child, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    return spawned == 0 ? child : -1;
  }
  Result finish(pid_t child) {
    Result result;
    int status = 0;
    if (child < 0 || ::waitpid(child, &status, 0) != child) return result;
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    result.err = read_file(folder / "stderr");
    return result;
  }
  Result mpirun(unsigned ranks, const std::vector<std::string>& arguments) {
    return finish(start_mpirun(ranks, arguments));
  }
  /// The reference: the same tool in one process, no MPI.
  std::string single_process(std::vector<std::string> arguments, const std::string& output) {
    arguments.insert(arguments.end(), {"-e", "sequential", "-q", "-o", path(output)});
    const testing::ToolResult result = testing::run_tool(arguments, folder);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return read_file(folder / output);
  }
  /// Names in the folder other than the test's own files.
  std::vector<std::string> leftovers() const {
    std::vector<std::string> names;
    for (const std::string& name : testing::entries(folder)) {
      if (name != "in.csv" && name != "to.csv" && name != "stdout" && name != "stderr") names.push_back(name);
    }
    return names;
  }

  fs::path folder;
};

struct Case {
  const char* name;
  std::vector<std::string> options;  ///< besides the input, -e and -o
  const char* output;
};

const Case cases[] = {
    {"csv_pairs", {}, "out.csv"},
    {"csv_square", {"--layout", "square"}, "out.csv"},
    {"npy_square_float64", {}, "out.npy"},
    {"npy_condensed_float32", {"--layout", "condensed", "--dtype", "float32"}, "out.npy"},
    {"npy_condensed_float64", {"--layout", "condensed"}, "out.npy"},
    {"to_csv", {"--to", "TO"}, "out.csv"},
    {"to_csv_pairs", {"--to", "TO", "--layout", "pairs"}, "out.csv"},
    {"to_npy_float32", {"--to", "TO", "--dtype", "float32"}, "out.npy"},
    {"geodesic_csv_pairs", {"--metric", "geodesic"}, "out.csv"},
    {"geodesic_to_npy", {"--metric", "geodesic", "--ellipsoid", "grs80", "--to", "TO"}, "out.npy"},
    // The queries (issue 15): the origins split among the ranks.
    {"summary_csv", {"--summary"}, "out.csv"},
    {"summary_to_npy_float32", {"--summary", "--to", "TO", "--dtype", "float32"}, "out.npy"},
    {"nearest_csv", {"--nearest", "4"}, "out.csv"},
    {"nearest_npz", {"--nearest", "4"}, "out.npz"},
    {"nearest_within_to_npz", {"--nearest", "3", "--within", "1500km", "--to", "TO"}, "out.npz"},
    {"within_csv", {"--within", "1500km"}, "out.csv"},
    {"within_npz", {"--within", "1500km"}, "out.npz"},
    {"within_to_npz_float32", {"--within", "2000km", "--to", "TO", "--dtype", "float32"}, "out.npz"},
};

void PrintTo(const Case& test_case, std::ostream* out) { *out << test_case.name; }

class MpiByteIdenticalTest : public MpiCliTest, public ::testing::WithParamInterface<std::tuple<unsigned, Case>> {};

TEST_P(MpiByteIdenticalTest, EveryRankCountWritesTheSingleProcessBytes) {
  const auto& [ranks, test_case] = GetParam();
  std::vector<std::string> options{path("in.csv")};
  for (const std::string& option : test_case.options) options.push_back(option == "TO" ? path("to.csv") : option);
  const std::string expected = single_process(options, std::string("reference.") + (fs::path(test_case.output).extension().string().substr(1)));
  ASSERT_FALSE(expected.empty());

  std::vector<std::string> arguments = options;
  arguments.insert(arguments.end(), {"-e", "mpi", "--workers", "1", "-q", "-o", path(test_case.output)});
  const Result result = mpirun(ranks, arguments);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_TRUE(read_file(folder / test_case.output) == expected) << "differs from the single-process output";
}

INSTANTIATE_TEST_SUITE_P(Ranks, MpiByteIdenticalTest,
                         ::testing::Combine(::testing::Values(1u, 2u, 3u, 5u), ::testing::ValuesIn(cases)),
                         [](const auto& parameter) {
                           return std::get<1>(parameter.param).name + std::string("_") +
                                  std::to_string(std::get<0>(parameter.param)) + "_ranks";
                         });

TEST_F(MpiCliTest, WithoutMpirunItRunsAsOneRank) {
  const std::string expected = single_process({path("in.csv")}, "reference.csv");
  const testing::ToolResult result =
      testing::run_tool({path("in.csv"), "-e", "mpi", "-o", path("out.csv")}, folder);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(read_file(folder / "out.csv") == expected);
  // The timing report: phases as the slowest rank saw them, and the spread.
  EXPECT_THAT(result.err, HasSubstr("slowest rank of 1 rank"));
  EXPECT_THAT(result.err, HasSubstr("990 pairs (mpi,"));
}

TEST_F(MpiCliTest, TheReportGivesEachPhaseOfTheSlowestRankAndTheSpread) {
  const Result result = mpirun(2, {path("in.csv"), "-e", "mpi", "-o", path("out.csv")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const char* phase : {"read", "broadcast", "calculation", "write", "total"}) {
    EXPECT_THAT(result.err, HasSubstr(std::string("\n") + phase)) << result.err;
  }
  EXPECT_THAT(result.err, HasSubstr("slowest rank of 2 ranks"));
  EXPECT_THAT(result.err, HasSubstr("spread"));
  // Both ranks run on this machine: by default they share its hardware
  // threads instead of each starting one per thread.
  const unsigned shared = std::max(std::thread::hardware_concurrency() / 2, 1u);
  EXPECT_THAT(result.err, HasSubstr("(mpi, " + std::to_string(shared) + (shared == 1 ? " worker" : " workers") +
                                    " per rank"))
      << result.err;
}

TEST_F(MpiCliTest, MoreRanksThanPairsLeavesSomeRanksIdle) {
  std::ofstream(folder / "three.csv") << "a,0,0\nb,1,1\nc,2,2\n";  // 3 pairs, 5 ranks
  for (const char* output : {"out.csv", "out.npy"}) {
    const std::string expected = single_process({path("three.csv")}, std::string("reference") + fs::path(output).extension().string());
    const Result result = mpirun(5, {path("three.csv"), "-e", "mpi", "-q", "-o", path(output)});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_TRUE(read_file(folder / output) == expected) << output;
  }
}

TEST_F(MpiCliTest, PartsConcatenateToTheSingleFileAndTheManifestDescribesThem) {
  for (const std::vector<std::string>& layout : {std::vector<std::string>{}, {"--layout", "square"}}) {
    std::vector<std::string> options{path("in.csv")};
    options.insert(options.end(), layout.begin(), layout.end());
    const std::string expected = single_process(options, "reference.csv");
    fs::remove_all(folder / "parts");
    std::vector<std::string> arguments = options;
    arguments.insert(arguments.end(), {"-e", "mpi", "--partitioned", "-q", "-o", path("parts")});
    const Result result = mpirun(3, arguments);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(testing::entries(folder / "parts"),
              (std::set<std::string>{"manifest.json", "part-00000.csv", "part-00001.csv", "part-00002.csv"}));
    std::string joined;
    const std::string manifest = read_file(folder / "parts" / "manifest.json");
    for (const char* part : {"part-00000.csv", "part-00001.csv", "part-00002.csv"}) {
      const std::string bytes = read_file(folder / "parts" / part);
      joined += bytes;
      EXPECT_THAT(manifest, HasSubstr(std::string("{\"file\": \"") + part + "\""));
      EXPECT_THAT(manifest, HasSubstr("\"bytes\": " + std::to_string(bytes.size()) + "}"));
    }
    EXPECT_TRUE(joined == expected) << "the parts do not concatenate to the single file";
    EXPECT_THAT(manifest, HasSubstr("\"ranks\": 3"));
  }
}

TEST_F(MpiCliTest, EachNpyPartIsAnArrayOfItsRows) {
  const std::string expected = single_process({path("in.csv")}, "reference.npy");
  const Result result = mpirun(3, {path("in.csv"), "-e", "mpi", "--partitioned", "-q", "--format", "npy",
                                   "-o", path("parts")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const testing::PythonResult check = testing::run_python(folder,
                                                          "import sys, numpy as np\n"
                                                          "whole = np.load(sys.argv[1])\n"
                                                          "parts = [np.load(f'{sys.argv[2]}/part-{r:05d}.npy') for r in range(3)]\n"
                                                          "print([p.shape for p in parts])\n"
                                                          "assert [p.shape for p in parts] == [(15, 45)] * 3\n"
                                                          "assert (np.concatenate(parts) == whole).all()\n",
                                                          "'" + path("reference.npy") + "' '" + path("parts") + "'");
  EXPECT_EQ(check.status, 0) << check.output;
}

// Issue 18.4: an MPMD line giving ranks different output options once wrote
// one file mixing kilometres and miles (exit 0), and with different
// --format deadlocked. Every rank now stops with a usage error, nothing written.
class MpiOptionsMismatchTest : public MpiCliTest, public ::testing::WithParamInterface<std::vector<std::string>> {};

TEST_P(MpiOptionsMismatchTest, IsAUsageErrorOnEveryRankAndNothingIsWritten) {
  const std::vector<std::string>& difference = GetParam();
  std::vector<std::string> words{DM_MPIEXEC, "--oversubscribe", "-np", "1", DM_CLI_PATH, path("in.csv"), "-e", "mpi",
                                 "-o", path("out.csv"), ":", "-np", "1", DM_CLI_PATH, path("in.csv"), "-e", "mpi",
                                 "-o", path("out.csv")};
  words.insert(words.end(), difference.begin(), difference.end());
  const Result result = finish(spawn(words));
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_THAT(result.err, HasSubstr("distance_matrix: -e mpi: rank 1 was started with " + difference.front()));
  EXPECT_THAT(result.err, HasSubstr("every rank needs the same options that shape the output"));
  EXPECT_EQ(leftovers(), std::vector<std::string>{}) << "nothing written";
}

// One job each: a failed job takes Open MPI's kill timeout to end.
INSTANTIATE_TEST_SUITE_P(Options, MpiOptionsMismatchTest,
                         ::testing::Values(std::vector<std::string>{"--unit", "mi"},
                                           std::vector<std::string>{"--format", "npy"},
                                           std::vector<std::string>{"--kernel", "scalar"},
                                           // The queries run under -e mpi: a rank answering another
                                           // question would write its rows into the matrix's file.
                                           std::vector<std::string>{"--nearest", "3"}));

// Two ellipsoids in one job would mix their distances in one file: the
// ellipsoid shapes the output as much as the unit does.
TEST_F(MpiCliTest, RanksOnDifferentEllipsoidsAreAUsageError) {
  const Result result = finish(spawn({DM_MPIEXEC, "--oversubscribe", "-np", "1", DM_CLI_PATH, path("in.csv"), "-e",
                                      "mpi", "-o", path("out.csv"), "--metric", "geodesic", ":", "-np", "1",
                                      DM_CLI_PATH, path("in.csv"), "-e", "mpi", "-o", path("out.csv"), "--metric",
                                      "geodesic", "--ellipsoid", "grs80"}));
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_THAT(result.err, HasSubstr("distance_matrix: -e mpi: rank 1 was started with --ellipsoid 6378137,298.25722210"));
  EXPECT_EQ(leftovers(), std::vector<std::string>{}) << "nothing written";
}

TEST_F(MpiCliTest, RanksMayDifferInWhatDoesNotShapeTheOutput) {
  const Result result =
      finish(spawn({DM_MPIEXEC, "--oversubscribe", "-np", "1", DM_CLI_PATH, path("in.csv"), "-e", "mpi", "-o",
                    path("out.csv"), "--workers", "1", ":", "-np", "1", DM_CLI_PATH, path("in.csv"), "-e", "mpi", "-o",
                    path("out.csv"), "--workers", "2", "-q"}));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(read_file(folder / "out.csv"), single_process({path("in.csv")}, "single.csv"));
}

TEST_F(MpiCliTest, InvalidInputStopsEveryRankWithOneMessageAndNothingWritten) {
  std::ofstream(folder / "bad.csv") << "a,1,2\nb,x,3\nc,4,5\n";
  const Result result = mpirun(3, {path("bad.csv"), "-e", "mpi", "-o", path("out.csv")});
  EXPECT_EQ(result.exit_code, 3);
  const std::string message = path("bad.csv") + ":2: latitude \"x\" is not a number";
  EXPECT_THAT(result.err, HasSubstr(message));
  EXPECT_EQ(result.err.find(message), result.err.rfind(message)) << "said more than once:\n" << result.err;
  EXPECT_EQ(leftovers(), std::vector<std::string>{"bad.csv"});
}

/// A job of 3 ranks stopped mid-run: rank 0 reads a FIFO this test holds
/// open without finishing it, so it has created the temporary output and
/// waits there while the other ranks wait for its broadcast.
class StalledJob {
 public:
  StalledJob(MpiCliTest& test, const fs::path& fifo, const std::string& output) : test_(test) {
    if (::mkfifo(fifo.c_str(), 0600) != 0) return;
    // Close-on-exec: were mpirun and the ranks to inherit the write end,
    // rank 0 could never see the end of its input.
    writer_ = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    // A first row, so that opening the input returns and rank 0 goes on to
    // create its temporary before it waits for more.
    const std::string first_row = "a,1,2\n";
    if (writer_ < 0 || ::write(writer_, first_row.data(), first_row.size()) != static_cast<ssize_t>(first_row.size())) return;
    job_ = test.start_mpirun(3, {fifo.string(), "-e", "mpi", "-o", output});
  }
  /// Should an assertion fail, the job must not outlive the test.
  ~StalledJob() {
    if (writer_ >= 0) ::close(writer_);
    if (job_ > 0 && ::waitpid(job_, nullptr, WNOHANG) == 0) {
      ::kill(job_, SIGTERM);
      ::waitpid(job_, nullptr, 0);
    }
  }
  StalledJob(const StalledJob&) = delete;
  StalledJob& operator=(const StalledJob&) = delete;

  /// Polls, with a deadline, until rank 0 has created the temporary and
  /// rank `rank` runs; returns that rank's process id, or -1. Remembers rank
  /// 0's too.
  pid_t wait_until_stalled(unsigned rank, const std::string& temporary_prefix) {
    rank_zero_ = find_rank(0, "");
    return find_rank(rank, temporary_prefix);
  }
  /// mpirun may return while the ranks it terminated are still dying: waits,
  /// with a deadline, until rank 0 is gone (or a zombie), its cleanup done.
  void wait_for_rank_zero() const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    const fs::path stat = fs::path("/proc") / std::to_string(rank_zero_) / "stat";
    while (rank_zero_ > 0 && std::chrono::steady_clock::now() < deadline) {
      const std::string text = read_file(stat);
      const std::size_t after_name = text.rfind(')');
      if (after_name == std::string::npos || text.compare(after_name + 2, 1, "Z") == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  pid_t find_rank(unsigned rank, const std::string& temporary_prefix) {
    pid_t found = -1;
    bool temporary = false;
    const std::string marker = "OMPI_COMM_WORLD_RANK=" + std::to_string(rank) + '\0';
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while ((found < 0 || !temporary) && job_ > 0 && std::chrono::steady_clock::now() < deadline) {
      for (const std::string& name : test_.leftovers()) {
      temporary = temporary || temporary_prefix.empty() || name.rfind(temporary_prefix, 0) == 0;
    }
      for (const fs::directory_entry& entry : fs::directory_iterator("/proc")) {
        const std::string pid = entry.path().filename().string();
        if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
        if (read_file(entry.path() / "environ").find(marker) == std::string::npos) continue;
        // The ranks are children of mpirun, which is this test's child.
        const std::string stat = read_file(entry.path() / "stat");
        const std::size_t after_name = stat.rfind(')');
        if (after_name != std::string::npos && std::stoi(stat.substr(after_name + 4)) == job_) found = std::stoi(pid);
      }
      if (found < 0 || !temporary) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return temporary || temporary_prefix.empty() ? found : -1;
  }
  [[nodiscard]] pid_t job() const noexcept { return job_; }
  Result finish() {
    const pid_t job = job_;
    job_ = -1;
    Result result = test_.finish(job);
    wait_for_rank_zero();
    return result;
  }

 private:
  MpiCliTest& test_;
  int writer_ = -1;
  pid_t job_ = -1;
  pid_t rank_zero_ = -1;
};

TEST_F(MpiCliTest, AKilledRankFailsTheJobWithoutAFileUnderTheOutputName) {
  StalledJob job(*this, folder / "in.fifo", path("out.csv"));
  const pid_t rank_one = job.wait_until_stalled(1, ".out.csv.tmp.");
  ASSERT_GT(rank_one, 0) << "rank 1 never started, or rank 0 never created its temporary";
  ASSERT_EQ(::kill(rank_one, SIGKILL), 0);

  const Result result = job.finish();
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("rank 1"));
  EXPECT_THAT(result.err, HasSubstr("signal 9"));
  EXPECT_EQ(leftovers(), std::vector<std::string>{"in.fifo"}) << "no output, no temporary\n" << result.err;
}

TEST_F(MpiCliTest, CtrlCOnMpirunLeavesNoTemporary) {
  StalledJob job(*this, folder / "in.fifo", path("out.csv"));
  ASSERT_GT(job.wait_until_stalled(2, ".out.csv.tmp."), 0);
  ASSERT_EQ(::kill(job.job(), SIGINT), 0);

  const Result result = job.finish();
  EXPECT_NE(result.exit_code, 0);
  EXPECT_EQ(leftovers(), std::vector<std::string>{"in.fifo"}) << "no output, no temporary\n" << result.err;
}

/// Every file under `root` (relative name -> bytes): what a run may not change.
std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(root)) {
    files[fs::relative(entry.path(), root).string()] = entry.is_directory() ? "<folder>" : read_file(entry.path());
  }
  return files;
}

/// Runs `-e mpi --partitioned` as one rank, without mpirun.
testing::ToolResult run_partitioned(const fs::path& folder, std::vector<std::string> arguments) {
  arguments.insert(arguments.end(), {"-e", "mpi", "--partitioned", "-q"});
  return testing::run_tool(arguments, folder);
}

// Issue 18.1: the input inside the output folder was read, then deleted as a
// stale part (part-00003 with one rank) or overwritten (part-00000).
TEST_F(MpiCliTest, PartitionedOutputNeverDestroysAFileItReads) {
  const std::string locations = read_file(folder / "in.csv");
  for (const char* name : {"part-00003.csv", "part-00000.csv"}) {
    fs::remove_all(folder / "parts");
    fs::create_directory(folder / "parts");
    testing::write_file(folder / "parts" / name, locations);
    for (const bool as_destinations : {false, true}) {
      const std::vector<std::string> arguments =
          as_destinations ? std::vector<std::string>{path("in.csv"), "--to", path("parts/") + name, "-o", path("parts")}
                          : std::vector<std::string>{path("parts/") + name, "-o", path("parts")};
      const testing::ToolResult result = run_partitioned(folder, arguments);
      EXPECT_EQ(result.exit_code, 4) << name << '\n' << result.err;
      EXPECT_EQ(result.err, "distance_matrix: cannot write '" + path("parts") + "': it holds '" + path("parts") + '/' +
                                name + "', the same file as the " + (as_destinations ? "destinations" : "input") +
                                " '" + path("parts/") + name + "', which would be destroyed\n");
      EXPECT_EQ(testing::entries(folder / "parts"), std::set<std::string>{name});
      EXPECT_TRUE(read_file(folder / "parts" / name) == locations) << name;
      EXPECT_EQ(leftovers(), std::vector<std::string>{"parts"}) << "no staging folder left";
    }
  }
}

// Issue 18.1: a previous run's part is removed as stale only when its
// manifest lists it: one that is also the input is refused, and a part the
// user put there (not in the manifest) is never touched.
TEST_F(MpiCliTest, PartitionedOutputReplacesOnlyWhatItsManifestLists) {
  ASSERT_EQ(mpirun(3, {path("in.csv"), "-e", "mpi", "--partitioned", "-q", "-o", path("parts")}).exit_code, 0);
  const std::map<std::string, std::string> previous = snapshot(folder / "parts");
  ASSERT_EQ(previous.size(), 4u);

  // One rank would remove part-00002 as stale: it is the input here.
  testing::ToolResult result = run_partitioned(folder, {path("parts/part-00002.csv"), "-o", path("parts")});
  EXPECT_EQ(result.exit_code, 4) << result.err;
  EXPECT_THAT(result.err, HasSubstr("the same file as the input '" + path("parts/part-00002.csv") + "'"));
  EXPECT_EQ(snapshot(folder / "parts"), previous);

  // A file of the user's beside the parts.
  testing::write_file(folder / "parts" / "part-00007.csv", "mine\n");
  result = run_partitioned(folder, {path("in.csv"), "-o", path("parts")});
  EXPECT_EQ(result.exit_code, 4) << result.err;
  EXPECT_EQ(result.err, "distance_matrix: cannot write '" + path("parts") + "': it holds '" + path("parts") +
                            "/part-00007.csv', which this tool did not write (manifest.json does not list it); "
                            "--partitioned replaces the whole folder, so move that file away or choose another "
                            "folder\n");
  EXPECT_EQ(read_file(folder / "parts" / "part-00007.csv"), "mine\n");
  fs::remove(folder / "parts" / "part-00007.csv");
  EXPECT_EQ(snapshot(folder / "parts"), previous);

  // Without the user's file, one rank replaces the three parts the manifest lists.
  result = run_partitioned(folder, {path("in.csv"), "-o", path("parts")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(testing::entries(folder / "parts"), (std::set<std::string>{"manifest.json", "part-00000.csv"}));
  EXPECT_TRUE(read_file(folder / "parts" / "part-00000.csv") == single_process({path("in.csv")}, "reference.csv"));
  EXPECT_EQ(leftovers(), (std::vector<std::string>{"parts", "reference.csv"}));
}

/// Sets an environment variable for the tools a test starts, until destroyed.
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const char* value) : name_(name) {
    if (const char* previous = ::getenv(name)) previous_ = previous;
    ::setenv(name, value, 1);
  }
  ~ScopedEnvironment() {
    if (previous_) {
      ::setenv(name_, previous_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  const char* name_;
  std::optional<std::string> previous_;
};

// Issue 18.3: the parts were committed and the old ones deleted before the
// manifest was written; when that write failed the folder mixed two runs.
TEST_F(MpiCliTest, AFailedPartitionedRunLeavesThePreviousOutputByteForByte) {
  std::ofstream(folder / "other.csv") << testing::to_csv(testing::random_locations(20, 3));
  ASSERT_EQ(mpirun(3, {path("in.csv"), "-e", "mpi", "--partitioned", "-q", "-o", path("parts")}).exit_code, 0);
  const std::map<std::string, std::string> previous = snapshot(folder / "parts");
  ASSERT_EQ(previous.size(), 4u);

  const ScopedEnvironment failing_manifest("DM_TEST_FAIL_MANIFEST", "1");
  // Every rank ends by itself here: no need to give a killed one time.
  const ScopedEnvironment quick_end("OMPI_MCA_odls_base_sigkill_timeout", "1");
  for (const unsigned ranks : {1u, 2u, 3u}) {  // fewer ranks: the stale parts too
    const Result result = mpirun(ranks, {path("other.csv"), "-e", "mpi", "--partitioned", "-q", "-o", path("parts")});
    EXPECT_EQ(result.exit_code, 4) << ranks << " ranks\n" << result.err;
    EXPECT_THAT(result.err, HasSubstr("cannot write '" + path("parts") + "/manifest.json'"));
    EXPECT_EQ(snapshot(folder / "parts"), previous) << ranks << " ranks";
    EXPECT_EQ(leftovers(), (std::vector<std::string>{"other.csv", "parts"})) << "no staging folder left";
  }
}

// Issue 18.12: a rank killed while writing its part left the part's
// temporary behind (only the rank itself knew it); in single-file mode the
// other ranks remove the shared temporary.
TEST_F(MpiCliTest, AKilledRankInPartitionedModeLeavesNoTemporaryPart) {
  std::ofstream(folder / "big.csv") << testing::to_csv(testing::random_locations(4000, 5));
  const pid_t job = start_mpirun(2, {path("big.csv"), "-e", "mpi", "--partitioned", "--workers", "1", "-q", "-o",
                                     path("parts")});
  ASSERT_GT(job, 0);
  // Rank 1 has begun its part: stop rank 0 so that the job cannot end (rank
  // 1 then waits for it with its temporary part), then kill rank 1.
  const auto rank_with = [&](unsigned rank) {
    const std::string marker = "OMPI_COMM_WORLD_RANK=" + std::to_string(rank) + '\0';
    for (const fs::directory_entry& entry : fs::directory_iterator("/proc")) {
      const std::string pid = entry.path().filename().string();
      if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
      if (read_file(entry.path() / "environ").find(marker) == std::string::npos) continue;
      const std::string stat = read_file(entry.path() / "stat");
      const std::size_t after_name = stat.rfind(')');
      if (after_name != std::string::npos && std::stoi(stat.substr(after_name + 4)) == job) return std::stoi(pid);
    }
    return -1;
  };
  const auto temporary_part = [&] {
    std::error_code error;
    for (auto it = fs::recursive_directory_iterator(folder, error); it != fs::recursive_directory_iterator();
         it.increment(error)) {
      if (it->path().filename().string().rfind(".part-00001.csv.tmp.", 0) == 0) return true;
    }
    return false;
  };
  pid_t rank_zero = -1;
  pid_t rank_one = -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while ((rank_zero < 0 || rank_one < 0 || !temporary_part()) && std::chrono::steady_clock::now() < deadline) {
    if (rank_zero < 0) rank_zero = rank_with(0);
    if (rank_one < 0) rank_one = rank_with(1);
  }
  ASSERT_GT(rank_zero, 0);
  ASSERT_GT(rank_one, 0);
  ASSERT_EQ(::kill(rank_zero, SIGSTOP), 0);
  ASSERT_TRUE(temporary_part()) << "rank 1 finished before rank 0 could be stopped";
  ASSERT_EQ(::kill(rank_one, SIGKILL), 0);
  ::kill(rank_zero, SIGCONT);  // mpirun sends it too, with SIGTERM

  const Result result = finish(job);
  EXPECT_NE(result.exit_code, 0);
  // mpirun may return while rank 0 is still dying: wait for it to go.
  const auto gone = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (::kill(rank_zero, 0) == 0 && read_file("/proc/" + std::to_string(rank_zero) + "/stat").find(") Z") ==
                                         std::string::npos &&
         std::chrono::steady_clock::now() < gone) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(leftovers(), std::vector<std::string>{"big.csv"}) << "no part, no temporary\n" << result.err;
}

// Issue 18.11: opening a FIFO for writing waits for a reader; -e mpi waited
// there forever before it would refuse the FIFO.
TEST_F(MpiCliTest, AFifoOutputIsRefusedWithoutWaitingForAReader) {
  ASSERT_EQ(::mkfifo(path("out.fifo").c_str(), 0600), 0);
  // A hang fails the test (timeout exits 124) instead of blocking it.
  const Result result = finish(spawn({"/usr/bin/timeout", "20", DM_CLI_PATH, path("in.csv"), "-e", "mpi", "-o",
                                      path("out.fifo")}));
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_THAT(result.err, HasSubstr("-e mpi writes a regular file at offsets with MPI-IO, not standard output, a "
                                    "pipe or a device: name a file with -o"));
  EXPECT_EQ(leftovers(), std::vector<std::string>{"out.fifo"});
}

TEST_F(MpiCliTest, WhatMpiCannotDoIsAUsageError) {
  const std::vector<std::vector<std::string>> refused = {
      {"-e", "mpi", "-o", "-"},                       // MPI-IO needs a regular file
      {"-e", "mpi", "-o", "/dev/null"},
      {"--partitioned", "-o", path("parts")},         // parts are per rank
      {"-e", "mpi", "--partitioned", "-o", "-"},      // a folder of parts is not standard output
      {"-e", "mpi", "--partitioned"},                 // nor the default output.csv
      {"-e", "mpi", "--io-latency", "1ms", "-o", path("out.csv")},
      {"-e", "mpi", "-r", "asyncio", "-o", path("out.csv")},
  };
  for (std::vector<std::string> arguments : refused) {
    arguments.insert(arguments.begin(), path("in.csv"));
    const testing::ToolResult result = testing::run_tool(arguments, folder);
    EXPECT_EQ(result.exit_code, 2) << arguments[2] << ' ' << arguments[3] << '\n' << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), result.err.find("Run with --help") == std::string::npos ? 1 : 2)
        << result.err;
  }
  EXPECT_EQ(leftovers(), std::vector<std::string>{});
}

}  // namespace
}  // namespace dm
