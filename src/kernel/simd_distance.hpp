#pragma once

// The vectorized distance loops behind DistanceKernel (src/simd_distance.cpp),
// compiled once per instruction set (Highway's foreach_target.h) and
// dispatched at run time by the library itself (instruction_sets.hpp), so
// that only Highway's headers are used, never libhwy.so.
// Internal to the library: users choose KernelKind::simd in DistanceOptions.

#include <cstddef>
#include <string_view>
#include <vector>

namespace dm {
struct TallyLanes;
struct ColumnTallies;
}  // namespace dm

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

/// haversine_run's distances between location `anchor` and locations
/// [first, last) of the arrays, never stored: added to `lanes` and, unless
/// `columns` is null, to each location's column (distance_tally.hpp; the
/// same totals as tally_values). At most TallyLanes::lane_capacity
/// distances per lane and per column before they are moved out.
void haversine_tally(const double* x, const double* y, const double* z, std::size_t first, std::size_t last,
                     std::size_t anchor, double radius, double scale, TallyLanes& lanes,
                     const ColumnTallies* columns) noexcept;

/// The instruction set the two functions above dispatch to now ("avx512", "avx2", ...).
std::string_view target_name() noexcept;

/// For tests and benchmarks: every instruction set compiled in that this CPU
/// and OS can run, best first, by Highway's name ("AVX3", "AVX2", "SSE4",
/// "SSSE3", then "EMU128" or "SCALAR", Highway's portable code).
std::vector<std::string_view> runnable_targets();

/// For tests and benchmarks: dispatch to `highway_name` (one of
/// runnable_targets()) from now on, or, given "", to the best one again.
/// Returns false, changing nothing, for any other name. Not to be called
/// while another thread computes distances.
bool use_target(std::string_view highway_name) noexcept;

}  // namespace dm::simd
