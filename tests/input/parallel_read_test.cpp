// CsvLocationReader::read_rest_into: a file parsed in parts by several
// threads gives what one row at a time gives, wherever the cuts fall.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <tbb/info.h>

#include "distance_matrix/input/csv_reader.hpp"
#include "support/chunked_source.hpp"
#include "support/compress.hpp"
#include "support/read_result.hpp"
#include "support/scratch_folder.hpp"

namespace dm {
namespace {

constexpr const char* test_file = "input.csv";

using testing::ReadResult;

ReadResult result_of(const CsvLocationReader& reader, const LocationTable& table) {
  ReadResult result;
  for (std::size_t index = 0; index < table.size(); ++index) result.locations.push_back(table.at(index));
  result.diagnostics = reader.diagnostics();
  result.error_count = reader.error_count();
  return result;
}

/// The reference: one location at a time, from memory.
ReadResult one_at_a_time(const std::string& text, CsvReaderLimits limits = {}, const CsvOptions& options = {}) {
  CsvLocationReader reader(text, test_file, options, limits);
  LocationTable table;
  while (reader.next_into(table)) {
  }
  return result_of(reader, table);
}

/// `text` as a regular file would yield it (its size known), read by read_rest_into.
/// `piece`: the most bytes the source hands out per read.
ReadResult in_parts(const std::string& text, unsigned threads, CsvReaderLimits limits, unsigned* threads_used = nullptr,
                    const CsvOptions& options = {}, std::size_t piece = 4096) {
  limits.parallel_read_bytes = 0;
  CsvLocationReader reader(std::make_unique<testing::ChunkedSource>(text, piece, true), test_file, limits, options);
  LocationTable table;
  const unsigned used = reader.read_rest_into(table, threads);
  if (threads_used != nullptr) *threads_used = used;
  LocationTable after;
  EXPECT_FALSE(reader.next_into(after)) << "the reader stays at the end";
  return result_of(reader, table);
}

/// Two threads when the machine (and oneTBB) gives two.
unsigned two_threads_here() { return std::min(2, tbb::info::default_concurrency()) >= 2 ? 2u : 1u; }

/// Rows of every kind the reader accepts or refuses, in a seeded random order.
std::string mixed_rows(unsigned seed, std::size_t rows) {
  static const std::vector<std::string> kinds = {
      "Plain {},{}.5,{}.25\n",
      "\"Comma, {}\",{},{}\n",
      "\"Say \"\"{}\"\"\",{},-{}\n",
      "\"Two\nlines {}\",{},{}\n",
      "\n",
      "   \t\n",
      "Crlf {},{},{}\r\n",
      "Too far {},91,{}{}\n",
      "Short {},{}{}\n",
      "quo\"te {},{},{}\n",
      "Z\xC3\xBCrich {},{}.37,{}.54\n",
      "Bad \xFF {},{},{}\n",
      "  Spaced {}  ,  {} , {}  \n",
      "\"Open {}\",{},{} trailing\n",
  };
  std::mt19937 random(seed);
  std::uniform_int_distribution<std::size_t> kind(0, kinds.size() - 1);
  std::uniform_int_distribution<int> degrees(0, 80);
  std::string text = "name,lat,lng\n";
  for (std::size_t row = 0; row < rows; ++row) {
    std::string line = kinds[kind(random)];
    // Each "{}" gets a number: the row's index, then degrees.
    std::size_t hole = 0;
    for (int field = 0; (hole = line.find("{}")) != std::string::npos; ++field) {
      line.replace(hole, 2, std::to_string(field == 0 ? static_cast<int>(row) : degrees(random)));
    }
    text += line;
  }
  return text;
}

TEST(ParallelRead, GivesTheSameLocationsAndDiagnosticsAsOneAtATime) {
  for (const unsigned seed : {1u, 2u, 3u, 4u, 5u}) {
    const std::string text = mixed_rows(seed, 600);
    for (const std::size_t error_limit : {std::size_t{3}, std::size_t{100000}}) {
      CsvReaderLimits limits;
      limits.error_limit = error_limit;
      const ReadResult expected = one_at_a_time(text, limits);
      ASSERT_GT(expected.locations.size(), 100u);
      ASSERT_GT(expected.error_count, 10u);
      // Parts from smaller than a row to one a thread, streamed in small and large pieces.
      for (const std::size_t part : {std::size_t{5}, std::size_t{40}, std::size_t{333}, std::size_t{4096},
                                     CsvReaderLimits::one_part_a_thread}) {
        limits.parallel_part_bytes = part;
        for (const std::size_t piece : {7, 4096}) {
          EXPECT_EQ(in_parts(text, 2, limits, nullptr, {}, piece), expected)
              << "seed " << seed << ", parts of " << part << " bytes, pieces of " << piece;
        }
      }
    }
  }
}

TEST(ParallelRead, WithoutQuotedLineBreaksEveryPartIsReadOnItsThread) {
  std::string text = "name,lat,lng\n";
  std::vector<Location> expected;
  for (int row = 0; row < 5000; ++row) {
    const double latitude = -80 + row * 0.03125;  // exact in binary and in decimal
    const double longitude = 170 - row * 0.0625;
    text += "City " + std::to_string(row) + ',' + std::to_string(latitude) + ',' + std::to_string(longitude) + '\n';
    expected.push_back({"City " + std::to_string(row), latitude, longitude});
  }
  CsvReaderLimits limits;
  limits.parallel_part_bytes = 20000;  // several parts a thread
  unsigned used = 0;
  const ReadResult read = in_parts(text, 2, limits, &used);
  EXPECT_EQ(used, two_threads_here());
  EXPECT_EQ(read.locations, expected);
  EXPECT_EQ(read.error_count, 0u);
}

TEST(ParallelRead, DiagnosticsNameTheirLineInTheWholeFile) {
  // Line 1 the header, row r on line r + 2; rows 700 and 1900 are wrong.
  std::string text = "name,lat,lng\n";
  for (int row = 0; row < 2000; ++row) {
    const char* latitude = row == 700 ? "91" : "10";
    const char* longitude = row == 1900 ? "east" : "20";
    text += "P" + std::to_string(row) + ',' + latitude + ',' + longitude + '\n';
  }
  CsvReaderLimits limits;
  limits.parallel_part_bytes = 3000;
  unsigned used = 0;
  const ReadResult read = in_parts(text, 2, limits, &used);
  EXPECT_EQ(used, two_threads_here());
  EXPECT_EQ(read.locations.size(), 1998u);
  EXPECT_EQ(read.error_count, 2u);
  ASSERT_EQ(read.diagnostics.size(), 2u);
  EXPECT_EQ(read.diagnostics[0].line, 702u);
  EXPECT_EQ(read.diagnostics[0].message, "latitude 91 is outside [-90, 90]");
  EXPECT_EQ(read.diagnostics[1].line, 1902u);
  EXPECT_EQ(read.diagnostics[1].message, "longitude \"east\" is not a number");
}

TEST(ParallelRead, ACutInsideAQuotedLineBreakIsReadAgainOneAtATime) {
  // Every cut of every part size lands in some quoted name's line breaks.
  std::string text = "name,lat,lng\n";
  std::vector<Location> expected;
  for (int row = 0; row < 300; ++row) {
    std::string name = "Line " + std::to_string(row);
    for (int extra = 0; extra < 6; ++extra) name += "\nmore";
    text += '"' + name + "\",1," + std::to_string(row % 180) + '\n';
    expected.push_back({name, 1, static_cast<double>(row % 180)});
  }
  for (const std::size_t part : {50, 777, 5000}) {
    CsvReaderLimits limits;
    limits.parallel_part_bytes = part;
    const ReadResult read = in_parts(text, 2, limits);
    EXPECT_EQ(read.locations, expected) << part;
    EXPECT_EQ(read.error_count, 0u);
    EXPECT_EQ(read, one_at_a_time(text)) << part;
  }
}

TEST(ParallelRead, ANulByteEndsTheInputAsOneAtATime) {
  std::string text = "name,lat,lng\n";
  for (int row = 0; row < 1000; ++row) {
    text += (row == 300 ? std::string("Bin\0ary", 7) : "R" + std::to_string(row)) + ",1,2\n";
  }
  CsvReaderLimits limits;
  limits.parallel_part_bytes = 2000;
  const ReadResult read = in_parts(text, 2, limits);
  EXPECT_EQ(read.locations.size(), 300u) << "nothing after the NUL byte";
  ASSERT_EQ(read.diagnostics.size(), 1u);
  EXPECT_EQ(read.diagnostics[0].line, 302u);
  EXPECT_EQ(read, one_at_a_time(text));
}

TEST(ParallelRead, RowNumberNamesAndUnsizedInputAreReadOneAtATime) {
  std::string numbered = "lat,lng\n";
  for (int row = 0; row < 500; ++row) numbered += std::to_string(row % 90) + ",5\n";
  CsvOptions by_row_number;
  by_row_number.columns = ColumnChoice{"-", "lat", "lng"};
  unsigned used = 0;
  const ReadResult read = in_parts(numbered, 2, {}, &used, by_row_number);
  EXPECT_EQ(used, 1u);
  ASSERT_EQ(read.locations.size(), 500u);
  EXPECT_EQ(read.locations[499].name, "500");
  EXPECT_EQ(read, one_at_a_time(numbered, {}, by_row_number));

  // A pipe (its size unknown): one location at a time.
  const std::string text = mixed_rows(7, 300);
  CsvLocationReader pipe(std::make_unique<testing::ChunkedSource>(text, 100), test_file);
  LocationTable table;
  EXPECT_EQ(pipe.read_rest_into(table, 2), 1u);
  EXPECT_EQ(result_of(pipe, table), one_at_a_time(text));
}

TEST(ParallelRead, FromAFileAndFromItsCompressedCopy) {
  const testing::ScratchFolder folder("parallel_read");
  const std::string text = mixed_rows(11, 3000);
  const auto write = [&](const std::string& name, const std::string& bytes) {
    const std::filesystem::path path = folder.work() / name;
    std::FILE* file = std::fopen(path.c_str(), "wb");
    EXPECT_NE(file, nullptr);
    EXPECT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), file), bytes.size());
    std::fclose(file);
    return path;
  };
  CsvReaderLimits limits;
  limits.parallel_read_bytes = 0;
  limits.parallel_part_bytes = 10000;
  const auto read_file = [&](const std::filesystem::path& path, unsigned& used) {
    CsvLocationReader reader = CsvLocationReader::open(path, limits);
    LocationTable table;
    used = reader.read_rest_into(table, 2);
    ReadResult result = result_of(reader, table);
    // The names of a file's diagnostics are its path; compare with the text's.
    for (Diagnostic& diagnostic : result.diagnostics) diagnostic.file = test_file;
    return result;
  };
  const ReadResult expected = one_at_a_time(text);
  unsigned used = 0;
  EXPECT_EQ(read_file(write("plain.csv", text), used), expected);
  EXPECT_EQ(used, two_threads_here());
  EXPECT_EQ(read_file(write("packed.csv.gz", testing::gzip_compress(text)), used), expected);
  EXPECT_EQ(used, 1u) << "decompressed as it is read";
}

}  // namespace
}  // namespace dm
