#include "distance_matrix/output_file.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <thread>

#include "distance_matrix/errors.hpp"

namespace dm {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, std::string_view text) {
  std::ofstream(path, std::ios::binary) << text;
}

/// Names of everything in `folder`, to prove no temporary was left behind.
std::set<std::string> entries(const fs::path& folder) {
  std::set<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

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

TEST_F(OutputFileTest, AnUnwritableFolderIsAnIoErrorAndTheFileStays) {
  if (::geteuid() == 0) GTEST_SKIP() << "root may write into any folder";
  const fs::path target = folder_ / "output.csv";
  write_file(target, "old\n");
  ASSERT_EQ(::chmod(folder_.c_str(), 0500), 0);
  try {
    OutputFile file(target);
    ADD_FAILURE() << "expected IoError";
  } catch (const IoError& error) {
    EXPECT_THAT(error.what(), HasSubstr("Permission denied"));
  }
  ::chmod(folder_.c_str(), 0700);
  EXPECT_EQ(read_file(target), "old\n");
}

}  // namespace
}  // namespace dm
