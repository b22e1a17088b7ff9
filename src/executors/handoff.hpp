#pragma once

#include <atomic>

namespace dm {

/// A release at the end of each pipeline stage and an acquire at the start
/// of the next: the happens-before edges oneTBB's (uninstrumented)
/// scheduler provides, stated where ThreadSanitizer can see them. One
/// atomic per token and per serial stage, never per cell, so production
/// pays nothing measurable.
class Handoff {
 public:
  void enter() const noexcept { static_cast<void>(turn_.load(std::memory_order_acquire)); }
  void leave() noexcept { turn_.fetch_add(1, std::memory_order_release); }

 private:
  std::atomic<unsigned> turn_{0};
};

}  // namespace dm
