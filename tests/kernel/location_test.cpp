#include "distance_matrix/kernel/location.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace dm {
namespace {

// The table keeps its names end to end in one buffer: each must come back
// whole, whatever its length and bytes, and however often the buffer grew.
TEST(LocationTable, KeepsEveryNameWholeInOneBuffer) {
  const std::vector<Location> locations = {
      {"boston", 42.364758, -71.067421},
      {"", 0.0, 0.0},  // the table itself takes an empty name (the reader refuses one)
      {std::string(100000, 'x'), 90.0, 180.0},
      {"S\xC3\xA3o Paulo \xE5\x8C\x97\xE4\xBA\xAC \xF0\x9F\x97\xBA", -23.55, -46.63},
      {std::string("nul\0inside", 10), -90.0, -180.0},
      {"a", 1.0, 2.0},
  };
  const LocationTable table(locations);
  ASSERT_EQ(table.size(), locations.size());
  for (std::size_t index = 0; index < locations.size(); ++index) {
    EXPECT_EQ(table.name(index), locations[index].name) << index;
    EXPECT_EQ(table.latitude(index), locations[index].latitude) << index;
    EXPECT_EQ(table.longitude(index), locations[index].longitude) << index;
    EXPECT_EQ(table.at(index), locations[index]) << index;
  }
}

TEST(LocationTable, GrowsPastWhatWasReservedWithoutLosingANameOrAnOrder) {
  LocationTable table;
  table.reserve(3);
  std::vector<std::string> names;
  for (std::size_t index = 0; index < 5000; ++index) {
    names.push_back(std::string(index % 41, static_cast<char>('a' + index % 26)) + std::to_string(index));
    table.push_back(names.back(), static_cast<double>(index % 90), -static_cast<double>(index % 180));
  }
  ASSERT_EQ(table.size(), names.size());
  for (std::size_t index = 0; index < names.size(); ++index) {
    ASSERT_EQ(table.name(index), names[index]) << index;
    ASSERT_EQ(table.latitude(index), static_cast<double>(index % 90)) << index;
    ASSERT_EQ(table.longitude(index), -static_cast<double>(index % 180)) << index;
  }
}

TEST(LocationTable, TakesALocationOrItsPartsAlike) {
  LocationTable parts;
  LocationTable whole;
  parts.push_back("paris", 48.8566, 2.3522);
  whole.push_back(Location{"paris", 48.8566, 2.3522});
  EXPECT_EQ(parts.at(0), whole.at(0));
  EXPECT_FALSE(parts.empty());
  EXPECT_TRUE(LocationTable().empty());
}

TEST(LocationTable, AtRefusesAnIndexPastTheEnd) {
  LocationTable table;
  EXPECT_THROW(static_cast<void>(table.at(0)), std::out_of_range);
  table.push_back("one", 0.0, 0.0);
  EXPECT_NO_THROW(static_cast<void>(table.at(0)));
  EXPECT_THROW(static_cast<void>(table.at(1)), std::out_of_range);
}

}  // namespace
}  // namespace dm
