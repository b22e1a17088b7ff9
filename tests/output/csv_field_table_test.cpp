#include "distance_matrix/output/csv_field_table.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "distance_matrix/output/csv_field.hpp"

namespace dm {
namespace {

const std::string long_name = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch";  // 58 bytes

LocationTable table_of(const std::vector<std::string>& names) {
  LocationTable table;
  for (const std::string& name : names) table.push_back(name, 0.0, 0.0);
  return table;
}

TEST(CsvFieldTable, HoldsEachNameAsItsCsvField) {
  const CsvFieldTable fields(table_of({"boston", "Washington, D.C.", "", "The \"Big\" Apple", " padded", long_name}));
  ASSERT_EQ(fields.size(), 6u);
  EXPECT_EQ(fields[0], "boston");
  EXPECT_EQ(fields[1], "\"Washington, D.C.\"");
  EXPECT_EQ(fields[2], "");
  EXPECT_EQ(fields[3], "\"The \"\"Big\"\" Apple\"");
  EXPECT_EQ(fields[4], "\" padded\"");
  EXPECT_EQ(fields[5], long_name);
  EXPECT_EQ(fields.field_size(1), 18u);
  EXPECT_EQ(fields.longest(), 58u);
  EXPECT_EQ(fields.total_bytes(), 6u + 18u + 0u + 19u + 9u + 58u);
}

TEST(CsvFieldTable, PutCopiesTheFieldAndReturnsItsEnd) {
  const CsvFieldTable fields(table_of({"a,b", long_name, "x"}));
  // Short fields are moved padding bytes at a time: the room after them is scratch.
  std::string line(5 + 1 + 58 + 1 + CsvFieldTable::padding, '#');
  char* at = fields.put(line.data(), 0);
  *at++ = ';';
  at = fields.put(at, 1);
  *at++ = ';';
  at = fields.put(at, 2);
  line.resize(static_cast<std::size_t>(at - line.data()));
  EXPECT_EQ(line, "\"a,b\";" + long_name + ";x");
}

TEST(CsvFieldTable, AddAppendsOnlyTheNewLocations) {
  LocationTable locations = table_of({"first", "second, too"});
  CsvFieldTable fields(locations);
  locations.push_back("third", 1.0, 2.0);
  locations.push_back(long_name, 1.0, 2.0);
  fields.add(locations);
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[0], "first");
  EXPECT_EQ(fields[1], "\"second, too\"");
  EXPECT_EQ(fields[2], "third");
  EXPECT_EQ(fields[3], long_name);
  fields.add(locations);  // nothing new
  EXPECT_EQ(fields.size(), 4u);
  char copy[64 + CsvFieldTable::padding];
  EXPECT_EQ(std::string(copy, fields.put(copy, 2)), "third");
}

TEST(CsvFieldTable, AppendCsvFieldAddsToWhatIsThere) {
  std::string out = "x,";
  append_csv_field(out, "São Paulo");
  out += ',';
  append_csv_field(out, "two\nlines");
  EXPECT_EQ(out, "x,São Paulo,\"two\nlines\"");
}

}  // namespace
}  // namespace dm
