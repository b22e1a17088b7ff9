#include "distance_matrix/executors/processes_executor.hpp"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "distance_matrix/errors.hpp"
#include "distance_matrix/interrupt_cleanup.hpp"

namespace dm {
namespace {

// The chunk counter lives in memory shared by unrelated address spaces. Only
// a lock-free atomic is implemented by the CPU's own instructions on that
// memory; a locking one would use a lock table private to each process.
using ChunkCounter = std::atomic<std::size_t>;
static_assert(ChunkCounter::is_always_lock_free, "the shared chunk counter must be lock-free");

/// Exit status of a child whose work threw (EX_SOFTWARE in sysexits.h): the
/// exception itself cannot cross, only this number does.
constexpr int child_exception_status = 70;
/// Exit status of a child whose parent died before it could start (EX_UNAVAILABLE);
/// no parent is left to read it.
constexpr int child_orphaned_status = 69;

std::string error_text(int error_number) { return std::strerror(error_number); }

/// One anonymous MAP_SHARED mapping: the chunk counter, then one double per
/// pair of the window. Shared, unlike the rest of a child's memory, because
/// it was mapped before fork() and is inherited as the same physical pages.
/// Unmapped on every path out of compute().
class SharedResults {
 public:
  explicit SharedResults(std::size_t pair_count)
      : bytes_(results_offset + pair_count * sizeof(double)),
        address_(mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)) {
    if (address_ == MAP_FAILED) {
      const int error_number = errno;
      throw ExecutionError(
          "could not map " + std::to_string(bytes_) +
          " bytes of memory shared with the worker processes: " + error_text(error_number));
    }
    next_chunk_ = new (address_) ChunkCounter(0);
    results_ = reinterpret_cast<double*>(static_cast<char*>(address_) + results_offset);
  }
  ~SharedResults() { munmap(address_, bytes_); }

  SharedResults(const SharedResults&) = delete;
  SharedResults& operator=(const SharedResults&) = delete;

  [[nodiscard]] ChunkCounter& next_chunk() const noexcept { return *next_chunk_; }
  [[nodiscard]] double* results() const noexcept { return results_; }

 private:
  // The counter gets a cache line of its own, so that the children claiming
  // chunks do not keep stealing the line that holds the first results.
  static constexpr std::size_t results_offset = 64;
  static_assert(results_offset >= sizeof(ChunkCounter) && results_offset % alignof(double) == 0);

  std::size_t bytes_;
  void* address_;
  ChunkCounter* next_chunk_ = nullptr;
  double* results_ = nullptr;
};

/// A worker must not outlive the process that waits for its results: when
/// the parent dies (killed by a signal, even SIGKILL), the kernel kills the
/// child. The parent may have died before prctl() took effect; then the
/// child has already been adopted by another process and leaves at once.
void die_with_parent(pid_t parent) noexcept {
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) _exit(child_orphaned_status);
}

/// The work of one child: claim chunks from the shared counter until none
/// are left. Runs in a copy of a possibly multithreaded parent, where only
/// this thread exists and a lock held elsewhere at fork() time stays held
/// forever, so it takes no locks and allocates nothing (the child hook
/// aside). It never returns: returning would run the parent's code (the
/// caller's loop, then test frameworks, destructors and atexit handlers,
/// flushing buffered output a second time) in the child.
[[noreturn]] void run_child(pid_t parent, const ShapedKernel& kernel, PairRange range,
                            std::size_t chunk_size, std::size_t chunks, const SharedResults& shared,
                            const ProcessesExecutor::ChildHook& child_hook) noexcept {
  die_with_parent(parent);
  // The parent's temporaries are the parent's to remove: a worker killed by
  // a signal (Ctrl-C reaches the whole process group) just dies.
  reset_interrupt_cleanup_in_child();
  try {
    for (;;) {
      // Relaxed: the counter only hands out distinct chunk numbers. The
      // results reach the parent through its waitpid(), after this process
      // has ended, which is ordering enough.
      const std::size_t chunk = shared.next_chunk().fetch_add(1, std::memory_order_relaxed);
      if (chunk >= chunks) break;
      if (child_hook) child_hook(chunk);
      const PairRange piece = chunk_at(range, chunk_size, chunk);
      kernel.compute(piece, {shared.results() + (piece.first - range.first), piece.size()});
    }
  } catch (...) {
    _exit(child_exception_status);
  }
  _exit(0);
}

