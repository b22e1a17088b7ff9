// distance_matrix/kernel/distance_kernel.hpp
//
// DistanceKernel: the one place distances are computed (simd or scalar, see
// the class comment for the algorithms). It knows no files, no formats and no
// threads: executors and runners call it.
//
// Thread safety: compute(), compute_run() and distance() are const and touch
// no shared mutable state: any number of threads (or forked processes) may
// call them at once on disjoint outputs. add() and reserve() must not run
// concurrently with anything else on the same kernel.
//
// Error bound and valid range, per function (docs/accuracy.md; measured by
// tests/kernel/kernel_accuracy_test.cpp and tests/tools/kernel_accuracy.cpp
// against MPFR at 160 bits, tests/support/great_circle_reference.hpp):
//
//   DistanceKernel(locations, options), add(latitude, longitude)
//      Valid Range: latitude [-90, 90], longitude [-180, 180] degrees, finite
//                   (the CSV reader and the Python module refuse anything
//                   else); options as validate() accepts them (radius in
//                   (0, largest_radius_km(unit)]; for geodesic, the
//                   ellipsoid), else std::invalid_argument.
//   distance(origin, destination), compute(range, out),
//   compute_run(anchor, first, last, out), haversine metric, both kernels:
//      Valid Range: origin, destination, anchor, first, last within size();
//                   range.last <= pair_count(); out long enough.
//      Max Error:   1e-9 km (one micrometre) on the 6371.0088 km sphere, i.e.
//                   1.6e-13 of the radius in any radius and unit.
//      Measured:    7.4e-12 km (simd, every instruction set) and 6.2e-12 km
//                   (scalar) worst over 10^6 random and 10^5 nearly antipodal
//                   pairs; one ulp of 20,000 km is 3.6e-12 km.
//      Exact:       0 for a location and itself and for coincident points;
//                   d(a, b) == d(b, a) bit for bit; a pair's value never
//                   depends on the range, run, chunk, thread or process.
//   the same, equirectangular metric:
//      An approximation for short distances, outside the contract; both
//      kernels evaluate the same expression (simd with Highway's 3-ulp cosine).
//   the same, geodesic metric (options.ellipsoid, WGS84 by default):
//      Valid Range: ellipsoids ellipsoid_problem() accepts (|f| <= 1/100).
//      Max Error:   1e-6 m (one micrometre) everywhere on the ellipsoid.
//      Measured:    0 (scalar) and 1.2e-8 m (simd) against PROJ and
//                   GeographicLib on stress pairs (tests/kernel/geodesic_*_test.cpp,
//                   docs/geodesic.md).
//      Exact:       0 for coincident points; d(a, b) == d(b, a) bit for bit.
//      Kernels:     scalar GeographicLib's Geodesic::Inverse; simd the
//                   vectorized Karney inverse, GeographicLib for hard pairs.
//   simd versus scalar: they may differ in the last bits, within the contract
//      (at most 3.6e-12 km apart on data/1k_locations.csv).
//
// Example:
//   const dm::DistanceKernel kernel(dm::parse_locations("ann arbor,42.279594,-83.732124\n"
//                                                       "boston,42.364758,-71.067421\n"));
//   kernel.distance(0, 1);  // 1040.300088008328 km, within 8e-13 km of the exact value

#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "distance_matrix/kernel/distance_options.hpp"
#include "distance_matrix/kernel/distance_tally.hpp"
#include "distance_matrix/kernel/location.hpp"
#include "distance_matrix/matrix/cell_range.hpp"
#include "distance_matrix/memory/huge_page_allocator.hpp"

