#include "distance_matrix/input/csv_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "support/chunked_source.hpp"
#include "support/random_locations.hpp"
#include "support/read_result.hpp"

namespace dm {

// Readable failure messages instead of byte dumps.
void PrintTo(const Location& location, std::ostream* out) {
  *out << '{' << ::testing::PrintToString(location.name) << ", " << location.latitude << ", "
       << location.longitude << '}';
}
void PrintTo(const Diagnostic& diagnostic, std::ostream* out) {
  *out << ::testing::PrintToString(diagnostic.to_string());
}

namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr const char* test_file = "input.csv";

using testing::ReadResult;

/// How a test takes the reader's locations: one Location at a time, or
/// appended to a LocationTable (next_into, as read_all and the tool do).
enum class Taking { next, into_table };

ReadResult read_everything(CsvLocationReader& reader, Taking taking = Taking::next) {
  ReadResult result;
  if (taking == Taking::next) {
    while (std::optional<Location> location = reader.next()) result.locations.push_back(*location);
  } else {
    LocationTable table;
    std::size_t appended = 0;
    while (reader.next_into(table)) {
      ++appended;
      EXPECT_EQ(table.size(), appended) << "one location appended per call";
    }
    for (std::size_t index = 0; index < table.size(); ++index) result.locations.push_back(table.at(index));
    LocationTable untouched;
    EXPECT_FALSE(reader.next_into(untouched)) << "the reader stays at the end";
    EXPECT_TRUE(untouched.empty());
  }
  result.diagnostics = reader.diagnostics();
  result.error_count = reader.error_count();
  EXPECT_EQ(reader.has_errors(), result.error_count > 0);
  EXPECT_FALSE(reader.next().has_value()) << "the reader stays at the end";
  return result;
}

/// `text` streamed through a source that yields `piece` bytes per read, into
/// a reader that asks for `block` bytes at a time.
ReadResult read_streamed(std::string_view text, std::size_t piece, std::size_t block,
                         CsvReaderLimits limits = {}, Taking taking = Taking::next) {
  limits.block_bytes = block;
  CsvLocationReader reader(std::make_unique<testing::ChunkedSource>(text, piece), test_file, limits);
  return read_everything(reader, taking);
}

/// Every location and diagnostic of `text`, read row by row as the executors
/// do, from memory; and checks that streaming it in pieces of every small
/// size gives exactly the same, wherever the pieces split the rows.
ReadResult read_text(std::string_view text,
                     std::size_t error_limit = CsvLocationReader::default_error_limit) {
  CsvLocationReader reader(std::string(text), test_file, error_limit);
  const ReadResult result = read_everything(reader);
  CsvReaderLimits limits;
  limits.error_limit = error_limit;
  CsvLocationReader into_table(std::string(text), test_file, error_limit);
  EXPECT_EQ(read_everything(into_table, Taking::into_table), result)
      << "next_into: " << ::testing::PrintToString(std::string(text));
  for (const std::size_t piece : {1, 2, 3, 5, 8, 64}) {
    for (const Taking taking : {Taking::next, Taking::into_table}) {
      EXPECT_EQ(read_streamed(text, piece, CsvReaderLimits::default_block_bytes, limits, taking), result)
          << "pieces of " << piece << " bytes: " << ::testing::PrintToString(std::string(text));
      EXPECT_EQ(read_streamed(text, text.size() + 1, piece, limits, taking), result)
          << "blocks of " << piece << " bytes: " << ::testing::PrintToString(std::string(text));
    }
  }
  return result;
}

Diagnostic at_line(std::size_t line, std::string message) {
  return {test_file, line, std::move(message)};
}

/// The single diagnostic of a one-row input, or a failure.
Diagnostic only_problem(std::string_view text) {
  const ReadResult result = read_text(text);
  EXPECT_THAT(result.locations, IsEmpty()) << text;
  EXPECT_EQ(result.error_count, 1u) << text;
  if (result.diagnostics.size() != 1) return {};
  return result.diagnostics.front();
}

std::string message_for(std::string_view text) { return only_problem(text).message; }

const Location boston{"boston", 42.364758, -71.067421};
const Location paris{"Paris", 48.8566, 2.3522};

// ---------------------------------------------------------------- accepted input

TEST(CsvReaderAccepts, PlainRows) {
  const ReadResult result = read_text("boston,42.364758,-71.067421\nParis,48.8566,2.3522\n");
  EXPECT_THAT(result.locations, ElementsAre(boston, paris));
  EXPECT_THAT(result.diagnostics, IsEmpty());
  EXPECT_EQ(result.error_count, 0u);
}

// Rows with 64 bytes after their start in memory take the reader's plain-row
// path (src/input/plain_row.hpp), the others and streamed pieces the general
// scanner: the same locations and diagnostics either way. The padding rows
// at the end keep every row before them 64 bytes from the text's end.
TEST(CsvReaderAccepts, PlainAndOtherRowsAlikeWithRoomAfterThem) {
  const std::string name_of_58(58, 'h');  // its row is 63 bytes before the line end
  const std::string name_of_59(59, 'i');  // 64: the line end is past the 64 bytes looked at
  std::string padding;
  for (int row = 0; row < 12; ++row) padding += "z,0,0\n";
  const ReadResult result = read_text(
      "a,1,2\n"                     // line 1
      "  b , 3\t, 4 \n"             // 2: blanks around the fields
      "c,5,6\r\n"                   // 3: CRLF
      " \t\r\n"                     // 4: blanks only: no row
      " , , \n"                     // 5: three empty fields
      "d,7\n"                       // 6: two fields
      "e,8,9,10\n"                  // 7: four
      "\"f, g\",10,11\n"            // 8: quoted
      + name_of_58 + ",1,2\n" +     // 9
      name_of_59 + ",3,4\n" +       // 10
      "j,1e1,+2\n"                  // 11: for from_chars
      "k,-0.0,0.5\n"                // 12
      "l,9O,1\n"                    // 13: a letter O
      + padding);
  std::vector<Location> expected{{"a", 1, 2}, {"b", 3, 4},       {"c", 5, 6},  {"f, g", 10, 11},
                                 {name_of_58, 1, 2}, {name_of_59, 3, 4}, {"j", 10, 2}, {"k", -0.0, 0.5}};
  for (int row = 0; row < 12; ++row) expected.push_back({"z", 0, 0});
  EXPECT_EQ(result.locations, expected);
  EXPECT_TRUE(std::signbit(result.locations[7].latitude));
  EXPECT_THAT(result.diagnostics,
              ElementsAre(at_line(5, "name is empty"),
                          at_line(6, "expected 3 fields (name,latitude,longitude), found 2"),
                          at_line(7, "expected 3 fields (name,latitude,longitude), found 4"),
                          at_line(13, "latitude \"9O\" is not a number")));
}

TEST(CsvReaderAccepts, SpacesAndTabsAroundFields) {
  EXPECT_THAT(read_text("  boston ,\t42.364758 , \t-71.067421\t \n").locations, ElementsAre(boston));
  EXPECT_THAT(read_text("ann arbor, 42.279594, -83.732124\n").locations,
              ElementsAre(Location{"ann arbor", 42.279594, -83.732124}));
}

TEST(CsvReaderAccepts, CrlfLineEndsAndALastRowWithoutNewline) {
  EXPECT_THAT(read_text("boston,42.364758,-71.067421\r\nParis,48.8566,2.3522\r\n").locations,
              ElementsAre(boston, paris));
  EXPECT_THAT(read_text("boston,42.364758,-71.067421\nParis,48.8566,2.3522").locations,
              ElementsAre(boston, paris));
  EXPECT_THAT(read_text("boston,42.364758,-71.067421\r\nParis,48.8566,2.3522\r").locations,
              ElementsAre(boston, paris));
  EXPECT_THAT(read_text("boston , 42.364758 , -71.067421 \r\n").locations, ElementsAre(boston));
}

TEST(CsvReaderAccepts, Utf8ByteOrderMark) {
  EXPECT_THAT(read_text("\xEF\xBB\xBF" "boston,42.364758,-71.067421\n").locations, ElementsAre(boston));
  EXPECT_THAT(read_text("\xEF\xBB\xBF" "name,lat,lon\nboston,42.364758,-71.067421\n").locations,
              ElementsAre(boston));
  // Only at the very start: elsewhere the bytes are part of a name.
  EXPECT_THAT(read_text("a,1,2\n\xEF\xBB\xBF" "b,3,4\n").locations,
              ElementsAre(Location{"a", 1, 2}, Location{"\xEF\xBB\xBF" "b", 3, 4}));
}

TEST(CsvReaderAccepts, QuotedNamesWithCommasQuotesAndLineBreaks) {
  const ReadResult result = read_text(
      "\"Washington, D.C.\",38.9072,-77.0369\n"
      "\"The \"\"Big\"\" Apple\",40.7128,-74.006\n"
      "\"two\nlines\",1,2\n"
      "\"crlf\r\ninside\",3,4\r\n"
      "\"\"\"\",5,6\n"
      "\"plain\",7,8\n");
  EXPECT_THAT(result.locations, ElementsAre(Location{"Washington, D.C.", 38.9072, -77.0369},
                                            Location{"The \"Big\" Apple", 40.7128, -74.006},
                                            Location{"two\nlines", 1, 2}, Location{"crlf\r\ninside", 3, 4},
                                            Location{"\"", 5, 6}, Location{"plain", 7, 8}));
  EXPECT_THAT(result.diagnostics, IsEmpty());
}

TEST(CsvReaderAccepts, BlanksOutsideQuotesAreTrimmedAndInsideKept) {
  EXPECT_THAT(read_text("  \" padded \"  , 1, 2\n").locations, ElementsAre(Location{" padded ", 1, 2}));
  EXPECT_THAT(read_text("\"a\"\t,1,2\r\n").locations, ElementsAre(Location{"a", 1, 2}));
}

TEST(CsvReaderAccepts, BlankAndWhitespaceOnlyLines) {
  const ReadResult result =
      read_text("\n\nboston,42.364758,-71.067421\n   \n\t\n \t \r\n\r\nParis,48.8566,2.3522\n\n  ");
  EXPECT_THAT(result.locations, ElementsAre(boston, paris));
  EXPECT_THAT(result.diagnostics, IsEmpty());
}

TEST(CsvReaderAccepts, DuplicateAndNonAsciiNames) {
  EXPECT_THAT(read_text("Springfield,39.8,-89.6\nSpringfield,39.8,-89.6\nSão Paulo,-23.55,-46.63\n"
                        "Zürich,47.37,8.54\n東京,35.68,139.69\n")
                  .locations,
              ElementsAre(Location{"Springfield", 39.8, -89.6}, Location{"Springfield", 39.8, -89.6},
                          Location{"São Paulo", -23.55, -46.63}, Location{"Zürich", 47.37, 8.54},
                          Location{"東京", 35.68, 139.69}));
}

TEST(CsvReaderAccepts, NumberForms) {
  EXPECT_THAT(read_text("a,+42.5,+0\n").locations, ElementsAre(Location{"a", 42.5, 0}));
  EXPECT_THAT(read_text("a,4.25e1,-1.5E2\n").locations, ElementsAre(Location{"a", 42.5, -150}));
  EXPECT_THAT(read_text("a,.5,5.\n").locations, ElementsAre(Location{"a", 0.5, 5}));
  EXPECT_THAT(read_text("a,\"42.1\", \" -7 \" \n").locations, ElementsAre(Location{"a", 42.1, -7}));
  EXPECT_THAT(read_text("a,0042,-0000.25\n").locations, ElementsAre(Location{"a", 42, -0.25}));
}

TEST(CsvReaderAccepts, ParsesDecimalsToTheNearestDouble) {
  // The compiler rounds these literals correctly, as from_chars must.
  const ReadResult result = read_text("a,41.499320000000004,-117.22864779999999\n");
  EXPECT_THAT(result.locations, ElementsAre(Location{"a", 41.499320000000004, -117.22864779999999}));
}

TEST(CsvReaderAccepts, TheBoundsOfBothRanges) {
  EXPECT_THAT(read_text("a,90,180\nb,-90,-180\nc,-0,-0.0\n").locations,
              ElementsAre(Location{"a", 90, 180}, Location{"b", -90, -180}, Location{"c", 0, 0}));
}

TEST(CsvReaderAccepts, ValuesTooSmallForADoubleAsZero) {
  const ReadResult result = read_text("a,1e-400,-0.0000000000000000000000000000000000000000000000000000"
                                      "0000000000000000000000000000000000000000000000000000000000000000"
                                      "0000000000000000000000000000000000000000000000000000000000000000"
                                      "0000000000000000000000000000000000000000000000000000000000000000"
                                      "0000000000000000000000000000000000000000000000000000000000000000"
                                      "00000000000000000000000000000001\n");
  ASSERT_THAT(result.diagnostics, IsEmpty());
  ASSERT_EQ(result.locations.size(), 1u);
  EXPECT_EQ(result.locations[0].latitude, 0.0);
  EXPECT_EQ(result.locations[0].longitude, 0.0);
  EXPECT_TRUE(std::signbit(result.locations[0].longitude));
}

TEST(CsvReaderAccepts, ZeroOrOneLocation) {
  for (const char* empty : {"", "\n", "  \r\n\n", "\xEF\xBB\xBF", "name,latitude,longitude\n"}) {
    const ReadResult result = read_text(empty);
    EXPECT_THAT(result.locations, IsEmpty()) << empty;
    EXPECT_THAT(result.diagnostics, IsEmpty()) << empty;
  }
  EXPECT_THAT(read_text("boston,42.364758,-71.067421").locations, ElementsAre(boston));
  EXPECT_EQ(parse_locations("").size(), 0u);
}

TEST(CsvReaderAccepts, WhatTheCsvWriterQuotes) {
  // Names the writer quotes (commas, quotes, edge blanks) must come back unchanged.
  const std::vector<Location> locations = testing::random_locations(200, 42);
  const LocationTable table = parse_locations(testing::to_csv(locations));
  ASSERT_EQ(table.size(), locations.size());
  for (std::size_t index = 0; index < locations.size(); ++index) {
    EXPECT_EQ(table.at(index), locations[index]) << index;
  }
  EXPECT_THAT(read_text(csv_field(" edge blanks ") + ",1,2\n").locations,
              ElementsAre(Location{" edge blanks ", 1, 2}));
}

// ---------------------------------------------------------------- header

TEST(CsvReaderHeader, IsSkippedWhenFirstRowCoordinatesAreNotNumbers) {
  for (const char* header : {"name,lat,lon", "city,latitude,longitude", " Name , Latitude , Longitude ",
                             "\"name\",\"lat\",\"lon\"", ",lat,lon"}) {
    const ReadResult result = read_text(std::string(header) + "\r\nboston,42.364758,-71.067421\n");
    EXPECT_THAT(result.locations, ElementsAre(boston)) << header;
    EXPECT_THAT(result.diagnostics, IsEmpty()) << header;
  }
}

TEST(CsvReaderHeader, MayFollowBlankLines) {
  const ReadResult result = read_text("\n  \nname,lat,lon\nboston,42.364758,-71.067421\n");
  EXPECT_THAT(result.locations, ElementsAre(boston));
  EXPECT_THAT(result.diagnostics, IsEmpty());
}

TEST(CsvReaderHeader, IsOnlyTheFirstRow) {
  const ReadResult result = read_text("boston,42.364758,-71.067421\nname,lat,lon\n");
  EXPECT_THAT(result.locations, ElementsAre(boston));
  EXPECT_THAT(result.diagnostics, ElementsAre(at_line(2, "latitude \"lat\" is not a number")));

  EXPECT_THAT(read_text("name,lat,lon\nname,lat,lon\n").diagnostics,
              ElementsAre(at_line(2, "latitude \"lat\" is not a number")));
}

TEST(CsvReaderHeader, NeedsBothCoordinatesToBeNonNumbers) {
  EXPECT_THAT(read_text("name,lat,5\n").diagnostics,
              ElementsAre(at_line(1, "latitude \"lat\" is not a number")));
  EXPECT_THAT(read_text("name,5,lon\n").diagnostics,
              ElementsAre(at_line(1, "longitude \"lon\" is not a number")));
  EXPECT_THAT(read_text("name,nan,inf\n").diagnostics,
              ElementsAre(at_line(1, "latitude nan is not a finite number")));
  EXPECT_THAT(read_text("name,,\n").diagnostics, ElementsAre(at_line(1, "latitude is empty")));
}

TEST(CsvReaderHeader, IsOnlyARowWhoseCoordinatesHoldNoDigit) {
  // Issue 5, case 4: a mistyped first location used to be dropped as a header.
  const ReadResult paris_row = read_text("Paris,48.85N,2.35E\nboston,42.364758,-71.067421\n");
  EXPECT_THAT(paris_row.locations, ElementsAre(boston));
  EXPECT_THAT(paris_row.diagnostics, ElementsAre(at_line(1, "latitude \"48.85N\" is not a number")));

  EXPECT_THAT(read_text("Paris,N48.85,E2.35\n").diagnostics,
              ElementsAre(at_line(1, "latitude \"N48.85\" is not a number")));
  EXPECT_THAT(read_text("name,lat1,lon1\n").diagnostics,
              ElementsAre(at_line(1, "latitude \"lat1\" is not a number")));
  EXPECT_THAT(read_text("Paris,forty-eight,2°21'E\n").diagnostics,
              ElementsAre(at_line(1, "latitude \"forty-eight\" is not a number")));
  EXPECT_THAT(read_text("\n\nParis,48°51'N,lon\n").diagnostics,
              ElementsAre(at_line(3, "latitude \"48°51'N\" is not a number")));
}

TEST(CsvReaderHeader, OfColumnTitlesIsSkippedBeforeTheBundledData) {
  for (const char* header : {"name,latitude,longitude", "name,lat,lng", "city,latitude,longitude",
                             "Name,Latitude (°),Longitude (°)"}) {
    std::ifstream file(std::string(DM_DATA_DIR) + "/five_locations.csv", std::ios::binary);
    const std::string data{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    const ReadResult result = read_text(std::string(header) + "\n" + data);
    EXPECT_THAT(result.diagnostics, IsEmpty()) << header;
    ASSERT_EQ(result.locations.size(), 5u) << header;
    EXPECT_EQ(result.locations.front(), (Location{"Marysville", 48.0517637, -122.1770818})) << header;
  }
}

TEST(CsvReaderHeader, AnInvalidFirstRowIsAnErrorNotAHeader) {
  const ReadResult result = read_text("name,latitude\nlat,lon,x\nboston,42.364758,-71.067421\n");
  EXPECT_THAT(result.locations, ElementsAre(boston));
  EXPECT_THAT(result.diagnostics,
              ElementsAre(at_line(1, "expected 3 fields (name,latitude,longitude), found 2"),
                          at_line(2, "latitude \"lon\" is not a number")));
}

// ---------------------------------------------------------------- columns (issue 17)

/// Reads `text` with `options`, in memory and streamed in small pieces; both must agree.
ReadResult read_with(std::string_view text, const CsvOptions& options) {
  CsvLocationReader reader(std::string(text), test_file, options);
  const ReadResult result = read_everything(reader);
  for (const std::size_t piece : {std::size_t{1}, std::size_t{7}}) {
    CsvLocationReader streamed(std::make_unique<testing::ChunkedSource>(text, piece), test_file,
                               CsvReaderLimits{}, options);
    EXPECT_EQ(read_everything(streamed), result) << "pieces of " << piece << " bytes";
    CsvLocationReader into_table(std::make_unique<testing::ChunkedSource>(text, piece), test_file,
                                 CsvReaderLimits{}, options);
    EXPECT_EQ(read_everything(into_table, Taking::into_table), result) << "next_into, pieces of " << piece;
  }
  return result;
}

CsvOptions columns(std::string name, std::string latitude, std::string longitude) {
  return CsvOptions{std::nullopt, ColumnChoice{std::move(name), std::move(latitude), std::move(longitude)}, "name"};
}

// As above (PlainAndOtherRowsAlike...), with a blank delimiter.
TEST(CsvReaderAccepts, TabSeparatedRowsAndBlankLinesWithRoomAfterThem) {
  std::string padding;
  for (int row = 0; row < 12; ++row) padding += "z\t0\t0\n";
  const ReadResult result = read_with("a\t1\t2\n\t\t\n \t \t \r\n b \t 3 \t 4\n" + padding,
                                      CsvOptions{'\t', std::nullopt, "name"});
  std::vector<Location> expected{{"a", 1, 2}, {"b", 3, 4}};
  for (int row = 0; row < 12; ++row) expected.push_back({"z", 0, 0});
  EXPECT_EQ(result.locations, expected);
  EXPECT_THAT(result.diagnostics, IsEmpty());
}

TEST(CsvReaderColumns, AreFoundByTheHeadersTitlesAndOthersIgnored) {
  const ReadResult result = read_text(
      "geonameid,name,country,latitude,longitude,population\n"
      "2988507,Paris,FR,48.8566,2.3522,2138551\n"
      "4930956,boston,US,42.364758,-71.067421,\n");
  EXPECT_THAT(result.locations, ElementsAre(paris, boston));
  EXPECT_THAT(result.diagnostics, IsEmpty());
}

TEST(CsvReaderColumns, TitlesAreCaseInsensitiveTrimmedInAnyOrder) {
  for (const char* header : {"LNG , Lat , City", "\"x\",\"y\",\"label\"", " Longitude , LATITUDE , Id ",
                             "long,lat,name"}) {
    const ReadResult result = read_text(std::string(header) + "\n2.3522,48.8566,Paris\n");
    EXPECT_THAT(result.locations, ElementsAre(paris)) << header;
    EXPECT_THAT(result.diagnostics, IsEmpty()) << header;
  }
}

TEST(CsvReaderColumns, PreferNameOverCityLabelAndId) {
  EXPECT_THAT(read_text("id,label,city,name,lat,lon\n1,l,c,Paris,48.8566,2.3522\n").locations,
              ElementsAre(paris));
  EXPECT_THAT(read_text("id,label,lat,lon\n1,Paris,48.8566,2.3522\n").locations, ElementsAre(paris));
  EXPECT_THAT(read_text("id,lat,lon,what\nParis,48.8566,2.3522,x\n").locations, ElementsAre(paris));
  EXPECT_THAT(read_text("place,y,x\nParis,48.8566,2.3522\n").locations, ElementsAre(paris))
      << "three columns, an unknown title first: today's name,lat,lng";
  // Latitude: lat before latitude before y.
  EXPECT_THAT(read_text("name,y,latitude,lat,lon\nParis,1,2,48.8566,2.3522\n").locations, ElementsAre(paris));
}

TEST(CsvReaderColumns, AHeaderWithoutANameColumnIsAnError) {
  const ReadResult result = read_text("lat,lon,population\n48.8566,2.3522,5\n");
  EXPECT_THAT(result.locations, IsEmpty());
  EXPECT_THAT(result.diagnostics,
              ElementsAre(at_line(1, "the header has no name column (name, city, label or id) among lat, lon, "
                                     "population: choose one with --columns NAME,LAT,LON, or - to name each "
                                     "location by its row number")));
}

TEST(CsvReaderColumns, RowsMustHaveTheHeadersFieldCount) {
  const ReadResult result = read_text("name,country,lat,lon\nParis,FR,48.8566,2.3522\nboston,42.364758,-71.067421\n");
  EXPECT_THAT(result.locations, ElementsAre(paris));
  EXPECT_THAT(result.diagnostics, ElementsAre(at_line(3, "expected 4 fields, as in the first row, found 3")));
}

TEST(CsvReaderColumns, MessagesNameTheColumnsRead) {
  EXPECT_THAT(read_text("id,name,lat,lon\n1,Paris,north,2\n2,,1,2\n3,\"a\"b,1,2\n").diagnostics,
              ElementsAre(at_line(2, "latitude \"north\" is not a number"), at_line(3, "name is empty"),
                          at_line(4, "unexpected text after the closing quote of name \"a\"b: only blanks, a comma "
                                     "or the end of the line may follow it")));
}

TEST(CsvReaderColumns, ChosenByTitleOrNumber) {
  const std::string text = "code,town,lat_deg,lon_deg\nA,Paris,48.8566,2.3522\nB,boston,42.364758,-71.067421\n";
  EXPECT_THAT(read_with(text, columns("town", "lat_deg", "lon_deg")).locations, ElementsAre(paris, boston));
  EXPECT_THAT(read_with(text, columns(" TOWN ", "3", "4")).locations, ElementsAre(paris, boston));
  EXPECT_THAT(read_with(text, columns("2", "3", "4")).locations, ElementsAre(paris, boston))
      << "a first row of titles is a header also when the columns are numbers";
  EXPECT_THAT(read_with("Paris,48.8566,2.3522\n", columns("1", "2", "3")).locations, ElementsAre(paris));
  EXPECT_THAT(read_with("x,2.3522,48.8566,Paris\n", columns("4", "3", "2")).locations, ElementsAre(paris))
      << "numbers without a header";
}

TEST(CsvReaderColumns, DashNamesEachLocationByItsRowNumber) {
  const ReadResult result =
      read_with("lat,lon\n48.8566,2.3522\n91,0\n42.364758,-71.067421\n", columns("-", "lat", "lon"));
  EXPECT_THAT(result.locations,
              ElementsAre(Location{"1", 48.8566, 2.3522}, Location{"3", 42.364758, -71.067421}));
  EXPECT_THAT(result.diagnostics, ElementsAre(at_line(3, "latitude 91 is outside [-90, 90]")));
  EXPECT_THAT(read_with("48.8566,2.3522\n", columns("-", "1", "2")).locations,
              ElementsAre(Location{"1", 48.8566, 2.3522}));
}

TEST(CsvReaderColumns, AColumnAskedForAndMissingListsTheColumnsFound) {
  const ReadResult missing = read_with("name,lat,lon\nParis,48.8566,2.3522\n", columns("name", "latitude", "lon"));
  EXPECT_THAT(missing.locations, IsEmpty());
  EXPECT_THAT(missing.diagnostics,
              ElementsAre(at_line(1, "column \"latitude\" is not in the header: the columns found are name, lat, lon")));
  EXPECT_THAT(read_with("Paris,48.8566,2.3522\n", columns("1", "2", "4")).diagnostics,
              ElementsAre(at_line(1, "column 4 does not exist: the first row has 3 columns (Paris, 48.8566, "
                                     "2.3522), numbered from 1")));
  EXPECT_THAT(read_with("Paris,48.8566,2.3522\n", columns("0", "2", "3")).diagnostics,
              ElementsAre(at_line(1, "column 0 does not exist: the first row has 3 columns (Paris, 48.8566, "
                                     "2.3522), numbered from 1")));
}

TEST(CsvReaderColumns, ChoiceIsParsedFromTheOptionsText) {
  EXPECT_EQ(parse_column_choice("city, lat ,3"), (ColumnChoice{"city", "lat", "3"}));
  EXPECT_EQ(parse_column_choice("-,1,2"), (ColumnChoice{"-", "1", "2"}));
  for (const char* wrong : {"", "a,b", "a,b,c,d", "a,,c", "a,-,c", "a,b,-"}) {
    EXPECT_EQ(parse_column_choice(wrong), std::nullopt) << wrong;
  }
}

// ---------------------------------------------------------------- delimiters (issue 17)

TEST(CsvReaderDelimiter, IsDetectedFromTheFirstRow) {
  EXPECT_THAT(read_text("Paris;48.8566;2.3522\nboston;42.364758;-71.067421\n").locations, ElementsAre(paris, boston));
  EXPECT_THAT(read_text("name;country;lat;lon\nParis;FR;48.8566;2.3522\n").locations, ElementsAre(paris));
  EXPECT_THAT(read_text("name\tlat\tlon\nParis\t48.8566\t2.3522\n\"boston\" \t 42.364758\t-71.067421\n").locations,
              ElementsAre(paris, boston));
  EXPECT_THAT(read_text("Washington, D.C.\t38.9072\t-77.0369\n").locations,
              ElementsAre(Location{"Washington, D.C.", 38.9072, -77.0369}));
  EXPECT_THAT(read_text("\"Paris; France\",48.8566,2.3522\n").locations,
              ElementsAre(Location{"Paris; France", 48.8566, 2.3522}))
      << "delimiters inside quotes do not count";
}

TEST(CsvReaderDelimiter, TabsKeepEmptyFields) {
  EXPECT_THAT(read_text("Paris\t\t2.3522\n").diagnostics, ElementsAre(at_line(1, "latitude is empty")));
  EXPECT_THAT(read_text("name\tid\tlat\tlon\nParis\t\t48.8566\t2.3522\n").locations, ElementsAre(paris));
}

TEST(CsvReaderDelimiter, CanBeChosen) {
  EXPECT_THAT(read_with("Paris;x\t48.8566\t2.3522\n", CsvOptions{'\t', std::nullopt, "name"}).locations,
              ElementsAre(Location{"Paris;x", 48.8566, 2.3522}));
  EXPECT_THAT(read_with("a;b,48.8566,2.3522\n", CsvOptions{',', std::nullopt, "name"}).locations,
              ElementsAre(Location{"a;b", 48.8566, 2.3522}));
  EXPECT_EQ(parse_delimiter(";"), ';');
  EXPECT_EQ(parse_delimiter("tab"), '\t');
  EXPECT_EQ(parse_delimiter("comma"), ',');
  EXPECT_EQ(parse_delimiter("|"), std::nullopt);
}

TEST(CsvReaderDelimiter, DecimalCommasAreRefusedNeverMisread) {
  const ReadResult result = read_text("Paris;48,8566;2,3522\nboston;42.364758;-71.067421\n");
  EXPECT_THAT(result.locations, ElementsAre(boston));
  EXPECT_THAT(result.diagnostics,
              ElementsAre(at_line(1, "latitude \"48,8566\" has a decimal comma: only a decimal point is allowed "
                                     "(48.8566)")));
  EXPECT_EQ(message_for("name;lat;lon\nboston;42.364758;-71,067421\n"),
            "longitude \"-71,067421\" has a decimal comma: only a decimal point is allowed (-71.067421)");
  EXPECT_EQ(message_for("a,\"48,85\",2\n"),
            "latitude \"48,85\" has a decimal comma: only a decimal point is allowed (48.85)");
  EXPECT_EQ(message_for("a;1,2,3;2\n"), "latitude \"1,2,3\" is not a number");
}

// ---------------------------------------------------------------- GeoJSON (issue 17)

constexpr std::string_view paris_feature =
    R"({"type": "Feature", "properties": {"name": "Paris", "pop": 2138551}, )"
    R"("geometry": {"type": "Point", "coordinates": [2.3522, 48.8566]}})";
constexpr std::string_view boston_feature =
    R"({"geometry": {"coordinates": [-71.067421, 42.364758, 10.5], "type": "Point"}, )"
    R"("type": "Feature", "properties": {"name": "boston"}})";

TEST(CsvReaderGeoJson, ReadsAFeatureCollectionInLongitudeLatitudeOrder) {
  const std::string collection = "\xEF\xBB\xBF\n {\"type\": \"FeatureCollection\", \"features\": [\n  " +
                                 std::string(paris_feature) + ",\n  " + std::string(boston_feature) + "\n]}\n";
  const ReadResult result = read_with(collection, CsvOptions{});
  EXPECT_THAT(result.locations, ElementsAre(paris, boston));
  EXPECT_THAT(result.diagnostics, IsEmpty());
}

TEST(CsvReaderGeoJson, ReadsOneFeaturePerLine) {
  const std::string lines = std::string(paris_feature) + "\n\n" + std::string(boston_feature) + "\n";
  EXPECT_THAT(read_with(lines, CsvOptions{}).locations, ElementsAre(paris, boston));
  EXPECT_THAT(read_with(std::string(paris_feature), CsvOptions{}).locations, ElementsAre(paris));
}

TEST(CsvReaderGeoJson, NamesComeFromTheChosenProperty) {
  CsvOptions options;
  options.name_property = "pop";
  const std::string text = std::string(paris_feature) + "\n" + std::string(boston_feature) + "\n";
  const ReadResult result = read_with(text, options);
  EXPECT_THAT(result.locations, ElementsAre(Location{"2138551", 48.8566, 2.3522}));
  EXPECT_THAT(result.diagnostics,
              ElementsAre(at_line(2, "feature 1 has no \"pop\" property (a string or a number): choose another with "
                                     "--name-property")));
}

TEST(CsvReaderGeoJson, RefusesOtherGeometriesAndMissingCoordinatesByFeatureIndex) {
  const std::string text =
      "{\"type\": \"FeatureCollection\", \"features\": [\n"
      R"( {"type": "Feature", "properties": {"name": "A"}, "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}},)"
      "\n"
      R"( {"type": "Feature", "properties": {"name": "B"}, "geometry": {"type": "Point"}},)"
      "\n"
      R"( {"type": "Feature", "properties": {"name": "C"}, "geometry": {"type": "Point", "coordinates": [0]}},)"
      "\n"
      R"( {"type": "Feature", "properties": {"name": "D"}, "geometry": null},)"
      "\n"
      R"( {"type": "Feature", "properties": {"name": "E"}, "geometry": {"type": "Point", "coordinates": [181, 0]}},)"
      "\n"
      R"( {"type": "Feature", "properties": {"name": "F"}, "geometry": {"type": "Point", "coordinates": ["2", "48"]}},)"
      "\n" +
      std::string(paris_feature) + "\n]}";
  const ReadResult result = read_with(text, CsvOptions{});
  EXPECT_THAT(result.locations, ElementsAre(paris));
  EXPECT_THAT(result.diagnostics,
              ElementsAre(at_line(2, "feature 0 is a LineString: only Point geometries are read"),
                          at_line(3, "feature 1 has no coordinates: a Point needs [longitude, latitude]"),
                          at_line(4, "feature 2 has 1 coordinates: a Point needs [longitude, latitude]"),
                          at_line(5, "feature 3 has no geometry: only Point features are read"),
                          at_line(6, "feature 4: longitude 181 is outside [-180, 180]"),
                          at_line(7, "feature 5: coordinates must be numbers, [longitude, latitude]")));
}

