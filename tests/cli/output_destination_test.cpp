// Where the tool's output goes, end to end: each case runs the real binary
// under /bin/sh in a fresh folder, with the redirections exactly as a user
// types them (`>> log.txt`, `{ ...; } > combined.txt`, `< self.csv`), then
// checks the exit status, standard error and every file left in the folder.
// In the scripts, $DM is the tool; five.csv (data/five_locations.csv, inlined) is
// the input and expected.csv what the tool writes for it on standard output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include "support/files.hpp"
#include "support/run_shell.hpp"
#include "support/scratch_folder.hpp"

namespace dm {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::write_file;
using testing::entries;
using ::testing::IsEmpty;

/// The tool: run_unprivileged.sh runs a copy of it, named in DM_CLI_PATH.
std::string cli_path() {
  const char* copy = std::getenv("DM_CLI_PATH");
  return copy != nullptr ? copy : DM_CLI_PATH;
}

/// The five locations of data/five_locations.csv, written out here so that
/// the tests need nothing from the source tree (user nobody may not reach it).
constexpr std::string_view five_locations =
    "Marysville,48.0517637,-122.1770818\n"
    "Perris,33.7825194,-117.22864779999999\n"
    "Cleveland,41.499320000000004,-81.6943605\n"
    "Worcester,42.262593200000005,-71.8022934\n"
    "Columbia,34.0007104,-81.0348144\n";

using Outcome = testing::ShellOutcome;

class OutputDestinationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(folder_ / "five.csv", five_locations);
    const Outcome reference = sh("$DM five.csv -q -o - > \"$SCRATCH/expected.csv\"");
    ASSERT_EQ(reference.status, 0) << reference.err;
    expected_ = read_file(scratch_ / "expected.csv");
    ASSERT_EQ(std::count(expected_.begin(), expected_.end(), '\n'), 10) << expected_;
  }

  /// Runs `script` with /bin/sh in the work folder ($SCRATCH is the folder
  /// above it); standard error is captured, standard output goes to a file
  /// outside the work folder unless the script redirects it.
  Outcome sh(const std::string& script) { return testing::run_shell(folder_, scratch_, script, cli_path()); }

  std::string file(const std::string& name) const { return read_file(folder_ / name); }

  testing::ScratchFolder scratch_folder_{"output_destination_test"};
  const fs::path& scratch_ = scratch_folder_.path();
  const fs::path& folder_ = scratch_folder_.work();
  std::string expected_;
};

// --- Case 1: a path naming an open descriptor is written through it.

TEST_F(OutputDestinationTest, DevStdoutAppendedToALogKeepsWhatWasThere) {
  const Outcome outcome = sh("echo PREVIOUS > log.txt; $DM five.csv -q -o /dev/stdout >> log.txt");
  EXPECT_EQ(outcome.status, 0) << outcome.err;
  EXPECT_THAT(outcome.err, IsEmpty());
  EXPECT_EQ(file("log.txt"), "PREVIOUS\n" + expected_);
  EXPECT_EQ(entries(folder_), (std::set<std::string>{"five.csv", "log.txt"}));
}

TEST_F(OutputDestinationTest, DevFd1AfterAHeaderInOneRedirectionKeepsTheHeader) {
  const Outcome outcome = sh("{ echo header; $DM five.csv -q -o /dev/fd/1; } > combined.txt");
  EXPECT_EQ(outcome.status, 0) << outcome.err;
  EXPECT_EQ(file("combined.txt"), "header\n" + expected_);
  EXPECT_EQ(entries(folder_), (std::set<std::string>{"combined.txt", "five.csv"}));
}

TEST_F(OutputDestinationTest, EveryNameOfAnOpenDescriptorIsWrittenThrough) {
  const char* const scripts[] = {
      "$DM five.csv -q -o /dev/stderr 2>> log.txt",
      "$DM five.csv -q -o /proc/self/fd/1 >> log.txt",
      "$DM five.csv -q -o /proc/self/fd/7 7>> log.txt",
      "$DM five.csv -q -o /dev/fd/5 5>> log.txt",
      "$DM five.csv -q -o - >> log.txt",
  };
  for (const char* script : scripts) {
    const Outcome outcome = sh(std::string("echo PREVIOUS > log.txt; ") + script);
    EXPECT_EQ(outcome.status, 0) << script << ": " << outcome.err;
    EXPECT_EQ(file("log.txt"), "PREVIOUS\n" + expected_) << script;
    EXPECT_EQ(entries(folder_), (std::set<std::string>{"five.csv", "log.txt"})) << script;
  }
}

