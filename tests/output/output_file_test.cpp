#include "distance_matrix/output/output_file.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "distance_matrix/errors.hpp"
#include "support/files.hpp"

namespace dm {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::write_file;
using testing::entries;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

/// Names of everything in `folder`, to prove no temporary was left behind.
mode_t permissions(const fs::path& path) {
  struct stat status {};
  EXPECT_EQ(::stat(path.c_str(), &status), 0) << path;
  return status.st_mode & 07777;
}

class OutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "output_file_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    folder_ = pattern;
  }
  void TearDown() override { fs::remove_all(folder_); }

  fs::path folder_;
};

TEST_F(OutputFileTest, CreatesANewFileOnlyOnCommit) {
  const fs::path target = folder_ / "new.csv";
  OutputFile file(target);
  EXPECT_EQ(file.path(), target);
  EXPECT_EQ(file.temporary_path().parent_path(), folder_);
  EXPECT_THAT(file.temporary_path().filename().string(), StartsWith(".new.csv.tmp."));
  file.write("a,b,1\n");
  file.write("");
  file.write("a,c,2\n");
  EXPECT_FALSE(fs::exists(target));

  file.commit();
  EXPECT_EQ(read_file(target), "a,b,1\na,c,2\n");
  EXPECT_EQ(entries(folder_), std::set<std::string>{"new.csv"});
}

TEST_F(OutputFileTest, ReplacesAnExistingFileOnlyOnCommit) {
  const fs::path target = folder_ / "output.csv";
  write_file(target, "old content\n");
  {
    OutputFile file(target);
    file.write("new content\n");
    EXPECT_EQ(read_file(target), "old content\n") << "before commit the old file is intact";
    EXPECT_EQ(read_file(file.temporary_path()), "new content\n");
    file.commit();
    EXPECT_EQ(read_file(target), "new content\n");
  }
  EXPECT_EQ(entries(folder_), std::set<std::string>{"output.csv"});
}

TEST_F(OutputFileTest, WithoutCommitLeavesTheOldFileAndNoTemporary) {
  const fs::path target = folder_ / "output.csv";
  write_file(target, "old content\n");
  fs::path temporary;
  {
    OutputFile file(target);
    temporary = file.temporary_path();
    file.write("half of the new");
    EXPECT_TRUE(fs::exists(temporary));
  }
  EXPECT_FALSE(fs::exists(temporary));
  EXPECT_EQ(read_file(target), "old content\n");
  EXPECT_EQ(entries(folder_), std::set<std::string>{"output.csv"});
}

TEST_F(OutputFileTest, WithoutCommitCreatesNothing) {
  {
    OutputFile file(folder_ / "never.csv");
    file.write("abandoned");
  }
  EXPECT_TRUE(entries(folder_).empty());
}

TEST_F(OutputFileTest, AnExceptionBeforeCommitLeavesTheOldFile) {
  const fs::path target = folder_ / "output.csv";
  write_file(target, "old content\n");
  EXPECT_THROW(
      {
        OutputFile file(target);
        file.write("partial");
        throw InputError({}, 0);
      },
      InputError);
  EXPECT_EQ(read_file(target), "old content\n");
  EXPECT_EQ(entries(folder_), std::set<std::string>{"output.csv"});
}

TEST_F(OutputFileTest, WritesLargeContentCompletely) {
  const fs::path target = folder_ / "large.csv";
  const std::string content(std::size_t{3} << 20, 'x');
  OutputFile file(target);
  file.write(content);
  file.commit();
  EXPECT_EQ(read_file(target), content);
}

TEST_F(OutputFileTest, CommitTwiceAndWriteAfterCommit) {
  const fs::path target = folder_ / "output.csv";
  OutputFile file(target);
  file.write("done\n");
  file.commit();
  EXPECT_NO_THROW(file.commit());
  EXPECT_THROW(file.write("more"), std::logic_error);
  EXPECT_EQ(read_file(target), "done\n");
}

