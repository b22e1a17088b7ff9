#include "src/kernel/metrics/haversine_metric.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "src/kernel/metrics/degrees.hpp"

namespace dm::metrics {
namespace {

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

}  // namespace

HaversineMetric::HaversineMetric(const DistanceOptions& options)
    : kernel_(options.kernel), radius_in_unit_(options.radius_km / kilometers_per(options.unit)) {}

double HaversineMetric::largest_distance(const DistanceOptions& options) noexcept {
  return options.radius_km / kilometers_per(options.unit) * std::numbers::pi;
}

std::unique_ptr<MetricStrategy> HaversineMetric::clone() const { return std::make_unique<HaversineMetric>(*this); }

std::unique_ptr<MetricStrategy> HaversineMetric::reordered(std::span<const std::size_t> order) const {
  auto result = std::make_unique<HaversineMetric>(*this);
  result->unit_vectors_ = unit_vectors_.permuted(order);
  result->degrees_and_cosine_ = degrees_and_cosine_.permuted(order);
  return result;
}

void HaversineMetric::reserve(std::size_t count) {
  (kernel_ == KernelKind::simd ? unit_vectors_ : degrees_and_cosine_).reserve(count);
}

void HaversineMetric::add(double latitude_degrees, double longitude_degrees) {
  if (kernel_ == KernelKind::simd) {
    const SinCos latitude = sincos_degrees(latitude_degrees);
    const SinCos longitude = sincos_degrees(longitude_degrees);
    unit_vectors_.append({latitude.cos * longitude.cos, latitude.cos * longitude.sin, latitude.sin});
  } else {
    // cos φ = sin(90° - |φ|): near the poles the subtraction in degrees is
    // exact, while cos of a rounded radian value near π/2 would keep only a
    // few correct digits (and would not give exactly 0 at the pole).
    degrees_and_cosine_.append(
        {latitude_degrees, longitude_degrees, std::sin((90.0 - std::abs(latitude_degrees)) * radians_per_degree)});
  }
}

void HaversineMetric::add_with_unit_vector(double latitude_degrees, double longitude_degrees,
                                           const std::array<double, 3>& unit_vector) {
  // The simd kernel's terms are the kernel's own unit vector, bit for bit.
  if (kernel_ == KernelKind::simd) {
    unit_vectors_.append(unit_vector);
  } else {
    add(latitude_degrees, longitude_degrees);
  }
}

void HaversineMetric::add_all_with_unit_vectors(std::span<const double> latitudes, std::span<const double> longitudes,
                                                const std::array<std::span<const double>, 3>& unit_vectors) {
  if (kernel_ == KernelKind::simd) {
    unit_vectors_.append_columns(unit_vectors);
  } else {
    MetricStrategy::add_all_with_unit_vectors(latitudes, longitudes, unit_vectors);
  }
}

const double* HaversineMetric::unit_column(std::size_t axis) const noexcept {
  // The simd kernel's terms are the kernel's unit vectors, bit for bit.
  return kernel_ == KernelKind::simd ? unit_vectors_.column(axis) : nullptr;
}

std::array<double*, 3> HaversineMetric::unit_vector_room(std::size_t count) {
  if (kernel_ != KernelKind::simd) return {};
  return unit_vectors_.room(count);
}

void HaversineMetric::run(std::size_t anchor, std::size_t first, std::size_t last, double* out) const noexcept {
  if (kernel_ == KernelKind::simd) {
    const double* x = unit_vectors_.column(0);
    const double* y = unit_vectors_.column(1);
    const double* z = unit_vectors_.column(2);
    simd::haversine_run(x + first, y + first, z + first, last - first, x[anchor], y[anchor], z[anchor],
                        radius_in_unit_, out);
    return;
  }
  const double* latitude = degrees_and_cosine_.column(0);
  const double* longitude = degrees_and_cosine_.column(1);
  const double* cos_latitude = degrees_and_cosine_.column(2);
  const double latitude_to = latitude[anchor];
  const double longitude_to = longitude[anchor];
  const double cos_to = cos_latitude[anchor];
  for (std::size_t other = first; other < last; ++other) {
    const double dlon = short_longitude_difference(longitude[other], longitude_to);
    *out++ = radius_in_unit_ * haversine_angle(latitude[other], latitude_to, dlon, cos_latitude[other] * cos_to);
  }
}

bool HaversineMetric::tally_run(std::size_t anchor, std::size_t first, std::size_t last, const TallyGrid& grid,
                                TallyLanes& row, const TallyOutput* out) const noexcept {
  if (kernel_ != KernelKind::simd) return false;
  simd::haversine_tally(unit_vectors_.column(0), unit_vectors_.column(1), unit_vectors_.column(2), first, last, anchor,
                        radius_in_unit_, grid.scale, row, out);
  return true;
}

void HaversineMetric::run_gathered(std::size_t anchor, const std::size_t* locations, std::size_t count,
                                   double* out) const noexcept {
  if (kernel_ != KernelKind::simd) {
    MetricStrategy::run_gathered(anchor, locations, count, out);
    return;
  }
  // The candidates' unit vectors copied side by side, then one vector run:
  // a lane's value depends only on its two unit vectors, so these are
  // run()'s doubles.
  constexpr std::size_t batch = 64;
  double x[batch + simd::input_padding];
  double y[batch + simd::input_padding];
  double z[batch + simd::input_padding];
  const double* all_x = unit_vectors_.column(0);
  const double* all_y = unit_vectors_.column(1);
  const double* all_z = unit_vectors_.column(2);
  for (std::size_t start = 0; start < count; start += batch) {
    const std::size_t size = std::min(batch, count - start);
    for (std::size_t i = 0; i < size; ++i) {
      const std::size_t location = locations[start + i];
      x[i] = all_x[location];
      y[i] = all_y[location];
      z[i] = all_z[location];
    }
    // Vector code may read past the last one (simd::input_padding).
    std::fill(x + size, x + size + simd::input_padding, 0.0);
    std::fill(y + size, y + size + simd::input_padding, 0.0);
    std::fill(z + size, z + size + simd::input_padding, 0.0);
    simd::haversine_run(x, y, z, size, all_x[anchor], all_y[anchor], all_z[anchor], radius_in_unit_, out + start);
  }
}

void HaversineMetric::run_gathered_pairs(const std::size_t* anchors, const std::size_t* locations, std::size_t count,
                                         double* out) const noexcept {
  if (kernel_ != KernelKind::simd) {
    MetricStrategy::run_gathered_pairs(anchors, locations, count, out);
    return;
  }
  // Both sides' unit vectors copied side by side, then one vector run: a
  // lane's value depends only on its two unit vectors (run_gathered's doubles).
  constexpr std::size_t batch = 64;
  constexpr std::size_t room = batch + simd::input_padding;
  double columns[6][room];
  const double* const all[3] = {unit_vectors_.column(0), unit_vectors_.column(1), unit_vectors_.column(2)};
  for (std::size_t start = 0; start < count; start += batch) {
    const std::size_t size = std::min(batch, count - start);
    for (std::size_t i = 0; i < size; ++i) {
      const std::size_t location = locations[start + i];
      const std::size_t anchor = anchors[start + i];
      for (std::size_t axis = 0; axis < 3; ++axis) {
        columns[axis][i] = all[axis][location];
        columns[3 + axis][i] = all[axis][anchor];
      }
    }
    // Vector code may read past the last one (simd::input_padding).
    for (double* column : columns) std::fill(column + size, column + size + simd::input_padding, 0.0);
    simd::haversine_pairs(columns[0], columns[1], columns[2], columns[3], columns[4], columns[5], size,
                          radius_in_unit_, out + start);
  }
}

std::string HaversineMetric::describe() const { return describe_kernel(kernel_); }

}  // namespace dm::metrics