TEST_F(OutputDestinationTest, AUsersLinkToDevStdoutIsWrittenThroughAndStaysALink) {
  const Outcome outcome =
      sh("ln -s /dev/stdout out.csv; echo PREVIOUS > log.txt; $DM five.csv -q -o out.csv >> log.txt");
  EXPECT_EQ(outcome.status, 0) << outcome.err;
  EXPECT_EQ(file("log.txt"), "PREVIOUS\n" + expected_);
  EXPECT_TRUE(fs::is_symlink(folder_ / "out.csv"));
  EXPECT_EQ(fs::read_symlink(folder_ / "out.csv"), "/dev/stdout");
}

TEST_F(OutputDestinationTest, AReadWriteRedirectionIsOverwrittenInPlaceNotTruncated) {
  // 1<> opens without truncating, at offset 0: the tool writes over the start.
  const std::string filler(expected_.size() + 100, '#');
  write_file(folder_ / "big.txt", filler);
  const Outcome outcome = sh("$DM five.csv -q -o /dev/stdout 1<> big.txt");
  EXPECT_EQ(outcome.status, 0) << outcome.err;
  EXPECT_EQ(file("big.txt"), expected_ + std::string(100, '#'));
}

// --- Case 2: the input as output is refused, the input untouched.

class SameFileTest : public OutputDestinationTest {
 protected:
  /// Runs `script` after `setup`, expects exit 4 with exactly `message` and
  /// the folder as `setup` left it, five.csv byte for byte.
  void expect_refused(const std::string& setup, const std::string& script, const std::string& message) {
    ASSERT_EQ(sh(setup).status, 0) << setup;
    const std::set<std::string> before = entries(folder_);
    const Outcome outcome = sh(script);
    EXPECT_EQ(outcome.status, 4) << script;
    EXPECT_EQ(outcome.err, "distance_matrix: " + message + "\n") << script;
    EXPECT_EQ(file("five.csv"), five_locations) << script;
    EXPECT_EQ(entries(folder_), before) << script << ": no temporary, nothing new";
  }
};

TEST_F(SameFileTest, TheInputPathAsOutput) {
  expect_refused(":", "$DM five.csv -q -o five.csv",
                 "cannot write 'five.csv': it is the same file as the input 'five.csv', which would be destroyed");
}

TEST_F(SameFileTest, ALinkToTheInputAsOutputAndAsInput) {
  expect_refused("ln -s five.csv link.csv", "$DM five.csv -q -o link.csv",
                 "cannot write 'link.csv': it is the same file as the input 'five.csv', which would be destroyed");
  expect_refused(":", "$DM link.csv -q -o five.csv",
                 "cannot write 'five.csv': it is the same file as the input 'link.csv', which would be destroyed");
}

TEST_F(SameFileTest, AHardLinkToTheInputAsOutput) {
  expect_refused("ln five.csv hard.csv", "$DM five.csv -q -o hard.csv",
                 "cannot write 'hard.csv': it is the same file as the input 'five.csv', which would be destroyed");
}

TEST_F(SameFileTest, TheDefaultOutputWhenTheInputIsOutputCsv) {
  // The tool's default output is output.csv beside the input: here, the input.
  ASSERT_EQ(sh("mv five.csv output.csv").status, 0);
  const Outcome outcome = sh("$DM output.csv -q");
  EXPECT_EQ(outcome.status, 4);
  EXPECT_EQ(outcome.err,
            "distance_matrix: cannot write 'output.csv': it is the same file as the input 'output.csv', which "
            "would be destroyed\n");
  EXPECT_EQ(file("output.csv"), five_locations);
  EXPECT_EQ(entries(folder_), std::set<std::string>{"output.csv"});
}

TEST_F(SameFileTest, StandardInputIsTheOutputFile) {
  expect_refused(":", "$DM - -q -o five.csv < five.csv",
                 "cannot write 'five.csv': it is the same file as the input (standard input), which would be "
                 "destroyed");
}

