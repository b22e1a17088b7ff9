#include "distance_matrix/output/interrupt_cleanup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>
#include <system_error>

namespace dm {
namespace {

constexpr int handled_signals[] = {
    SIGHUP,  SIGINT,  SIGQUIT, SIGTERM, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2, SIGXCPU, SIGVTALRM, SIGPROF,
    SIGPOLL,
#ifdef SIGPWR
    SIGPWR,
#endif
#ifdef SIGSTKFLT
    SIGSTKFLT,
#endif
    SIGABRT, SIGSEGV, SIGBUS,  SIGFPE,  SIGILL,  SIGSYS,  SIGTRAP,
};

/// Slot states. A slot goes free → claimed (its path being written) →
/// active (the handler may read the path) → free.
enum SlotState : int { free_slot = 0, claimed_slot = 1, active_slot = 2 };

/// Files registered at once: an OutputFile per output, and a program rarely
/// writes more than a handful at a time.
constexpr std::size_t slot_count = 32;

struct Slot {
  std::atomic<int> state{free_slot};
  bool folder = false;  ///< written before the slot becomes active
  char path[PATH_MAX];
};

// Static storage, zero-initialized: nothing to construct before a signal
// can arrive, nothing the handler could find half-built. The atomics are
// lock-free, so the handler may read them.
std::array<Slot, slot_count> slots;
static_assert(std::atomic<int>::is_always_lock_free);

/// Registrations between open() and their slot becoming active.
std::atomic<int> registrations_in_progress{0};

/// Which signals install_interrupt_cleanup() took over, for the child reset.
std::array<std::atomic<bool>, NSIG> installed{};

/// Removes the files directly in `path`, then the folder. Async-signal-safe:
/// raw getdents64 instead of readdir (which may allocate), unlinkat, rmdir.
/// Removing entries while listing may skip some, so it lists again until a
/// pass removes nothing (bounded).
void remove_folder(const char* path) noexcept {
  const int folder = ::open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (folder < 0) return;
  alignas(8) char buffer[4096];
  for (int pass = 0; pass < 64; ++pass) {
    bool removed = false;
    ::lseek(folder, 0, SEEK_SET);
    for (;;) {
      const long length = ::syscall(SYS_getdents64, folder, buffer, sizeof buffer);
      if (length <= 0) break;
      for (long offset = 0; offset < length;) {
        // struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name.
        unsigned short record_length = 0;
        std::memcpy(&record_length, buffer + offset + 16, sizeof record_length);
        const char* name = buffer + offset + 19;
        const bool dot = name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
        if (!dot && ::unlinkat(folder, name, 0) == 0) removed = true;
        if (record_length == 0) break;
        offset += record_length;
      }
    }
    if (!removed) break;
  }
  ::close(folder);
  ::rmdir(path);
}

void remove_registered_temporaries() noexcept {
  // A thread creating a temporary blocks the signals, so the handler runs
  // elsewhere; give it the moment it needs to finish registering its file.
  // Bounded: a thread stopped there for good must not keep the process alive.
  for (int waited = 0; registrations_in_progress.load(std::memory_order_acquire) > 0 && waited < 1000; ++waited) {
    const timespec one_millisecond{0, 1'000'000};
    ::nanosleep(&one_millisecond, nullptr);
  }
  for (Slot& slot : slots) {
    if (slot.state.load(std::memory_order_acquire) != active_slot) continue;
    if (slot.folder) {
      remove_folder(slot.path);
    } else {
      ::unlink(slot.path);
    }
  }
}

/// The terminal descriptor holding a line to erase, -1 for none.
std::atomic<int> line_to_erase{-1};

void erase_registered_line() noexcept {
  const int descriptor = line_to_erase.load(std::memory_order_acquire);
  if (descriptor < 0) return;
  static constexpr char erase[] = "\r\033[K";
  // Nothing to do about a failure here: the process is about to die.
  if (::write(descriptor, erase, sizeof erase - 1) < 0) return;
}

extern "C" void remove_temporaries_and_die(int signal_number) {
  const int saved_errno = errno;
  erase_registered_line();
  remove_registered_temporaries();
  // Die by the same signal: restore the default action and raise it again.
  // The signal stays blocked while this handler runs, so the process ends
  // as the handler returns (for a fault, when the instruction runs again).
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  ::sigaction(signal_number, &default_action, nullptr);
  ::raise(signal_number);
  errno = saved_errno;
}

sigset_t handled_signal_set() noexcept {
  sigset_t set;
  sigemptyset(&set);
  for (const int signal_number : handled_signals) sigaddset(&set, signal_number);
  return set;
}

}  // namespace

std::span<const int> cleanup_signals() noexcept { return handled_signals; }

void install_interrupt_cleanup() {
  struct sigaction action {};
  action.sa_handler = remove_temporaries_and_die;
  // Every handled signal is blocked while the handler runs: a second signal
  // (Ctrl-C pressed twice) cannot interrupt the cleanup halfway.
  action.sa_mask = handled_signal_set();
  action.sa_flags = SA_RESTART;
  for (const int signal_number : handled_signals) {
    struct sigaction current {};
    if (::sigaction(signal_number, nullptr, &current) != 0) continue;
    const bool is_default = (current.sa_flags & SA_SIGINFO) == 0 && current.sa_handler == SIG_DFL;
    if (!is_default) continue;
    if (::sigaction(signal_number, &action, nullptr) == 0) {
      installed[static_cast<std::size_t>(signal_number)].store(true, std::memory_order_relaxed);
    }
  }
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  ::sigaction(SIGXFSZ, &ignore, nullptr);
}

void erase_line_on_interrupt(int descriptor) noexcept { line_to_erase.store(descriptor, std::memory_order_release); }

void erase_no_line_on_interrupt() noexcept { line_to_erase.store(-1, std::memory_order_release); }

void reset_interrupt_cleanup_in_child() noexcept {
  line_to_erase.store(-1, std::memory_order_relaxed);
  for (Slot& slot : slots) slot.state.store(free_slot, std::memory_order_relaxed);
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  for (const int signal_number : handled_signals) {
    if (installed[static_cast<std::size_t>(signal_number)].load(std::memory_order_relaxed)) {
      ::sigaction(signal_number, &default_action, nullptr);
    }
  }
}

TemporaryCreationGuard::TemporaryCreationGuard() noexcept {
  const sigset_t blocked = handled_signal_set();
  ::pthread_sigmask(SIG_BLOCK, &blocked, &previous_mask_);
  registrations_in_progress.fetch_add(1, std::memory_order_acq_rel);
}

TemporaryCreationGuard::~TemporaryCreationGuard() {
  registrations_in_progress.fetch_sub(1, std::memory_order_acq_rel);
  // A signal that arrived meanwhile is delivered here, with the file registered.
  ::pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

TemporaryRegistration::TemporaryRegistration(const std::filesystem::path& path, TemporaryKind kind) noexcept {
  std::string text;
  try {
    std::error_code error;
    const std::filesystem::path absolute = std::filesystem::absolute(path, error);
    text = (error ? path : absolute).string();
  } catch (...) {
    return;  // out of memory: not covered, as documented
  }
  if (text.size() >= PATH_MAX) return;
  for (std::size_t index = 0; index < slots.size(); ++index) {
    int expected = free_slot;
    if (!slots[index].state.compare_exchange_strong(expected, claimed_slot, std::memory_order_acq_rel)) {
      continue;
    }
    std::memcpy(slots[index].path, text.c_str(), text.size() + 1);
    slots[index].folder = kind == TemporaryKind::folder;
    slots[index].state.store(active_slot, std::memory_order_release);
    slot_ = static_cast<int>(index);
    return;
  }
}

TemporaryRegistration::TemporaryRegistration(TemporaryRegistration&& other) noexcept : slot_(other.slot_) {
  other.slot_ = -1;
}

TemporaryRegistration& TemporaryRegistration::operator=(TemporaryRegistration&& other) noexcept {
  if (this != &other) {
    reset();
    slot_ = other.slot_;
    other.slot_ = -1;
  }
  return *this;
}

void TemporaryRegistration::reset() noexcept {
  if (slot_ < 0) return;
  slots[static_cast<std::size_t>(slot_)].state.store(free_slot, std::memory_order_release);
  slot_ = -1;
}

}  // namespace dm
