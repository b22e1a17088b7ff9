#include "distance_matrix/kernel/location.hpp"

#include <utility>

namespace dm {

LocationTable::LocationTable(const std::vector<Location>& locations) {
  reserve(locations.size());
  for (const Location& location : locations) push_back(location);
}

void LocationTable::reserve(std::size_t count) {
  names_.reserve(count);
  latitudes_.reserve(count);
  longitudes_.reserve(count);
}

void LocationTable::push_back(Location location) {
  latitudes_.push_back(location.latitude);
  longitudes_.push_back(location.longitude);
  names_.push_back(std::move(location.name));
}

Location LocationTable::at(std::size_t index) const {
  return {names_.at(index), latitudes_.at(index), longitudes_.at(index)};
}

}  // namespace dm
