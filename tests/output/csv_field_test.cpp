#include "distance_matrix/output/csv_field.hpp"

#include <gtest/gtest.h>

namespace dm {
namespace {

TEST(CsvField, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(csv_field("boston"), "boston");
  EXPECT_EQ(csv_field("São Paulo"), "São Paulo");
  EXPECT_EQ(csv_field("Washington, D.C."), "\"Washington, D.C.\"");
  EXPECT_EQ(csv_field("The \"Big\" Apple"), "\"The \"\"Big\"\" Apple\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_field("cr\r"), "\"cr\r\"");
  EXPECT_EQ(csv_field(" padded "), "\" padded \"");
  EXPECT_EQ(csv_field("\ttab"), "\"\ttab\"");
  EXPECT_EQ(csv_field(""), "");
}

}  // namespace
}  // namespace dm