TEST_F(OutputFileTest, KeepsThePermissionsOfAnExistingFile) {
  const fs::path target = folder_ / "output.csv";
  write_file(target, "old\n");
  ASSERT_EQ(::chmod(target.c_str(), 0640), 0);
  OutputFile file(target);
  file.write("new\n");
  file.commit();
  EXPECT_EQ(permissions(target), mode_t{0640});
}

TEST_F(OutputFileTest, KeepsTheOwnerOfAnExistingFileWhenAllowed) {
  if (::geteuid() != 0) GTEST_SKIP() << "only root may give a file to another user";
  const fs::path target = folder_ / "output.csv";
  write_file(target, "old\n");
  constexpr uid_t other_user = 65534;  // "nobody"
  constexpr gid_t other_group = 65534;
  ASSERT_EQ(::chown(target.c_str(), other_user, other_group), 0);
  OutputFile file(target);
  file.write("new\n");
  file.commit();
  struct stat status {};
  ASSERT_EQ(::stat(target.c_str(), &status), 0);
  EXPECT_EQ(status.st_uid, other_user);
  EXPECT_EQ(status.st_gid, other_group);
}

TEST_F(OutputFileTest, GivesANewFileTheModeOfTheUmask) {
  const mode_t previous = ::umask(027);
  {
    OutputFile file(folder_ / "new.csv");
    file.commit();
  }
  ::umask(previous);
  EXPECT_EQ(permissions(folder_ / "new.csv"), mode_t{0640});
}

TEST_F(OutputFileTest, ReplacesTheFileBehindASymbolicLinkAndKeepsTheLink) {
  const fs::path real = folder_ / "real.csv";
  const fs::path link = folder_ / "link.csv";
  write_file(real, "old\n");
  fs::create_symlink("real.csv", link);
  OutputFile file(link);
  EXPECT_EQ(file.temporary_path().parent_path(), fs::canonical(folder_));
  file.write("new\n");
  file.commit();
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(read_file(real), "new\n");
  EXPECT_EQ(entries(folder_), (std::set<std::string>{"link.csv", "real.csv"}));
}

TEST_F(OutputFileTest, WritesADeviceStraightThrough) {
  OutputFile file("/dev/null");
  EXPECT_TRUE(file.temporary_path().empty());
  file.write("discarded\n");
  file.commit();
  struct stat status {};
  ASSERT_EQ(::stat("/dev/null", &status), 0);
  EXPECT_TRUE(S_ISCHR(status.st_mode)) << "/dev/null must not have been replaced";
}

TEST_F(OutputFileTest, AFailedWriteIsAnIoErrorNamingThePathAndTheReason) {
  OutputFile file("/dev/full");
  try {
    file.write("no room\n");
    FAIL() << "expected IoError";
  } catch (const IoError& error) {
    EXPECT_STREQ(error.what(), "cannot write '/dev/full': No space left on device");
  }
}

TEST_F(OutputFileTest, WritesANamedPipeStraightThrough) {
  const fs::path fifo = folder_ / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string received;
  // Opening a FIFO blocks until both ends are open; the reader runs alongside
  // and sees end-of-file when commit() closes the writing end.
  std::thread reader([&] { received = read_file(fifo); });
  {
    OutputFile file(fifo);
    EXPECT_TRUE(file.temporary_path().empty());
    file.write("through ");
    file.write("the pipe\n");
    file.commit();
  }
  reader.join();
  EXPECT_EQ(received, "through the pipe\n");
  EXPECT_EQ(entries(folder_), std::set<std::string>{"pipe"});
}

