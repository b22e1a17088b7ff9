// distance_matrix/kernel/location.hpp
//
// Location and LocationTable: named points in decimal degrees, stored column
// by column, and the valid coordinate ranges (latitude_range [-90, 90],
// longitude_range [-180, 180]) that every source of locations checks.
//
// Thread safety: values; any number of threads may read a table that no one
// modifies.
//
// Example:
//   const dm::LocationTable table({{"boston", 42.364758, -71.067421}});
//   table.name(0);                        // "boston"
//   dm::latitude_range.contains(91.0);    // false

#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "distance_matrix/memory/huge_page_allocator.hpp"

namespace dm {

/// The degrees a coordinate may take, for every source of locations (the
/// CSV reader, the Python module): finite and within [-limit, limit].
struct CoordinateRange {
  std::string_view label;    ///< "latitude"
  double limit = 0.0;        ///< 90
  std::string_view written;  ///< "[-90, 90]", for messages

  [[nodiscard]] constexpr bool contains(double degrees) const noexcept {
    return degrees >= -limit && degrees <= limit;  // false for NaN
  }
};

inline constexpr CoordinateRange latitude_range{"latitude", 90.0, "[-90, 90]"};
inline constexpr CoordinateRange longitude_range{"longitude", 180.0, "[-180, 180]"};

/// One named point on the sphere, in decimal degrees as read from the input.
struct Location {
  std::string name;
  double latitude = 0.0;   ///< degrees, in [-90, 90]
  double longitude = 0.0;  ///< degrees, in [-180, 180]

  friend bool operator==(const Location&, const Location&) = default;
};

/// Locations stored column by column. The kernel copies the coordinates into
/// its own prepared form; only the CSV encoders read the names. The names
/// are kept end to end in one buffer (no string object, no allocation of
/// its own per name): a name() view lasts until the next push_back().
class LocationTable {
 public:
  LocationTable() = default;
  explicit LocationTable(const std::vector<Location>& locations);
  void reserve(std::size_t count);
  void push_back(const Location& location);
  void push_back(std::string_view name, double latitude, double longitude);
  /// Every location of `other` after this table's, in its order.
  void append(const LocationTable& other);
  /// Keeps the first `count` locations (all of them if there are fewer).
  void truncate(std::size_t count);
  [[nodiscard]] std::size_t size() const noexcept { return latitudes_.size(); }
  [[nodiscard]] bool empty() const noexcept { return latitudes_.empty(); }
  [[nodiscard]] std::string_view name(std::size_t index) const noexcept {
    const std::size_t first = index == 0 ? 0 : name_ends_[index - 1];
    return std::string_view(names_).substr(first, name_ends_[index] - first);
  }
  [[nodiscard]] double latitude(std::size_t index) const noexcept { return latitudes_[index]; }
  [[nodiscard]] double longitude(std::size_t index) const noexcept { return longitudes_[index]; }
  /// Every location's latitude (degrees), by index; valid until the next push_back().
  [[nodiscard]] std::span<const double> latitudes() const noexcept { return latitudes_; }
  /// Every location's longitude (degrees), by index; valid until the next push_back().
  [[nodiscard]] std::span<const double> longitudes() const noexcept { return longitudes_; }
  [[nodiscard]] Location at(std::size_t index) const;

 private:
  LargeString names_;                   ///< every name, end to end (huge pages: megabytes for large lists)
  LargeVector<std::size_t> name_ends_;  ///< by location: where its name ends in names_
  LargeVector<double> latitudes_;
  LargeVector<double> longitudes_;
};

}  // namespace dm
