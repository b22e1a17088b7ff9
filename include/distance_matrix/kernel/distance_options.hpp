// distance_matrix/kernel/distance_options.hpp
//
// DistanceOptions: which metric, unit, sphere radius and kernel the distances
// are computed with, the names the command line spells them by, and the
// radius check.
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
//   KernelKind::simd/scalar  Both meet the contract; they may differ in the
//                            last bits (at most 3.6e-12 km on
//                            data/1k_locations.csv).
//   kilometers_per(unit)     Any Unit.
//   largest_radius_km(unit)  Any Unit; about 2.86e307 km for km, 2.86e304 km
//                            for m: the largest radius whose 2π radii are a
//                            finite double in `unit`.
//   validate(options)        Valid Range: radius_km finite, > 0 and
//                            <= largest_radius_km(unit); else throws
//                            std::invalid_argument.
//
// Example:
//   dm::DistanceOptions options{.unit = dm::Unit::miles, .kernel = dm::KernelKind::scalar};
//   dm::validate(options);                 // returns options: the default radius fits
//   dm::parse_metric("equirectangular");   // dm::Metric::equirectangular

#pragma once

#include <optional>
#include <string_view>

#include "distance_matrix/enum_names.hpp"

namespace dm {

/// How the distance between two points is measured.
enum class Metric {
  haversine,        ///< great circle on a sphere, accurate everywhere (antipodes and poles included)
  equirectangular,  ///< flat projection around the mean latitude: fast, good for short distances
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
  double radius_km = mean_earth_radius_km;
  KernelKind kernel = KernelKind::simd;
};

/// Length of one `unit` in kilometers.
[[nodiscard]] double kilometers_per(Unit unit) noexcept;

/// Names as the command line spells them ("haversine", "km", ...).
inline constexpr EnumName<Metric> metric_names[] = {{Metric::haversine, "haversine"},
                                                    {Metric::equirectangular, "equirectangular"}};
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
/// all finite doubles. No metric yields more than 2π radii (haversine at most
/// π, equirectangular at most π√2), so this is the largest r with
/// 2π·r/kilometers_per(unit) finite: about 2.86e307 km in km, 2.86e304 km in m.
[[nodiscard]] double largest_radius_km(Unit unit) noexcept;

/// Returns `options` if options.radius_km is positive, finite and at most
/// largest_radius_km(options.unit); otherwise throws std::invalid_argument
/// naming the value and the largest allowed.
const DistanceOptions& validate(const DistanceOptions& options);

}  // namespace dm