namespace dm {

class MetricStrategy;  // src/kernel/metric_strategy.hpp: one per metric, chosen by DistanceOptions::metric

/// The one place where distances are computed. Executors decide *who* computes
/// *which* pairs and *when*; they never do the math themselves, so every
/// executor produces the same doubles, bit for bit.
///
/// The metric is a strategy (src/kernel/metric_strategy.hpp): each metric
/// prepares its own per-location terms and computes runs from them; this
/// class holds one and forwards to it.
///
/// Two implementations, chosen by DistanceOptions::kernel:
///  - simd (default): per-location unit vectors (x, y, z) are prepared once
///    with degree-exact sin/cos; a pair then costs six subtractions and
///    additions, a few multiply-adds, one square root and one arcsine
///    polynomial (Highway's headers, compiled for SSSE3, SSE4, AVX2 and
///    AVX-512, dispatched at run time by the library's own CPU detection, see
///    simd_target_name()). The chord |a − b|
///    gives 2·asin(c/2) up to 60°; past 120° the chord to the antipode
///    |a + b| gives π − 2·asin(s/2), so nearly antipodal pairs stay exact;
///    in between, π/2 − asin(a · b).
///  - scalar: the haversine with libm, one pair at a time, written so that it
///    stays accurate at every separation; the reference and the baseline.
///
/// Accuracy contract, one block per metric.
///
/// Haversine (both kernels; measured by
/// tests/kernel_accuracy_test.cpp and tests/tools/kernel_accuracy.cpp against
/// a 160-bit MPFR evaluation of the exact great circle for the input doubles):
///
///          Valid Range: latitude [-90, 90], longitude [-180, 180] degrees;
///                       any positive radius and unit
///   Max absolute error: 1e-9 km (one micrometre) on the 6371.0088 km sphere,
///                       i.e. 1.6e-13 of the radius; in other radii and units,
///                       that fraction of the radius. This covers coincident
///                       points, points millimetres apart, antipodal and
///                       nearly antipodal pairs, the poles and the antimeridian.
///   Worst measured:     7.4e-12 km (simd, every instruction set) and 6.2e-12 km
///                       (scalar) over 1.1 million random and nearly antipodal
///                       pairs; one ulp of 20,000 km is 3.6e-12 km. The
///                       textbook 2R·asin(√a) is off by 1.9e-4 km there.
///   Exact:              0 for a location and itself (and for coincident
///                       points such as (0, -180) and (0, 180), or a pole at
///                       any longitude); d(a, b) == d(b, a) bit for bit.
///
/// The value of a pair depends only on its two locations and the kernel kind,
/// never on the run, range, chunk, thread or process that computes it, so
/// every shape and executor writes the same bytes. The simd and scalar kernels
/// may differ in the last bits (within the contract), and so may simd on two
/// different instruction sets.
///
/// Equirectangular: an approximation (not covered by a contract); both
/// kernels evaluate the same expression, with libm's cos or Highway's (3 ulp).
///
/// Geodesic (on DistanceOptions::ellipsoid, WGS84 by default; measured by
/// tests/kernel/geodesic_accuracy_test.cpp against PROJ's independent C
/// implementation of Karney's algorithm, on random pairs, pairs near and at
/// the poles, on the equator, on meridians, coincident, millimetres apart,
/// nearly antipodal and antipodal pairs, and the antimeridian):
///
///          Valid Range: latitude [-90, 90], longitude [-180, 180] degrees;
///                       ellipsoids with |f| <= 1/100 (ellipsoid_problem)
///   Max absolute error: 1e-6 m (one micrometre), everywhere on the
///                       ellipsoid; GeographicLib, which computes it,
///                       documents 15 nm for WGS84.
///   Exact:              0 for coincident points; d(a, b) == d(b, a) bit for
///                       bit (the pair is ordered by its coordinates before
///                       any arithmetic).
///   Kernels:            scalar, GeographicLib's Geodesic::Inverse; simd,
///                       our vectorized Karney inverse (every instruction
///                       set; tests/kernel/geodesic_simd_test.cpp: over a
///                       million stress pairs within 1.2e-8 m of
///                       GeographicLib), which hands the rare lanes it does
///                       not converge on to GeographicLib; describe_kernel()
///                       says so.
///
/// The kernel keeps its own copy of the coordinates, prepared for the metric
/// and kernel (unit vectors, cosines, degrees), and can grow one location at a time so that a
/// streaming pipeline can compute row j as soon as location j arrives.
/// compute() is const and touches no shared mutable state: any number of
/// threads (or forked processes) may call it at once on disjoint outputs.
class DistanceKernel {
 public:
  /// Throws std::invalid_argument if validate(options) does: a radius whose
  /// distances would overflow to infinity.
  explicit DistanceKernel(DistanceOptions options = {});
  DistanceKernel(const LocationTable& locations, DistanceOptions options = {});
  /// The same kernel, its terms prepared by up to `threads` threads (add_all).
  DistanceKernel(const LocationTable& locations, DistanceOptions options, unsigned threads);
  DistanceKernel(const DistanceKernel& other);
  DistanceKernel& operator=(const DistanceKernel& other);
  /// A moved-from kernel may only be assigned to or destroyed.
  DistanceKernel(DistanceKernel&&) noexcept;
  DistanceKernel& operator=(DistanceKernel&&) noexcept;
  ~DistanceKernel();

  void reserve(std::size_t count);
  void add(double latitude_degrees, double longitude_degrees);
  /// add() for each latitudes[i], longitudes[i] in turn (the spans the same
  /// size), the same kernel bit for bit; the unit vectors (two sines and
  /// cosines each, most of add's time) computed by up to `threads` threads
  /// at once when there are enough of them to pay for it.
  void add_all(std::span<const double> latitudes, std::span<const double> longitudes, unsigned threads = 1);

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] const DistanceOptions& options() const noexcept { return options_; }
  [[nodiscard]] std::size_t pair_count() const noexcept { return dm::pair_count(size()); }

  /// Distance between locations `origin` and `destination`, in the configured unit.
  [[nodiscard]] double distance(std::size_t origin, std::size_t destination) const noexcept;

  /// out[k - range.first] = distance of pair k, for every pair index k in `range`.
  /// Requires range.last <= pair_count() and out.size() >= range.size().
  void compute(CellRange range, std::span<double> out) const noexcept;

