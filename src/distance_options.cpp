#include "distance_matrix/distance_options.hpp"

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

std::string_view to_string(Metric metric) noexcept {
  switch (metric) {
    case Metric::haversine: return "haversine";
    case Metric::equirectangular: return "equirectangular";
  }
  return "?";
}

std::string_view to_string(Unit unit) noexcept {
  switch (unit) {
    case Unit::kilometers: return "km";
    case Unit::meters: return "m";
    case Unit::miles: return "mi";
    case Unit::nautical_miles: return "nmi";
  }
  return "?";
}

std::string_view to_string(KernelKind kernel) noexcept {
  switch (kernel) {
    case KernelKind::simd: return "simd";
    case KernelKind::scalar: return "scalar";
  }
  return "?";
}

std::optional<Metric> parse_metric(std::string_view text) noexcept {
  if (text == "haversine") return Metric::haversine;
  if (text == "equirectangular") return Metric::equirectangular;
  return std::nullopt;
}

std::optional<Unit> parse_unit(std::string_view text) noexcept {
  if (text == "km") return Unit::kilometers;
  if (text == "m") return Unit::meters;
  if (text == "mi") return Unit::miles;
  if (text == "nmi") return Unit::nautical_miles;
  return std::nullopt;
}

std::optional<KernelKind> parse_kernel_kind(std::string_view text) noexcept {
  if (text == "simd") return KernelKind::simd;
  if (text == "scalar") return KernelKind::scalar;
  return std::nullopt;
}

}  // namespace dm