TEST(CsvReaderGeoJson, MalformedJsonIsOneError) {
  const ReadResult result = read_with("{\"type\": \"FeatureCollection\", \"features\": [\n" + std::string(paris_feature) +
                                          ",\n {\"type\": \"Feat",
                                      CsvOptions{});
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_THAT(result.diagnostics.front().message, ::testing::StartsWith("not valid GeoJSON: "));
  EXPECT_THAT(read_with(R"({"type": "Polygon", "coordinates": []})", CsvOptions{}).diagnostics,
              ElementsAre(at_line(1, "the JSON has \"type\": \"Polygon\": a FeatureCollection, or one Feature per "
                                     "line, is expected")));
}

// ---------------------------------------------------------------- refused input

TEST(CsvReaderRefuses, CoordinatesOutsideTheirRange) {
  EXPECT_EQ(message_for("a,91.5,0\n"), "latitude 91.5 is outside [-90, 90]");
  EXPECT_EQ(message_for("a,-90.000001,0\n"), "latitude -90.000001 is outside [-90, 90]");
  EXPECT_EQ(message_for("a,+90.5,0\n"), "latitude +90.5 is outside [-90, 90]");
  EXPECT_EQ(message_for("a,1e400,0\n"), "latitude 1e400 is outside [-90, 90]");
  EXPECT_EQ(message_for("a,0,-181\n"), "longitude -181 is outside [-180, 180]");
  EXPECT_EQ(message_for("a,0,180.5\n"), "longitude 180.5 is outside [-180, 180]");
  EXPECT_EQ(message_for("a,0,\"200\"\n"), "longitude 200 is outside [-180, 180]");
  EXPECT_EQ(message_for("a,0,-1e309\n"), "longitude -1e309 is outside [-180, 180]");
}

