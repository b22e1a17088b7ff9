#include "distance_matrix/executors/processes_executor.hpp"

#include <sys/mman.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "distance_matrix/errors.hpp"
#include "distance_matrix/matrix/chunking.hpp"
#include "distance_matrix/output/interrupt_cleanup.hpp"

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
/// Exit status of a child whose parent died (EX_UNAVAILABLE): before it could
/// start, or while it waited for the next window; no parent is left to read it.
constexpr int child_orphaned_status = 69;

std::string error_text(int error_number) { return std::strerror(error_number); }

/// What the parent asks of the workers for one window. It lives in the
/// shared mapping: the parent writes it before it sends the start byte, a
/// worker reads it after receiving that byte, so the socket orders them.
struct SharedWindow {
  ChunkCounter next_chunk{0};
  Chunking chunks;
  std::size_t chunk_count = 0;
  /// Where in the shared results this window's cell range.first goes.
  std::size_t results_offset = 0;
};

/// The bytes on a worker's socket: parent to worker, then worker to parent.
constexpr char start_window = 'w';
constexpr char leave = 'q';
constexpr char window_done = 'd';

}  // namespace

/// One anonymous MAP_SHARED mapping: the window's description, then room
/// for `capacity` doubles. Shared, unlike the rest of a child's memory,
/// because it was mapped before fork() and is inherited as the same
/// physical pages.
class ProcessesExecutor::SharedResults {
 public:
  /// MAP_POPULATE: the pages are allocated and zeroed here, once, not on
  /// the first write of each window into each of them.
  explicit SharedResults(std::size_t capacity)
      : capacity_(capacity),
        bytes_(results_offset + capacity * sizeof(double)),
        address_(mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0)) {
    if (address_ == MAP_FAILED) {
      const int error_number = errno;
      throw ExecutionError(
          "could not map " + std::to_string(bytes_) +
          " bytes of memory shared with the worker processes: " + error_text(error_number));
    }
    window_ = new (address_) SharedWindow;
    results_ = reinterpret_cast<double*>(static_cast<char*>(address_) + results_offset);
  }
  ~SharedResults() { munmap(address_, bytes_); }

  SharedResults(const SharedResults&) = delete;
  SharedResults& operator=(const SharedResults&) = delete;

  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  [[nodiscard]] SharedWindow& window() const noexcept { return *window_; }
  [[nodiscard]] double* results() const noexcept { return results_; }

  /// Whether `cells` lies wholly inside the results (compared as addresses:
  /// `cells` may belong to any other object).
  [[nodiscard]] bool holds(std::span<const double> cells) const noexcept {
    const auto first = reinterpret_cast<std::uintptr_t>(cells.data());
    const auto begin = reinterpret_cast<std::uintptr_t>(results_);
    return first >= begin && (first - begin) % sizeof(double) == 0 &&
           (first - begin) / sizeof(double) + cells.size() <= capacity_;
  }

  /// Maps the results into this process's page table now: a worker calls
  /// it once when it starts. fork() does not copy the page table entries
  /// of a shared mapping, so without it each worker would take a page fault
  /// on the first write to every page. Best effort (Linux 5.14 and later);
  /// the faults remain where it is not supported.
  void populate_for_writing() const noexcept {
#ifdef MADV_POPULATE_WRITE
    static_cast<void>(::madvise(address_, bytes_, MADV_POPULATE_WRITE));
#endif
  }

 private:
  // The window gets a cache line of its own, so that the children claiming
  // chunks do not keep stealing the line that holds the first results.
  static constexpr std::size_t results_offset = 64;
  static_assert(results_offset >= sizeof(SharedWindow) && results_offset % alignof(double) == 0);

  std::size_t capacity_;
  std::size_t bytes_;
  void* address_;
  SharedWindow* window_ = nullptr;
  double* results_ = nullptr;
};

namespace {

/// A worker must not outlive the process that waits for its results: when
/// the parent dies (killed by a signal, even SIGKILL), the kernel kills the
/// child. The parent may have died before prctl() took effect; then the
/// child has already been adopted by another process and leaves at once.
void die_with_parent(pid_t parent) noexcept {
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) _exit(child_orphaned_status);
}

/// One byte from `socket`: 1 if read, 0 at the end (the other side is
/// gone), -1 on error. Retries when a signal handler interrupted the wait.
ssize_t receive_byte(int socket, char& byte) noexcept {
  for (;;) {
    const ssize_t count = ::recv(socket, &byte, 1, 0);
    if (count != -1 || errno != EINTR) return count;
  }
}