TEST_F(OutputFileTest, WritesStandardOutputForDash) {
  const fs::path captured = folder_ / "stdout";
  std::fflush(stdout);
  const int saved = ::dup(STDOUT_FILENO);
  ASSERT_GE(saved, 0);
  const int capture = ::open(captured.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(capture, 0);
  ::dup2(capture, STDOUT_FILENO);
  {
    OutputFile file("-");
    EXPECT_TRUE(file.is_standard_output());
    EXPECT_TRUE(file.temporary_path().empty());
    file.write("to stdout\n");
    file.commit();
  }
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  ::close(capture);
  EXPECT_EQ(read_file(captured), "to stdout\n");
  EXPECT_NE(::fcntl(STDOUT_FILENO, F_GETFD), -1) << "standard output must stay open";
}

TEST_F(OutputFileTest, AMissingFolderIsAnIoErrorNamingThePath) {
  const fs::path target = folder_ / "out" / "x.csv";
  try {
    OutputFile file(target);
    FAIL() << "expected IoError";
  } catch (const IoError& error) {
    EXPECT_EQ(std::string(error.what()), "cannot write '" + target.string() + "': No such file or directory");
  }
}

TEST_F(OutputFileTest, ARelativeMissingFolderIsReportedAsGiven) {
  try {
    OutputFile file("no_such_folder_for_output_file_test/x.csv");
    FAIL() << "expected IoError";
  } catch (const IoError& error) {
    EXPECT_STREQ(error.what(),
                 "cannot write 'no_such_folder_for_output_file_test/x.csv': No such file or directory");
  }
}

TEST_F(OutputFileTest, AFolderAsTargetIsAnIoError) {
  try {
    OutputFile file(folder_);
    FAIL() << "expected IoError";
  } catch (const IoError& error) {
    EXPECT_THAT(error.what(), HasSubstr("Is a directory"));
  }
}

TEST_F(OutputFileTest, AFileInPlaceOfAFolderIsAnIoError) {
  write_file(folder_ / "plain", "");
  EXPECT_THROW(OutputFile(folder_ / "plain" / "x.csv"), IoError);
}

// --- Paths that name a descriptor already open: written through it (issue 5, case 1).

/// A file open on a descriptor of this process, as a shell redirection opens it.
class OpenDescriptor {
 public:
  OpenDescriptor(const fs::path& path, int flags) : descriptor_(::open(path.c_str(), flags | O_CLOEXEC, 0600)) {
    EXPECT_GE(descriptor_, 0) << path;
  }
  ~OpenDescriptor() { ::close(descriptor_); }
  OpenDescriptor(const OpenDescriptor&) = delete;
  OpenDescriptor& operator=(const OpenDescriptor&) = delete;
  [[nodiscard]] int number() const { return descriptor_; }
  [[nodiscard]] std::string fd_path(std::string_view folder) const {
    return std::string(folder) + std::to_string(descriptor_);
  }

 private:
  int descriptor_;
};

/// Puts `path` on standard descriptor `target` (1 or 2) for the scope, as
/// `>> path` would, and restores the original afterwards.
class Redirection {
 public:
  Redirection(int target, const fs::path& path, int flags) : target_(target), saved_(::dup(target)) {
    std::fflush(nullptr);
    const int opened = ::open(path.c_str(), flags | O_CLOEXEC, 0600);
    EXPECT_GE(opened, 0) << path;
    EXPECT_EQ(::dup2(opened, target_), target_);
    ::close(opened);
  }
  ~Redirection() {
    std::fflush(nullptr);
    ::dup2(saved_, target_);
    ::close(saved_);
  }
  Redirection(const Redirection&) = delete;
  Redirection& operator=(const Redirection&) = delete;

 private:
  int target_;
  int saved_;
};

off_t offset_of(int descriptor) { return ::lseek(descriptor, 0, SEEK_CUR); }

TEST_F(OutputFileTest, DevStdoutOpenedForAppendingIsAppendedTo) {
  // echo PREVIOUS > log.txt; distance_matrix five.csv -q -o /dev/stdout >> log.txt
  const fs::path log = folder_ / "log.txt";
  write_file(log, "PREVIOUS\n");
  {
    Redirection redirection(STDOUT_FILENO, log, O_WRONLY | O_APPEND);
    OutputFile file("/dev/stdout");
    EXPECT_TRUE(file.temporary_path().empty());
    file.write("a,b,1\n");
    file.commit();
  }
  EXPECT_EQ(read_file(log), "PREVIOUS\na,b,1\n");
  EXPECT_EQ(entries(folder_), std::set<std::string>{"log.txt"});
}

TEST_F(OutputFileTest, DevStderrOpenedForAppendingIsAppendedTo) {
  const fs::path log = folder_ / "log.txt";
  write_file(log, "PREVIOUS\n");
  {
    Redirection redirection(STDERR_FILENO, log, O_WRONLY | O_APPEND);
    OutputFile file("/dev/stderr");
    file.write("a,b,1\n");
    file.commit();
  }
  EXPECT_EQ(read_file(log), "PREVIOUS\na,b,1\n");
}

class DescriptorPathTest : public OutputFileTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(DescriptorPathTest, IsWrittenAtTheDescriptorsOffsetWithoutTruncating) {
  // { echo header; distance_matrix five.csv -q -o /dev/fd/N; } N> combined.txt
  const fs::path combined = folder_ / "combined.txt";
  OpenDescriptor descriptor(combined, O_WRONLY | O_CREAT | O_TRUNC);
  ASSERT_EQ(::write(descriptor.number(), "header\n", 7), 7);
  {
    OutputFile file(descriptor.fd_path(GetParam()));
    EXPECT_TRUE(file.temporary_path().empty());
    file.write("a,b,1\n");
    file.commit();
  }
  EXPECT_EQ(read_file(combined), "header\na,b,1\n");
  EXPECT_EQ(offset_of(descriptor.number()), 13) << "the shared offset moved past our bytes";
  EXPECT_NE(::fcntl(descriptor.number(), F_GETFD), -1) << "the caller's descriptor stays open";
  EXPECT_EQ(entries(folder_), std::set<std::string>{"combined.txt"});
}

INSTANTIATE_TEST_SUITE_P(EveryName, DescriptorPathTest,
                         ::testing::Values("/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/", "/dev/../dev/fd/"));

TEST_F(OutputFileTest, ADescriptorOpenForReadingAndWritingIsOverwrittenInPlaceNotTruncated) {
  // distance_matrix five.csv -o /dev/stdout 1<> existing.txt
  const fs::path existing = folder_ / "existing.txt";
  write_file(existing, "0123456789\n");
  OpenDescriptor descriptor(existing, O_RDWR);
  {
    OutputFile file(descriptor.fd_path("/dev/fd/"));
    file.write("abc");
    file.commit();
  }
  EXPECT_EQ(read_file(existing), "abc3456789\n");
}

TEST_F(OutputFileTest, AUsersLinkToADescriptorPathIsWrittenThroughTheDescriptor) {
  const fs::path log = folder_ / "log.txt";
  write_file(log, "PREVIOUS\n");
  OpenDescriptor descriptor(log, O_WRONLY | O_APPEND);
  // A chain: out.csv -> via.csv -> /proc/self/fd/N, and a relative one to /dev/stdout's kind.
  fs::create_symlink(descriptor.fd_path("/proc/self/fd/"), folder_ / "via.csv");
  fs::create_symlink("via.csv", folder_ / "out.csv");
  {
    OutputFile file(folder_ / "out.csv");
    EXPECT_TRUE(file.temporary_path().empty());
    file.write("a,b,1\n");
    file.commit();
  }
  EXPECT_EQ(read_file(log), "PREVIOUS\na,b,1\n");
  EXPECT_TRUE(fs::is_symlink(folder_ / "out.csv"));
  EXPECT_TRUE(fs::is_symlink(folder_ / "via.csv"));
  EXPECT_EQ(entries(folder_), (std::set<std::string>{"log.txt", "out.csv", "via.csv"}));
}

TEST_F(OutputFileTest, ADescriptorPathOfAClosedDescriptorIsAnIoError) {
  int closed = -1;
  {
    OpenDescriptor descriptor(folder_ / "gone", O_WRONLY | O_CREAT);
    closed = descriptor.number();
  }
  const std::string path = "/dev/fd/" + std::to_string(closed);
  try {
    OutputFile file(path);
    FAIL() << "expected IoError";
  } catch (const IoError& error) {
    EXPECT_EQ(std::string(error.what()), "cannot write '" + path + "': Bad file descriptor");
  }
}

TEST_F(OutputFileTest, DashStillWritesStandardOutputAtItsOffset) {
  const fs::path log = folder_ / "log.txt";
  write_file(log, "PREVIOUS\n");
  {
    Redirection redirection(STDOUT_FILENO, log, O_WRONLY | O_APPEND);
    OutputFile file("-");
    file.write("a,b,1\n");
    file.commit();
  }
  EXPECT_EQ(read_file(log), "PREVIOUS\na,b,1\n");
}

// --- The input as output: refused before anything is touched (issue 5, case 2).

class SameFileTest : public OutputFileTest {
 protected:
  void SetUp() override {
    OutputFileTest::SetUp();
    input_ = folder_ / "self.csv";
    write_file(input_, input_text);
  }

  /// Expects OutputFile(output, input) to refuse with `message`, and the
  /// folder to hold exactly what it held before, the input unchanged.
  void expect_refused(const fs::path& output, const std::optional<ProtectedInput>& input,
                      const std::string& message) {
    const std::set<std::string> before = entries(folder_);
    try {
      OutputFile file(output, input);
      ADD_FAILURE() << "expected IoError for " << output;
    } catch (const IoError& error) {
      EXPECT_EQ(std::string(error.what()), message);
    }
    EXPECT_EQ(read_file(input_), input_text);
    EXPECT_EQ(entries(folder_), before) << "no temporary";
  }

  static constexpr std::string_view input_text = "a,1,2\nb,3,4\n";
  fs::path input_;
};

TEST_F(SameFileTest, TheSamePathIsRefused) {
  expect_refused(input_, ProtectedInput::of(input_),
                 "cannot write '" + input_.string() + "': it is the same file as the input '" + input_.string() +
                     "', which would be destroyed");
}

TEST_F(SameFileTest, ASymbolicLinkToTheInputIsRefusedEitherWay) {
  const fs::path link = folder_ / "link.csv";
  fs::create_symlink("self.csv", link);
  expect_refused(link, ProtectedInput::of(input_),
                 "cannot write '" + link.string() + "': it is the same file as the input '" + input_.string() +
                     "', which would be destroyed");
  expect_refused(input_, ProtectedInput::of(link),
                 "cannot write '" + input_.string() + "': it is the same file as the input '" + link.string() +
                     "', which would be destroyed");
}

TEST_F(SameFileTest, AHardLinkToTheInputIsRefused) {
  const fs::path hard = folder_ / "hard.csv";
  fs::create_hard_link(input_, hard);
  expect_refused(hard, ProtectedInput::of(input_),
                 "cannot write '" + hard.string() + "': it is the same file as the input '" + input_.string() +
                     "', which would be destroyed");
}

TEST_F(SameFileTest, ADifferentSpellingOfThePathIsRefused) {
  const fs::path roundabout = folder_ / "." / ".." / folder_.filename() / "self.csv";
  expect_refused(roundabout, ProtectedInput::of(input_),
                 "cannot write '" + roundabout.string() + "': it is the same file as the input '" +
                     input_.string() + "', which would be destroyed");
}

TEST_F(SameFileTest, StandardOutputOnTheInputIsRefused) {
  // distance_matrix self.csv -o - >> self.csv, or -o /dev/stdout
  Redirection redirection(STDOUT_FILENO, input_, O_WRONLY | O_APPEND);
  for (const char* output : {"-", "/dev/stdout"}) {
    const std::string subject = std::string(output) == "-" ? "standard output" : "'/dev/stdout'";
    expect_refused(output, ProtectedInput::of(input_),
                   "cannot write " + subject + ": it is the same file as the input '" + input_.string() +
                       "', which would be destroyed");
  }
}

TEST_F(SameFileTest, StandardInputOnTheOutputIsRefused) {
  // distance_matrix - -o self.csv < self.csv
  std::fflush(nullptr);
  const int saved = ::dup(STDIN_FILENO);
  const int opened = ::open(input_.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(opened, 0);
  ASSERT_EQ(::dup2(opened, STDIN_FILENO), STDIN_FILENO);
  ::close(opened);
  const std::optional<ProtectedInput> input = ProtectedInput::of("-");
  ::dup2(saved, STDIN_FILENO);
  ::close(saved);
  ASSERT_TRUE(input.has_value());
  expect_refused(input_, input,
                 "cannot write '" + input_.string() +
                     "': it is the same file as the input (standard input), which would be destroyed");
}

TEST_F(SameFileTest, TheInputsNameInTheMessageIsEscaped) {
  const fs::path crafted = folder_ / "in\nput.csv";
  fs::create_symlink("self.csv", crafted);
  expect_refused(input_, ProtectedInput::of(crafted),
                 "cannot write '" + input_.string() + "': it is the same file as the input '" + folder_.string() +
                     "/in\\nput.csv', which would be destroyed");
}

TEST_F(SameFileTest, AnotherFileWithTheSameContentIsWritten) {
  const fs::path other = folder_ / "other.csv";
  write_file(other, input_text);
  OutputFile file(other, ProtectedInput::of(input_));
  file.write("new\n");
  file.commit();
  EXPECT_EQ(read_file(other), "new\n");
  EXPECT_EQ(read_file(input_), input_text);
}

TEST_F(SameFileTest, DevicesAreNeverRefused) {
  // Reading /dev/null and writing it is harmless: only regular files are protected.
  OutputFile file("/dev/null", ProtectedInput::of("/dev/null"));
  file.write("discarded\n");
  file.commit();
}

TEST(ProtectedInputTest, IsAbsentForAMissingFile) {
  EXPECT_FALSE(ProtectedInput::of("/no/such/file.csv").has_value());
}

// --- Long names (issue 5, case 7).

class LongNameTest : public OutputFileTest, public ::testing::WithParamInterface<std::size_t> {};

TEST_P(LongNameTest, IsWrittenThroughATemporaryWithinNameMax) {
  const std::string name(GetParam(), 'n');
  const fs::path target = folder_ / name;
  write_file(target, "old\n");
  {
    OutputFile file(target);
    const std::string temporary = file.temporary_path().filename().string();
    EXPECT_LE(temporary.size(), std::size_t{NAME_MAX});
    EXPECT_THAT(temporary, StartsWith("." + name.substr(0, 20)));
    EXPECT_EQ(file.temporary_path().parent_path(), folder_);
    file.write("new\n");
    file.commit();
  }
  EXPECT_EQ(read_file(target), "new\n");
  EXPECT_EQ(entries(folder_), std::set<std::string>{name});
}

INSTANTIATE_TEST_SUITE_P(UpToNameMax, LongNameTest, ::testing::Values(200, 243, 244, 250, 254, 255));

TEST_F(OutputFileTest, ALongNameIsNotCutInsideAUtf8Character) {
  // 125 two-byte characters and "csv" (253 bytes): the temporary keeps at most
  // 243 bytes of it, and byte 243 is the second half of a character.
  std::string name;
  for (int i = 0; i < 125; ++i) name += "\xC3\xA9";  // é
  name += "csv";
  const fs::path target = folder_ / name;
  OutputFile file(target);
  const std::string temporary = file.temporary_path().filename().string();
  EXPECT_LE(temporary.size(), std::size_t{NAME_MAX});
  const std::string kept = temporary.substr(1, temporary.size() - std::string_view(".tmp.XXXXXX").size() - 1);
  EXPECT_EQ(kept.size(), 242u) << "whole characters only";
  EXPECT_EQ(kept, name.substr(0, kept.size()));
  file.commit();
  EXPECT_EQ(entries(folder_), std::set<std::string>{name});
}

TEST_F(OutputFileTest, ANameBeyondNameMaxIsAnIoError) {
  const fs::path target = folder_ / std::string(NAME_MAX + 1, 'n');
  try {
    OutputFile file(target);
    FAIL() << "expected IoError";
  } catch (const IoError& error) {
    EXPECT_THAT(error.what(), HasSubstr("File name too long"));
  }
  EXPECT_TRUE(entries(folder_).empty());
}

// --- Hard links, dangling links, extended attributes, an empty path (issue 5, decisions).

TEST_F(OutputFileTest, AHardLinkedOutputIsReplacedAndTheOtherLinkKeepsTheOldContent) {
  const fs::path output = folder_ / "output.csv";
  const fs::path other = folder_ / "other.csv";
  write_file(output, "old\n");
  fs::create_hard_link(output, other);
  OutputFile file(output);
  file.write("new\n");
  file.commit();
  EXPECT_EQ(read_file(output), "new\n");
  EXPECT_EQ(read_file(other), "old\n");
  EXPECT_EQ(fs::hard_link_count(other), 1u);
}

TEST_F(OutputFileTest, ADanglingLinkIsFollowedAndItsTargetCreated) {
  // links/out.csv -> ../data/new.csv: relative to the link's folder, not ours.
  fs::create_directory(folder_ / "links");
  fs::create_directory(folder_ / "data");
  fs::create_symlink("../data/new.csv", folder_ / "links" / "out.csv");
  {
    OutputFile file(folder_ / "links" / "out.csv");
    EXPECT_EQ(file.temporary_path().parent_path(), folder_ / "data") << "same folder as the target";
    file.write("new\n");
    file.commit();
  }
  EXPECT_TRUE(fs::is_symlink(folder_ / "links" / "out.csv"));
  EXPECT_EQ(fs::read_symlink(folder_ / "links" / "out.csv"), "../data/new.csv");
  EXPECT_EQ(read_file(folder_ / "data" / "new.csv"), "new\n");
  EXPECT_EQ(entries(folder_ / "data"), std::set<std::string>{"new.csv"});
  EXPECT_EQ(entries(folder_ / "links"), std::set<std::string>{"out.csv"});
}

TEST_F(OutputFileTest, ADanglingLinkWithoutCommitCreatesNothing) {
  fs::create_symlink("new.csv", folder_ / "out.csv");
  {
    OutputFile file(folder_ / "out.csv");
    file.write("abandoned");
  }
  EXPECT_EQ(entries(folder_), std::set<std::string>{"out.csv"});
}

TEST_F(OutputFileTest, ADanglingLinkIntoAMissingFolderIsAnIoErrorNamingTheTarget) {
  const fs::path link = folder_ / "out.csv";
  fs::create_symlink("nowhere/new.csv", link);
  try {
    OutputFile file(link);
    FAIL() << "expected IoError";
  } catch (const IoError& error) {
    EXPECT_EQ(std::string(error.what()), "cannot write '" + link.string() + "' (a link to '" + folder_.string() +
                                             "/nowhere/new.csv'): No such file or directory");
  }
  EXPECT_EQ(entries(folder_), std::set<std::string>{"out.csv"});
}

TEST_F(OutputFileTest, ALinkTargetInAMessageIsEscaped) {
  // A crafted target must not be able to forge a second line in the message.
  const fs::path link = folder_ / "out.csv";
  fs::create_symlink("no\nwhere/new.csv", link);
  try {
    OutputFile file(link);
    FAIL() << "expected IoError";
  } catch (const IoError& error) {
    EXPECT_THAT(error.what(), HasSubstr("(a link to '" + folder_.string() + "/no\\nwhere/new.csv')"));
    EXPECT_THAT(error.what(), Not(HasSubstr("\n")));
  }
}

TEST_F(OutputFileTest, ALoopOfLinksIsAnIoError) {
  fs::create_symlink("b.csv", folder_ / "a.csv");
  fs::create_symlink("a.csv", folder_ / "b.csv");
  try {
    OutputFile file(folder_ / "a.csv");
    FAIL() << "expected IoError";
  } catch (const IoError& error) {
    EXPECT_THAT(error.what(), HasSubstr("Too many levels of symbolic links"));
  }
  EXPECT_EQ(entries(folder_), (std::set<std::string>{"a.csv", "b.csv"}));
}

TEST_F(OutputFileTest, AnEmptyPathIsAnIoError) {
  EXPECT_THROW(OutputFile(""), IoError);
}

/// A folder whose file system stores user.* extended attributes. tmpfs
/// before Linux 6.6 refuses them, so the build folder comes first.
std::optional<fs::path> folder_with_user_attributes() {
  for (const fs::path& candidate : {fs::path(DM_TEST_SCRATCH_DIR), fs::temp_directory_path()}) {
    const fs::path probe = candidate / ("xattr_probe." + std::to_string(::getpid()));
    write_file(probe, "");
    const bool supported = ::setxattr(probe.c_str(), "user.dm_probe", "1", 1, 0) == 0;
    fs::remove(probe);
    if (supported) return candidate;
  }
  return std::nullopt;
}

TEST_F(OutputFileTest, ExtendedAttributesOfAReplacedFileAreKept) {
  const std::optional<fs::path> scratch = folder_with_user_attributes();
  ASSERT_TRUE(scratch.has_value())
      << "neither " << DM_TEST_SCRATCH_DIR << " nor " << fs::temp_directory_path()
      << " stores user.* extended attributes: the guarantee cannot be tested here";
  std::string pattern = (*scratch / "output_file_xattr.XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const fs::path folder = pattern;
  const fs::path target = folder / "output.csv";
  write_file(target, "old\n");
  const std::string binary_value("origin\0url\n", 11);
  ASSERT_EQ(::setxattr(target.c_str(), "user.xdg.origin.url", binary_value.data(), binary_value.size(), 0), 0);
  ASSERT_EQ(::setxattr(target.c_str(), "user.empty", "", 0, 0), 0);
  {
    OutputFile file(target);
    file.write("new\n");
    file.commit();
  }
  EXPECT_EQ(read_file(target), "new\n");
  std::string value(64, '\0');
  const ssize_t size = ::getxattr(target.c_str(), "user.xdg.origin.url", value.data(), value.size());
  ASSERT_GE(size, 0) << "user.xdg.origin.url was dropped";
  value.resize(static_cast<std::size_t>(size));
  EXPECT_EQ(value, binary_value);
  EXPECT_EQ(::getxattr(target.c_str(), "user.empty", nullptr, 0), 0) << "an empty attribute is an attribute";
  fs::remove_all(folder);
}

// --- Permissions: these suites run as an unprivileged user (tests/run_unprivileged.sh),
// since root may write anywhere; ctest never runs them as root.

class OutputFilePermissionTest : public OutputFileTest {
 protected:
  void SetUp() override {
    if (::geteuid() == 0) GTEST_SKIP() << "root may write anywhere: ctest runs this suite as nobody";
    OutputFileTest::SetUp();
  }
};

TEST_F(OutputFilePermissionTest, AnUnwritableFolderIsAnIoErrorAndTheFileStays) {
  const fs::path target = folder_ / "output.csv";
  write_file(target, "old\n");
  ASSERT_EQ(::chmod(folder_.c_str(), 0500), 0);
  try {
    OutputFile file(target);
    ADD_FAILURE() << "expected IoError";
  } catch (const IoError& error) {
    EXPECT_EQ(std::string(error.what()), "cannot write '" + target.string() + "': Permission denied");
  }
  ::chmod(folder_.c_str(), 0700);
  EXPECT_EQ(read_file(target), "old\n");
  EXPECT_EQ(entries(folder_), std::set<std::string>{"output.csv"});
}

TEST_F(OutputFilePermissionTest, AnUnwritableLinkTargetFolderIsAnIoErrorNamingTheTarget) {
  fs::create_directory(folder_ / "locked");
  fs::create_symlink("locked/new.csv", folder_ / "out.csv");
  ASSERT_EQ(::chmod((folder_ / "locked").c_str(), 0500), 0);
  try {
    OutputFile file(folder_ / "out.csv");
    ADD_FAILURE() << "expected IoError";
  } catch (const IoError& error) {
    EXPECT_EQ(std::string(error.what()), "cannot write '" + (folder_ / "out.csv").string() + "' (a link to '" +
                                             (folder_ / "locked/new.csv").string() + "'): Permission denied");
  }
  ::chmod((folder_ / "locked").c_str(), 0700);
  EXPECT_TRUE(entries(folder_ / "locked").empty());
}

}  // namespace
}  // namespace dm
