#pragma once

#include "src/kernel/metric_strategy.hpp"
#include "src/kernel/metrics/padded_columns.hpp"

namespace dm::metrics {

/// Great circle on a sphere of options.radius_km (Metric::haversine).
///
/// Accuracy (both kernels; the contract of distance_kernel.hpp, measured by
/// tests/kernel/kernel_accuracy_test.cpp against a 160-bit MPFR great circle):
/// within 1.6e-13 of the radius (1e-9 km on the Earth) everywhere, exactly 0
/// for coincident points, d(a, b) == d(b, a) bit for bit.
///
/// Prepared per location: simd, the unit vector (x, y, z) from degree-exact
/// sin/cos; scalar, latitude, longitude and cos φ = sin(90° − |φ|).
class HaversineMetric final : public MetricStrategy {
 public:
  explicit HaversineMetric(const DistanceOptions& options);

  /// Longest distance in options.unit: half a great circle, π radii.
  [[nodiscard]] static double largest_distance(const DistanceOptions& options) noexcept;

  [[nodiscard]] std::unique_ptr<MetricStrategy> clone() const override;
  [[nodiscard]] std::unique_ptr<MetricStrategy> reordered(std::span<const std::size_t> order) const override;
  void reserve(std::size_t count) override;
  void add(double latitude_degrees, double longitude_degrees) override;
  void add_with_unit_vector(double latitude_degrees, double longitude_degrees,
                            const std::array<double, 3>& unit_vector) override;
  void add_all_with_unit_vectors(std::span<const double> latitudes, std::span<const double> longitudes,
                                 const std::array<std::span<const double>, 3>& unit_vectors) override;
  [[nodiscard]] const double* unit_column(std::size_t axis) const noexcept override;
  std::array<double*, 3> unit_vector_room(std::size_t count) override;
  void run(std::size_t anchor, std::size_t first, std::size_t last, double* out) const noexcept override;
  bool tally_run(std::size_t anchor, std::size_t first, std::size_t last, const TallyGrid& grid, TallyLanes& row,
                 const TallyOutput* out) const noexcept override;
  void run_gathered(std::size_t anchor, const std::size_t* locations, std::size_t count,
                    double* out) const noexcept override;
  void run_gathered_pairs(const std::size_t* anchors, const std::size_t* locations, std::size_t count,
                          double* out) const noexcept override;
  [[nodiscard]] std::string describe() const override;

 private:
  KernelKind kernel_;
  double radius_in_unit_;
  PaddedColumns<3> unit_vectors_;       ///< simd: x, y, z
  PaddedColumns<3> degrees_and_cosine_;  ///< scalar: latitude, longitude, cos latitude
};

}  // namespace dm::metrics
