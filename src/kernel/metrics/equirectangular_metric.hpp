#pragma once

#include "src/kernel/metric_strategy.hpp"
#include "src/kernel/metrics/padded_columns.hpp"

namespace dm::metrics {

/// Flat projection around the mean latitude on a sphere of options.radius_km
/// (Metric::equirectangular): x = Δλ·cos φm, y = Δφ, angle = √(x² + y²).
///
/// Accuracy: an approximation, not covered by a contract; both kernels
/// evaluate the same expression, with libm's cos or Highway's (3 ulp).
/// d(a, b) == d(b, a) bit for bit.
///
/// Prepared per location: latitude and longitude in degrees (both kernels).
class EquirectangularMetric final : public MetricStrategy {
 public:
  explicit EquirectangularMetric(const DistanceOptions& options);

  /// Longest distance in options.unit: √(π² + π²) radii.
  [[nodiscard]] static double largest_distance(const DistanceOptions& options) noexcept;

  [[nodiscard]] std::unique_ptr<MetricStrategy> clone() const override;
  [[nodiscard]] std::unique_ptr<MetricStrategy> reordered(std::span<const std::size_t> order) const override;
  void reserve(std::size_t count) override;
  void add(double latitude_degrees, double longitude_degrees) override;
  void run(std::size_t anchor, std::size_t first, std::size_t last, double* out) const noexcept override;
  [[nodiscard]] std::string describe() const override;

 private:
  KernelKind kernel_;
  double radius_in_unit_;
  PaddedColumns<2> degrees_;  ///< latitude, longitude
};

}  // namespace dm::metrics
