#include "distance_matrix/kernel/location.hpp"

#include <stdexcept>

namespace dm {
namespace {

/// Room reserved for the names of `count` locations: most place names are
/// shorter; a longer list only grows the buffer a few times more.
constexpr std::size_t reserved_name_bytes = 16;

}  // namespace

LocationTable::LocationTable(const std::vector<Location>& locations) {
  reserve(locations.size());
  for (const Location& location : locations) push_back(location);
}

void LocationTable::reserve(std::size_t count) {
  names_.reserve(count * reserved_name_bytes);
  name_ends_.reserve(count);
  latitudes_.reserve(count);
  longitudes_.reserve(count);
}

void LocationTable::push_back(const Location& location) {
  push_back(location.name, location.latitude, location.longitude);
}

void LocationTable::push_back(std::string_view name, double latitude, double longitude) {
  names_.append(name);
  name_ends_.push_back(names_.size());
  latitudes_.push_back(latitude);
  longitudes_.push_back(longitude);
}

Location LocationTable::at(std::size_t index) const {
  if (index >= size()) throw std::out_of_range("LocationTable::at: no location " + std::to_string(index));
  return {std::string(name(index)), latitudes_[index], longitudes_[index]};
}

}  // namespace dm
