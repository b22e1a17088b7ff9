#pragma once

// Which of Highway's instruction-set targets this CPU and operating system
// can run, detected by the library itself so that it needs only Highway's
// headers: libhwy.so would cost every process start some 4 ms (Highway 1.0.3
// measures its timer resolution in a static initializer).

#include <cstdint>

namespace dm::simd {

/// Bit set of Highway targets (HWY_AVX3, HWY_AVX2, HWY_SSE4, HWY_SSSE3, ...
/// from hwy/detect_targets.h) whose instructions the CPU has and whose
/// registers the OS saves, requiring for each target at least every CPUID
/// flag Highway's own targets.cc requires. HWY_SCALAR and HWY_EMU128 are
/// always in. Detected once, thread-safely; cheap after the first call.
[[nodiscard]] std::int64_t runnable_highway_targets() noexcept;

}  // namespace dm::simd
