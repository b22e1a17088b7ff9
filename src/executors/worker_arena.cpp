#include "src/executors/worker_arena.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>

#include <tbb/global_control.h>

namespace dm {

unsigned WorkerArena::ready() {
  // Reading the limit is allowed anywhere; only setting it is main()'s.
  const std::size_t allowed = tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism);
  // task_arena takes an int; more threads than that could never start anyway.
  const auto threads = static_cast<unsigned>(
      std::max<std::size_t>(1, std::min<std::size_t>({workers_, allowed, std::numeric_limits<int>::max()})));
  // Cheap to enter but not to build (each new arena registers with the
  // market and warms up its slots): kept for every call at the same limit.
  if (!arena_ || threads != threads_) {
    arena_ = std::make_unique<tbb::task_arena>(static_cast<int>(threads));
    threads_ = threads;
  }
  return threads_;
}

}  // namespace dm
