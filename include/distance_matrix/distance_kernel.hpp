#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "distance_matrix/distance_options.hpp"
#include "distance_matrix/location.hpp"
#include "distance_matrix/pair_range.hpp"

namespace dm {

/// The one place where distances are computed. Executors decide *who* computes
/// *which* pairs and *when*; they never do the math themselves, so every
/// executor produces the same doubles, bit for bit.
///
/// The kernel keeps its own copy of the coordinates, prepared for the metric
/// (radians, cosines), and can grow one location at a time so that a
/// streaming pipeline can compute row j as soon as location j arrives.
/// compute() is const and touches no shared mutable state: any number of
/// threads (or forked processes) may call it at once on disjoint outputs.
class DistanceKernel {
 public:
  /// Throws std::invalid_argument if validate(options) does: a radius whose
  /// distances would overflow to infinity.
  explicit DistanceKernel(DistanceOptions options = {});
  DistanceKernel(const LocationTable& locations, DistanceOptions options = {});

  void reserve(std::size_t count);
  void add(double latitude_degrees, double longitude_degrees);

  [[nodiscard]] std::size_t size() const noexcept { return latitude_degrees_.size(); }
  [[nodiscard]] std::size_t pair_count() const noexcept { return dm::pair_count(size()); }
  [[nodiscard]] const DistanceOptions& options() const noexcept { return options_; }

  /// Distance between locations `origin` and `destination`, in the configured unit.
  [[nodiscard]] double distance(std::size_t origin, std::size_t destination) const noexcept;

  /// out[k - range.first] = distance of pair k, for every pair index k in `range`.
  /// Requires range.last <= pair_count() and out.size() >= range.size().
  void compute(PairRange range, std::span<double> out) const noexcept;

  /// The kernel's one primitive: out[m - first] = distance between location
  /// `anchor` and location m, for every m in [first, last). Every matrix shape
  /// (the original tool's pair order, SciPy's condensed order, a square table,
  /// origins × destinations over one combined table) is a sequence of such
  /// runs. The result for a pair depends only on the two locations, never on
  /// the run it belongs to or on which of the two is the anchor, so every
  /// shape, range split and executor yields the same doubles, bit for bit.
  void compute_run(std::size_t anchor, std::size_t first, std::size_t last, double* out) const noexcept;

 private:
  DistanceOptions options_;
  double radius_in_unit_;
  std::vector<double> latitude_degrees_;
  std::vector<double> longitude_degrees_;
  std::vector<double> cos_latitude_;
};

}  // namespace dm
