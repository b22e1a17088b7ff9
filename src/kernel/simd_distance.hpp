#pragma once

// The vectorized distance loops behind DistanceKernel (src/simd_distance.cpp),
// compiled once per instruction set (Highway's foreach_target.h) and
// dispatched at run time by the library itself (instruction_sets.hpp), so
// that only Highway's headers are used, never libhwy.so.
// Internal to the library: users choose KernelKind::simd in DistanceOptions.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace dm {
struct TallyLanes;
struct ColumnTallies;
struct TallyOutput;
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

/// haversine_run with an anchor a lane: out[m] = radius × central angle
/// between (x[m], y[m], z[m]) and (anchor_x[m], anchor_y[m], anchor_z[m]),
/// haversine_run's doubles for each pair (a group of searches' candidates
/// measured in one run).
void haversine_pairs(const double* x, const double* y, const double* z, const double* anchor_x,
                     const double* anchor_y, const double* anchor_z, std::size_t count, double radius,
                     double* out) noexcept;

/// out[m] = radius × equirectangular angle between (latitude[m], longitude[m])
/// and the anchor, all in degrees, for m in [0, count).
void equirectangular_run(const double* latitude, const double* longitude, std::size_t count,
                         double anchor_latitude, double anchor_longitude, double radius, double* out) noexcept;

/// An ellipsoid's constants for geodesic_run, computed once by the metric
/// (GeographicLib's names: f1 = 1 − f, ep2 = e'², n the third flattening,
/// etol2 the "really short" threshold of σ12).
struct GeodesicConstants {
  double a = 0, b = 0, f = 0, f1 = 0, ep2 = 0, n = 0, etol2 = 0;
  double meters_per_unit = 1;
  std::array<double, 6> a3{};   ///< A3 as a polynomial in ε, highest power first (eq. 24)
  std::array<double, 15> c3{};  ///< C3[1..5] as polynomials in ε, highest power first (eq. 25)
};

/// Per-location columns of the geodesic metric, each padded by input_padding:
/// latitude and longitude in degrees, the reduced latitude's sin β and cos β
/// (normalised, cos β at least GeographicLib's tiny), dn = √(1 + e'² sin²β),
/// and the longitude's sine and cosine (exact at multiples of 90°).
struct GeodesicLocations {
  const double* latitude;
  const double* longitude;
  const double* sin_beta;
  const double* cos_beta;
  const double* dn;
  const double* sin_longitude;
  const double* cos_longitude;
};

/// One location's values of the columns above.
struct GeodesicLocation {
  double latitude, longitude, sin_beta, cos_beta, dn, sin_longitude, cos_longitude;
};

/// The most pairs one geodesic_run call takes (its hard[] needs that many).
inline constexpr std::size_t geodesic_block = 256;

/// Evaluations of Lambda12 before a lane is left to GeographicLib (random
/// pairs on WGS84 need about 3; GeographicLib allows 20, then bisects).
inline constexpr int geodesic_newton_limit = 12;

/// out[m] = geodesic distance in the unit between location m of `others` and
/// `anchor`, for m in [0, count), count <= geodesic_block, by the vectorized
/// Karney inverse (src/kernel/geodesic_lanes-inl.h). The pairs it leaves to
/// GeographicLib (see there) have their index in hard[] and out[] unwritten
/// there; returns how many.
std::size_t geodesic_run(const GeodesicLocations& others, std::size_t count, const GeodesicLocation& anchor,
                         const GeodesicConstants& constants, double* out, std::uint32_t* hard) noexcept;

/// haversine_run's distances between location `anchor` and locations
/// [first, last) of the arrays added to `lanes` (distance_tally.hpp; the
/// same totals as tally_values) as they are computed and, unless `out` is
/// null, also written with their grid steps and squares to entries
/// [0, last − first) of out's arrays (padded by input_padding: a tail
/// writes its whole vector). At most TallyLanes::lane_capacity distances
/// per lane before they are moved out.
void haversine_tally(const double* x, const double* y, const double* z, std::size_t first, std::size_t last,
                     std::size_t anchor, double radius, double scale, TallyLanes& lanes,
                     const TallyOutput* out) noexcept;

/// A tile of a square's upper triangle added to its columns: row
/// a − first_anchor of `tile`'s arrays (rows `stride` apart, each padded by
/// input_padding) holds the distances (and their grid steps and squares)
/// from anchor a, a in [first_anchor, last_anchor), to locations
/// first_column, first_column + 1, …; only the pairs with column > a and
/// column < last_column are used (other entries may hold anything finite),
/// and each is added to its
/// column's totals with `a` as index (anchors in increasing order, so the
/// strict comparisons keep the lowest). The same totals as tally_values'
/// columns, bit for bit. `columns`' arrays are padded by a whole vector;
/// at most TallyLanes::lane_capacity distances per column before they are
/// moved out.
void tally_triangle_columns(const TallyOutput& tile, std::size_t stride, std::size_t first_anchor,
                            std::size_t last_anchor, std::size_t first_column, std::size_t last_column,
                            const ColumnTallies& columns) noexcept;

/// The instruction set the functions above dispatch to now ("avx512", "avx2", ...).
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
