#pragma once

// Every implementation of the distance math this machine can run: the scalar
// kernel, and the simd kernel on each instruction set the library compiled it
// for and the CPU supports. Tests and tools loop over them.
#include <string>
#include <string_view>
#include <vector>

#include "distance_matrix/kernel/distance_options.hpp"
#include "src/kernel/simd_distance.hpp"

namespace dm::testing {

struct KernelVariant {
  KernelKind kind = KernelKind::simd;
  std::string target;  ///< Highway's name of the instruction set for simd ("AVX3", ...); empty for scalar
  std::string name;    ///< "scalar", "simd_AVX3", ...
};

inline std::vector<KernelVariant> kernel_variants() {
  std::vector<KernelVariant> variants{{KernelKind::scalar, "", "scalar"}};
  for (const std::string_view target : simd::runnable_targets()) {
    variants.push_back({KernelKind::simd, std::string(target), "simd_" + std::string(target)});
  }
  return variants;
}

/// Restricts the library's run-time dispatch to `variant`'s instruction set
/// while alive (for scalar: no restriction).
class DispatchTo {
 public:
  explicit DispatchTo(const KernelVariant& variant) { static_cast<void>(simd::use_target(variant.target)); }
  ~DispatchTo() { static_cast<void>(simd::use_target("")); }
  DispatchTo(const DispatchTo&) = delete;
  DispatchTo& operator=(const DispatchTo&) = delete;
};

}  // namespace dm::testing