/// Why child `index` failed, or an empty string if it exited with status 0.
std::string describe_failure(std::size_t index, pid_t pid, int status) {
  const std::string worker =
      "worker process " + std::to_string(index) + " (pid " + std::to_string(pid) + ")";
  if (WIFSIGNALED(status)) {
    const int signal_number = WTERMSIG(status);
    const char* name = strsignal(signal_number);
    return worker + " was killed by signal " + std::to_string(signal_number) + " (" +
           (name != nullptr ? name : "unknown signal") + ")";
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    const int exit_status = WEXITSTATUS(status);
    return worker + " exited with status " + std::to_string(exit_status) +
           (exit_status == child_exception_status ? " (an exception escaped its work)" : "");
  }
  return {};
}

/// The children of one compute() call. Whatever way compute() is left, none
/// outlives it and none stays a zombie: the destructor kills and reaps every
/// child not yet waited for (in practice only when fork() itself fails
/// after some children have started).
class WorkerProcesses {
 public:
  explicit WorkerProcesses(std::size_t count) { pids_.reserve(count); }
  ~WorkerProcesses() {
    // Only children not yet reaped: the pid of a reaped one may already
    // belong to an unrelated process.
    for (std::size_t index = reaped_; index < pids_.size(); ++index) kill(pids_[index], SIGKILL);
    for (std::size_t index = reaped_; index < pids_.size(); ++index) wait_for(pids_[index]);
  }

  WorkerProcesses(const WorkerProcesses&) = delete;
  WorkerProcesses& operator=(const WorkerProcesses&) = delete;

  /// Records a started child; cannot throw, thanks to the reserve().
  void add(pid_t pid) noexcept { pids_.push_back(pid); }

  /// Waits for every child, then throws ExecutionError naming the first that
  /// failed, if any. Every child is waited for before throwing, so that none
  /// is left running or unreaped.
  void wait_all() {
    std::vector<std::string> failures;
    for (std::size_t index = reaped_; index < pids_.size(); ++index) {
      const pid_t pid = pids_[index];
      const int status = wait_for(pid);
      const int error_number = errno;
      reaped_ = index + 1;
      std::string failure = status == wait_failed
                                ? "could not wait for worker process " + std::to_string(index) +
                                      " (pid " + std::to_string(pid) +
                                      "): " + error_text(error_number)
                                : describe_failure(index, pid, status);
      if (!failure.empty()) failures.push_back(std::move(failure));
    }
    if (failures.empty()) return;
    std::string message = std::move(failures.front());
    if (failures.size() > 1) {
      message += " (and " + std::to_string(failures.size() - 1) + " more worker processes failed)";
    }
    throw ExecutionError(message);
  }

 private:
  static constexpr int wait_failed = -1;  // no wait status is negative

  /// The wait status of `pid`, or wait_failed with errno set.
  static int wait_for(pid_t pid) noexcept {
    int status = 0;
    // EINTR: a signal handler ran while we waited; the child is still there.
    while (waitpid(pid, &status, 0) == -1) {
      if (errno != EINTR) return wait_failed;
    }
    return status;
  }

  std::vector<pid_t> pids_;
  std::size_t reaped_ = 0;  ///< pids_[0, reaped_) have been waited for
};

}  // namespace

ProcessesExecutor::ProcessesExecutor(ExecutionOptions options, ChildHook child_hook)
    : workers_(resolve_workers(options.workers)),
      chunk_size_(options.chunk_size),
      child_hook_(std::move(child_hook)) {}

void ProcessesExecutor::compute(const ShapedKernel& kernel, PairRange range,
                                std::span<double> out) {
  if (range.empty()) return;
  // About eight chunks per worker by default: few enough claims to keep the
  // shared counter cold, enough that a slow worker does not hold up the rest.
  const std::size_t chunk_size =
      chunk_size_ > 0 ? std::min(chunk_size_, range.size())
                      : std::max<std::size_t>(range.size() / (8 * std::size_t{workers_}), 1);
  const std::size_t chunks = chunk_count(range, chunk_size);
  const std::size_t child_count = std::min<std::size_t>(workers_, chunks);

  const SharedResults shared(range.size());
  WorkerProcesses children(child_count);
  const pid_t parent = ::getpid();
  for (std::size_t index = 0; index < child_count; ++index) {
    const pid_t pid = fork();
    if (pid == -1) {
      const int error_number = errno;
      // `children` kills and reaps the workers already started as it goes out of scope.
      throw ExecutionError("could not start worker process " + std::to_string(index) + " of " +
                           std::to_string(child_count) + ": " + error_text(error_number));
    }
    if (pid == 0) run_child(parent, kernel, range, chunk_size, chunks, shared, child_hook_);
    children.add(pid);
  }
  children.wait_all();
  std::memcpy(out.data(), shared.results(), range.size() * sizeof(double));
}

}  // namespace dm
