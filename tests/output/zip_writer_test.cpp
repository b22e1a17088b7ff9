// ZipWriter: a stored-member archive byte for byte against a hand-checked
// golden (APPNOTE.TXT 4.3.7, 4.3.12, 4.3.16; the CRC-32 of "xyz",
// 0xEB8EBA67, from Python's zlib.crc32; Python's zipfile and numpy.load read
// the same bytes), the ZIP64 records where sizes or offsets need them, and
// misuse. (By hand, 2026-12-04: a two-member archive written with the
// default limit and with zip64_from = 1 both pass Python's zipfile testzip,
// numpy.load and `unzip -t`.)
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>

#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/output/zip_writer.hpp"

namespace dm {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (const int value : values) out += static_cast<char>(value);
  return out;
}

std::uint64_t read_le(const std::string& data, std::size_t at, std::size_t width) {
  std::uint64_t value = 0;
  for (std::size_t byte = 0; byte < width; ++byte) {
    value |= std::uint64_t{static_cast<unsigned char>(data.at(at + byte))} << (8 * byte);
  }
  return value;
}

TEST(ZipWriter, OneStoredMemberIsTheHandCheckedGolden) {
  MemoryMatrixOutput output;
  ZipWriter zip(output);
  zip.add("a.npy", "xyz");
  zip.finish();

  const std::string crc = bytes({0x67, 0xBA, 0x8E, 0xEB});
  std::string expected;
  // Local file header at 0: signature, version 2.0, flags 0, stored, 00:00,
  // 1980-01-01 (day 1 | month 1 << 5), CRC, sizes 3 and 3, name 5, extra 0.
  expected += bytes({0x50, 0x4B, 0x03, 0x04, 20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0}) + crc;
  expected += bytes({3, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0}) + "a.npy" + "xyz";
  // Central directory header at 38: made by and needs 2.0, the same fields,
  // comment 0, disk 0, attributes 0, local header at 0.
  expected += bytes({0x50, 0x4B, 0x01, 0x02, 20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0}) + crc;
  expected += bytes({3, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}) + "a.npy";
  // End of central directory: disks 0, 1 entry of 1, 51 bytes at 38, no comment.
  expected += bytes({0x50, 0x4B, 0x05, 0x06, 0, 0, 0, 0, 1, 0, 1, 0, 51, 0, 0, 0, 38, 0, 0, 0, 0, 0});
  EXPECT_EQ(output.bytes(), expected);
}

TEST(ZipWriter, StreamedMembersMatchAddedOnes) {
  MemoryMatrixOutput added;
  ZipWriter one(added);
  one.add("first.npy", "hello, world");
  one.add("second.npy", "");
  one.finish();

  MemoryMatrixOutput streamed;
  ZipWriter two(streamed);
  two.begin({"first.npy", 12, crc32_combine_of(crc32_of("hello"), crc32_of(", world"), 7)});
  two.write("hello");
  two.write(", world");
  two.begin({"second.npy", 0, 0});
  two.finish();
  EXPECT_EQ(streamed.bytes(), added.bytes());
  EXPECT_EQ(crc32_of("hello, world"), crc32_of(", world", crc32_of("hello")));
}

TEST(Crc32, AgreesWithZlibAtEveryLengthAndAlignment) {
  // crc32_of is libdeflate's (folded with carry-less multiplication);
  // zlib's table-driven CRC is the independent reference.
  std::mt19937 random(15);
  std::string data(3 * 1024 * 1024 + 77, '\0');
  for (char& byte : data) byte = static_cast<char>(random());
  const auto zlib_crc = [](std::string_view bytes, std::uint32_t crc = 0) {
    return static_cast<std::uint32_t>(
        ::crc32_z(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<z_size_t>(bytes.size())));
  };
  const std::string_view all(data);
  for (std::size_t offset = 0; offset < 16; ++offset) {
    for (std::size_t length = 0; length < 300; ++length) {
      ASSERT_EQ(crc32_of(all.substr(offset, length)), zlib_crc(all.substr(offset, length)))
          << offset << " + " << length;
    }
  }
  EXPECT_EQ(crc32_of(all), zlib_crc(all));
  EXPECT_EQ(crc32_of(all.substr(3, 1'000'003), 0x12345678u), zlib_crc(all.substr(3, 1'000'003), 0x12345678u));
}

