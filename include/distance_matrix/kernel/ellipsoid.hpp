// distance_matrix/kernel/ellipsoid.hpp
//
// Ellipsoid: the figure of Metric::geodesic (semi-major axis and inverse
// flattening), the named ones (wgs84, grs80), the --ellipsoid syntax and the
// range accepted (|f| <= 1/100, or a sphere).
//
// Thread safety: values and pure functions.
//
// Example:
//   dm::parse_ellipsoid("6378388,297");          // International 1924
//   dm::ellipsoid_problem({6378137.0, 50.0});    // "inverse flattening 50 is not allowed: ..."

#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dm {

/// An ellipsoid of revolution, as geodesy names one: the equatorial radius a
/// and the inverse flattening 1/f = a / (a − b). Positive 1/f is oblate (the
/// Earth), negative prolate, 0 a sphere (GeographicLib's convention).
struct Ellipsoid {
  double semi_major_axis_m = 6378137.0;
  double inverse_flattening = 298.257223563;
};

/// WGS84, the GPS ellipsoid (NIMA TR8350.2), the default.
inline constexpr Ellipsoid wgs84{6378137.0, 298.257223563};
/// GRS80, the ellipsoid of ETRS89 and NAD83 (Moritz 1980), 1/f as EPSG:7019 and PROJ give it.
inline constexpr Ellipsoid grs80{6378137.0, 298.257222101};

/// Flattening f = 1 / inverse_flattening, 0 for a sphere.
[[nodiscard]] double flattening(const Ellipsoid& ellipsoid) noexcept;

/// Polar semi-axis b = a(1 − f), in metres.
[[nodiscard]] double semi_minor_axis_m(const Ellipsoid& ellipsoid) noexcept;

/// "wgs84", "grs80", or "A,INVF" (two decimal numbers: a in metres and 1/f).
/// std::nullopt when the text is none of these; the values are not checked
/// (see ellipsoid_problem).
[[nodiscard]] std::optional<Ellipsoid> parse_ellipsoid(std::string_view text) noexcept;

/// Why `ellipsoid` is refused, or std::nullopt when it is accepted: a must be
/// positive and finite, and |f| at most 1/100 (1/f = 0 for a sphere, or
/// |1/f| >= 100), the range over which Karney's series, in GeographicLib and
/// in this library, are accurate to round-off. The Earth's ellipsoids have
/// 1/f near 298.
[[nodiscard]] std::optional<std::string> ellipsoid_problem(const Ellipsoid& ellipsoid);

/// "6378137,298.257223563": the shortest text of each number, parse_ellipsoid's syntax.
[[nodiscard]] std::string to_string(const Ellipsoid& ellipsoid);

}  // namespace dm
