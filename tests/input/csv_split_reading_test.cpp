// CsvLocationReader::read_rest_into on two threads: the input split after a
// line end near its middle gives exactly what reading it in order gives
// (locations, diagnostics with their lines, error count), wherever the split
// falls: inside a quoted name with line breaks or commas, among blank lines,
// CRLF line ends, a byte order mark, errors in either half, past the error
// limit, a NUL or a row too long in either half.
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "distance_matrix/input/csv_reader.hpp"
#include "support/chunked_source.hpp"

namespace dm {
namespace {

struct Outcome {
  std::vector<Location> locations;
  std::vector<Diagnostic> diagnostics;
  std::size_t error_count = 0;
  bool halves = false;
};

Outcome read(const std::string& text, unsigned threads, const CsvReaderLimits& base_limits = {},
             const CsvOptions& options = {}) {
  CsvReaderLimits limits = base_limits;
  limits.split_from_bytes = 0;  // split inputs of any size
  CsvLocationReader reader(text, "split.csv", options, limits);
  LocationTable table;
  reader.read_rest_into(table, threads);
  Outcome outcome;
  for (std::size_t index = 0; index < table.size(); ++index) outcome.locations.push_back(table.at(index));
  outcome.diagnostics = reader.diagnostics();
  outcome.error_count = reader.error_count();
  outcome.halves = reader.read_in_halves();
  return outcome;
}

/// `text` read in order, then split on two threads: the same outcome.
/// Returns whether the split's second half was used.
bool expect_same_split(const std::string& text, const CsvReaderLimits& limits = {}, const CsvOptions& options = {}) {
  const Outcome in_order = read(text, 1, limits, options);
  const Outcome split = read(text, 2, limits, options);
  EXPECT_FALSE(in_order.halves);
  EXPECT_EQ(split.locations, in_order.locations) << text;
  EXPECT_EQ(split.diagnostics, in_order.diagnostics) << text;
  EXPECT_EQ(split.error_count, in_order.error_count) << text;
  return split.halves;
}

std::string rows(std::size_t count, std::size_t first, const std::string& line_end = "\n") {
  std::string text;
  for (std::size_t index = first; index < first + count; ++index) {
    text += "place " + std::to_string(index) + ',' + std::to_string(static_cast<double>(index % 90) / 3) + ',' +
            std::to_string(static_cast<double>(index % 180) / 7) + line_end;
  }
  return text;
}

/// `special` between `before` and 12 - `before` plain rows, for every
/// `before`: the middle falls before, inside and after it.
template <class Check>
void around_the_middle(const std::string& head, const std::string& special, Check check,
                       const std::string& line_end = "\n") {
  for (std::size_t before = 0; before <= 12; ++before) {
    check(head + rows(before, 0, line_end) + special + rows(12 - before, 100, line_end));
  }
}

TEST(CsvSplitReading, CleanSplitUsesTheSecondHalfAndKeepsOrder) {
  const std::string text = rows(40, 0);
  EXPECT_TRUE(expect_same_split(text));
  const Outcome split = read(text, 2);
  ASSERT_EQ(split.locations.size(), 40u);
  EXPECT_EQ(split.locations[39].name, "place 39");
}

TEST(CsvSplitReading, QuotedNameWithLineBreaksAndCommasAcrossTheSplit) {
  std::size_t halves = 0;
  around_the_middle("", "\"a long name,\nwith \"\"quotes\"\",\n\nand line breaks, and commas\",1,2\n",
                    [&](const std::string& text) { halves += expect_same_split(text) ? 1 : 0; });
  EXPECT_GT(halves, 0u);   // where the split is not inside the quotes
  EXPECT_LT(halves, 13u);  // and where it is
}

TEST(CsvSplitReading, CrlfLineEndsAndAByteOrderMark) {
  around_the_middle("\xEF\xBB\xBFname,lat,lon\r\n", "\"two\r\nlines\",3,4\r\n",
                    [](const std::string& text) { expect_same_split(text); }, "\r\n");
}

TEST(CsvSplitReading, BlankLinesAroundTheSplit) {
  around_the_middle("", "\n\n   \n\t\r\n\n", [](const std::string& text) { expect_same_split(text); });
  around_the_middle("", "\n\n\n", [](const std::string& text) { expect_same_split(text + "\n\n  \n"); });
}

TEST(CsvSplitReading, ErrorsInTheSecondHalfReportTheirLines) {
  const std::string text = rows(30, 0) + "bad,91,0\n\"q\nr\",abc,1\nx\xFFy,1,1\nshort,1\n" + rows(3, 50);
  EXPECT_TRUE(expect_same_split(text));
  const Outcome split = read(text, 2);
  ASSERT_EQ(split.diagnostics.size(), 4u);
  EXPECT_EQ(split.diagnostics[0].line, 31u);
  EXPECT_EQ(split.diagnostics[0].message, "latitude 91 is outside [-90, 90]");
  EXPECT_EQ(split.diagnostics[1].line, 32u);
  EXPECT_EQ(split.diagnostics[2].line, 34u);
  EXPECT_EQ(split.diagnostics[3].line, 35u);
}

TEST(CsvSplitReading, ErrorsInBothHalvesUpToTheErrorLimit) {
  CsvReaderLimits limits;
  limits.error_limit = 3;
  std::string text;
  for (std::size_t index = 0; index < 20; ++index) text += rows(1, index) + (index % 4 == 0 ? "e,x,1\n" : "");
  expect_same_split(text, limits);
  limits.error_limit = 20;
  EXPECT_TRUE(expect_same_split(text, limits));
  EXPECT_EQ(read(text, 2, limits).error_count, 5u);
}

TEST(CsvSplitReading, UnterminatedQuoteNulAndTooLongRowInEitherHalf) {
  CsvReaderLimits limits;
  limits.max_row_bytes = 64;
  for (const std::string& special : {std::string("\"never closed,1,2\n"), std::string("nul\0here,1,2\n", 13),
                                    std::string("long ") + std::string(80, 'x') + ",1,2\n"}) {
    around_the_middle("", special, [&](const std::string& text) { expect_same_split(text, limits); });
  }
}

TEST(CsvSplitReading, HeaderColumnsAndDetectedDelimiter) {
  around_the_middle("lon;id;lat\n", "\"semi;colon\";5;6\n", [](const std::string& text) {
    std::string semicolons = text;
    for (char& c : semicolons) c = c == ',' ? ';' : c;
    expect_same_split(semicolons);
  });
}

TEST(CsvSplitReading, RowNumberNamesAreReadInOrder) {
  CsvOptions options;
  options.columns = ColumnChoice{std::string(ColumnChoice::row_number), "lat", "lon"};
  const std::string text = "lat,lon\n" + std::string("1,2\n3,4\n5,6\n7,8\n");
  EXPECT_FALSE(expect_same_split(text, {}, options));
}

TEST(CsvSplitReading, StreamedInputIsReadWholeThenSplit) {
  const std::string text = rows(50, 0) + "bad,x,1\n" + rows(50, 60);
  CsvReaderLimits limits;
  limits.split_from_bytes = 0;
  limits.block_bytes = 7;
  CsvLocationReader in_order(std::make_unique<testing::ChunkedSource>(text, 5), "s.csv", limits);
  CsvLocationReader split(std::make_unique<testing::ChunkedSource>(text, 5), "s.csv", limits);
  LocationTable expected;
  LocationTable actual;
  in_order.read_rest_into(expected, 1);
  split.read_rest_into(actual, 2);
  EXPECT_TRUE(split.read_in_halves());
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t index = 0; index < actual.size(); ++index) EXPECT_EQ(actual.at(index), expected.at(index));
  EXPECT_EQ(split.diagnostics(), in_order.diagnostics());
  ASSERT_EQ(split.diagnostics().size(), 1u);
  EXPECT_EQ(split.diagnostics()[0].line, 51u);
}

}  // namespace
}  // namespace dm
