#pragma once

// The seam between DistanceKernel and the metrics: each metric prepares its
// own per-location terms once per location and computes runs from them, with
// the kernel kind (simd or scalar) chosen when it is made. DistanceKernel only
// holds one and forwards to it. A new metric is one more class behind this
// interface (src/kernel/metrics/), one more case in metric_strategy.cpp, and,
// for a vectorized kernel, one more entry in simd_distance.cpp's RunFunctions.

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "distance_matrix/kernel/distance_options.hpp"
#include "distance_matrix/kernel/distance_tally.hpp"

namespace dm {

class MetricStrategy {
 public:
  virtual ~MetricStrategy() = default;

  [[nodiscard]] virtual std::unique_ptr<MetricStrategy> clone() const = 0;
  /// A copy whose location i is location order[i] of this one (its
  /// prepared terms copied, so every pair keeps its doubles).
  [[nodiscard]] virtual std::unique_ptr<MetricStrategy> reordered(std::span<const std::size_t> order) const = 0;
  virtual void reserve(std::size_t count) = 0;
  virtual void add(double latitude_degrees, double longitude_degrees) = 0;
  /// add() for a location whose unit vector {x, y, z} the kernel has
  /// prepared already (from sincos_degrees): a metric that keeps exactly
  /// those doubles takes them rather than computing them a second time.
  virtual void add_with_unit_vector(double latitude_degrees, double longitude_degrees,
                                    const std::array<double, 3>& /*unit_vector*/) {
    add(latitude_degrees, longitude_degrees);
  }
  /// The metric's column `axis` (0, 1, 2) of unit vectors when its prepared
  /// terms are exactly the kernel's unit vectors, readable simd::input_padding
  /// doubles past the last location; else nullptr. The kernel then keeps no
  /// copy of its own: it reads these and fills them (unit_vector_room).
  [[nodiscard]] virtual const double* unit_column(std::size_t /*axis*/) const noexcept { return nullptr; }
  /// For a metric whose unit_column() is not null: `count` more locations,
  /// their unit vectors left for the caller to write at the three pointers
  /// returned (the padding after them is written here). Else {} and nothing added.
  virtual std::array<double*, 3> unit_vector_room(std::size_t /*count*/) { return {}; }
  /// add_with_unit_vector for each location of the spans (all the same size), in order.
  virtual void add_all_with_unit_vectors(std::span<const double> latitudes, std::span<const double> longitudes,
                                         const std::array<std::span<const double>, 3>& unit_vectors) {
    for (std::size_t i = 0; i < latitudes.size(); ++i) {
      add_with_unit_vector(latitudes[i], longitudes[i], {unit_vectors[0][i], unit_vectors[1][i], unit_vectors[2][i]});
    }
  }

  /// out[m - first] = distance between location `anchor` and location m, for
  /// m in [first, last), first < last. The value of a pair depends only on its
  /// two locations, whichever is the anchor.
  virtual void run(std::size_t anchor, std::size_t first, std::size_t last, double* out) const noexcept = 0;

  /// run()'s distances reduced as they are computed and, unless `out` is
  /// null, stored (simd metrics only, DistanceKernel::tally_run). Returns
  /// false, touching nothing, when the metric has no fused kernel: the
  /// caller runs run() and tally_values() instead, which give the same totals.
  virtual bool tally_run(std::size_t /*anchor*/, std::size_t /*first*/, std::size_t /*last*/,
                         const TallyGrid& /*grid*/, TallyLanes& /*row*/,
                         const TallyOutput* /*out*/) const noexcept {
    return false;
  }

  /// out[i] = distance between location `anchor` and location
  /// locations[i], for i in [0, count): run()'s doubles for scattered
  /// locations (a search's candidates). By default one run() per location;
  /// a metric overrides it where gathering into one vector run is faster.
  virtual void run_gathered(std::size_t anchor, const std::size_t* locations, std::size_t count,
                            double* out) const noexcept;

  /// out[i] = distance between location anchors[i] and location
  /// locations[i], for i in [0, count): run_gathered()'s doubles for many
  /// anchors' candidates at once. By default one run_gathered() per run of
  /// equal anchors; a metric overrides it where one vector run of all the
  /// pairs is faster.
  virtual void run_gathered_pairs(const std::size_t* anchors, const std::size_t* locations, std::size_t count,
                                  double* out) const noexcept;

  /// What computes the distances, as the timing report names it.
  [[nodiscard]] virtual std::string describe() const = 0;

 protected:
  MetricStrategy() = default;
  MetricStrategy(const MetricStrategy&) = default;
  MetricStrategy& operator=(const MetricStrategy&) = default;
};

/// The strategy for options.metric and options.kernel; `options` already validated.
[[nodiscard]] std::unique_ptr<MetricStrategy> make_metric_strategy(const DistanceOptions& options);

}  // namespace dm