/// False if the other side is gone; never raises SIGPIPE.
bool send_byte(int socket, char byte) noexcept {
  for (;;) {
    if (::send(socket, &byte, 1, MSG_NOSIGNAL) == 1) return true;
    if (errno != EINTR) return false;
  }
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

/// The wait status of `pid`, or -1 with errno set.
int wait_for(pid_t pid) noexcept {
  int status = 0;
  // EINTR: a signal handler ran while we waited; the child is still there.
  while (waitpid(pid, &status, 0) == -1) {
    if (errno != EINTR) return -1;
  }
  return status;
}

}  // namespace

/// The worker processes of one run: forked once, each with a socket to the
/// parent, all sharing `shared`, which must outlive them (it was mapped
/// before they were forked, so they inherit it). Whatever way they are left,
/// none outlives this object and none stays a zombie.
class ProcessesExecutor::Workers {
 public:
  Workers(const SharedResults& shared, const MatrixCells& kernel, std::size_t count, const ChildHook& child_hook)
      : shared_(shared) {
    children_.reserve(count);
    const pid_t parent = ::getpid();
    for (std::size_t index = 0; index < count; ++index) {
      int sockets[2];
      if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) {
        const int error_number = errno;
        stop();
        throw ExecutionError("could not connect worker process " + std::to_string(index) + ": " +
                             error_text(error_number));
      }
      const pid_t pid = fork();
      if (pid == -1) {
        const int error_number = errno;
        ::close(sockets[0]);
        ::close(sockets[1]);
        // No destructor runs for a half-built object: stop the workers already started.
        stop();
        throw ExecutionError("could not start worker process " + std::to_string(index) + " of " +
                             std::to_string(count) + ": " + error_text(error_number));
      }
      if (pid == 0) {
        // The parent's ends of every socket so far are the parent's.
        for (const Child& sibling : children_) ::close(sibling.socket);
        ::close(sockets[0]);
        run_child(parent, sockets[1], kernel, child_hook);
      }
      ::close(sockets[1]);
      children_.push_back({pid, sockets[0]});  // cannot throw, thanks to the reserve()
    }
  }

  ~Workers() { stop(); }

  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;

  /// Computes the range of `chunks` on the workers into the shared results
  /// from `results_offset` on (the range must fit). What crosses the
  /// sockets is one byte each way per worker. Throws ExecutionError if a
  /// worker died; then every worker has been stopped and reaped.
  void compute(const Chunking& chunks, std::size_t results_offset) {
    SharedWindow& window = shared_.window();
    window.chunks = chunks;
    window.chunk_count = chunks.count();
    window.results_offset = results_offset;
    window.next_chunk.store(0, std::memory_order_relaxed);

    std::vector<pollfd> waiting;
    waiting.reserve(children_.size());
    bool lost = false;
    for (const Child& child : children_) {
      if (send_byte(child.socket, start_window)) {
        waiting.push_back({child.socket, POLLIN, 0});
      } else {
        lost = true;
      }
    }
    // Every worker either answers or dies (its socket then reads as ended);
    // the others finish the window's chunks without it.
    while (!waiting.empty()) {
      if (::poll(waiting.data(), waiting.size(), -1) == -1) {
        if (errno == EINTR) continue;
        const int error_number = errno;
        stop();
        throw ExecutionError("could not wait for the worker processes: " + error_text(error_number));
      }
      for (std::size_t index = waiting.size(); index-- > 0;) {
        if (waiting[index].revents == 0) continue;
        char answer = 0;
        if (receive_byte(waiting[index].fd, answer) != 1 || answer != window_done) lost = true;
        waiting.erase(waiting.begin() + static_cast<std::ptrdiff_t>(index));
      }
    }
    if (lost) {
      const std::vector<std::string> failures = stop();
      std::string message = failures.empty() ? "a worker process stopped answering" : failures.front();
      if (failures.size() > 1) {
        message += " (and " + std::to_string(failures.size() - 1) + " more worker processes failed)";
      }
      throw ExecutionError(message);
    }
  }

 private:
  struct Child {
    pid_t pid;
    int socket;  ///< the parent's end
  };

  /// Tells every worker to leave, waits for each, and returns why those
  /// that failed did, in worker order. Idempotent.
  std::vector<std::string> stop() noexcept {
    std::vector<std::string> failures;
    for (const Child& child : children_) {
      send_byte(child.socket, leave);
      ::close(child.socket);
    }
    try {
      for (std::size_t index = 0; index < children_.size(); ++index) {
        const pid_t pid = children_[index].pid;
        const int status = wait_for(pid);
        const int error_number = errno;
        std::string failure = status == -1 ? "could not wait for worker process " + std::to_string(index) +
                                                 " (pid " + std::to_string(pid) + "): " + error_text(error_number)
                                           : describe_failure(index, pid, status);
        if (!failure.empty()) failures.push_back(std::move(failure));
      }
    } catch (...) {
      // Out of memory for a message: every worker was still told to leave.
    }
    children_.clear();
    return failures;
  }

  /// The work of one child: for each window the parent starts, claim chunks
  /// from the shared counter until none are left, then answer. Runs in a
  /// copy of a possibly multithreaded parent, where only this thread exists
  /// and a lock held elsewhere at fork() time stays held forever, so it
  /// takes no locks and allocates nothing (the child hook aside). It never
  /// returns: returning would run the parent's code (the caller's loop,
  /// then test frameworks, destructors and atexit handlers, flushing
  /// buffered output a second time) in the child.
  [[noreturn]] void run_child(pid_t parent, int socket, const MatrixCells& kernel,
                              const ChildHook& child_hook) const noexcept {
    die_with_parent(parent);
    // The parent's temporaries are the parent's to remove: a worker killed by
    // a signal (Ctrl-C reaches the whole process group) just dies.
    reset_interrupt_cleanup_in_child();
    shared_.populate_for_writing();
    try {
      for (;;) {
        char command = 0;
        const ssize_t received = receive_byte(socket, command);
        if (received == 1 && command == leave) _exit(0);
        // The socket ended without a word: the parent died (the kernel's
        // SIGKILL is on its way), so leave as an orphan.
        if (received != 1 || command != start_window) _exit(child_orphaned_status);
        SharedWindow& window = shared_.window();
        for (;;) {
          // Relaxed: the counter only hands out distinct chunk numbers. The
          // results reach the parent after this process's answer on the
          // socket, which is ordering enough.
          const std::size_t chunk = window.next_chunk.fetch_add(1, std::memory_order_relaxed);
          if (chunk >= window.chunk_count) break;
          if (child_hook) child_hook(chunk);
          window.chunks.compute(kernel, chunk,
                                {shared_.results() + window.results_offset, window.chunks.range.size()});
        }
        if (!send_byte(socket, window_done)) _exit(child_orphaned_status);
      }
    } catch (...) {
      _exit(child_exception_status);
    }
  }

  const SharedResults& shared_;
  std::vector<Child> children_;
};

