#include "src/kernel/metrics/equirectangular_metric.hpp"

#include <cmath>
#include <numbers>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "src/kernel/metrics/degrees.hpp"

namespace dm::metrics {
namespace {

inline double equirectangular_angle(double latitude_from, double latitude_to,
                                    double longitude_difference) noexcept {
  const double mean_latitude = (latitude_from + latitude_to) * half_radians_per_degree;
  const double x = longitude_difference * radians_per_degree * std::cos(mean_latitude);
  const double y = (latitude_to - latitude_from) * radians_per_degree;
  return std::sqrt(x * x + y * y);
}

}  // namespace

EquirectangularMetric::EquirectangularMetric(const DistanceOptions& options)
    : kernel_(options.kernel), radius_in_unit_(options.radius_km / kilometers_per(options.unit)) {}

double EquirectangularMetric::largest_distance(const DistanceOptions& options) noexcept {
  // √(Δλ² cos² φm + Δφ²) ≤ √(π² + π²).
  return options.radius_km / kilometers_per(options.unit) * (std::numbers::pi * std::numbers::sqrt2);
}

std::unique_ptr<MetricStrategy> EquirectangularMetric::clone() const {
  return std::make_unique<EquirectangularMetric>(*this);
}

std::unique_ptr<MetricStrategy> EquirectangularMetric::reordered(std::span<const std::size_t> order) const {
  auto result = std::make_unique<EquirectangularMetric>(*this);
  result->degrees_ = degrees_.permuted(order);
  return result;
}

void EquirectangularMetric::reserve(std::size_t count) { degrees_.reserve(count); }

void EquirectangularMetric::add(double latitude_degrees, double longitude_degrees) {
  degrees_.append({latitude_degrees, longitude_degrees});
}

void EquirectangularMetric::run(std::size_t anchor, std::size_t first, std::size_t last,
                                double* out) const noexcept {
  const double* latitude = degrees_.column(0);
  const double* longitude = degrees_.column(1);
  if (kernel_ == KernelKind::simd) {
    simd::equirectangular_run(latitude + first, longitude + first, last - first, latitude[anchor],
                              longitude[anchor], radius_in_unit_, out);
    return;
  }
  const double latitude_to = latitude[anchor];
  const double longitude_to = longitude[anchor];
  for (std::size_t other = first; other < last; ++other) {
    const double dlon = short_longitude_difference(longitude[other], longitude_to);
    *out++ = radius_in_unit_ * equirectangular_angle(latitude[other], latitude_to, dlon);
  }
}

std::string EquirectangularMetric::describe() const { return describe_kernel(kernel_); }

}  // namespace dm::metrics
