#include <gtest/gtest.h>

#include <charconv>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "distance_matrix/output/csv_field.hpp"
#include "distance_matrix/output/csv_pairs_encoder.hpp"
#include "distance_matrix/output/csv_table_encoder.hpp"
#include "support/blocks.hpp"

namespace dm {
namespace {

using testing::encode_in_blocks;

LocationTable three_cities() {
  return LocationTable({{"ann arbor", 0, 0}, {"Washington, D.C.", 0, 0}, {"The \"Big\" Apple", 0, 0}});
}

TEST(CsvPairsEncoder, WritesTheOriginalToolsRows) {
  const LocationTable locations = three_cities();
  const CsvPairsEncoder encoder(locations, MatrixShape::pairs(3));
  EXPECT_EQ(encode_in_blocks(encoder, {2337.868086809025, 0.1, 1e-7}, 3),
            "ann arbor,\"Washington, D.C.\",2337.868086809025\n"
            "ann arbor,\"The \"\"Big\"\" Apple\",0.1\n"
            "\"Washington, D.C.\",\"The \"\"Big\"\" Apple\",1e-07\n");
}

TEST(CsvPairsEncoder, WritesARectangleOriginMajorWithTheOriginFirst) {
  // Origins: ann arbor, "Washington, D.C."; destinations: the third city and ann arbor again.
  const LocationTable locations({{"ann arbor", 0, 0},
                                 {"Washington, D.C.", 0, 0},
                                 {"The \"Big\" Apple", 0, 0},
                                 {"ann arbor", 0, 0}});
  const CsvPairsEncoder encoder(locations, MatrixShape::rectangle(2, 2));
  const std::string expected =
      "ann arbor,\"The \"\"Big\"\" Apple\",1\n"
      "ann arbor,ann arbor,0\n"
      "\"Washington, D.C.\",\"The \"\"Big\"\" Apple\",0.25\n"
      "\"Washington, D.C.\",ann arbor,1e-07\n";
  for (const std::size_t block : {1u, 3u, 4u}) {
    EXPECT_EQ(encode_in_blocks(encoder, {1.0, 0.0, 0.25, 1e-7}, block), expected) << block;
  }
}

TEST(CsvPairsEncoder, GrowsOnlyThePairsLayout) {
  const LocationTable locations = three_cities();
  CsvPairsEncoder encoder(locations, MatrixShape::rectangle(1, 2));
  EXPECT_THROW(encoder.extend(locations), std::logic_error);
  EXPECT_THROW(CsvPairsEncoder(locations, MatrixShape::square(3)), std::invalid_argument);
}

/// The original tool's rows, spelled out the slow way: for j, for i < j.
std::string rows_by_hand(const LocationTable& locations, const std::vector<double>& distances) {
  std::string text;
  std::size_t k = 0;
  for (std::size_t j = 1; j < locations.size(); ++j) {
    for (std::size_t i = 0; i < j; ++i) {
      char number[32];
      const auto end = std::to_chars(number, number + sizeof number, distances[k++]).ptr;
      text += csv_field(locations.name(i)) + ',' + csv_field(locations.name(j)) + ',' + std::string(number, end) + '\n';
    }
  }
  return text;
}

LocationTable numbered_cities(int count) {
  LocationTable locations;
  for (int index = 0; index < count; ++index) {
    locations.push_back({(index % 3 == 0 ? "city, " : "city ") + std::to_string(index), 0, 0});
  }
  return locations;
}

std::vector<double> sevenths(std::size_t count) {
  std::vector<double> distances(count);
  for (std::size_t k = 0; k < distances.size(); ++k) distances[k] = static_cast<double>(k) / 7.0 + 1e-300;
  return distances;
}

TEST(CsvPairsEncoder, WritesTheOriginalToolsBytesWhateverTheBlocks) {
  const LocationTable locations = numbered_cities(120);
  const std::vector<double> distances = sevenths(pair_count(locations.size()));
  const std::string expected = rows_by_hand(locations, distances);

  const CsvPairsEncoder encoder(locations, MatrixShape::pairs(locations.size()));
  for (std::size_t block_size : {1, 2, 119, 120, 7000, 100000}) {
    EXPECT_EQ(encode_in_blocks(encoder, distances, block_size), expected) << block_size;
  }
}

TEST(CsvPairsEncoder, GrowsWithItsInputRowByRow) {
  // As the async runner streams: location j arrives, then row j is encoded.
  const LocationTable all = numbered_cities(40);
  const std::vector<double> distances = sevenths(pair_count(all.size()));
  LocationTable so_far;
  CsvPairsEncoder encoder(so_far, MatrixShape::pairs(0));
  std::string bytes;
  for (std::size_t j = 0; j < all.size(); ++j) {
    so_far.push_back(all.at(j));
    encoder.extend(so_far);
    EXPECT_EQ(encoder.shape(), MatrixShape::pairs(j + 1));
    const CellRange row{pair_count(j), pair_count(j + 1)};
    encoder.encode(row, std::span<const double>(distances).subspan(row.first, row.size()), bytes);
  }
  EXPECT_EQ(bytes, rows_by_hand(all, distances));
}

TEST(CsvPairsEncoder, RefusesOtherLayouts) {
  const LocationTable locations = three_cities();
  EXPECT_THROW(CsvPairsEncoder(locations, MatrixShape::condensed(3)), std::invalid_argument);
  EXPECT_THROW(CsvPairsEncoder(locations, MatrixShape::pairs(4)), std::invalid_argument);
}

TEST(CsvTableEncoder, WritesASquareTableWithNamesFirst) {
  const LocationTable locations = three_cities();
  const CsvTableEncoder encoder(locations, MatrixShape::square(3));
  const std::vector<double> cells{0, 1.5, 2.5, 1.5, 0, 3.25, 2.5, 3.25, 0};
  const std::string expected =
      ",ann arbor,\"Washington, D.C.\",\"The \"\"Big\"\" Apple\"\n"
      "ann arbor,0,1.5,2.5\n"
      "\"Washington, D.C.\",1.5,0,3.25\n"
      "\"The \"\"Big\"\" Apple\",2.5,3.25,0\n";
  for (std::size_t block_size : {1, 2, 3, 4, 9}) {
    EXPECT_EQ(encode_in_blocks(encoder, cells, block_size), expected) << block_size;
  }
}

TEST(CsvTableEncoder, WritesOriginsAsRowsAndDestinationsAsColumns) {
  const LocationTable locations({{"a", 0, 0}, {"b", 0, 0}, {"x", 0, 0}, {"y", 0, 0}, {"z", 0, 0}});
  const CsvTableEncoder encoder(locations, MatrixShape::rectangle(2, 3));
  for (std::size_t block_size : {1, 2, 4, 6}) {
    EXPECT_EQ(encode_in_blocks(encoder, {1, 2, 3, 4, 5, 6}, block_size), ",x,y,z\na,1,2,3\nb,4,5,6\n")
        << block_size;
  }
}

TEST(CsvTableEncoder, WritesNothingForAMatrixWithoutCells) {
  const LocationTable none;
  EXPECT_EQ(encode_in_blocks(CsvTableEncoder(none, MatrixShape::square(0)), {}, 1), "");
  const LocationTable origins_only({{"a", 0, 0}});
  EXPECT_EQ(encode_in_blocks(CsvTableEncoder(origins_only, MatrixShape::rectangle(1, 0)), {}, 1), "");
  const LocationTable one({{"alone", 0, 0}});
  EXPECT_EQ(encode_in_blocks(CsvTableEncoder(one, MatrixShape::square(1)), {0.0}, 1), ",alone\nalone,0\n");
}

}  // namespace
}  // namespace dm
