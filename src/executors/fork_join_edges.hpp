#pragma once

#include <atomic>
#include <cstddef>
#include <utility>

namespace dm {

#if defined(__SANITIZE_THREAD__)
inline constexpr bool under_thread_sanitizer = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr bool under_thread_sanitizer = true;
#else
inline constexpr bool under_thread_sanitizer = false;
#endif
#else
inline constexpr bool under_thread_sanitizer = false;
#endif

/// The two happens-before edges of a fork-join, stated where
/// ThreadSanitizer sees them.
///
/// oneTBB orders a parallel algorithm's tasks after the code that started it
/// (the fork) and before the code after it returns (the join), but Debian's
/// libtbb is not built with TSan, so TSan cannot see that synchronization.
/// Without these edges it reports a race for every address a task reads that
/// the forking thread wrote, and for every address the joining thread reads
/// that a task wrote. tests/tsan.supp suppresses reports through oneTBB's
/// frames, but each one still costs TSan a search among all the addresses it
/// reported before: the large query tests ran for more than five minutes.
///
/// Made after the fork's inputs are written (a release), each task wrapped by
/// around() (an acquire when it begins, a release when it ends), joined()
/// after the algorithm returned (an acquire). Outside TSan builds all of it
/// compiles to nothing: oneTBB already provides these edges.
///
///     ForkJoinEdges edges;
///     arena.execute([&] { tbb::parallel_for(range, edges.around(body)); });
///     edges.joined();
class ForkJoinEdges {
 public:
  ForkJoinEdges() noexcept {
    if constexpr (under_thread_sanitizer) forked_.store(true, std::memory_order_release);
  }

  /// `body` with a task's edges around it; `body` must outlive the result.
  template <class Body>
  [[nodiscard]] auto around(Body& body) noexcept {
    return [this, &body](auto&&... arguments) {
      task_begins();
      body(std::forward<decltype(arguments)>(arguments)...);
      task_ends();
    };
  }

  /// After every task ended: what they wrote is visible to the caller.
  void joined() const noexcept {
    if constexpr (under_thread_sanitizer) static_cast<void>(ended_.load(std::memory_order_acquire));
  }

 private:
  void task_begins() const noexcept {
    if constexpr (under_thread_sanitizer) static_cast<void>(forked_.load(std::memory_order_acquire));
  }
  void task_ends() noexcept {
    if constexpr (under_thread_sanitizer) ended_.fetch_add(1, std::memory_order_release);
  }

  std::atomic<bool> forked_{false};
  std::atomic<std::size_t> ended_{0};
};

}  // namespace dm
