#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "distance_matrix/kernel/location.hpp"
#include "distance_matrix/output/csv_field.hpp"

namespace dm::testing {

/// `count` locations spread over the whole sphere (poles and antimeridian
/// included), with names that exercise CSV quoting. Deterministic per seed.
inline std::vector<Location> random_locations(std::size_t count, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::uniform_real_distribution<double> latitude(-90, 90);
  std::uniform_real_distribution<double> longitude(-180, 180);
  static const char* const names[] = {"Springfield", "Washington, D.C.", "The \"Big\" Apple",
                                      "São Paulo", "Zürich", "Springfield"};
  std::vector<Location> locations;
  for (std::size_t index = 0; index < count; ++index) {
    std::string name = names[index % std::size(names)];
    name += ' ' + std::to_string(index);
    double lat = latitude(random);
    double lon = longitude(random);
    if (index % 17 == 3) lat = 90;     // a pole
    if (index % 19 == 5) lon = -180;   // the antimeridian
    locations.push_back({std::move(name), lat, lon});
  }
  return locations;
}

/// The locations as CSV input text, numbers in shortest round-trip form.
inline std::string to_csv(const std::vector<Location>& locations) {
  std::string text;
  for (const Location& location : locations) {
    text += csv_field(location.name);
    for (const double coordinate : {location.latitude, location.longitude}) {
      char digits[32];
      text += ',';
      text.append(digits, std::to_chars(digits, digits + sizeof digits, coordinate).ptr);
    }
    text += '\n';
  }
  return text;
}

}  // namespace dm::testing
