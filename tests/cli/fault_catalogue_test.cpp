// The fault catalogue: every way a user or an attacker has been seen to hurt
// the tool, run through the real binary, each with its exact exit status, its
// exact standard error and the files left in the folder afterwards.
//
// Each case runs in a fresh empty folder under /bin/sh, so that redirections
// (`>> log.txt`, `2>&-`) and shell conventions (a death by signal N is status
// 128+N) are exactly what a user would type. In the commands, $DM is the tool
// and $DATA the project's data folder. stderr is compared line by line with
// ECMAScript regular expressions that must match whole lines.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>
#include "support/files.hpp"
#include "support/run_shell.hpp"
#include "support/scratch_folder.hpp"

namespace dm {
namespace {

namespace fs = std::filesystem;
using testing::read_file;

struct Fault {
  const char* name;
  const char* setup;    ///< shell commands preparing the folder (their failure fails the case)
  const char* command;  ///< the command under test
  int status;           ///< its exit status as the shell reports it
  std::vector<const char*> stderr_lines;  ///< a regular expression per line, whole-line match
  const char* files;    ///< the folder's entries afterwards, sorted, separated by spaces
  const char* check;    ///< shell commands that must succeed afterwards ("" for none)
};

// gtest prints a parameter that fails; the case's name says it all.
void PrintTo(const Fault& fault, std::ostream* out) { *out << fault.name; }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

std::string listing(const fs::path& folder) {
  std::set<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
    names.insert(entry.path().filename().string());
  }
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : " ") + name;
  return text;
}

/// The script's exit status as a shell reports it; its standard error into `err`.
int run_shell(const fs::path& folder, const fs::path& scratch, const std::string& script, std::string& err) {
  const testing::ShellOutcome outcome = testing::run_shell(folder, scratch, script);
  err = outcome.err;
  return outcome.status;
}

class FaultCatalogue : public ::testing::TestWithParam<Fault> {
 protected:
  testing::ScratchFolder scratch_folder_{"fault_catalogue"};
  const fs::path& scratch_ = scratch_folder_.path();
  const fs::path& folder_ = scratch_folder_.work();
};

TEST_P(FaultCatalogue, GivesItsExactStatusMessageAndFiles) {
  const Fault& fault = GetParam();
  std::string err;
  ASSERT_EQ(run_shell(folder_, scratch_, fault.setup, err), 0) << "setup failed: " << err;

  const int status = run_shell(folder_, scratch_, fault.command, err);
  EXPECT_EQ(status, fault.status) << "stderr:\n" << err;

  const std::vector<std::string> lines = lines_of(err);
  EXPECT_EQ(lines.size(), fault.stderr_lines.size()) << "stderr:\n" << err;
  for (std::size_t i = 0; i < std::min(lines.size(), fault.stderr_lines.size()); ++i) {
    EXPECT_TRUE(std::regex_match(lines[i], std::regex(fault.stderr_lines[i])))
        << "stderr line " << i + 1 << ": " << lines[i] << "\n   expected: " << fault.stderr_lines[i];
  }

  EXPECT_EQ(listing(folder_), fault.files);
  if (*fault.check != '\0') {
    std::string check_err;
    EXPECT_EQ(run_shell(folder_, scratch_, fault.check, check_err), 0) << "check failed: " << check_err;
  }
}

// Files the cases start from: five.csv (valid), old.csv (an earlier output to
// protect) and old.bak (its copy, to compare with afterwards).
#define FIVE "cp \"$DATA/five_locations.csv\" five.csv"
#define OLD_OUTPUT "printf 'earlier output\\n' > old.csv && cp old.csv old.bak"
#define OLD_KEPT "cmp old.csv old.bak"

