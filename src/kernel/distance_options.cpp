#include "distance_matrix/kernel/distance_options.hpp"

#include <cmath>
#include <limits>
#include <numbers>

namespace dm {

double kilometers_per(Unit unit) noexcept {
  switch (unit) {
    case Unit::kilometers: return 1.0;
    case Unit::meters: return 0.001;
    case Unit::miles: return 1.609344;        // international mile, exactly
    case Unit::nautical_miles: return 1.852;  // international nautical mile, exactly
  }
  return 1.0;
}

std::string_view to_string(Metric metric) noexcept { return name_in(metric_names, metric); }
std::string_view to_string(Unit unit) noexcept { return name_in(unit_names, unit); }
std::string_view to_string(KernelKind kernel) noexcept { return name_in(kernel_kind_names, kernel); }
std::optional<Metric> parse_metric(std::string_view text) noexcept { return value_in(metric_names, text); }
std::optional<Unit> parse_unit(std::string_view text) noexcept { return value_in(unit_names, text); }
std::optional<KernelKind> parse_kernel_kind(std::string_view text) noexcept {
  return value_in(kernel_kind_names, text);
}

namespace {

/// The longest distance any sphere metric can produce on a sphere of radius_km, in unit.
double distance_bound(double radius_km, Unit unit) noexcept {
  return 2.0 * std::numbers::pi * (radius_km / kilometers_per(unit));
}

}  // namespace

double largest_radius_km(Unit unit) noexcept {
  double radius = std::numeric_limits<double>::max() / (2.0 * std::numbers::pi) * kilometers_per(unit);
  // The estimate may be a rounding step too large; walk down to the first that holds.
  while (!std::isfinite(distance_bound(radius, unit))) radius = std::nextafter(radius, 0.0);
  return radius;
}

}  // namespace dm