TEST(ZipWriter, WritesZip64FieldsAndRecordsWhereSizesOrOffsetsNeedThem) {
  // Every size and offset from 1 counts as "too large": the layout of a
  // multi-gigabyte archive, on a few bytes.
  MemoryMatrixOutput output;
  ZipWriter zip(output, 1);
  zip.add("a.npy", "xyz");
  zip.finish();
  const std::string& data = output.bytes();

  // Local header: version 4.5, sizes saturated, a 20-byte ZIP64 extra field with both sizes.
  EXPECT_EQ(read_le(data, 0, 4), 0x04034B50u);
  EXPECT_EQ(read_le(data, 4, 2), 45u);
  EXPECT_EQ(read_le(data, 18, 4), 0xFFFFFFFFu);
  EXPECT_EQ(read_le(data, 22, 4), 0xFFFFFFFFu);
  EXPECT_EQ(read_le(data, 28, 2), 20u);
  EXPECT_EQ(data.substr(30, 5), "a.npy");
  EXPECT_EQ(read_le(data, 35, 2), 1u);   // ZIP64 extra
  EXPECT_EQ(read_le(data, 37, 2), 16u);
  EXPECT_EQ(read_le(data, 39, 8), 3u);
  EXPECT_EQ(read_le(data, 47, 8), 3u);
  EXPECT_EQ(data.substr(55, 3), "xyz");

  // Central header at 58: sizes saturated; the offset, 0, is below the limit and stays.
  const std::size_t central = 58;
  EXPECT_EQ(read_le(data, central, 4), 0x02014B50u);
  EXPECT_EQ(read_le(data, central + 20, 4), 0xFFFFFFFFu);
  EXPECT_EQ(read_le(data, central + 30, 2), 20u);  // extra: id, length, two sizes
  EXPECT_EQ(read_le(data, central + 42, 4), 0u);   // the local header's offset, 0
  const std::size_t extra = central + 46 + 5;
  EXPECT_EQ(read_le(data, extra, 2), 1u);
  EXPECT_EQ(read_le(data, extra + 2, 2), 16u);
  EXPECT_EQ(read_le(data, extra + 4, 8), 3u);
  EXPECT_EQ(read_le(data, extra + 12, 8), 3u);

  // ZIP64 end record, its locator, then the end record with saturated fields.
  const std::size_t end64 = extra + 20;
  const std::uint64_t directory_size = end64 - central;
  EXPECT_EQ(read_le(data, end64, 4), 0x06064B50u);
  EXPECT_EQ(read_le(data, end64 + 4, 8), 44u);
  EXPECT_EQ(read_le(data, end64 + 24, 8), 1u);
  EXPECT_EQ(read_le(data, end64 + 32, 8), 1u);
  EXPECT_EQ(read_le(data, end64 + 40, 8), directory_size);
  EXPECT_EQ(read_le(data, end64 + 48, 8), central);
  const std::size_t locator = end64 + 56;
  EXPECT_EQ(read_le(data, locator, 4), 0x07064B50u);
  EXPECT_EQ(read_le(data, locator + 8, 8), end64);
  EXPECT_EQ(read_le(data, locator + 16, 4), 1u);
  const std::size_t end = locator + 20;
  EXPECT_EQ(read_le(data, end, 4), 0x06054B50u);
  EXPECT_EQ(read_le(data, end + 8, 2), 0xFFFFu);
  EXPECT_EQ(read_le(data, end + 12, 4), 0xFFFFFFFFu);
  EXPECT_EQ(read_le(data, end + 16, 4), 0xFFFFFFFFu);
  EXPECT_EQ(data.size(), end + 22);
}

TEST(ZipWriter, AMemberOfAnotherSizeThanDeclaredIsALogicError) {
  MemoryMatrixOutput output;
  ZipWriter zip(output);
  zip.begin({"a.npy", 3, 0});
  EXPECT_THROW(zip.write("four"), std::logic_error);
  zip.write("ab");
  EXPECT_THROW(zip.finish(), std::logic_error);
  EXPECT_THROW(zip.begin({"b.npy", 0, 0}), std::logic_error);
}

}  // namespace
}  // namespace dm
