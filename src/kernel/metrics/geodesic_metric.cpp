#include "src/kernel/metrics/geodesic_metric.hpp"

#include <algorithm>
#include <numbers>

namespace dm::metrics {
namespace {

/// Metres in one `unit`: 1000 × kilometers_per(unit), exactly 1 for metres.
double meters_per(Unit unit) noexcept { return 1000.0 * kilometers_per(unit); }

}  // namespace

GeodesicMetric::GeodesicMetric(const DistanceOptions& options)
    : kernel_(options.kernel),
      meters_per_unit_(meters_per(options.unit)),
      geodesic_(options.ellipsoid.semi_major_axis_m, flattening(options.ellipsoid)) {}

double GeodesicMetric::largest_distance(const DistanceOptions& options) noexcept {
  const double longest_axis_m =
      std::max(options.ellipsoid.semi_major_axis_m, semi_minor_axis_m(options.ellipsoid));
  return longest_axis_m / meters_per(options.unit) * std::numbers::pi;
}

std::unique_ptr<MetricStrategy> GeodesicMetric::clone() const { return std::make_unique<GeodesicMetric>(*this); }

std::unique_ptr<MetricStrategy> GeodesicMetric::reordered(std::span<const std::size_t> order) const {
  auto result = std::make_unique<GeodesicMetric>(*this);
  result->latitude_degrees_.clear();
  result->longitude_degrees_.clear();
  result->latitude_degrees_.reserve(order.size());
  result->longitude_degrees_.reserve(order.size());
  for (const std::size_t location : order) {
    result->latitude_degrees_.push_back(latitude_degrees_[location]);
    result->longitude_degrees_.push_back(longitude_degrees_[location]);
  }
  return result;
}

void GeodesicMetric::reserve(std::size_t count) {
  latitude_degrees_.reserve(count);
  longitude_degrees_.reserve(count);
}

void GeodesicMetric::add(double latitude_degrees, double longitude_degrees) {
  latitude_degrees_.push_back(latitude_degrees);
  longitude_degrees_.push_back(longitude_degrees);
}

void GeodesicMetric::run(std::size_t anchor, std::size_t first, std::size_t last, double* out) const noexcept {
  const double anchor_latitude = latitude_degrees_[anchor];
  const double anchor_longitude = longitude_degrees_[anchor];
  for (std::size_t other = first; other < last; ++other) {
    double latitude1 = latitude_degrees_[other];
    double longitude1 = longitude_degrees_[other];
    double latitude2 = anchor_latitude;
    double longitude2 = anchor_longitude;
    // GeographicLib's Inverse(p, q) and Inverse(q, p) may differ in the last
    // bit: order the pair by its coordinates, never by which is the anchor,
    // so every layout, run and executor gets the same double for it.
    if (latitude2 < latitude1 || (latitude2 == latitude1 && longitude2 < longitude1)) {
      std::swap(latitude1, latitude2);
      std::swap(longitude1, longitude2);
    }
    double meters = 0.0;
    geodesic_.Inverse(latitude1, longitude1, latitude2, longitude2, meters);
    *out++ = meters / meters_per_unit_;
  }
}

std::string GeodesicMetric::describe() const {
  if (kernel_ == KernelKind::scalar) return "scalar (GeographicLib)";
  return "scalar (GeographicLib; no simd geodesic kernel yet)";
}

}  // namespace dm::metrics