const Fault faults[] = {
    // --- The engine's refusals of bad input: exit 3, one line per bad row, nothing written.
    {"LatitudeOutOfRange", OLD_OUTPUT " && printf 'a,1,2\\nb,91.5,3\\n' > in.csv",
     "$DM in.csv -q -o old.csv", 3, {R"(in\.csv:2: latitude 91\.5 is outside \[-90, 90\])"},
     "in.csv old.bak old.csv", OLD_KEPT},
    {"WrongFieldCount", "printf 'a,1,2\\nc,1\\n' > in.csv", "$DM in.csv -q", 3,
     {R"(in\.csv:2: expected 3 fields \(name,latitude,longitude\), found 2)"}, "in.csv", ""},
    {"UnterminatedQuote", "printf 'a,1,2\\n\"d,1,2\\n' > in.csv", "$DM in.csv -q", 3,
     {R"(in\.csv:2: unterminated quote in name: .*)"}, "in.csv", ""},
    {"ManyBadRowsAreCountedPastTwenty",
     "i=0; while [ $i -lt 25 ]; do echo \"x$i,100,0\"; i=$((i+1)); done > in.csv", "$DM in.csv -q", 3,
     {R"(in\.csv:1: latitude 100 is outside \[-90, 90\])", R"(in\.csv:2: .*)", R"(in\.csv:3: .*)",
      R"(in\.csv:4: .*)", R"(in\.csv:5: .*)", R"(in\.csv:6: .*)", R"(in\.csv:7: .*)", R"(in\.csv:8: .*)",
      R"(in\.csv:9: .*)", R"(in\.csv:10: .*)", R"(in\.csv:11: .*)", R"(in\.csv:12: .*)", R"(in\.csv:13: .*)",
      R"(in\.csv:14: .*)", R"(in\.csv:15: .*)", R"(in\.csv:16: .*)", R"(in\.csv:17: .*)", R"(in\.csv:18: .*)",
      R"(in\.csv:19: .*)", R"(in\.csv:20: .*)", R"(\.\.\. and 5 more invalid rows)"},
     "in.csv", ""},

    // --- Files that cannot be read or written: exit 4, one line.
    {"MissingInput", "", "$DM missing.csv -q", 4,
     {R"(distance_matrix: cannot read 'missing\.csv': No such file or directory)"}, "", ""},
    {"OutputFolderMissing", FIVE, "$DM five.csv -q -o nodir/x.csv", 4,
     {R"(distance_matrix: cannot write 'nodir/x\.csv': No such file or directory)"}, "five.csv", ""},

    // --- Where the output goes (issue 5, cases 1, 2, 7 and the decisions; tests/cli/output_destination_test.cpp
    // has the variants).
    {"OutputIsTheInput", FIVE " && cp five.csv five.bak", "$DM five.csv -q -o five.csv", 4,
     {R"(distance_matrix: cannot write 'five\.csv': it is the same file as the input 'five\.csv', which would be destroyed)"},
     "five.bak five.csv", "cmp five.csv five.bak"},
    {"OutputIsAHardLinkToTheInput", FIVE " && cp five.csv five.bak && ln five.csv hard.csv",
     "$DM five.csv -q -o hard.csv", 4,
     {R"(distance_matrix: cannot write 'hard\.csv': it is the same file as the input 'five\.csv', which would be destroyed)"},
     "five.bak five.csv hard.csv", "cmp five.csv five.bak"},
    {"DevStdoutAppendsToTheLog", FIVE " && echo PREVIOUS > log.txt",
     "$DM five.csv -q -o /dev/stdout >> log.txt", 0, {}, "five.csv log.txt",
     "test \"$(head -n 1 log.txt)\" = PREVIOUS && test $(wc -l < log.txt) -eq 11"},
    {"DevFdKeepsTheHeader", FIVE, "{ echo header; $DM five.csv -q -o /dev/fd/1; } > combined.txt", 0, {},
     "combined.txt five.csv", "test \"$(head -n 1 combined.txt)\" = header && test $(wc -l < combined.txt) -eq 11"},
    {"OutputNameOf255Bytes", FIVE,
     "$DM five.csv -q -o $(printf '%0255d' 0)", 0, {},
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000 five.csv",
     ""},
    {"DanglingLinkIntoAMissingFolder", FIVE " && ln -s nowhere/x.csv out.csv", "$DM five.csv -q -o out.csv", 4,
     {R"(distance_matrix: cannot write 'out\.csv' \(a link to 'nowhere/x\.csv'\): No such file or directory)"},
     "five.csv out.csv", "test -L out.csv"},
    {"EmptyOutputPath", FIVE, "$DM five.csv -q -o ''", 2,
     {R"(distance_matrix: --output: output path is empty)", R"(Run with --help for more information\.)"},
     "five.csv", ""},

    // --- What the input may be (issue 5, cases 4, 6, 10 and the UTF-8 decision; tests/cli/input_cli_test.cpp
    // has the variants).
    {"AHeaderThatIsDataIsRefused", "printf 'Paris,48.85N,2.35E\\nb,1,2\\n' > in.csv", "$DM in.csv -q", 3,
     {R"(in\.csv:1: latitude "48\.85N" is not a number)"}, "in.csv", ""},
    {"AHeaderWithoutDigitsIsSkipped", "printf 'name,latitude,longitude\\na,1,2\\nb,2,3\\n' > in.csv",
     "$DM in.csv -q -o out.csv", 0, {}, "in.csv out.csv", "test \"$(cut -d, -f1,2 out.csv)\" = a,b"},
    {"EndlessBinaryInputStopsAtOnce", OLD_OUTPUT, "$DM /dev/zero -q -o old.csv", 3,
     {R"(/dev/zero:1: NUL byte in name: NUL bytes are not allowed \(save UTF-16 files as UTF-8\))"},
     "old.bak old.csv", OLD_KEPT},
    {"ARowLongerThanTheLimit", "head -c 70000 /dev/zero | tr '\\0' a > in.csv", "$DM in.csv -q", 3,
     {R"(in\.csv:1: row longer than 65536 bytes, the limit for one row: reading stopped here .*)"}, "in.csv", ""},
    {"InvalidUtf8InAName", "printf 'caf\\351,1,2\\nb,1,2\\n' > in.csv", "$DM in.csv -q", 3,
     {R"(in\.csv:1: name is not valid UTF-8: byte 0xE9 at column 4 .*iconv -f latin1 -t utf-8)"}, "in.csv", ""},
    {"AFileNameCannotForgeADiagnostic", "printf 'a,1,2\\nb,91,2\\n' > \"$(printf 'ev\\nil\\033[31m.csv')\"",
     "$DM \"$(printf 'ev\\nil\\033[31m.csv')\" -q", 3,
     {R"(ev\\nil\\e\[31m\.csv:2: latitude 91 is outside \[-90, 90\])"}, "ev\nil\x1b[31m.csv", ""},

    // --- Interrupts and limits (issue 5, cases 3, 5, 8, 9 and the closed-stderr decision;
    // tests/cli/interrupt_test.cpp has every executor and signal).
    {"TerminatedRunRemovesItsTemporaryAndKeepsTheOldOutput", FIVE " && " OLD_OUTPUT,
     // The shell's own report of the job's death ("Terminated") is not
     // always printed (under load it was missing once in a parallel ctest
     // run): discarded, and only the tool's standard error compared.
     "( $DM five.csv -e sequential --io-latency 60min -q -o old.csv 2>tool.err & pid=$!\n"
     "while ! ls -A | grep -q '^\\.old\\.csv\\.tmp\\.'; do sleep 0.01; done\n"
     "kill -TERM $pid; wait $pid ) 2>/dev/null; status=$?\n"
     "cat tool.err >&2; rm tool.err; exit $status",
     128 + 15, {}, "five.csv old.bak old.csv", OLD_KEPT},
    {"FileSizeLimitIsAClearError", FIVE " && " OLD_OUTPUT " && cp \"$DATA/1k_locations.csv\" big.csv",
     // One block: 512 bytes for dash's ulimit, 1024 for bash's.
     "ulimit -f 1; $DM big.csv -q -o old.csv", 4,
     {R"(distance_matrix: cannot write 'old\.csv': File too large \(the file size limit, ulimit -f, is (512|1024) bytes\))"},
     "big.csv five.csv old.bak old.csv", OLD_KEPT},
    {"AsyncOnAPipeStopsAtTheFirstBadRow", "printf 'a,1,2\\nb,2,3\\nc,3,4\\nd,95,1\\ne,1,1\\n' > in.csv",
     "{ $DM in.csv -e async -q -o -; echo $? > status; } | cut -d, -f2 | sort -u > destinations; "
     "test \"$(cat status)\" = 3",
     0, {R"(in\.csv:4: latitude 95 is outside \[-90, 90\])"}, "destinations in.csv status",
     "! grep -q '^[de]$' destinations"},
    {"ARadiusThatWouldOverflow", FIVE, "$DM five.csv --radius 1e308 --unit m -q", 2,
     {R"(distance_matrix: --radius: 1e\+308 km gives infinite distances in m; the largest radius allowed with --unit m is 2\.861117485757028e\+304 km)",
      R"(Run with --help for more information\.)"},
     "five.csv", ""},
    {"MoreParallelWorkersThanCoresKeepStderrClean", FIVE, "$DM five.csv -e parallel --workers 8 -q -o out.csv", 0,
     {}, "five.csv out.csv", ""},
    {"AClosedStderrAfterSuccessIsStillSuccess", FIVE, "$DM five.csv -o out.csv 2>&-", 0, {}, "five.csv out.csv",
     "test $(wc -l < out.csv) -eq 10"},

    // --- Usage errors: exit 2, the problem and a pointer to --help.
    {"WorkersOutOfRange", FIVE, "$DM five.csv --workers 0", 2,
     {R"(distance_matrix: --workers: 0 is not a whole number from 1 to 1024)",
      R"(Run with --help for more information\.)"},
     "five.csv", ""},
    {"UnknownExecutor", FIVE, "$DM five.csv -e bogus", 2,
     {R"(distance_matrix: --executor: bogus not in \{sequential,threads,pool,processes,async,parallel,mpi\})",
      R"(Run with --help for more information\.)"},
     "five.csv", ""},
};

std::string fault_name(const ::testing::TestParamInfo<Fault>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(Cases, FaultCatalogue, ::testing::ValuesIn(faults), fault_name);

}  // namespace
}  // namespace dm
