#include "src/kernel/metrics/geodesic_metric.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "src/kernel/metrics/degrees.hpp"

namespace dm::metrics {
namespace {

/// Metres in one `unit`: 1000 × kilometers_per(unit), exactly 1 for metres.
double meters_per(Unit unit) noexcept { return 1000.0 * kilometers_per(unit); }

/// GeographicLib's tiny_: cos β is kept at least this at the poles.
const double tiny = std::sqrt(std::numeric_limits<double>::min());

/// Horner, highest power first.
double polynomial(const double* coefficients, std::size_t degree, double x) {
  double y = coefficients[0];
  for (std::size_t k = 1; k <= degree; ++k) y = y * x + coefficients[k];
  return y;
}

/// The ellipsoid's constants of the vectorized inverse: the coefficients of
/// A3 and C3 (Karney 2013, eqs. 24 and 25, to order 6) as polynomials in ε,
/// each one a polynomial in n, evaluated once here. The integer tables are
/// the series' exact rational coefficients: per power of ε, the numerators
/// (highest power of n first) then the denominator.
simd::GeodesicConstants constants_of(double a, double f, double meters_per_unit) {
  simd::GeodesicConstants k;
  k.a = a;
  k.f = f;
  k.f1 = 1 - f;
  k.b = a * k.f1;
  const double e2 = f * (2 - f);
  k.ep2 = e2 / (k.f1 * k.f1);
  k.n = f / (2 - f);
  k.etol2 = 0.1 * std::sqrt(std::numeric_limits<double>::epsilon()) /
            std::sqrt(std::max(0.001, std::abs(f)) * std::min(1.0, 1 - f / 2) / 2);
  k.meters_per_unit = meters_per_unit;
  constexpr std::array<double, 18> a3_table{-3, 128, -2, -3, 64, -1, -3, -1, 16, 3, -1, -2, 8, 1, -1, 2, 1, 1};
  std::size_t offset = 0;
  for (std::size_t j = 6; j-- > 0;) {  // power of ε, highest first
    const std::size_t degree = std::min<std::size_t>(6 - j - 1, j);
    k.a3[5 - j] = polynomial(a3_table.data() + offset, degree, k.n) / a3_table[offset + degree + 1];
    offset += degree + 2;
  }
  constexpr std::array<double, 45> c3_table{3,  128, 2,  5,  128, -1, 3,   3,   64, -1, 0,   1,  8,  -1, 1,
                                            4,  5,   256, 1, 3,   128, -3, -2,  3,  64, 1,   -3, 2,  32, 7,
                                            512, -10, 9,  384, 5, -9,  5,  192, 7,  512, -14, 7,  512, 21, 2560};
  offset = 0;
  std::size_t index = 0;
  for (std::size_t l = 1; l < 6; ++l) {
    for (std::size_t j = 6; j-- > l;) {
      const std::size_t degree = std::min<std::size_t>(6 - j - 1, j);
      k.c3[index++] = polynomial(c3_table.data() + offset, degree, k.n) / c3_table[offset + degree + 1];
      offset += degree + 2;
    }
  }
  return k;
}

/// GeographicLib's AngRound: latitudes within about 1e-18° of the equator
/// are put on it.
double round_angle(double degrees) {
  constexpr double z = 1.0 / 16;
  double y = std::abs(degrees);
  y = y < z ? z - (z - y) : y;
  return std::copysign(y, degrees);
}

}  // namespace

simd::GeodesicConstants geodesic_constants(const DistanceOptions& options) {
  return constants_of(options.ellipsoid.semi_major_axis_m, flattening(options.ellipsoid), meters_per(options.unit));
}

simd::GeodesicLocation geodesic_location(const simd::GeodesicConstants& constants, double latitude_degrees,
                                         double longitude_degrees) noexcept {
  // tan β = (1 − f) tan φ from the degree-exact sine and cosine, normalised,
  // cos β at least tiny (so two points at one pole are tiny apart, not 0/0).
  const SinCos latitude = sincos_degrees(round_angle(latitude_degrees));
  double sin_beta = latitude.sin * constants.f1;
  double cos_beta = latitude.cos;
  const double length = std::hypot(sin_beta, cos_beta);
  sin_beta /= length;
  cos_beta = std::max(tiny, cos_beta / length);
  const SinCos longitude = sincos_degrees(longitude_degrees);
  return {latitude_degrees, longitude_degrees, sin_beta, cos_beta,
          std::sqrt(1 + constants.ep2 * sin_beta * sin_beta), longitude.sin, longitude.cos};
}

GeodesicMetric::GeodesicMetric(const DistanceOptions& options)
    : kernel_(options.kernel),
      meters_per_unit_(meters_per(options.unit)),
      geodesic_(options.ellipsoid.semi_major_axis_m, flattening(options.ellipsoid)),
      constants_(geodesic_constants(options)) {}

double GeodesicMetric::largest_distance(const DistanceOptions& options) noexcept {
  const double longest_axis_m =
      std::max(options.ellipsoid.semi_major_axis_m, semi_minor_axis_m(options.ellipsoid));
  return longest_axis_m / meters_per(options.unit) * std::numbers::pi;
}

std::unique_ptr<MetricStrategy> GeodesicMetric::clone() const { return std::make_unique<GeodesicMetric>(*this); }

void GeodesicMetric::reserve(std::size_t count) {
  latitude_degrees_.reserve(count);
  longitude_degrees_.reserve(count);
  if (kernel_ == KernelKind::simd) lanes_.reserve(count);
}

void GeodesicMetric::add(double latitude_degrees, double longitude_degrees) {
  latitude_degrees_.push_back(latitude_degrees);
  longitude_degrees_.push_back(longitude_degrees);
  if (kernel_ != KernelKind::simd) return;
  const simd::GeodesicLocation l = geodesic_location(constants_, latitude_degrees, longitude_degrees);
  lanes_.append({l.latitude, l.longitude, l.sin_beta, l.cos_beta, l.dn, l.sin_longitude, l.cos_longitude});
}

double GeodesicMetric::scalar_distance(std::size_t anchor, std::size_t other) const noexcept {
  double latitude1 = latitude_degrees_[other];
  double longitude1 = longitude_degrees_[other];
  double latitude2 = latitude_degrees_[anchor];
  double longitude2 = longitude_degrees_[anchor];
  // GeographicLib's Inverse(p, q) and Inverse(q, p) may differ in the last
  // bit: order the pair by its coordinates, never by which is the anchor,
  // so every layout, run and executor gets the same double for it.
  if (latitude2 < latitude1 || (latitude2 == latitude1 && longitude2 < longitude1)) {
    std::swap(latitude1, latitude2);
    std::swap(longitude1, longitude2);
  }
  double meters = 0.0;
  geodesic_.Inverse(latitude1, longitude1, latitude2, longitude2, meters);
  return meters / meters_per_unit_;
}

void GeodesicMetric::run(std::size_t anchor, std::size_t first, std::size_t last, double* out) const noexcept {
  if (kernel_ == KernelKind::scalar) {
    for (std::size_t other = first; other < last; ++other) *out++ = scalar_distance(anchor, other);
    return;
  }
  const simd::GeodesicLocation anchor_location{lanes_.column(0)[anchor], lanes_.column(1)[anchor],
                                               lanes_.column(2)[anchor], lanes_.column(3)[anchor],
                                               lanes_.column(4)[anchor], lanes_.column(5)[anchor],
                                               lanes_.column(6)[anchor]};
  std::array<std::uint32_t, simd::geodesic_block> hard{};
  for (std::size_t block = first; block < last; block += simd::geodesic_block) {
    const std::size_t count = std::min(simd::geodesic_block, last - block);
    const simd::GeodesicLocations others{lanes_.column(0) + block, lanes_.column(1) + block, lanes_.column(2) + block,
                                         lanes_.column(3) + block, lanes_.column(4) + block, lanes_.column(5) + block,
                                         lanes_.column(6) + block};
    double* block_out = out + (block - first);
    const std::size_t hard_count = simd::geodesic_run(others, count, anchor_location, constants_, block_out, hard.data());
    for (std::size_t k = 0; k < hard_count; ++k) block_out[hard[k]] = scalar_distance(anchor, block + hard[k]);
  }
}

std::string GeodesicMetric::describe() const {
  if (kernel_ == KernelKind::scalar) return "scalar (GeographicLib)";
  return describe_kernel(kernel_) + " (Karney inverse; hard pairs by GeographicLib)";
}

}  // namespace dm::metrics
