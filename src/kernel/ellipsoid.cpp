#include "distance_matrix/kernel/ellipsoid.hpp"

#include <charconv>
#include <cmath>

namespace dm {
namespace {

/// Smallest |1/f| accepted: GeographicLib documents its Geodesic class (and
/// Karney's series) as accurate to round-off for |f| <= 0.01.
constexpr double smallest_inverse_flattening = 100.0;

std::optional<double> parse_number(std::string_view text) noexcept {
  double value = 0.0;
  const char* const end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || stop != end || text.empty()) return std::nullopt;
  return value;
}

std::string shortest(double value) {
  char text[32];
  const auto written = std::to_chars(text, text + sizeof text, value);
  return {text, written.ptr};
}

}  // namespace

double flattening(const Ellipsoid& ellipsoid) noexcept {
  return ellipsoid.inverse_flattening == 0.0 ? 0.0 : 1.0 / ellipsoid.inverse_flattening;
}

double semi_minor_axis_m(const Ellipsoid& ellipsoid) noexcept {
  return ellipsoid.semi_major_axis_m * (1.0 - flattening(ellipsoid));
}

std::optional<Ellipsoid> parse_ellipsoid(std::string_view text) noexcept {
  if (text == "wgs84") return wgs84;
  if (text == "grs80") return grs80;
  const std::size_t comma = text.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  const std::optional<double> axis = parse_number(text.substr(0, comma));
  const std::optional<double> inverse_flattening = parse_number(text.substr(comma + 1));
  if (!axis || !inverse_flattening) return std::nullopt;
  return Ellipsoid{*axis, *inverse_flattening};
}

std::optional<std::string> ellipsoid_problem(const Ellipsoid& ellipsoid) {
  if (!(ellipsoid.semi_major_axis_m > 0) || !std::isfinite(ellipsoid.semi_major_axis_m)) {
    return "semi-major axis " + shortest(ellipsoid.semi_major_axis_m) +
           " m is not a positive finite number of metres";
  }
  const double inverse = ellipsoid.inverse_flattening;
  if (std::isnan(inverse) || (inverse != 0.0 && std::abs(inverse) < smallest_inverse_flattening)) {
    return "inverse flattening " + shortest(inverse) +
           " is not allowed: use 0 for a sphere, at least 100 for an oblate ellipsoid or at most -100 for a "
           "prolate one (|f| <= 0.01)";
  }
  return std::nullopt;
}

std::string to_string(const Ellipsoid& ellipsoid) {
  return shortest(ellipsoid.semi_major_axis_m) + ',' + shortest(ellipsoid.inverse_flattening);
}

}  // namespace dm