TEST(CsvReaderRefuses, NonFiniteNumbers) {
  EXPECT_EQ(message_for("a,nan,0\n"), "latitude nan is not a finite number");
  EXPECT_EQ(message_for("a,NaN,0\n"), "latitude NaN is not a finite number");
  EXPECT_EQ(message_for("a,-nan,0\n"), "latitude -nan is not a finite number");
  EXPECT_EQ(message_for("a,0,inf\n"), "longitude inf is not a finite number");
  EXPECT_EQ(message_for("a,0,-Infinity\n"), "longitude -Infinity is not a finite number");
  EXPECT_EQ(message_for("a,0,+inf\n"), "longitude +inf is not a finite number");
}

TEST(CsvReaderRefuses, TextThatIsNotANumber) {
  EXPECT_EQ(message_for("a,abc,0\n"), "latitude \"abc\" is not a number");
  EXPECT_EQ(message_for("a,12.5x,0\n"), "latitude \"12.5x\" is not a number");
  EXPECT_EQ(message_for("a,12.5 7,0\n"), "latitude \"12.5 7\" is not a number");
  EXPECT_EQ(message_for("a,1e,0\n"), "latitude \"1e\" is not a number");
  EXPECT_EQ(message_for("a,0x10,0\n"), "latitude \"0x10\" is not a number");
  EXPECT_EQ(message_for("a,+-5,0\n"), "latitude \"+-5\" is not a number");
  EXPECT_EQ(message_for("a,++5,0\n"), "latitude \"++5\" is not a number");
  EXPECT_EQ(message_for("a,+,0\n"), "latitude \"+\" is not a number");
  EXPECT_EQ(message_for("a,42°,0\n"), "latitude \"42°\" is not a number");
  EXPECT_EQ(message_for("a,0,12,5\n"), "expected 3 fields (name,latitude,longitude), found 4");
  EXPECT_EQ(message_for("a,0,-\n"), "longitude \"-\" is not a number");
}