TEST_F(SameFileTest, StandardOutputAppendsToTheInput) {
  expect_refused(":", "$DM - -q < five.csv >> five.csv",
                 "cannot write standard output: it is the same file as the input (standard input), which would "
                 "be destroyed");
  expect_refused(":", "$DM five.csv -q -o /dev/stdout >> five.csv",
                 "cannot write '/dev/stdout': it is the same file as the input 'five.csv', which would be "
                 "destroyed");
}

// Issue 18.2: every file read is protected, not only INPUT: standard output
// redirected onto the --to file is refused as onto the input.
TEST_F(SameFileTest, StandardOutputRedirectedOntoTheDestinations) {
  auto expect_depots_refused = [&](const std::string& script, const std::string& output,
                                   const std::string& destinations = "depots.csv") {
    SCOPED_TRACE(script);
    const std::string refused =
        "it is the same file as the destinations '" + destinations + "', which would be destroyed";
    ASSERT_EQ(sh("cp five.csv depots.csv && ln -sf depots.csv link.csv").status, 0);
    const std::set<std::string> before = entries(folder_);
    const Outcome outcome = sh(script);
    EXPECT_EQ(outcome.status, 4);
    EXPECT_EQ(outcome.err, "distance_matrix: cannot write " + output + ": " + refused + "\n");
    EXPECT_EQ(file("depots.csv"), five_locations);
    EXPECT_EQ(entries(folder_), before) << "no temporary, nothing new";
  };
  expect_depots_refused("$DM five.csv -q --to depots.csv -o - 1<> depots.csv", "standard output");
  expect_depots_refused("$DM five.csv -q --to depots.csv -o - >> depots.csv", "standard output");
  expect_depots_refused("$DM five.csv -q --to depots.csv -o /dev/stdout 1<> depots.csv", "'/dev/stdout'");
  expect_depots_refused("$DM five.csv -q --to depots.csv -o /dev/fd/5 5>> depots.csv", "'/dev/fd/5'");
  expect_depots_refused("$DM five.csv -q --to link.csv -o - >> depots.csv", "standard output", "link.csv");
}

TEST_F(SameFileTest, TheDestinationsThroughAnotherNameAsOutput) {
  ASSERT_EQ(sh("cp five.csv depots.csv && ln depots.csv hard.csv").status, 0);
  const Outcome outcome = sh("$DM five.csv -q --to depots.csv -o hard.csv");
  EXPECT_EQ(outcome.status, 4);
  EXPECT_EQ(outcome.err,
            "distance_matrix: cannot write 'hard.csv': it is the same file as the destinations 'depots.csv', "
            "which would be destroyed\n");
  EXPECT_EQ(file("hard.csv"), five_locations);
}

// Issue 18.6: one pipe read as INPUT and as --to would give the second reader
// nothing; two names of one regular file are read twice, in full.
TEST_F(OutputDestinationTest, BothInputsOnOnePipeAreAUsageError) {
  for (const std::string& script : {std::string("cat five.csv | $DM - -q --to /dev/stdin -o out.csv"),
                                    std::string("cat five.csv | $DM /dev/stdin -q --to - -o out.csv"),
                                    // Before the fix the second open of the FIFO waited for a writer
                                    // forever: `timeout` turns that into a failure, not a hang.
                                    std::string("mkfifo pipe; cat five.csv > pipe & writer=$!; timeout 60 $DM pipe -q --to pipe "
                                                "-o out.csv; status=$?; kill $writer 2>/dev/null; rm pipe; "
                                                "exit $status")}) {
    SCOPED_TRACE(script);
    const Outcome outcome = sh(script);
    EXPECT_EQ(outcome.status, 2);
    EXPECT_THAT(outcome.err, ::testing::StartsWith("distance_matrix: --to: "));
    EXPECT_THAT(outcome.err, ::testing::HasSubstr("is the same pipe as INPUT"));
    EXPECT_THAT(outcome.err, ::testing::EndsWith("\nRun with --help for more information.\n"));
    EXPECT_EQ(entries(folder_), std::set<std::string>{"five.csv"});
  }
}