  /// The kernel's one primitive: out[m - first] = distance between location
  /// `anchor` and location m, for every m in [first, last). Every matrix shape
  /// (the original tool's pair order, SciPy's condensed order, a square table,
  /// origins × destinations over one combined table) is a sequence of such
  /// runs. The result for a pair depends only on the two locations, never on
  /// the run it belongs to or on which of the two is the anchor, so every
  /// shape, range split and executor yields the same doubles, bit for bit.
  void compute_run(std::size_t anchor, std::size_t first, std::size_t last, double* out) const noexcept;

  /// compute_run(anchor, first, last, …)'s distances reduced as they are
  /// computed (distance_tally.hpp) into lanes of `row` (columns first,
  /// first + 1, … as indices) and, unless `out` is null, also written to
  /// entries [0, last − first) of its arrays with their grid steps and
  /// squares; each array must stay writable 16 entries further (a run's
  /// tail writes a whole vector). At most TallyLanes::lane_capacity
  /// distances per lane. Returns false, touching nothing, when the metric
  /// and kernel have no fused kernel (only haversine simd has one): then
  /// compute_run() and tally_values() give the same totals and doubles.
  bool tally_run(std::size_t anchor, std::size_t first, std::size_t last, const TallyGrid& grid, TallyLanes& row,
                 const TallyOutput* out = nullptr) const noexcept;

  /// out[i] = distance(anchor, locations[i]) for every i, the same doubles
  /// bit for bit, computed together (a spatial search's scattered
  /// candidates: one vector run instead of one call each). Requires every
  /// location and the anchor within size() and out.size() >= locations.size().
  void compute_gathered(std::size_t anchor, std::span<const std::size_t> locations, double* out) const noexcept;

  /// out[i] = distance(anchors[i], locations[i]) for every i, the same
  /// doubles bit for bit, computed together (a group of searches'
  /// candidates: one vector run for the group instead of one a search).
  /// Requires anchors.size() == locations.size(), every location and anchor
  /// within size() and out.size() >= locations.size().
  void compute_gathered_pairs(std::span<const std::size_t> anchors, std::span<const std::size_t> locations,
                              double* out) const noexcept;

  /// A kernel whose location i is location order[i] of this one: the same
  /// options, prepared terms copied, so reordered(order).distance(i, j) ==
  /// distance(order[i], order[j]) bit for bit. For a spatial index that
  /// keeps neighbours side by side in memory. Throws std::invalid_argument
  /// when an entry of `order` is not below size() (entries may repeat).
  /// `parallel`: the metric's terms and the unit vectors are copied at once
  /// on the calling oneTBB arena's threads (call it inside one).
  [[nodiscard]] DistanceKernel reordered(std::span<const std::size_t> order, bool parallel = false) const;

  /// What computes the distances, as the timing report names it (see describe_kernel).
  [[nodiscard]] std::string description() const;

  /// The locations' unit vectors, one coordinate per span (size() each;
  /// read-only, valid until the next add()). For a spatial index: the chord
  /// between two unit vectors grows with their great-circle distance, so a
  /// search by chord finds the nearest candidates, which the kernel then
  /// measures (queries/neighbour_index.hpp). Kept for every metric: the
  /// haversine simd kernel's own prepared terms, else a copy beside them.
  [[nodiscard]] std::span<const double> unit_x() const noexcept { return {unit_columns_[0], size_}; }
  [[nodiscard]] std::span<const double> unit_y() const noexcept { return {unit_columns_[1], size_}; }
  [[nodiscard]] std::span<const double> unit_z() const noexcept { return {unit_columns_[2], size_}; }

 private:
  DistanceOptions options_;
  std::size_t size_ = 0;
  std::unique_ptr<MetricStrategy> metric_;  ///< never null
  /// Whether the metric's prepared terms are the unit vectors themselves
  /// (MetricStrategy::unit_column), which unit_x(), ... then read: no copy.
  [[nodiscard]] bool metric_keeps_unit_vectors() const noexcept;
  /// Points unit_columns_ at the metric's columns or at unit_x_, ...
  void find_unit_columns() noexcept;

  UnzeroedLargeVector<double> unit_x_;  ///< unit_x(), ... for a metric that keeps other terms
  UnzeroedLargeVector<double> unit_y_;
  UnzeroedLargeVector<double> unit_z_;
  const double* unit_columns_[3] = {};  ///< what unit_x(), unit_y(), unit_z() read
};

/// The instruction set the simd kernel runs on in this process, chosen at run
/// time as the best the CPU supports: "avx512", "avx2", "sse4", "ssse3", or
/// "generic" (Highway's portable code, for CPUs without SSSE3).
[[nodiscard]] std::string_view simd_target_name() noexcept;

/// What computes the distances, as the timing report names it: "scalar", or
/// "simd " and the instruction set, e.g. "simd avx512".
[[nodiscard]] std::string describe_kernel(KernelKind kernel);

/// The same for a metric and kernel: the metric may not have every kernel
/// (and then says what runs instead).
[[nodiscard]] std::string describe_kernel(const DistanceOptions& options);

}  // namespace dm
