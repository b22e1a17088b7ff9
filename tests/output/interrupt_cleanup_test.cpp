// The interrupt cleanup in a forked child of the test: a real signal ends
// the child, and the test checks how it died and which files are left.

#include "distance_matrix/output/interrupt_cleanup.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "distance_matrix/output/output_file.hpp"

namespace dm {
namespace {

namespace fs = std::filesystem;

class InterruptCleanupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "interrupt_cleanup_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    folder_ = pattern;
    std::ofstream(folder_ / "out.csv") << "earlier output\n";
  }
  void TearDown() override { fs::remove_all(folder_); }

  std::set<std::string> entries() const {
    std::set<std::string> names;
    for (const fs::directory_entry& entry : fs::directory_iterator(folder_)) {
      names.insert(entry.path().filename().string());
    }
    return names;
  }

  /// Runs `body` in a forked child with default signal actions; returns its wait status.
  template <typename Body>
  static int in_child(Body body) {
    const pid_t child = ::fork();
    if (child == 0) {
      for (const int signal_number : cleanup_signals()) std::signal(signal_number, SIG_DFL);
      body();
      ::_exit(0);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    return status;
  }

  /// What a child killed by SIGTERM wrote on a pipe registered as holding a
  /// terminal line to erase (or registered, then cleared: !still_on_screen).
  static std::string written_when_killed(bool still_on_screen) {
    int ends[2];
    if (::pipe(ends) != 0) return "no pipe";
    const int status = in_child([&] {
      ::close(ends[0]);
      install_interrupt_cleanup();
      erase_line_on_interrupt(ends[1]);
      if (!still_on_screen) erase_no_line_on_interrupt();
      std::raise(SIGTERM);
    });
    ::close(ends[1]);
    std::string bytes;
    char buffer[64];
    for (ssize_t count = 0; (count = ::read(ends[0], buffer, sizeof buffer)) > 0;) {
      bytes.append(buffer, static_cast<std::size_t>(count));
    }
    ::close(ends[0]);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
    return bytes;
  }

  fs::path folder_;
};

TEST_F(InterruptCleanupTest, TheHandlerErasesTheRegisteredTerminalLine) {
  // Carriage return, then erase to the end of the line (ECMA-48 EL).
  EXPECT_EQ(written_when_killed(true), "\r\033[K");
}

TEST_F(InterruptCleanupTest, ALineNoLongerOnTheScreenIsNotErased) {
  EXPECT_EQ(written_when_killed(false), "");
}

TEST_F(InterruptCleanupTest, TheHandlerRemovesTheTemporaryAndTheProcessDiesByTheSignal) {
  for (const int signal_number : {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGABRT}) {
    const int status = in_child([&] {
      install_interrupt_cleanup();
      OutputFile output(folder_ / "out.csv");
      output.write("partial");
      ::raise(signal_number);
      ::_exit(99);  // not reached: the handler re-raises the signal
    });
    ASSERT_TRUE(WIFSIGNALED(status)) << "signal " << signal_number << ", status " << status;
    EXPECT_EQ(WTERMSIG(status), signal_number);
    EXPECT_EQ(entries(), std::set<std::string>{"out.csv"}) << "signal " << signal_number;
  }
}

// A staging folder of parts (-e mpi --partitioned): the handler removes the
// files in it, then the folder. Enough files that one listing cannot hold
// them all, so removing while listing is covered.
TEST_F(InterruptCleanupTest, AFolderRegistrationRemovesTheFolderAndItsFiles) {
  const fs::path staging = folder_ / ".parts.tmp.abcdef";
  fs::create_directory(staging);
  for (int index = 0; index < 300; ++index) {
    std::ofstream(staging / ("part-with-a-long-name-to-fill-the-listing-" + std::to_string(index) + ".csv")) << index;
  }
  const int status = in_child([&] {
    install_interrupt_cleanup();
    const TemporaryRegistration registration(staging, TemporaryKind::folder);
    ::raise(SIGTERM);
    ::_exit(99);
  });
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
  EXPECT_EQ(entries(), std::set<std::string>{"out.csv"});
}

TEST_F(InterruptCleanupTest, WithoutTheHandlerTheTemporaryStays) {
  // The reference this fix is measured against: default actions leave the file.
  const int status = in_child([&] {
    OutputFile output(folder_ / "out.csv");
    ::raise(SIGTERM);
  });
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(entries().size(), 2u);
}

TEST_F(InterruptCleanupTest, AChildResetForItsOwnWorkDoesNotRemoveItsParentsTemporary) {
  const int status = in_child([&] {
    install_interrupt_cleanup();
    OutputFile output(folder_ / "out.csv");
    const pid_t worker = ::fork();
    if (worker == 0) {
      reset_interrupt_cleanup_in_child();
      ::raise(SIGTERM);
      ::_exit(98);
    }
    int worker_status = 0;
    ::waitpid(worker, &worker_status, 0);
    const bool worker_died_by_sigterm = WIFSIGNALED(worker_status) && WTERMSIG(worker_status) == SIGTERM;
    const bool temporary_kept = fs::exists(output.temporary_path());
    ::_exit(worker_died_by_sigterm && temporary_kept ? 0 : 1);
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(InterruptCleanupTest, AnIgnoredSignalStaysIgnored) {
  const int status = in_child([&] {
    std::signal(SIGHUP, SIG_IGN);  // as nohup leaves it
    install_interrupt_cleanup();
    OutputFile output(folder_ / "out.csv");
    ::raise(SIGHUP);
    output.write("complete\n");
    output.commit();
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(entries(), std::set<std::string>{"out.csv"});
}

TEST_F(InterruptCleanupTest, ACommittedFileIsNoLongerRemoved) {
  const int status = in_child([&] {
    install_interrupt_cleanup();
    OutputFile output(folder_ / "out.csv");
    output.write("complete\n");
    output.commit();
    ::raise(SIGTERM);
  });
  ASSERT_TRUE(WIFSIGNALED(status));
  std::ifstream in(folder_ / "out.csv");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "complete");
}

}  // namespace
}  // namespace dm
