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

void LocationTable::append(const LocationTable& other) {
  const std::size_t name_base = names_.size();
  names_.append(other.names_);
  name_ends_.reserve(name_ends_.size() + other.name_ends_.size());
  for (const std::size_t end : other.name_ends_) name_ends_.push_back(name_base + end);
  latitudes_.insert(latitudes_.end(), other.latitudes_.begin(), other.latitudes_.end());
  longitudes_.insert(longitudes_.end(), other.longitudes_.begin(), other.longitudes_.end());
}

void LocationTable::truncate(std::size_t count) {
  if (count >= size()) return;
  names_.resize(count == 0 ? 0 : name_ends_[count - 1]);
  name_ends_.resize(count);
  latitudes_.resize(count);
  longitudes_.resize(count);
}

Location LocationTable::at(std::size_t index) const {
  if (index >= size()) throw std::out_of_range("LocationTable::at: no location " + std::to_string(index));
  return {std::string(name(index)), latitudes_[index], longitudes_[index]};
}

}  // namespace dm