TEST_F(OutputDestinationTest, OneRegularFileAsBothInputsIsReadTwice) {
  const Outcome by_name = sh("$DM five.csv -q --to five.csv -o - > \"$SCRATCH/by_name.csv\"");
  ASSERT_EQ(by_name.status, 0) << by_name.err;
  const Outcome redirected = sh("$DM - -q --to /dev/stdin -o - < five.csv > \"$SCRATCH/redirected.csv\"");
  EXPECT_EQ(redirected.status, 0) << redirected.err;
  const std::string table = read_file(scratch_ / "by_name.csv");
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 6) << "a header and five rows: " << table;
  EXPECT_EQ(read_file(scratch_ / "redirected.csv"), table);
}

// Issue 18.6: an empty --to is a mistake in the input, not a table of no columns.
TEST_F(OutputDestinationTest, DestinationsWithoutALocationAreInvalidInput) {
  for (const std::string& content : {std::string(), std::string("name,latitude,longitude\n"), std::string("\n\n")}) {
    SCOPED_TRACE(content);
    write_file(folder_ / "depots.csv", content);
    const Outcome outcome = sh("$DM five.csv -q --to depots.csv -o out.csv");
    EXPECT_EQ(outcome.status, 3);
    EXPECT_EQ(outcome.err, "depots.csv:1: no destinations: --to needs at least one name,latitude,longitude row\n");
    EXPECT_EQ(entries(folder_), (std::set<std::string>{"five.csv", "depots.csv"}));
  }
}

// Issue 18.9: an NPY output's size is known before the first byte; one
// larger than the free space is refused then, not when the disk fills.
// Origins and destinations are one generated file of n rows, n chosen so
// that the n x n float64 table needs twice the folder's free space.
TEST_F(OutputDestinationTest, AnNpyOutputLargerThanTheFreeSpaceIsRefusedBeforeAnyWork) {
  struct statvfs status {};
  ASSERT_EQ(::statvfs(folder_.c_str(), &status), 0);
  const double free_bytes = static_cast<double>(status.f_bavail) * static_cast<double>(status.f_frsize);
  const auto rows = static_cast<std::size_t>(std::ceil(std::sqrt(2 * free_bytes / 8))) + 1;
  if (rows > 4'000'000) GTEST_SKIP() << "a file system this large needs too big an input to test";
  {
    std::ofstream locations(folder_ / "many.csv");
    for (std::size_t row = 0; row < rows; ++row) locations << 'p' << row << ",1.5,2.5\n";
  }
  ASSERT_EQ(sh("echo old > m.npy").status, 0);
  const Outcome outcome = sh("$DM many.csv -q --to many.csv -o m.npy");
  EXPECT_EQ(outcome.status, 4);
  EXPECT_THAT(outcome.err, ::testing::StartsWith("distance_matrix: cannot write 'm.npy': needs "));
  EXPECT_THAT(outcome.err, ::testing::EndsWith(" free on its file system\n"));
  EXPECT_EQ(file("m.npy"), "old\n");
  EXPECT_EQ(entries(folder_), (std::set<std::string>{"five.csv", "many.csv", "m.npy"})) << "no temporary left";
}

// --- Case 7: names up to NAME_MAX bytes.

TEST_F(OutputDestinationTest, OutputNamesOf244To255BytesAreWritten) {
  for (const std::size_t length : {std::size_t{244}, std::size_t{250}, std::size_t{NAME_MAX}}) {
    const std::string name(length, 'x');
    ASSERT_EQ(sh("echo old > " + name).status, 0);
    const Outcome outcome = sh("$DM five.csv -q -o " + name);
    EXPECT_EQ(outcome.status, 0) << length << ": " << outcome.err;
    EXPECT_EQ(file(name), expected_) << length;
    EXPECT_EQ(entries(folder_), (std::set<std::string>{"five.csv", name})) << length;
    fs::remove(folder_ / name);
  }
}

// --- Decisions: hard links, dangling links, an empty path.

TEST_F(OutputDestinationTest, AHardLinkedOutputIsReplacedAndItsOtherLinkKeepsTheOldContent) {
  const Outcome outcome = sh("echo old > out.csv && ln out.csv other.csv && $DM five.csv -q -o out.csv");
  EXPECT_EQ(outcome.status, 0) << outcome.err;
  EXPECT_EQ(file("out.csv"), expected_);
  EXPECT_EQ(file("other.csv"), "old\n");
}

