#pragma once

// The portable form of a hand-written AVX-512 scan for a test's scope, where
// the AVX-512 one would run: so that both are checked against brute force
// on a machine that has AVX-512.

namespace dm::testing {

/// `Allow(allowed)` sets whether the scan may use AVX-512 and returns the
/// previous setting (ChordGroupSearch::allow_avx512, allow_within_avx512).
template <bool (*Allow)(bool) noexcept>
class PortableScan {
 public:
  PortableScan() : previous_(Allow(false)) {}
  ~PortableScan() { Allow(previous_); }
  PortableScan(const PortableScan&) = delete;
  PortableScan& operator=(const PortableScan&) = delete;

 private:
  bool previous_;
};

}  // namespace dm::testing
