#include "distance_matrix/csv_writer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace dm {
namespace {

LocationTable three_cities() {
  return LocationTable({{"ann arbor", 0, 0}, {"Washington, D.C.", 0, 0}, {"The \"Big\" Apple", 0, 0}});
}

std::string write_all(const LocationTable& locations, const std::vector<double>& distances,
                      std::size_t block_size) {
  StringOutput output;
  CsvPairWriter writer(output);
  writer.begin(locations);
  for (std::size_t first = 0; first < distances.size(); first += block_size) {
    const std::size_t size = std::min(block_size, distances.size() - first);
    writer.consume({first, std::span<const double>(distances).subspan(first, size)});
  }
  writer.finish();
  return output.str();
}

TEST(CsvField, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(csv_field("boston"), "boston");
  EXPECT_EQ(csv_field("São Paulo"), "São Paulo");
  EXPECT_EQ(csv_field("Washington, D.C."), "\"Washington, D.C.\"");
  EXPECT_EQ(csv_field("The \"Big\" Apple"), "\"The \"\"Big\"\" Apple\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_field("cr\r"), "\"cr\r\"");
  EXPECT_EQ(csv_field(" padded "), "\" padded \"");
  EXPECT_EQ(csv_field(""), "");
}

TEST(CsvPairWriter, WritesRowsInOutputOrderWithShortestRoundTripDistances) {
  const std::string text = write_all(three_cities(), {2337.868086809025, 0.1, 1e-7}, 3);
  EXPECT_EQ(text,
            "ann arbor,\"Washington, D.C.\",2337.868086809025\n"
            "ann arbor,\"The \"\"Big\"\" Apple\",0.1\n"
            "\"Washington, D.C.\",\"The \"\"Big\"\" Apple\",1e-07\n");
}

TEST(CsvPairWriter, GivesTheSameBytesWhateverTheBlockSize) {
  LocationTable locations;
  for (int index = 0; index < 300; ++index) locations.push_back({"city " + std::to_string(index), 0, 0});
  std::vector<double> distances(pair_count(locations.size()));
  for (std::size_t k = 0; k < distances.size(); ++k) distances[k] = static_cast<double>(k) / 7.0;

  const std::string whole = write_all(locations, distances, distances.size());
  EXPECT_GT(whole.size(), std::size_t{1} << 20) << "must cross the flush threshold";
  for (std::size_t block_size : {1, 2, 299, 300, 4097}) {
    EXPECT_EQ(write_all(locations, distances, block_size), whole) << "block size " << block_size;
  }
}

TEST(CsvPairWriter, WritesNothingForNoPairs) {
  EXPECT_EQ(write_all(LocationTable({{"alone", 1, 2}}), {}, 1), "");
  EXPECT_EQ(write_all(LocationTable(), {}, 1), "");
}

TEST(CsvPairWriter, SeesLocationsAddedAfterBegin) {
  // A streaming pipeline adds location j just before the block of row j.
  LocationTable locations;
  StringOutput output;
  CsvPairWriter writer(output);
  writer.begin(locations);
  locations.push_back({"a", 0, 0});
  locations.push_back({"b", 0, 0});
  const double first_row[] = {1.5};
  writer.consume({0, first_row});
  locations.push_back({"c", 0, 0});
  const double second_row[] = {2.5, 3.5};
  writer.consume({1, second_row});
  writer.finish();
  EXPECT_EQ(output.str(), "a,b,1.5\na,c,2.5\nb,c,3.5\n");
}

}  // namespace
}  // namespace dm
