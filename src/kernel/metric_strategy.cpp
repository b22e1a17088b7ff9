#include "src/kernel/metric_strategy.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

#include "src/kernel/metrics/equirectangular_metric.hpp"
#include "src/kernel/metrics/geodesic_metric.hpp"
#include "src/kernel/metrics/haversine_metric.hpp"

namespace dm {

void MetricStrategy::run_gathered(std::size_t anchor, const std::size_t* locations, std::size_t count,
                                  double* out) const noexcept {
  for (std::size_t i = 0; i < count; ++i) run(anchor, locations[i], locations[i] + 1, out + i);
}

void MetricStrategy::run_gathered_pairs(const std::size_t* anchors, const std::size_t* locations, std::size_t count,
                                        double* out) const noexcept {
  std::size_t first = 0;
  while (first < count) {
    std::size_t last = first + 1;
    while (last < count && anchors[last] == anchors[first]) ++last;
    run_gathered(anchors[first], locations + first, last - first, out + first);
    first = last;
  }
}

namespace {

/// Shortest text that reads back as the same double.
std::string shortest(double value) {
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, value);
  return {text, result.ptr};
}

/// The sphere metrics' radius: positive, finite, and small enough that no
/// distance in options.unit overflows (largest_radius_km).
void validate_radius(const DistanceOptions& options) {
  if (!(options.radius_km > 0) || !std::isfinite(options.radius_km)) {
    throw std::invalid_argument("radius " + shortest(options.radius_km) + " km is not a positive finite number");
  }
  if (options.radius_km > largest_radius_km(options.unit)) {
    throw std::invalid_argument("radius " + shortest(options.radius_km) + " km gives distances in " +
                                std::string(to_string(options.unit)) +
                                " too large for a double; the largest radius allowed with this unit is " +
                                shortest(largest_radius_km(options.unit)) + " km");
  }
}

/// The ellipsoid: accepted by ellipsoid_problem(), and small enough that no
/// distance in options.unit overflows.
void validate_ellipsoid(const DistanceOptions& options) {
  if (const std::optional<std::string> problem = ellipsoid_problem(options.ellipsoid)) {
    throw std::invalid_argument("ellipsoid " + to_string(options.ellipsoid) + ": " + *problem);
  }
  if (!std::isfinite(metrics::GeodesicMetric::largest_distance(options))) {
    throw std::invalid_argument("ellipsoid " + to_string(options.ellipsoid) + " gives distances in " +
                                std::string(to_string(options.unit)) + " too large for a double");
  }
}

}  // namespace

std::unique_ptr<MetricStrategy> make_metric_strategy(const DistanceOptions& options) {
  switch (options.metric) {
    case Metric::haversine: return std::make_unique<metrics::HaversineMetric>(options);
    case Metric::equirectangular: return std::make_unique<metrics::EquirectangularMetric>(options);
    case Metric::geodesic: return std::make_unique<metrics::GeodesicMetric>(options);
  }
  throw std::invalid_argument("unknown metric");
}

double largest_distance(const DistanceOptions& options) noexcept {
  switch (options.metric) {
    case Metric::haversine: return metrics::HaversineMetric::largest_distance(options);
    case Metric::equirectangular: return metrics::EquirectangularMetric::largest_distance(options);
    case Metric::geodesic: return metrics::GeodesicMetric::largest_distance(options);
  }
  return std::numeric_limits<double>::infinity();
}

const DistanceOptions& validate(const DistanceOptions& options) {
  switch (options.metric) {
    case Metric::haversine:
    case Metric::equirectangular: validate_radius(options); break;
    case Metric::geodesic: validate_ellipsoid(options); break;
  }
  return options;
}

}  // namespace dm
