#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "distance_matrix/kernel/location.hpp"

namespace dm::detail {

/// Whether `text` (the start of an input, byte order mark skipped) is JSON
/// rather than CSV: its first non-blank byte opens an object.
[[nodiscard]] bool looks_like_geojson(std::string_view text) noexcept;

/// Reads the Point features of GeoJSON `text`: one FeatureCollection, or
/// one Feature (or FeatureCollection) per line. Coordinates are GeoJSON's
/// [longitude, latitude]; the name is the property `name_property`, a
/// string or a number. Each valid feature goes to `take` in order; each
/// invalid one to `report` with the line where it starts and a message
/// naming it by its 0-based index among all features ("feature 3: ...").
/// Malformed JSON is reported once and ends the reading.
void read_geojson_points(std::string_view text, std::string_view name_property,
                         const std::function<void(Location)>& take,
                         const std::function<void(std::size_t line, std::string message)>& report);

}  // namespace dm::detail