TEST(CsvReaderRefuses, EmptyFields) {
  EXPECT_EQ(message_for("a,,0\n"), "latitude is empty");
  EXPECT_EQ(message_for("a, \t ,0\n"), "latitude is empty");
  EXPECT_EQ(message_for("a,0,\n"), "longitude is empty");
  EXPECT_EQ(message_for("a,0,\"\"\n"), "longitude is empty");
  EXPECT_EQ(message_for(",1,2\n"), "name is empty");
  EXPECT_EQ(message_for("   ,1,2\n"), "name is empty");
  EXPECT_EQ(message_for("\"\",1,2\n"), "name is empty");
  EXPECT_EQ(message_for(",,\n"), "name is empty");
}

TEST(CsvReaderRefuses, AWrongNumberOfFields) {
  EXPECT_EQ(message_for("boston\n"), "expected 3 fields (name,latitude,longitude), found 1");
  EXPECT_EQ(message_for("boston,42.364758\n"), "expected 3 fields (name,latitude,longitude), found 2");
  EXPECT_EQ(message_for("boston,42.364758,-71.067421,\n"),
            "expected 3 fields (name,latitude,longitude), found 4");
  // Issue 17: a semicolon file is read as one (CsvReaderDelimiter); with commas asked for, it is one field.
  EXPECT_THAT(read_with("a;1;2\n", CsvOptions{',', std::nullopt, "name"}).diagnostics,
              ElementsAre(at_line(1, "expected 3 fields (name,latitude,longitude), found 1")));
  EXPECT_EQ(message_for("\"a,b\",1\n"), "expected 3 fields (name,latitude,longitude), found 2");
}

