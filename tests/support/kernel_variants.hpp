#pragma once

// Every implementation of the distance math this machine can run: the scalar
// kernel, and the simd kernel on each instruction set Highway compiled it for
// and the CPU supports. Tests and tools loop over them.
#include <hwy/targets.h>

#include <cstdint>
#include <string>
#include <vector>

#include "distance_matrix/distance_options.hpp"

namespace dm::testing {

struct KernelVariant {
  KernelKind kind = KernelKind::simd;
  std::int64_t target = 0;  ///< Highway target for simd; 0 for scalar
  std::string name;         ///< "scalar", "simd_AVX3", ...
};

inline std::vector<KernelVariant> kernel_variants() {
  std::vector<KernelVariant> variants{{KernelKind::scalar, 0, "scalar"}};
  for (const std::int64_t target : hwy::SupportedAndGeneratedTargets()) {
    variants.push_back({KernelKind::simd, target, std::string("simd_") + hwy::TargetName(target)});
  }
  return variants;
}

/// Restricts Highway's run-time dispatch to `variant`'s instruction set while
/// alive (for scalar: no restriction).
class DispatchTo {
 public:
  explicit DispatchTo(const KernelVariant& variant) { hwy::SetSupportedTargetsForTest(variant.target); }
  ~DispatchTo() { hwy::SetSupportedTargetsForTest(0); }
  DispatchTo(const DispatchTo&) = delete;
  DispatchTo& operator=(const DispatchTo&) = delete;
};

}  // namespace dm::testing
