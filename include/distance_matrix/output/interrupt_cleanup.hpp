// distance_matrix/output/interrupt_cleanup.hpp
//
// Removing OutputFile's temporary files (and registered temporary folders,
// such as the staging folder of -e mpi --partitioned) when a signal ends the
// process, which then still dies by that signal (exit status 128 + N).
//
// Thread safety: install_interrupt_cleanup() once, early in main(), before any
// thread starts; the handler itself only calls async-signal-safe functions.
//
// Example:
//   int main(int argc, char** argv) {
//     dm::install_interrupt_cleanup();
//     // ... an OutputFile interrupted by Ctrl-C leaves no temporary behind
//   }

#pragma once

#include <csignal>
#include <filesystem>
#include <span>

namespace dm {

/// Removing temporary files when the process is killed by a signal.
///
/// OutputFile registers each temporary it creates here and unregisters it
/// once renamed or removed. A program opts in with one call to
/// install_interrupt_cleanup(): then on any of cleanup_signals() the handler
/// removes every registered temporary, restores the signal's default action
/// and raises it again, so the process still dies *by that signal* (a shell
/// reports 128 + its number, and a parent shell sees the interrupt and stops
/// its own script too, the convention for SIGINT). Nothing else runs: no
/// destructors, no buffered output, no lock, no allocation — only unlink(),
/// write() (to erase a registered terminal line, erase_line_on_interrupt())
/// and raise(), which are async-signal-safe.
///
/// SIGKILL and SIGSTOP cannot be caught: after `kill -9` a temporary named
/// `.<name>.tmp.XXXXXX` stays beside the output (the output itself is intact).

/// The signals whose default action ends the process and that the handler
/// therefore covers: the ones others send (SIGHUP, SIGINT, SIGQUIT, SIGTERM,
/// SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2, SIGXCPU, SIGVTALRM, SIGPROF, SIGPOLL,
/// SIGPWR, SIGSTKFLT) and the ones a crash raises (SIGABRT, SIGSEGV, SIGBUS,
/// SIGFPE, SIGILL, SIGSYS, SIGTRAP).
[[nodiscard]] std::span<const int> cleanup_signals() noexcept;

/// Installs the cleanup handler for every signal of cleanup_signals() whose
/// action is still the default. A signal the process inherited as ignored
/// stays ignored (`nohup` ignores SIGHUP, a shell ignores SIGINT for a
/// background job), and a handler someone else installed first (a sanitizer's
/// SIGSEGV handler, a profiler's SIGPROF) is kept.
///
/// Also ignores SIGXFSZ: past the file size limit (`ulimit -f`) a write then
/// fails with EFBIG, which OutputFile reports as an ordinary error and
/// cleans up after, instead of the process dying with its temporary left.
///
/// Call it once, early in main(), before any thread starts.
void install_interrupt_cleanup();

/// For a forked child that must not remove its parent's temporaries: forgets
/// every registration and restores the default action of each signal
/// install_interrupt_cleanup() took over. Async-signal-safe, so callable
/// between fork() and exec() or _exit() in a multithreaded program.
void reset_interrupt_cleanup_in_child() noexcept;

/// A line drawn on a terminal (the tool's progress line on standard error)
/// that the handler erases, by writing "\r\033[K" to `descriptor` with
/// write(2), before it removes the temporaries and the process dies: an
/// interrupted run does not leave a stale line on the user's screen.
/// Call it while the line is on the screen; erase_no_line_on_interrupt()
/// once it is gone. Async-signal-safe (one atomic store each).
void erase_line_on_interrupt(int descriptor) noexcept;
void erase_no_line_on_interrupt() noexcept;

/// Blocks cleanup_signals() in the calling thread for its lifetime and marks
/// a registration in progress: construct one before creating a temporary
/// file and keep it until the file is registered, so that no signal can end
/// the process between the two. A handler running meanwhile on another thread
/// waits (briefly, bounded) for the registration to complete.
class TemporaryCreationGuard {
 public:
  TemporaryCreationGuard() noexcept;
  ~TemporaryCreationGuard();

  TemporaryCreationGuard(const TemporaryCreationGuard&) = delete;
  TemporaryCreationGuard& operator=(const TemporaryCreationGuard&) = delete;

 private:
  sigset_t previous_mask_;
};

/// What a registration removes: one file, or a folder of files (the
/// entries directly in it, then the folder itself; not subfolders).
enum class TemporaryKind { file, folder };

/// Registers a temporary file (or folder of files) for removal by the
/// handler, for its lifetime. The path is stored made absolute, so a later
/// chdir() does not matter. Storage is fixed (a few dozen files): past that,
/// or for a path longer than PATH_MAX, the file is simply not covered.
class TemporaryRegistration {
 public:
  TemporaryRegistration() noexcept = default;
  explicit TemporaryRegistration(const std::filesystem::path& path, TemporaryKind kind = TemporaryKind::file) noexcept;
  ~TemporaryRegistration() { reset(); }

  TemporaryRegistration(TemporaryRegistration&& other) noexcept;
  TemporaryRegistration& operator=(TemporaryRegistration&& other) noexcept;

  /// Unregisters now: call once the file has been renamed or removed.
  void reset() noexcept;
  [[nodiscard]] bool registered() const noexcept { return slot_ >= 0; }

 private:
  int slot_ = -1;
};

}  // namespace dm