TEST(CsvReaderRefuses, AnUnterminatedQuoteAtTheLineWhereTheFieldStarts) {
  const ReadResult result =
      read_text("boston,42.364758,-71.067421\n\n\"never closed,1,2\nParis,48.8566,2.3522\n");
  EXPECT_THAT(result.locations, ElementsAre(boston)) << "the rest of the input is inside the quote";
  EXPECT_THAT(result.diagnostics,
              ElementsAre(at_line(3, "unterminated quote in name: the quoted field starting here is never "
                                     "closed")));

  EXPECT_THAT(read_text("\"two\nlines\",1,\"2\n\n").diagnostics,
              ElementsAre(at_line(2, "unterminated quote in longitude: the quoted field starting here is "
                                     "never closed")));
}

TEST(CsvReaderRefuses, AQuoteInsideAnUnquotedField) {
  const ReadResult result = read_text("The \"Big\" Apple,40.7128,-74.006\nParis,48.8566,2.3522\n");
  EXPECT_THAT(result.locations, ElementsAre(paris));
  EXPECT_THAT(result.diagnostics,
              ElementsAre(at_line(1, "quote inside unquoted name The \"Big\" Apple: enclose the whole field "
                                     "in quotes and double each quote inside it")));
  EXPECT_EQ(message_for("a,4\"2,0\n"),
            "quote inside unquoted latitude 4\"2: enclose the whole field in quotes and double each quote "
            "inside it");
}

TEST(CsvReaderRefuses, TextAfterAClosingQuote) {
  const ReadResult result = read_text("\"Big\" Apple,40.7128,-74.006\nParis,48.8566,2.3522\n");
  EXPECT_THAT(result.locations, ElementsAre(paris));
  EXPECT_THAT(result.diagnostics,
              ElementsAre(at_line(1, "unexpected text after the closing quote of name \"Big\" Apple: only "
                                     "blanks, a comma or the end of the line may follow it")));
  EXPECT_EQ(message_for("a,\"1\"2,0\n"),
            "unexpected text after the closing quote of latitude \"1\"2: only blanks, a comma or the end of "
            "the line may follow it");
}

