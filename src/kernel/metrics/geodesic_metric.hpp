#pragma once

#include <GeographicLib/Geodesic.hpp>
#include <vector>

#include "distance_matrix/kernel/ellipsoid.hpp"
#include "src/kernel/metric_strategy.hpp"

namespace dm::metrics {

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
/// Kernels: there is no vectorized geodesic yet. KernelKind::simd runs this
/// same scalar code, and says so in describe() (the timing report).
///
/// Prepared per location: latitude and longitude in degrees; the ellipsoid's
/// series coefficients once, in GeographicLib::Geodesic.
class GeodesicMetric final : public MetricStrategy {
 public:
  explicit GeodesicMetric(const DistanceOptions& options);

  /// Longest distance in options.unit: no shortest path is longer than the
  /// way over a pole, half a meridian, itself at most π·max(a, b).
  [[nodiscard]] static double largest_distance(const DistanceOptions& options) noexcept;

  [[nodiscard]] std::unique_ptr<MetricStrategy> clone() const override;
  [[nodiscard]] std::unique_ptr<MetricStrategy> reordered(std::span<const std::size_t> order) const override;
  void reserve(std::size_t count) override;
  void add(double latitude_degrees, double longitude_degrees) override;
  void run(std::size_t anchor, std::size_t first, std::size_t last, double* out) const noexcept override;
  [[nodiscard]] std::string describe() const override;

 private:
  KernelKind kernel_;
  double meters_per_unit_;
  GeographicLib::Geodesic geodesic_;
  std::vector<double> latitude_degrees_;
  std::vector<double> longitude_degrees_;
};

}  // namespace dm::metrics