ProcessesExecutor::ProcessesExecutor(ExecutionOptions options, ChildHook child_hook)
    : workers_(resolve_workers(options.workers)),
      chunk_size_(options.chunk_size),
      child_hook_(std::move(child_hook)) {}

ProcessesExecutor::~ProcessesExecutor() = default;

void ProcessesExecutor::begin_run(const MatrixCells& kernel) {
  run_workers_.reset();
  run_memory_.reset();
  run_kernel_.emplace(kernel);
}

void ProcessesExecutor::end_run() noexcept {
  run_workers_.reset();  // before the memory they share
  run_memory_.reset();
  run_kernel_.reset();
}

std::span<double> ProcessesExecutor::window_memory(std::size_t cells) {
  if (!run_kernel_) return {};
  if (!run_memory_ || run_memory_->capacity() < cells) {
    // Workers inherit a mapping only by being forked after it was made.
    run_workers_.reset();
    run_memory_.reset();
    run_memory_ = std::make_unique<SharedResults>(cells);
  }
  return {run_memory_->results(), cells};
}

void ProcessesExecutor::compute(const MatrixCells& kernel, CellRange range, std::span<double> out) {
  if (range.empty()) return;
  // About eight chunks per worker by default: few enough claims to keep the
  // shared counter cold, enough that a slow worker does not hold up the rest.
  const Chunking chunks =
      Chunking::of(range, chunk_size_ > 0 ? chunk_size_ : range.size() / (8 * std::size_t{workers_}));
  const std::size_t child_count = std::min<std::size_t>(workers_, chunks.count());
  const std::size_t bytes = range.size() * sizeof(double);

  const bool in_run = run_kernel_ && &run_kernel_->kernel() == &kernel.kernel() && run_kernel_->shape() == kernel.shape();
  if (!in_run) {
    const SharedResults shared(range.size());
    Workers(shared, kernel, child_count, child_hook_).compute(chunks, 0);
    std::memcpy(out.data(), shared.results(), bytes);
    return;
  }
  // `out` in the run's window memory: the workers write the results where
  // the caller reads them, and nothing is copied.
  const bool in_place = run_memory_ && run_memory_->holds(out.first(range.size()));
  if (!in_place && (!run_memory_ || run_memory_->capacity() < range.size())) {
    run_workers_.reset();
    run_memory_.reset();
    run_memory_ = std::make_unique<SharedResults>(range.size());
  }
  if (!run_workers_) run_workers_ = std::make_unique<Workers>(*run_memory_, kernel, child_count, child_hook_);
  try {
    run_workers_->compute(chunks, in_place ? static_cast<std::size_t>(out.data() - run_memory_->results()) : 0);
  } catch (...) {
    run_workers_.reset();  // already stopped: the next window starts new workers
    throw;
  }
  if (!in_place) std::memcpy(out.data(), run_memory_->results(), bytes);
}

}  // namespace dm