TEST(CsvReaderRefuses, NulBytes) {
  using namespace std::string_literals;
  const std::string nul_message = ": NUL bytes are not allowed (save UTF-16 files as UTF-8)";
  EXPECT_EQ(message_for("bo\0ston,1,2\n"s), "NUL byte in name" + nul_message);
  EXPECT_EQ(message_for("boston,1\0,2\n"s), "NUL byte in latitude" + nul_message);
  EXPECT_EQ(message_for("\"bo\0ston\",1,2\n"s), "NUL byte in name" + nul_message);
  EXPECT_EQ(message_for("\0\n"s), "NUL byte in name" + nul_message);

  // Binary data: reading stops at the first NUL, the rows after it are not looked at.
  const ReadResult result = read_text("boston,42.364758,-71.067421\n\0,\0,\0\nParis,48.8566,2.3522\nx,1\n"s);
  EXPECT_THAT(result.locations, ElementsAre(boston));
  EXPECT_THAT(result.diagnostics, ElementsAre(at_line(2, "NUL byte in name" + nul_message)));
}

TEST(CsvReaderRefuses, EndlessNulBytesAfterTheFirstBlock) {
  // /dev/zero: refused at its first byte, after one read.
  auto zeros = std::make_unique<testing::EndlessSource>(std::string(1, '\0'));
  const testing::EndlessSource& source = *zeros;
  CsvLocationReader reader(std::move(zeros), "/dev/zero");
  const ReadResult result = read_everything(reader);
  EXPECT_THAT(result.locations, IsEmpty());
  EXPECT_THAT(result.diagnostics, ElementsAre(Diagnostic{"/dev/zero", 1, "NUL byte in name: NUL bytes are not "
                                                                         "allowed (save UTF-16 files as UTF-8)"}));
  EXPECT_EQ(source.bytes_read(), CsvReaderLimits::default_block_bytes);
}

// The scanner looks for the end of an unquoted field 16 bytes at a time and
// checks names' UTF-8 8 ASCII bytes at a time: a stop byte at every offset of
// names up to 40 bytes, and names ending at every offset of the text's end.
TEST(CsvReaderRefuses, StopBytesAtEveryOffsetOfLongNames) {
  const std::string nul_message = ": NUL bytes are not allowed (save UTF-16 files as UTF-8)";
  for (std::size_t length = 1; length <= 40; ++length) {
    const std::string plain(length, 'n');
    ASSERT_EQ(read_text(plain + ",1,2").locations, (std::vector<Location>{{plain, 1, 2}}));
    ASSERT_EQ(read_text("a,1,2\n" + plain + "\xC3\xA9;x\ty,1,2\n").locations,
              (std::vector<Location>{{"a", 1, 2}, {plain + "\xC3\xA9;x\ty", 1, 2}}))
        << "a semicolon and a tab are no stop bytes with commas";
    for (std::size_t at = 1; at < length; ++at) {
      std::string quoted = plain;
      quoted[at] = '"';
      ASSERT_EQ(message_for(quoted + ",1,2\n"),
                "quote inside unquoted name " + quoted +
                    ": enclose the whole field in quotes and double each quote inside it");
      std::string nul = plain;
      nul[at] = '\0';
      ASSERT_EQ(message_for(nul + ",1,2\n"), "NUL byte in name" + nul_message);
      std::string latin1 = plain;
      latin1[at] = '\xE9';
      ASSERT_EQ(message_for("\n" + latin1 + ",1,2\n"),
                "name is not valid UTF-8: byte 0xE9 at column " + std::to_string(at + 1) +
                    " (byte offset in the line); convert the file to UTF-8, e.g. iconv -f latin1 -t utf-8");
    }
  }
}

// ---------------------------------------------------------------- row length limit

std::string too_long_at(std::size_t limit) {
  return "row longer than " + std::to_string(limit) +
         " bytes, the limit for one row: reading stopped here (a quote never closed? not a CSV file?)";
}

TEST(CsvReaderRowLimit, IsSixtyFourKibibytesByDefault) {
  EXPECT_EQ(CsvReaderLimits::default_max_row_bytes, 65536u);
  const std::string name(65536 - std::string_view(",1,2\n").size(), 'n');
  EXPECT_THAT(read_text(name + ",1,2\n").locations, ElementsAre(Location{name, 1, 2})) << "exactly the limit";
  const ReadResult result = read_text("a,1,2\n" + name + "n,1,2\nb,3,4\n");
  EXPECT_THAT(result.locations, ElementsAre(Location{"a", 1, 2}));
  EXPECT_THAT(result.diagnostics, ElementsAre(at_line(2, too_long_at(65536))));
}

TEST(CsvReaderRowLimit, CountsTheWholeRowAcrossQuotedLineBreaks) {
  CsvReaderLimits limits;
  limits.max_row_bytes = 16;
  const std::string fits = "\"a\nb\nc\",1,2\n";  // 13 bytes
  const std::string too_long = "\"a\nb\nc\nd\nee\",1,2\n";  // 17 bytes, lines 5-9
  for (const std::size_t piece : {1, 4, 100}) {
    const ReadResult result = read_streamed("x,1,2\n" + fits + too_long + "y,3,4\n", piece, piece, limits);
    EXPECT_THAT(result.locations, ElementsAre(Location{"x", 1, 2}, Location{"a\nb\nc", 1, 2})) << piece;
    EXPECT_THAT(result.diagnostics, ElementsAre(at_line(5, too_long_at(16)))) << piece;
  }
}

TEST(CsvReaderRowLimit, AppliesToBlankLinesAndAnUnclosedQuote) {
  CsvReaderLimits limits;
  limits.max_row_bytes = 16;
  const ReadResult blank = read_streamed("a,1,2\n" + std::string(20, ' ') + "\nb,3,4\n", 3, 3, limits);
  EXPECT_THAT(blank.locations, ElementsAre(Location{"a", 1, 2}));
  EXPECT_THAT(blank.diagnostics, ElementsAre(at_line(2, too_long_at(16))));

  std::string unclosed = "a,1,2\n\"never closed,1,2\n";
  for (int row = 0; row < 10; ++row) unclosed += "b,3,4\n";
  const ReadResult quote = read_streamed(unclosed, 5, 5, limits);
  EXPECT_THAT(quote.locations, ElementsAre(Location{"a", 1, 2}));
  EXPECT_THAT(quote.diagnostics, ElementsAre(at_line(2, too_long_at(16))));
}

TEST(CsvReaderRowLimit, StopsReadingEndlessInputWithinOneRowAndOneBlock) {
  for (const std::string pattern : {"x", " ", "\"", "a,1,2"}) {
    auto endless = std::make_unique<testing::EndlessSource>(pattern);
    const testing::EndlessSource& source = *endless;
    CsvLocationReader reader(std::move(endless), "endless");
    const ReadResult result = read_everything(reader);
    EXPECT_THAT(result.diagnostics, ElementsAre(Diagnostic{"endless", 1, too_long_at(65536)})) << pattern;
    EXPECT_LE(source.bytes_read(), CsvReaderLimits::default_max_row_bytes + CsvReaderLimits::default_block_bytes)
        << pattern;
  }
}

TEST(CsvReaderRefuses, Utf16InputAsAWhole) {
  using namespace std::string_literals;
  const std::string little_endian = "\xFF\xFE" "a\0,\0" "1\0,\0" "2\0\n\0"s;
  const std::string big_endian = "\xFE\xFF\0a\0,\0001\0,\0002\0\n"s;
  for (const std::string& text : {little_endian, big_endian}) {
    const ReadResult result = read_text(text);
    EXPECT_THAT(result.locations, IsEmpty());
    EXPECT_THAT(result.diagnostics,
                ElementsAre(at_line(1, "the input is UTF-16 encoded: only UTF-8 is supported, convert it "
                                       "first")));
  }
}

std::string invalid_utf8(std::string_view byte, std::size_t column) {
  return "name is not valid UTF-8: byte 0x" + std::string(byte) + " at column " + std::to_string(column) +
         " (byte offset in the line); convert the file to UTF-8, e.g. iconv -f latin1 -t utf-8";
}

