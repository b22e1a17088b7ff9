#pragma once

#include <optional>
#include <string_view>

namespace dm {

/// How the distance between two points is measured.
enum class Metric {
  haversine,        ///< great circle on a sphere, accurate everywhere (antipodes and poles included)
  equirectangular,  ///< flat projection around the mean latitude: fast, good for short distances
};

/// The unit distances are written in.
enum class Unit { kilometers, meters, miles, nautical_miles };

/// Mean Earth radius (IUGG arithmetic mean R1), the default sphere.
inline constexpr double mean_earth_radius_km = 6371.0088;

struct DistanceOptions {
  Metric metric = Metric::haversine;
  Unit unit = Unit::kilometers;
  double radius_km = mean_earth_radius_km;
};

/// Length of one `unit` in kilometers.
[[nodiscard]] double kilometers_per(Unit unit) noexcept;

/// Names as the command line spells them ("haversine", "km", ...).
[[nodiscard]] std::string_view to_string(Metric metric) noexcept;
[[nodiscard]] std::string_view to_string(Unit unit) noexcept;
[[nodiscard]] std::optional<Metric> parse_metric(std::string_view text) noexcept;
[[nodiscard]] std::optional<Unit> parse_unit(std::string_view text) noexcept;

}  // namespace dm
