// distance_matrix/kernel/distance_options.hpp
//
// DistanceOptions: which metric, unit, sphere radius (or, for geodesic,
// ellipsoid) and kernel the distances are computed with, the names the
// command line spells them by, each metric's bound and the options check.
//
// Thread safety: values and pure functions.
//
// Error bound and valid range, per function (docs/accuracy.md):
//
//   Metric::haversine        Max Error 1e-9 km on the 6371.0088 km sphere,
//                            1.6e-13 of the radius in any radius and unit,
//                            for latitudes [-90, 90], longitudes [-180, 180].
//   Metric::equirectangular  An approximation for short distances, outside
//                            the contract.
//   Metric::geodesic         Max Error 1e-6 m on any accepted ellipsoid
//                            (ellipsoid.hpp), everywhere (docs/geodesic.md).
//   KernelKind::simd/scalar  Both meet the contract; they may differ in the
//                            last bits (at most 3.6e-12 km on
//                            data/1k_locations.csv).
//   kilometers_per(unit)     Any Unit.
//   largest_radius_km(unit)  Any Unit; about 2.86e307 km for km, 2.86e304 km
//                            for m: the largest radius whose 2π radii are a
//                            finite double in `unit`.
//   largest_distance(options) Any options validate() accepts: finite.
//   validate(options)        Valid Range: radius_km finite, > 0 and
//                            <= largest_radius_km(unit) (sphere metrics);
//                            for geodesic, an ellipsoid ellipsoid_problem()
//                            accepts whose π·max(a, b) is finite in unit;
//                            else throws std::invalid_argument.
//
// Example:
//   dm::DistanceOptions options{.unit = dm::Unit::miles, .kernel = dm::KernelKind::scalar};
//   dm::validate(options);                 // returns options: the default radius fits
//   dm::parse_metric("equirectangular");   // dm::Metric::equirectangular

#pragma once

#include <optional>
#include <string_view>

#include "distance_matrix/enum_names.hpp"
#include "distance_matrix/kernel/ellipsoid.hpp"

namespace dm {

/// How the distance between two points is measured. Each metric owns its
/// prepared per-location terms, its bounds and its accuracy block
/// (src/kernel/metrics/, summarized in distance_kernel.hpp).
enum class Metric {
  haversine,        ///< great circle on a sphere, accurate everywhere (antipodes and poles included)
  equirectangular,  ///< flat projection around the mean latitude: fast, good for short distances
  geodesic,         ///< shortest path on an ellipsoid (WGS84 by default), Karney's algorithm
};

/// Which implementation of the distance math runs. Both honour every metric,
/// unit and radius and the accuracy contract of distance_kernel.hpp; they may
/// differ from each other in the last bits.
enum class KernelKind {
  simd,    ///< vectorized (Highway), dispatched at run time to the best instruction set of the CPU
  scalar,  ///< one pair at a time with libm: the reference, and the workshop's "before" baseline
};

/// The unit distances are written in.
enum class Unit { kilometers, meters, miles, nautical_miles };

/// Mean Earth radius (IUGG arithmetic mean R1), the default sphere.
inline constexpr double mean_earth_radius_km = 6371.0088;

struct DistanceOptions {
  Metric metric = Metric::haversine;
  Unit unit = Unit::kilometers;
  double radius_km = mean_earth_radius_km;  ///< the sphere of haversine and equirectangular
  KernelKind kernel = KernelKind::simd;
  Ellipsoid ellipsoid = wgs84;  ///< the ellipsoid of geodesic (radius_km is not used there)
};

/// Length of one `unit` in kilometers.
[[nodiscard]] double kilometers_per(Unit unit) noexcept;

/// Names as the command line spells them ("haversine", "km", ...).
inline constexpr EnumName<Metric> metric_names[] = {{Metric::haversine, "haversine"},
                                                    {Metric::equirectangular, "equirectangular"},
                                                    {Metric::geodesic, "geodesic"}};
inline constexpr EnumName<Unit> unit_names[] = {
    {Unit::kilometers, "km"}, {Unit::meters, "m"}, {Unit::miles, "mi"}, {Unit::nautical_miles, "nmi"}};
inline constexpr EnumName<KernelKind> kernel_kind_names[] = {{KernelKind::simd, "simd"},
                                                             {KernelKind::scalar, "scalar"}};
[[nodiscard]] std::string_view to_string(Metric metric) noexcept;
[[nodiscard]] std::string_view to_string(Unit unit) noexcept;
[[nodiscard]] std::string_view to_string(KernelKind kernel) noexcept;
[[nodiscard]] std::optional<Metric> parse_metric(std::string_view text) noexcept;
[[nodiscard]] std::optional<Unit> parse_unit(std::string_view text) noexcept;
[[nodiscard]] std::optional<KernelKind> parse_kernel_kind(std::string_view text) noexcept;

/// The largest sphere radius, in kilometers, whose distances in `unit` are
/// all finite doubles. No sphere metric yields more than 2π radii (haversine
/// at most π, equirectangular at most π√2), so this is the largest r with
/// 2π·r/kilometers_per(unit) finite: about 2.86e307 km in km, 2.86e304 km in m.
[[nodiscard]] double largest_radius_km(Unit unit) noexcept;

/// An upper bound of every distance options.metric can produce, in
/// options.unit (π radii for haversine, π√2 for equirectangular, π·max(a, b)
/// for geodesic), as the
/// metric itself states it: the NPY encoder checks float32 against it.
[[nodiscard]] double largest_distance(const DistanceOptions& options) noexcept;

/// Returns `options` if the metric accepts them: for the sphere metrics,
/// radius_km positive, finite and at most largest_radius_km(options.unit);
/// for geodesic, an ellipsoid ellipsoid_problem() accepts, whose distances
/// in options.unit are finite; otherwise throws std::invalid_argument naming the value and what is allowed.
const DistanceOptions& validate(const DistanceOptions& options);

}  // namespace dm