TEST(CsvReaderRefuses, NamesThatAreNotUtf8) {
  // Latin-1 "Café" and "Zürich": é is 0xE9, ü is 0xFC.
  const ReadResult latin1 = read_text("Caf\xE9,48.85,2.35\nboston,42.364758,-71.067421\n  Z\xFCrich,47.37,8.54\n");
  EXPECT_THAT(latin1.locations, ElementsAre(boston));
  EXPECT_THAT(latin1.diagnostics, ElementsAre(at_line(1, invalid_utf8("E9", 4)), at_line(3, invalid_utf8("FC", 4))));
  // In a quoted name over several lines: the line and column of the byte itself.
  EXPECT_THAT(read_text("a,1,2\n\"first\nse\xC3" "cond\",1,2\n").diagnostics,
              ElementsAre(at_line(3, invalid_utf8("C3", 3))));
  EXPECT_EQ(message_for("\xC0\xAF,1,2\n"), invalid_utf8("C0", 1)) << "overlong form of /";
  EXPECT_EQ(message_for("x\xED\xA0\x80,1,2\n"), invalid_utf8("ED", 2)) << "a UTF-16 surrogate";
  EXPECT_EQ(message_for("abc\xE2\x82,1,2\n"), invalid_utf8("E2", 4)) << "a sequence cut short";
  EXPECT_EQ(message_for("\x80,1,2\n"), invalid_utf8("80", 1)) << "a lone continuation byte";
  EXPECT_EQ(message_for("\xF4\x90\x80\x80,1,2\n"), invalid_utf8("F4", 1)) << "past U+10FFFF";
  // Valid UTF-8 up to four bytes stays accepted, and a header is not checked.
  EXPECT_THAT(read_text("n\xE4me,l\xE4t,l\xF6n\n\xF0\x9F\x97\xBA \xC3\xA9,1,2\n").locations,
              ElementsAre(Location{"\xF0\x9F\x97\xBA \xC3\xA9", 1, 2}));
}

TEST(CsvReaderRefuses, WithOddValuesShownOnOneLineEscapedOnce) {
  // Regression: the value used to be escaped by the reader and again by
  // Diagnostic::to_string(), printing \x01 as \\x01.
  EXPECT_EQ(only_problem("a,1\x01\x7F,0\n").to_string(), "input.csv:1: latitude \"1\\x01\\x7f\" is not a number");
  EXPECT_EQ(only_problem("a,\"1\t\n2\",0\n").to_string(), "input.csv:1: latitude \"1\\t\\n2\" is not a number");
  EXPECT_EQ(only_problem("a,1\r2,0\n").to_string(), "input.csv:1: latitude \"1\\r2\" is not a number");

  const std::string long_value(100, '7');
  EXPECT_EQ(message_for("a," + long_value + ",0\n"), "latitude " + long_value.substr(0, 40) +
                                                          "... is outside [-90, 90]");
  // 39 ASCII bytes then "é" (2 bytes): the cut falls inside it, so it is left out whole.
  const std::string accented = std::string(39, 'x') + "é" + std::string(10, 'y');
  EXPECT_EQ(message_for("a," + accented + ",0\n"),
            "latitude \"" + std::string(39, 'x') + "...\" is not a number");
}

// ---------------------------------------------------------------- line numbers

TEST(CsvReaderLines, CountPhysicalLinesAcrossCrlfBlanksAndQuotedLineBreaks) {
  const ReadResult result = read_text(
      "\xEF\xBB\xBF" "name,lat,lon\r\n"     // 1
      "\r\n"                                // 2
      "\"multi\r\nline\nname\",1,2\r\n"     // 3-5
      "   \r\n"                             // 6
      "bad,91,0\r\n"                        // 7
      "\"x\n\",\"1\",\"2\"\n"               // 8-9
      "also bad,0,181");                    // 10
  EXPECT_THAT(result.locations,
              ElementsAre(Location{"multi\r\nline\nname", 1, 2}, Location{"x\n", 1, 2}));
  EXPECT_THAT(result.diagnostics, ElementsAre(at_line(7, "latitude 91 is outside [-90, 90]"),
                                              at_line(10, "longitude 181 is outside [-180, 180]")));
}

TEST(CsvReaderLines, ARowIsReportedAtTheLineWhereItStarts) {
  EXPECT_THAT(read_text("a,1,2\n\"multi\nline\",95,0\n").diagnostics,
              ElementsAre(at_line(2, "latitude 95 is outside [-90, 90]")));
  EXPECT_THAT(read_text("\"multi\nline\",1,2,3\n").diagnostics,
              ElementsAre(at_line(1, "expected 3 fields (name,latitude,longitude), found 4")));
}

// ---------------------------------------------------------------- many errors

TEST(CsvReaderErrors, AreAllReportedInOrderWhileValidRowsAreStillRead) {
  const ReadResult result = read_text(
      "boston,42.364758,-71.067421\n"
      "north pole,91.5,0\n"
      "x,1\n"
      "Paris,48.8566,2.3522\n"
      ",1,2\n"
      "y,nan,0\n"
      "z,0,-181\n");
  EXPECT_THAT(result.locations, ElementsAre(boston, paris));
  EXPECT_THAT(result.diagnostics,
              ElementsAre(at_line(2, "latitude 91.5 is outside [-90, 90]"),
                          at_line(3, "expected 3 fields (name,latitude,longitude), found 2"),
                          at_line(5, "name is empty"), at_line(6, "latitude nan is not a finite number"),
                          at_line(7, "longitude -181 is outside [-180, 180]")));
  EXPECT_EQ(result.error_count, 5u);
}

TEST(CsvReaderErrors, KeepsOnlyTheLimitButCountsAll) {
  const std::string input = "a,91,0\nb,92,0\nok,1,2\nc,93,0\nd,94,0\ne,95,0\n";
  CsvLocationReader reader(input, "bad.csv", 3);
  LocationTable ignored;
  try {
    ignored = read_all(reader);
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    const std::vector<Diagnostic> expected = {{"bad.csv", 1, "latitude 91 is outside [-90, 90]"},
                                              {"bad.csv", 2, "latitude 92 is outside [-90, 90]"},
                                              {"bad.csv", 4, "latitude 93 is outside [-90, 90]"}};
    EXPECT_EQ(error.diagnostics(), expected);
    EXPECT_EQ(error.total_count(), 5u);
    EXPECT_EQ(std::string(error.what()),
              "bad.csv:1: latitude 91 is outside [-90, 90]\n"
              "bad.csv:2: latitude 92 is outside [-90, 90]\n"
              "bad.csv:4: latitude 93 is outside [-90, 90]\n"
              "... and 2 more invalid rows");
  }
  EXPECT_EQ(reader.error_count(), 5u);
  EXPECT_EQ(reader.diagnostics().size(), 3u);
}

TEST(CsvReaderErrors, DefaultLimitIsTwenty) {
  std::string input;
  for (int row = 0; row < 25; ++row) input += "x,100,0\n";
  const ReadResult result = read_text(input);
  EXPECT_EQ(result.diagnostics.size(), CsvLocationReader::default_error_limit);
  EXPECT_EQ(result.diagnostics.back(), at_line(20, "latitude 100 is outside [-90, 90]"));
  EXPECT_EQ(result.error_count, 25u);
}

TEST(CsvReaderErrors, ThrowIfInvalidOnlyWhenSomethingWasWrong) {
  CsvLocationReader valid("a,1,2\n", test_file);
  while (valid.next()) {
  }
  EXPECT_NO_THROW(valid.throw_if_invalid());

  CsvLocationReader invalid("a,1,2\nb,x,2\n", test_file);
  while (invalid.next()) {
  }
  EXPECT_TRUE(invalid.has_errors());
  EXPECT_THROW(invalid.throw_if_invalid(), InputError);
}

TEST(CsvReaderErrors, ParseLocationsThrowsAfterReadingEveryRow) {
  try {
    (void)parse_locations("a,1,2\nb,x,2\nc,3,4\nd,3\n", "mem.csv");
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    EXPECT_EQ(std::string(error.what()),
              "mem.csv:2: latitude \"x\" is not a number\n"
              "mem.csv:4: expected 3 fields (name,latitude,longitude), found 2");
  }
  try {
    (void)parse_locations("a,1\n");
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    EXPECT_EQ(error.diagnostics().at(0).file, "<memory>");
  }
}

TEST(CsvReaderErrors, ReadAllReturnsEveryLocationOfAValidInput) {
  CsvLocationReader reader("boston,42.364758,-71.067421\nParis,48.8566,2.3522\n", test_file);
  const LocationTable table = read_all(reader);
  ASSERT_EQ(table.size(), 2u);
  EXPECT_EQ(table.at(0), boston);
  EXPECT_EQ(table.at(1), paris);
  EXPECT_FALSE(reader.next().has_value()) << "the reader stays at the end";
}

