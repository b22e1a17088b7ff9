#pragma once

// The vectorized distance loops behind DistanceKernel (src/simd_distance.cpp),
// compiled once per instruction set and dispatched at run time (Highway).
// Internal to the library: users choose KernelKind::simd in DistanceOptions.

#include <cstddef>
#include <string_view>

namespace dm::simd {

/// Every input array must stay readable this many doubles past its last
/// element: a run's tail is computed by the same vector code under a mask, and
/// on SSE4 and AVX2 Highway's masked load may read the whole vector.
inline constexpr std::size_t input_padding = 16;

/// out[m] = radius × central angle between the unit vectors (x[m], y[m], z[m])
/// and (anchor_x, anchor_y, anchor_z), for m in [0, count).
void haversine_run(const double* x, const double* y, const double* z, std::size_t count, double anchor_x,
                   double anchor_y, double anchor_z, double radius, double* out) noexcept;

/// out[m] = radius × equirectangular angle between (latitude[m], longitude[m])
/// and the anchor, all in degrees, for m in [0, count).
void equirectangular_run(const double* latitude, const double* longitude, std::size_t count,
                         double anchor_latitude, double anchor_longitude, double radius, double* out) noexcept;

/// The instruction set the two functions above dispatch to now ("avx512", "avx2", ...).
std::string_view target_name() noexcept;

}  // namespace dm::simd
