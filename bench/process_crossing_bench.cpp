// What worker processes cost, taken apart (issue 20): starting one (fork,
// exit, reap), and handing a window's results back to the parent, either
// left in memory shared with it (what ProcessesExecutor does) or copied
// through the socket, as a process pool that pickles its results must.
// Each window is the whole 1k sample, 499,500 distances (3.8 MiB), split
// between two workers forked once for the benchmark.
#include <benchmark/benchmark.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "bench_data.hpp"
#include "distance_matrix/kernel/distance_kernel.hpp"

namespace dm {
namespace {

constexpr std::size_t worker_count = 2;

/// How a worker's results reach the parent.
enum class Crossing {
  shared_in_place,  ///< written into shared memory, read there by the parent
  shared_copied,    ///< the same, then copied into the parent's own memory (the executor before issue 20)
  socket,           ///< written into the worker's own memory, then sent through its socket
};

bool write_all(int socket, const void* data, std::size_t bytes) {
  const char* next = static_cast<const char*>(data);
  while (bytes > 0) {
    const ssize_t sent = ::write(socket, next, bytes);
    if (sent <= 0) return false;
    next += sent;
    bytes -= static_cast<std::size_t>(sent);
  }
  return true;
}

bool read_all(int socket, void* data, std::size_t bytes) {
  char* next = static_cast<char*>(data);
  while (bytes > 0) {
    const ssize_t received = ::read(socket, next, bytes);
    if (received <= 0) return false;
    next += received;
    bytes -= static_cast<std::size_t>(received);
  }
  return true;
}

/// Two workers forked once; a window is one command each on their sockets.
class CrossingWorkers {
 public:
  CrossingWorkers(const DistanceKernel& kernel, Crossing crossing)
      : kernel_(kernel),
        crossing_(crossing),
        cells_(kernel.pair_count()),
        shared_bytes_(std::max<std::size_t>(cells_ * sizeof(double), 1)),
        shared_(static_cast<double*>(mmap(nullptr, shared_bytes_, PROT_READ | PROT_WRITE,
                                          MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0))),
        own_(cells_) {
    if (shared_ == MAP_FAILED) throw std::runtime_error("mmap failed");
    for (std::size_t index = 0; index < worker_count; ++index) {
      int sockets[2];
      if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sockets) != 0) throw std::runtime_error("socketpair failed");
      const pid_t pid = ::fork();
      if (pid == -1) throw std::runtime_error("fork failed");
      if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        // Only the parent may hold the parent's ends, or a worker never sees
        // its socket end when the parent closes it.
        for (const Worker& sibling : workers_) ::close(sibling.socket);
        ::close(sockets[0]);
        serve(index, sockets[1]);
      }
      ::close(sockets[1]);
      workers_.push_back({pid, sockets[0]});
    }
  }
  ~CrossingWorkers() {
    for (const Worker& worker : workers_) {
      ::close(worker.socket);  // the worker reads the end and leaves
      ::waitpid(worker.pid, nullptr, 0);
    }
    munmap(shared_, shared_bytes_);
  }
  CrossingWorkers(const CrossingWorkers&) = delete;
  CrossingWorkers& operator=(const CrossingWorkers&) = delete;

  /// Computes every pair; returns where the parent finds the results.
  const double* window() {
    const char go = 'w';
    for (const Worker& worker : workers_) {
      if (!write_all(worker.socket, &go, 1)) throw std::runtime_error("a worker is gone");
    }
    for (std::size_t index = 0; index < workers_.size(); ++index) {
      const CellRange part = share(index);
      if (crossing_ == Crossing::socket) {
        if (!read_all(workers_[index].socket, own_.data() + part.first, part.size() * sizeof(double))) {
          throw std::runtime_error("a worker is gone");
        }
      } else {
        char done = 0;
        if (!read_all(workers_[index].socket, &done, 1)) throw std::runtime_error("a worker is gone");
      }
    }
    if (crossing_ == Crossing::shared_in_place) return shared_;
    if (crossing_ == Crossing::shared_copied) std::memcpy(own_.data(), shared_, cells_ * sizeof(double));
    return own_.data();
  }

 private:
  struct Worker {
    pid_t pid;
    int socket;
  };

  [[nodiscard]] CellRange share(std::size_t index) const {
    return {cells_ * index / worker_count, cells_ * (index + 1) / worker_count};
  }

  [[noreturn]] void serve(std::size_t index, int socket) {
    const CellRange part = share(index);
    char command = 0;
    while (read_all(socket, &command, 1)) {
      if (crossing_ == Crossing::socket) {
        // The worker's copy of `own_`: its writes stay in its address space
        // until the socket carries them over.
        const std::span<double> results(own_.data() + part.first, part.size());
        kernel_.compute(part, results);
        if (!write_all(socket, results.data(), results.size_bytes())) break;
      } else {
        kernel_.compute(part, {shared_ + part.first, part.size()});
        const char done = 'd';
        if (!write_all(socket, &done, 1)) break;
      }
    }
    _exit(0);
  }

  const DistanceKernel& kernel_;
  Crossing crossing_;
  std::size_t cells_;
  std::size_t shared_bytes_;
  double* shared_;
  std::vector<double> own_;
  std::vector<Worker> workers_;
};

void BM_Window(benchmark::State& state, Crossing crossing) {
  const DistanceKernel kernel(bench::thousand_locations());
  CrossingWorkers workers(kernel, crossing);
  static_cast<void>(workers.window());  // the first touch of every page, paid once
  for (auto _ : state) benchmark::DoNotOptimize(workers.window());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kernel.pair_count()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kernel.pair_count() * sizeof(double)));
}

/// Starting a worker: fork() a parent holding the 1k sample and a window of
/// results, the child leaves at once, the parent reaps it. The parent's
/// page-table size sets the price.
void BM_ForkAndReap(benchmark::State& state) {
  const DistanceKernel kernel(bench::thousand_locations());
  std::vector<double> results(kernel.pair_count());
  kernel.compute({0, results.size()}, results);
  for (auto _ : state) {
    const pid_t pid = ::fork();
    if (pid == 0) _exit(0);
    if (pid == -1) {
      state.SkipWithError("fork failed");
      break;
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
}

BENCHMARK(BM_ForkAndReap)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Window, shared_in_place, Crossing::shared_in_place)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Window, shared_then_copied, Crossing::shared_copied)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Window, through_socket, Crossing::socket)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace dm