// read_all and the tool take rows with next_into: its table must hold what
// next() gives, after what the table held already (the tool reads --to's
// destinations into the origins' table), across the source's blocks.
TEST(CsvReaderIntoTable, AppendsAfterTheLocationsTheTableHoldsAlready) {
  LocationTable table;
  table.push_back(boston);
  CsvLocationReader reader("\"Paris \"\"Lutetia\"\"\",48.8566,2.3522\nParis,48.8566,2.3522", test_file);
  EXPECT_TRUE(reader.next_into(table));
  EXPECT_TRUE(reader.next_into(table));
  EXPECT_FALSE(reader.next_into(table));
  ASSERT_EQ(table.size(), 3u);
  EXPECT_EQ(table.at(0), boston);
  EXPECT_EQ(table.at(1), (Location{"Paris \"Lutetia\"", 48.8566, 2.3522}));
  EXPECT_EQ(table.at(2), paris);
}

TEST(CsvReaderIntoTable, ReadAllOfManyBlocksIsWhatNextGives) {
  std::string text = "name,latitude,longitude\r\n";
  for (std::size_t index = 0; index < 5000; ++index) {
    // Names of every length up to past a block, some quoted, some not ASCII.
    std::string name = std::string(index % 97, static_cast<char>('a' + index % 26)) + std::to_string(index);
    if (index % 11 == 0) name += "\xC3\xA9";
    if (index % 7 == 0) name = "\"" + name + ", \"\"q\"\"\"";
    text += name + "," + std::to_string(static_cast<double>(index % 180) - 90.0) + "," +
            std::to_string(static_cast<double>(index % 360) - 180.0) + (index % 3 == 0 ? "\r\n" : "\n");
  }
  for (const std::size_t block : {std::size_t{7}, std::size_t{4096}, CsvReaderLimits::default_block_bytes}) {
    CsvReaderLimits limits;
    limits.block_bytes = block;
    CsvLocationReader by_next(std::make_unique<testing::ChunkedSource>(text, 1000), test_file, limits);
    const ReadResult expected = read_everything(by_next);
    ASSERT_EQ(expected.locations.size(), 5000u);
    CsvLocationReader whole(std::make_unique<testing::ChunkedSource>(text, 1000), test_file, limits);
    const LocationTable table = read_all(whole);
    ASSERT_EQ(table.size(), expected.locations.size()) << block;
    for (std::size_t index = 0; index < table.size(); ++index) {
      ASSERT_EQ(table.at(index), expected.locations[index]) << index << ", blocks of " << block;
    }
  }
}

TEST(CsvReaderIntoTable, ReadAllReportsEveryErrorAlsoOnALastLineWithoutLineEnd) {
  const std::string text = "boston,42.364758,-71.067421\nbad,91,0\nParis,48.8566,2.3522\n,1,2\nlast,0,181";
  try {
    static_cast<void>(parse_locations(text, test_file));
    FAIL() << "invalid rows were accepted";
  } catch (const InputError& error) {
    CsvLocationReader reader(text, test_file);
    const ReadResult by_next = read_everything(reader);
    EXPECT_EQ(error.diagnostics(), by_next.diagnostics);
    ASSERT_EQ(error.diagnostics().size(), 3u);
    EXPECT_EQ(error.diagnostics()[2].line, 5u);
  }
}

// ---------------------------------------------------------------- files

std::string data_file(const char* name) { return std::string(DM_DATA_DIR) + '/' + name; }

TEST(CsvReaderFiles, ReadsTheWorkshopSample) {
  CsvLocationReader reader = CsvLocationReader::open(data_file("locations.csv"));
  EXPECT_EQ(reader.display_name(), data_file("locations.csv"));
  const LocationTable table = read_all(reader);
  ASSERT_EQ(table.size(), 3u);
  EXPECT_EQ(table.at(0), (Location{"ann arbor", 42.279594, -83.732124}));
  EXPECT_EQ(table.at(1), (Location{"pleasant grove", 40.364118, -111.738540}));
  EXPECT_EQ(table.at(2), (Location{"boston", 42.364758, -71.067421}));
}

TEST(CsvReaderFiles, ReadsTheBundledDataSets) {
  struct Expectation {
    const char* file;
    std::size_t count;
    Location last;
  };
  for (const Expectation& expected :
       {Expectation{"five_locations.csv", 5, {"Columbia", 34.0007104, -81.0348144}},
        Expectation{"many_locations.csv", 250, {"Austin", 30.267153000000004, -97.7430608}},
        Expectation{"1k_locations.csv", 1000, {"Compton", 33.8958492, -118.2200712}}}) {
    CsvLocationReader reader = CsvLocationReader::open(data_file(expected.file));
    const LocationTable table = read_all(reader);
    ASSERT_EQ(table.size(), expected.count) << expected.file;
    EXPECT_EQ(table.at(0), (Location{"Marysville", 48.0517637, -122.1770818})) << expected.file;
    EXPECT_EQ(table.at(1), (Location{"Perris", 33.7825194, -117.22864779999999})) << expected.file;
    EXPECT_EQ(table.at(table.size() - 1), expected.last) << expected.file;
  }
}

TEST(CsvReaderFiles, ExpectsOneLocationPer32BytesLeftOfAPlainFileOrText) {
  CsvLocationReader file = CsvLocationReader::open(data_file("1k_locations.csv"));
  const std::size_t bytes = std::filesystem::file_size(data_file("1k_locations.csv"));
  EXPECT_EQ(file.expected_locations(), bytes / 32);
  const std::string text = "a,1,2\n" + std::string(64, '\n');
  CsvLocationReader in_memory(text, "text.csv");
  EXPECT_EQ(in_memory.expected_locations(), text.size() / 32);
  EXPECT_EQ(in_memory.next(), (Location{"a", 1, 2}));
  EXPECT_EQ(in_memory.expected_locations(), (text.size() - 6) / 32);
  // A pipe has no size to go by.
  CsvLocationReader streamed(std::make_unique<testing::ChunkedSource>(text, 5), "pipe.csv");
  EXPECT_EQ(streamed.expected_locations(), 0u);
}

/// A file in the test's own temporary folder, removed afterwards.
class TemporaryFile {
 public:
  explicit TemporaryFile(std::string_view content)
      : path_(std::filesystem::path(::testing::TempDir()) /
              ("csv_reader_test_" + std::to_string(::getpid()) + ".csv")) {
    std::ofstream(path_, std::ios::binary) << content;
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile() { std::filesystem::remove(path_); }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(CsvReaderFiles, ReportsRowsOfAFileUnderItsPath) {
  const TemporaryFile file("name,lat,lon\r\nok,1,2\r\nbad,1,200\r\n");
  CsvLocationReader reader = CsvLocationReader::open(file.path(), 5);
  EXPECT_EQ(reader.next(), (Location{"ok", 1, 2}));
  EXPECT_EQ(reader.next(), std::nullopt);
  EXPECT_THAT(reader.diagnostics(),
              ElementsAre(Diagnostic{file.path().string(), 3, "longitude 200 is outside [-180, 180]"}));
}

TEST(CsvReaderFiles, ReadsStandardInputForDash) {
  const TemporaryFile file("boston,42.364758,-71.067421\n");
  const int input = ::open(file.path().c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(input, 0);
  const int saved_stdin = ::dup(STDIN_FILENO);
  ASSERT_GE(saved_stdin, 0);
  ASSERT_EQ(::dup2(input, STDIN_FILENO), STDIN_FILENO);
  ::close(input);
  std::optional<CsvLocationReader> reader;
  std::optional<Location> first;
  std::optional<Location> second;
  EXPECT_NO_THROW(reader.emplace(CsvLocationReader::open("-")));
  if (reader) {
    // Streamed: standard input is read as rows are asked for.
    first = reader->next();
    second = reader->next();
  }
  ::dup2(saved_stdin, STDIN_FILENO);
  ::close(saved_stdin);
  ASSERT_TRUE(reader.has_value());
  EXPECT_EQ(reader->display_name(), "<stdin>");
  EXPECT_EQ(first, boston);
  EXPECT_EQ(second, std::nullopt);
}

TEST(CsvReaderFiles, ThrowsIoErrorForAMissingFile) {
  const std::string missing = data_file("no_such_file.csv");
  try {
    (void)CsvLocationReader::open(missing);
    FAIL() << "expected IoError";
  } catch (const IoError& error) {
    EXPECT_EQ(std::string(error.what()), "cannot read '" + missing + "': No such file or directory");
  }
}

TEST(CsvReaderFiles, ThrowsIoErrorForADirectory) {
  try {
    (void)CsvLocationReader::open(DM_DATA_DIR);
    FAIL() << "expected IoError";
  } catch (const IoError& error) {
    EXPECT_EQ(std::string(error.what()), std::string("cannot read '") + DM_DATA_DIR + "': Is a directory");
  }
}

}  // namespace
}  // namespace dm
