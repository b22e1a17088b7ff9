// A run-time byte (the delimiter) in every lane of an SSE2 vector, for the
// CSV scanners' compares.
#pragma once

#if defined(__SSE2__)
#include <emmintrin.h>

namespace dm::detail {

/// `byte` in all sixteen lanes, broadcast from a 32-bit copy: from the char
/// itself (_mm_set1_epi8), GCC spilled one byte and reloaded four, a failed
/// store forwarding on every field (a fifth of the scanner's samples).
[[nodiscard]] inline __m128i byte_in_every_lane(char byte) noexcept {
  return _mm_shuffle_epi32(_mm_cvtsi32_si128(static_cast<int>(static_cast<unsigned char>(byte) * 0x01010101u)), 0);
}

}  // namespace dm::detail
#endif
