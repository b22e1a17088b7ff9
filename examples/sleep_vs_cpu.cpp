// Sleeping threads overlap; computing threads share the cores.
//
// The workshop's Python version of this experiment shows the global
// interpreter lock: five threads that sleep finish together, five threads
// that compute take five times as long, as if there were one core. C++ has no
// such lock. Sleeping threads still overlap, and computing threads run truly
// in parallel: they finish in about 5 / cores times the work of one.
//
//   sleep_vs_cpu [--seconds X]   (X: each thread's sleep and CPU time, default 1)

#include <time.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr int thread_count = 5;

using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

Seconds cpu_time(clockid_t clock) {
  timespec now{};
  clock_gettime(clock, &now);
  return Seconds(static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9);
}

/// CPU time consumed by the calling thread only: with more threads than
/// cores, each thread must do its full share of work however long it waits
/// for a core, which wall-clock time would not guarantee.
Seconds thread_cpu_time() { return cpu_time(CLOCK_THREAD_CPUTIME_ID); }

/// Real arithmetic until this thread has used `budget` of CPU time: partial
/// sums of the Leibniz series for pi. Returns the estimate so the compiler
/// cannot drop the loop.
double compute_for(Seconds budget) {
  const Seconds start = thread_cpu_time();
  double sum = 0.0;
  long term = 0;
  while (thread_cpu_time() - start < budget) {
    for (int step = 0; step < 100'000; ++step, ++term) {
      sum += (term % 2 == 0 ? 4.0 : -4.0) / static_cast<double>(2 * term + 1);
    }
  }
  return sum;
}

/// Wall time for `thread_count` threads each running `work` to finish.
Seconds run_threads(const std::function<void(int)>& work) {
  const Clock::time_point start = Clock::now();
  std::vector<std::jthread> threads;
  for (int index = 0; index < thread_count; ++index) threads.emplace_back(work, index);
  threads.clear();  // joins
  return Clock::now() - start;
}

bool parse_seconds(std::string_view text, double& seconds) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  return error == std::errc{} && end == text.data() + text.size() && std::isfinite(seconds) && seconds > 0;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 1.0;
  for (int index = 1; index < argc; ++index) {
    const std::string_view argument = argv[index];
    if (argument == "--seconds") {
      if (index + 1 == argc || !parse_seconds(argv[index + 1], seconds)) {
        std::fprintf(stderr, "sleep_vs_cpu: --seconds needs a positive number, such as 0.5\n");
        return 2;
      }
      ++index;
    } else if (argument == "--help" || argument == "-h") {
      std::printf("usage: sleep_vs_cpu [--seconds X]\n");
      return 0;
    } else {
      std::fprintf(stderr, "sleep_vs_cpu: unexpected argument '%s'\nusage: sleep_vs_cpu [--seconds X]\n",
                   argv[index]);
      return 2;
    }
  }
  const Seconds each(seconds);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());

  std::printf("hardware threads: %u\n\n", cores);
  std::fflush(stdout);

  const Seconds sleeping = run_threads([&](int) { std::this_thread::sleep_for(each); });
  std::printf("%d threads sleeping   %.2f s each: %5.2f s wall (one sleep: %.2f s)\n", thread_count, seconds,
              sleeping.count(), seconds);
  std::fflush(stdout);

  std::vector<double> results(thread_count);
  const Seconds cpu_before = cpu_time(CLOCK_PROCESS_CPUTIME_ID);
  const Seconds computing = run_threads([&](int index) { results[index] = compute_for(each); });
  const Seconds cpu_used = cpu_time(CLOCK_PROCESS_CPUTIME_ID) - cpu_before;
  const double expected = seconds * thread_count / std::min<double>(cores, thread_count);
  std::printf("%d threads computing  %.2f s each: %5.2f s wall (%d x %.2f s / %u cores = %.2f s)\n",
              thread_count, seconds, computing.count(), thread_count, seconds,
              std::min<unsigned>(cores, thread_count), expected);
  // Other programs competing for the cores stretch the wall time; CPU time
  // divided by wall time shows how many cores this program actually had.
  std::printf("  %.2f s of CPU in %.2f s wall: %.2f cores busy on average (pi ~ %.6f)\n\n", cpu_used.count(),
              computing.count(), cpu_used / computing, results[0]);

  std::printf(
      "C++ threads have no interpreter lock: each is an operating-system thread that\n"
      "runs on any free core. A sleeping thread uses no core at all, so five sleeps\n"
      "overlap and take as long as one, as they do in Python. Computing threads\n"
      "differ from Python: instead of taking turns under the global interpreter lock\n"
      "(five threads, five times one thread's time), they run side by side, limited\n"
      "only by the number of cores: %d x %.2f s of work on %u cores takes about\n"
      "%.2f s. More threads than cores cannot make CPU-bound work faster, which is\n"
      "why the executors default to one worker per hardware thread, and why I/O-bound\n"
      "work (waiting) and CPU-bound work (computing) call for different tools.\n",
      thread_count, seconds, std::min<unsigned>(cores, thread_count), expected);
  return 0;
}