TEST_F(OutputDestinationTest, ADanglingLinkIsFollowedLikeAShellRedirection) {
  const Outcome outcome =
      sh("mkdir links results && ln -s ../results/new.csv links/out.csv && $DM five.csv -q -o links/out.csv");
  EXPECT_EQ(outcome.status, 0) << outcome.err;
  EXPECT_EQ(file("results/new.csv"), expected_);
  EXPECT_TRUE(fs::is_symlink(folder_ / "links" / "out.csv"));
  EXPECT_EQ(entries(folder_ / "links"), std::set<std::string>{"out.csv"});
  EXPECT_EQ(entries(folder_ / "results"), std::set<std::string>{"new.csv"});
}

TEST_F(OutputDestinationTest, ADanglingLinkIntoAMissingFolderIsAnIoError) {
  const Outcome outcome = sh("ln -s nowhere/new.csv out.csv && $DM five.csv -q -o out.csv");
  EXPECT_EQ(outcome.status, 4);
  EXPECT_EQ(outcome.err,
            "distance_matrix: cannot write 'out.csv' (a link to 'nowhere/new.csv'): No such file or directory\n");
  EXPECT_EQ(entries(folder_), (std::set<std::string>{"five.csv", "out.csv"}));
}

// Issue 18.5: --to "" (an unset variable) is refused like -o "".
TEST_F(OutputDestinationTest, AnEmptyDestinationsPathIsAUsageError) {
  const Outcome outcome = sh("$DM five.csv -q --to '' -o out.csv");
  EXPECT_EQ(outcome.status, 2);
  EXPECT_EQ(outcome.err,
            "distance_matrix: --to: destinations path is empty\nRun with --help for more information.\n");
  EXPECT_EQ(entries(folder_), std::set<std::string>{"five.csv"}) << "not the pairs of INPUT";
}

TEST_F(OutputDestinationTest, AnEmptyOutputPathIsAUsageError) {
  const Outcome outcome = sh("$DM five.csv -q -o ''");
  EXPECT_EQ(outcome.status, 2);
  EXPECT_EQ(outcome.err,
            "distance_matrix: --output: output path is empty\nRun with --help for more information.\n");
  EXPECT_EQ(entries(folder_), std::set<std::string>{"five.csv"}) << "not the default output.csv";
}

// --- Permissions: run as user nobody by tests/run_unprivileged.sh.

class OutputDestinationPermissionTest : public OutputDestinationTest {
 protected:
  void SetUp() override {
    if (::geteuid() == 0) GTEST_SKIP() << "root may read and write anything: ctest runs this suite as nobody";
    OutputDestinationTest::SetUp();
  }
};

TEST_F(OutputDestinationPermissionTest, AnUnreadableInputIsAnIoError) {
  const Outcome outcome = sh("chmod 0200 five.csv && $DM five.csv -q -o out.csv");
  EXPECT_EQ(outcome.status, 4);
  EXPECT_EQ(outcome.err, "distance_matrix: cannot read 'five.csv': Permission denied\n");
  EXPECT_EQ(entries(folder_), std::set<std::string>{"five.csv"});
}

TEST_F(OutputDestinationPermissionTest, AnUnwritableOutputFolderIsAnIoErrorAndTheOldOutputStays) {
  const Outcome outcome =
      sh("mkdir locked && echo old > locked/out.csv && chmod 0500 locked && $DM five.csv -q -o locked/out.csv");
  EXPECT_EQ(outcome.status, 4);
  EXPECT_EQ(outcome.err, "distance_matrix: cannot write 'locked/out.csv': Permission denied\n");
  EXPECT_EQ(file("locked/out.csv"), "old\n");
  EXPECT_EQ(entries(folder_ / "locked"), std::set<std::string>{"out.csv"});
}

TEST_F(OutputDestinationPermissionTest, AnUnwritableOutputFileInAWritableFolderIsReplaced) {
  // As documented: replacing needs the folder's permission, not the file's (as mv).
  const Outcome outcome = sh("echo old > out.csv && chmod 0444 out.csv && $DM five.csv -q -o out.csv");
  EXPECT_EQ(outcome.status, 0) << outcome.err;
  EXPECT_EQ(file("out.csv"), expected_);
  struct stat status {};
  ASSERT_EQ(::stat((folder_ / "out.csv").c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 07777, 0444u) << "the old file's mode is kept";
}

}  // namespace
}  // namespace dm
