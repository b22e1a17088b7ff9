#pragma once

// The eight-lane pieces the queries' hand-written AVX-512 scans share
// (chord_group_search.cpp, within_groups.cpp, neighbour_index.cpp): each is
// compiled for AVX-512 by a target attribute and called only where the CPU
// has it (cpu_has_avx512f), the rest of the program staying portable.
// DM_QUERIES_AVX512 says whether this compiler and architecture have them.

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DM_QUERIES_AVX512 1
#include <immintrin.h>

#include <cstddef>

namespace dm::queries::avx512 {

/// Whether this CPU runs AVX-512F code (asked once).
inline bool cpu_has_avx512f() noexcept {
  static const bool has = __builtin_cpu_supports("avx512f");
  return has;
}

// GCC 12 warns inside its own intrinsics' headers (their _mm512_undefined
// operands) once they are inlined; nothing of ours is uninitialised.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

/// The squared distance from `point` to [low, high] on one axis, zero
/// inside, in eight lanes (eight points against a box, or one point
/// against eight boxes). The same operations as the scalar box tests.
__attribute__((target("avx512f"))) inline __m512d squared_gaps(__m512d point, __m512d low, __m512d high) {
  const __m512d outside =
      _mm512_max_pd(_mm512_max_pd(_mm512_sub_pd(low, point), _mm512_setzero_pd()), _mm512_sub_pd(point, high));
  return _mm512_mul_pd(outside, outside);
}

/// The squared chords from (qx, qy, qz) to the points at x, y, z +
/// position … + 7, the lanes outside `active` read as 0 (no load).
__attribute__((target("avx512f"))) inline __m512d squared_chords(const double* x, const double* y, const double* z,
                                                                 std::size_t position, __mmask8 active, __m512d qx,
                                                                 __m512d qy, __m512d qz) {
  const __m512d dx = _mm512_sub_pd(_mm512_maskz_loadu_pd(active, x + position), qx);
  const __m512d dy = _mm512_sub_pd(_mm512_maskz_loadu_pd(active, y + position), qy);
  const __m512d dz = _mm512_sub_pd(_mm512_maskz_loadu_pd(active, z + position), qz);
  return _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(dx, dx), _mm512_mul_pd(dy, dy)), _mm512_mul_pd(dz, dz));
}

/// The lanes of the first `count` of eight (all eight from eight on).
inline __mmask8 first_lanes(std::size_t count) noexcept {
  return count >= 8 ? __mmask8{0xff} : static_cast<__mmask8>((1u << count) - 1);
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace dm::queries::avx512

#else
#define DM_QUERIES_AVX512 0
#endif
