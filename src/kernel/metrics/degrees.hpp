#pragma once

// Angle helpers shared by the metrics: work in degrees as long as that is
// exact, and round to radians as late as possible.

#include <cmath>
#include <numbers>

namespace dm::metrics {

inline constexpr double radians_per_degree = std::numbers::pi / 180.0;
inline constexpr double half_radians_per_degree = std::numbers::pi / 360.0;

/// Longitude difference taken the short way round, in (-180, 180]. Done in
/// degrees, where subtracting 360 from a value near 360 is exact, so two
/// points on either side of the antimeridian keep their small difference.
inline double short_longitude_difference(double from_degrees, double to_degrees) noexcept {
  double difference = to_degrees - from_degrees;
  if (difference > 180.0) difference -= 360.0;
  if (difference <= -180.0) difference += 360.0;
  return difference;
}

struct SinCos {
  double sin;
  double cos;
};

/// sin and cos of an angle in degrees, exact at every multiple of 90°. The
/// reduction to [-45°, 45°] is done in degrees, where std::remquo is exact;
/// only the small remainder is rounded to radians. So sin 180° is 0 (not
/// 1.2e-16), (0°, -180°) and (0°, 180°) are the same vector, and near a pole
/// cos φ keeps every digit.
inline SinCos sincos_degrees(double degrees) noexcept {
  int quotient = 0;
  const double remainder = std::remquo(degrees, 90.0, &quotient);
  const double radians = remainder * radians_per_degree;
  const double sine = std::sin(radians);
  const double cosine = std::cos(radians);
  switch (static_cast<unsigned>(quotient) & 3U) {  // the quadrant, also for negative quotients
    case 0: return {sine, cosine};
    case 1: return {cosine, -sine};
    case 2: return {-sine, -cosine};
    default: return {-cosine, sine};
  }
}

}  // namespace dm::metrics
