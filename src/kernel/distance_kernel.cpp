#include "distance_matrix/kernel/distance_kernel.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "src/kernel/simd_distance.hpp"

namespace dm {
namespace {

constexpr double radians_per_degree = std::numbers::pi / 180.0;
constexpr double half_radians_per_degree = std::numbers::pi / 360.0;

/// Longitude difference taken the short way round, in (-180, 180]. Done in
/// degrees, where subtracting 360 from a value near 360 is exact, so two
/// points on either side of the antimeridian keep their small difference.
inline double short_longitude_difference(double from_degrees, double to_degrees) noexcept {
  double difference = to_degrees - from_degrees;
  if (difference > 180.0) difference -= 360.0;
  if (difference <= -180.0) difference += 360.0;
  return difference;
}

/// Central angle by the haversine formula, written so that it stays accurate
/// at every separation. The textbook 2·asin(√a) loses all precision near the
/// antipode, where a → 1. Here the complement 1 - a is not computed by
/// subtraction but as the haversine to the *antipode* of the destination,
/// hav(π - θ) = sin²((φ1+φ2)/2) + cos φ1 cos φ2 cos²(Δλ/2), a sum of two
/// non-negative terms; atan2 of both square roots is then well conditioned
/// for every θ in [0, π]. Differences are formed in degrees before scaling,
/// which keeps tiny distances accurate too.
inline double haversine_angle(double latitude_from, double latitude_to, double longitude_difference,
                              double cos_product) noexcept {
  const double sin_half_dlat = std::sin((latitude_to - latitude_from) * half_radians_per_degree);
  const double sin_half_sum = std::sin((latitude_to + latitude_from) * half_radians_per_degree);
  const double half_dlon = longitude_difference * half_radians_per_degree;
  const double sin_half_dlon = std::sin(half_dlon);
  const double cos_half_dlon = std::cos(half_dlon);
  const double a = sin_half_dlat * sin_half_dlat + cos_product * sin_half_dlon * sin_half_dlon;
  const double complement = sin_half_sum * sin_half_sum + cos_product * cos_half_dlon * cos_half_dlon;
  return 2.0 * std::atan2(std::sqrt(a), std::sqrt(complement));
}

/// Equirectangular approximation: x = Δλ·cos φm, y = Δφ, angle = √(x² + y²).
inline double equirectangular_angle(double latitude_from, double latitude_to,
                                    double longitude_difference) noexcept {
  const double mean_latitude = (latitude_from + latitude_to) * half_radians_per_degree;
  const double x = longitude_difference * radians_per_degree * std::cos(mean_latitude);
  const double y = (latitude_to - latitude_from) * radians_per_degree;
  return std::sqrt(x * x + y * y);
}

struct SinCos {
  double sin;
  double cos;
};

/// sin and cos of an angle in degrees, exact at every multiple of 90°. The
/// reduction to [-45°, 45°] is done in degrees, where std::remquo is exact;
/// only the small remainder is rounded to radians. So sin 180° is 0 (not
/// 1.2e-16), (0°, -180°) and (0°, 180°) are the same vector, and near a pole
/// cos φ keeps every digit, as sin(90° - |φ|) does in the scalar kernel.
SinCos sincos_degrees(double degrees) noexcept {
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

/// Appends `value` to a column that ends in simd::input_padding zeros.
void append_padded(std::vector<double>& column, std::size_t index, double value) {
  column[index] = value;
  column.push_back(0.0);
}

}  // namespace

DistanceKernel::DistanceKernel(DistanceOptions options)
    : options_(validate(options)), radius_in_unit_(options.radius_km / kilometers_per(options.unit)) {
  for (std::vector<double>* column :
       {&latitude_degrees_, &longitude_degrees_, &cos_latitude_, &unit_x_, &unit_y_, &unit_z_}) {
    column->assign(simd::input_padding, 0.0);
  }
  // The instruction set is detected on the first dispatched call; make that
  // call here, on the constructing thread, rather than first in the workers.
  if (options_.kernel == KernelKind::simd) static_cast<void>(simd::target_name());
}

DistanceKernel::DistanceKernel(const LocationTable& locations, DistanceOptions options)
    : DistanceKernel(options) {
  reserve(locations.size());
  for (std::size_t index = 0; index < locations.size(); ++index) {
    add(locations.latitude(index), locations.longitude(index));
  }
}

void DistanceKernel::reserve(std::size_t count) {
  for (std::vector<double>* column :
       {&latitude_degrees_, &longitude_degrees_, &cos_latitude_, &unit_x_, &unit_y_, &unit_z_}) {
    column->reserve(count + simd::input_padding);
  }
}

void DistanceKernel::add(double latitude_degrees, double longitude_degrees) {
  const std::size_t index = size_;
  append_padded(latitude_degrees_, index, latitude_degrees);
  append_padded(longitude_degrees_, index, longitude_degrees);
  // cos φ = sin(90° - |φ|): near the poles the subtraction in degrees is
  // exact, while cos of a rounded radian value near π/2 would keep only a few
  // correct digits (and would not give exactly 0 at the pole).
  append_padded(cos_latitude_, index, std::sin((90.0 - std::abs(latitude_degrees)) * radians_per_degree));
  const SinCos latitude = sincos_degrees(latitude_degrees);
  const SinCos longitude = sincos_degrees(longitude_degrees);
  append_padded(unit_x_, index, latitude.cos * longitude.cos);
  append_padded(unit_y_, index, latitude.cos * longitude.sin);
  append_padded(unit_z_, index, latitude.sin);
  ++size_;
}

double DistanceKernel::distance(std::size_t origin, std::size_t destination) const noexcept {
  double result = 0.0;
  compute_run(destination, origin, origin + 1, &result);
  return result;
}

void DistanceKernel::compute(CellRange range, std::span<double> out) const noexcept {
  if (range.empty()) return;
  Pair pair = pair_at(range.first);
  double* cursor = out.data();
  std::size_t remaining = range.size();
  while (remaining > 0) {
    const std::size_t row_end = std::min(pair.destination, pair.origin + remaining);
    compute_run(pair.destination, pair.origin, row_end, cursor);
    cursor += row_end - pair.origin;
    remaining -= row_end - pair.origin;
    pair = {0, pair.destination + 1};
  }
}

void DistanceKernel::compute_run(std::size_t anchor, std::size_t first, std::size_t last,
                                 double* out) const noexcept {
  if (first >= last) return;
  if (options_.kernel == KernelKind::scalar) {
    compute_run_scalar(anchor, first, last, out);
  } else if (options_.metric == Metric::haversine) {
    simd::haversine_run(unit_x_.data() + first, unit_y_.data() + first, unit_z_.data() + first, last - first,
                        unit_x_[anchor], unit_y_[anchor], unit_z_[anchor], radius_in_unit_, out);
  } else {
    simd::equirectangular_run(latitude_degrees_.data() + first, longitude_degrees_.data() + first, last - first,
                              latitude_degrees_[anchor], longitude_degrees_[anchor], radius_in_unit_, out);
  }
}

void DistanceKernel::compute_run_scalar(std::size_t anchor, std::size_t first, std::size_t last,
                                        double* out) const noexcept {
  const double latitude_to = latitude_degrees_[anchor];
  const double longitude_to = longitude_degrees_[anchor];
  if (options_.metric == Metric::haversine) {
    const double cos_to = cos_latitude_[anchor];
    for (std::size_t other = first; other < last; ++other) {
      const double dlon = short_longitude_difference(longitude_degrees_[other], longitude_to);
      *out++ = radius_in_unit_ * haversine_angle(latitude_degrees_[other], latitude_to, dlon,
                                                 cos_latitude_[other] * cos_to);
    }
  } else {
    for (std::size_t other = first; other < last; ++other) {
      const double dlon = short_longitude_difference(longitude_degrees_[other], longitude_to);
      *out++ = radius_in_unit_ * equirectangular_angle(latitude_degrees_[other], latitude_to, dlon);
    }
  }
}

std::string_view simd_target_name() noexcept { return simd::target_name(); }

std::string describe_kernel(KernelKind kernel) {
  if (kernel == KernelKind::scalar) return std::string(to_string(kernel));
  return std::string(to_string(kernel)) + ' ' + std::string(simd_target_name());
}

}  // namespace dm
