#pragma once

#include <GeographicLib/Geodesic.hpp>
#include <vector>

#include "distance_matrix/kernel/ellipsoid.hpp"
#include "src/kernel/metric_strategy.hpp"
#include "src/kernel/metrics/padded_columns.hpp"
#include "src/kernel/simd_distance.hpp"

namespace dm::metrics {

/// The vectorized inverse's constants for options.ellipsoid and options.unit.
[[nodiscard]] simd::GeodesicConstants geodesic_constants(const DistanceOptions& options);

/// One location's terms for the vectorized inverse, as GeographicLib's
/// GenInverse prepares each point.
[[nodiscard]] simd::GeodesicLocation geodesic_location(const simd::GeodesicConstants& constants,
                                                       double latitude_degrees, double longitude_degrees) noexcept;

/// Shortest path on the ellipsoid options.ellipsoid (Metric::geodesic), by
/// Karney's algorithm (2013) as GeographicLib's Geodesic::Inverse computes it.
///
/// Accuracy (the contract of distance_kernel.hpp, tested by
/// tests/kernel/geodesic_accuracy_test.cpp against PROJ's independent C
/// implementation of Karney's algorithm, tests/golden/geodesic_pyproj.csv):
/// within 1 µm of the exact geodesic everywhere on the ellipsoid, nearly
/// antipodal pairs included (GeographicLib documents 15 nm for WGS84); exactly
/// 0 for coincident points; d(a, b) == d(b, a) bit for bit, because every pair
/// is handed to GeographicLib in one canonical order (see run()).
///
/// Kernels: KernelKind::scalar calls GeographicLib for every pair;
/// KernelKind::simd runs the vectorized Karney inverse
/// (src/kernel/geodesic_lanes-inl.h) and hands the few pairs it leaves
/// (not converged, far equatorial, prolate astroid) to the same
/// GeographicLib call, so those pairs have the scalar kernel's bytes.
///
/// Prepared per location: latitude and longitude in degrees (both kernels);
/// simd also the reduced latitude's sin β, cos β, dn and the longitude's sine
/// and cosine. The ellipsoid's series coefficients once, in
/// GeographicLib::Geodesic and in simd::GeodesicConstants.
class GeodesicMetric final : public MetricStrategy {
 public:
  explicit GeodesicMetric(const DistanceOptions& options);

  /// Longest distance in options.unit: no shortest path is longer than the
  /// way over a pole, half a meridian, itself at most π·max(a, b).
  [[nodiscard]] static double largest_distance(const DistanceOptions& options) noexcept;

  [[nodiscard]] std::unique_ptr<MetricStrategy> clone() const override;
  void reserve(std::size_t count) override;
  void add(double latitude_degrees, double longitude_degrees) override;
  void run(std::size_t anchor, std::size_t first, std::size_t last, double* out) const noexcept override;
  [[nodiscard]] std::string describe() const override;

 private:
  /// GeographicLib's distance for the pair, in canonical order, in the unit.
  [[nodiscard]] double scalar_distance(std::size_t anchor, std::size_t other) const noexcept;

  KernelKind kernel_;
  double meters_per_unit_;
  GeographicLib::Geodesic geodesic_;
  simd::GeodesicConstants constants_;
  std::vector<double> latitude_degrees_;
  std::vector<double> longitude_degrees_;
  PaddedColumns<7> lanes_;  ///< simd: latitude, longitude, sin β, cos β, dn, sin λ, cos λ
};

}  // namespace dm::metrics
