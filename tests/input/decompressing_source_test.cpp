#include "distance_matrix/input/decompressing_source.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "distance_matrix/input/csv_reader.hpp"
#include "support/chunked_source.hpp"
#include "support/compress.hpp"
#include "support/files.hpp"
#include "support/random_locations.hpp"

namespace dm {
namespace {

using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct Codec {
  const char* name;
  std::function<std::string(std::string_view)> compress;
};

const std::vector<Codec>& codecs() {
  static const std::vector<Codec> all = {
      {"gzip", testing::gzip_compress}, {"zstd", testing::zstd_compress}, {"xz", testing::xz_compress}};
  return all;
}

/// Every byte `source` yields, read `block` bytes at a time.
std::string drain(ByteSource& source, std::size_t block) {
  std::string text;
  std::vector<char> buffer(block);
  while (const std::size_t count = source.read(buffer)) text.append(buffer.data(), count);
  return text;
}

std::string decompressed(std::string_view bytes, std::size_t piece, std::size_t block) {
  const std::unique_ptr<ByteSource> source = open_decompressed(std::make_unique<testing::ChunkedSource>(bytes, piece));
  return drain(*source, block);
}

const std::string sample_csv = testing::to_csv(testing::random_locations(2000, 17));

std::vector<Location> every_location(CsvLocationReader& reader) {
  const LocationTable table = read_all(reader);
  std::vector<Location> locations;
  for (std::size_t index = 0; index < table.size(); ++index) locations.push_back(table.at(index));
  return locations;
}

TEST(DecompressingSource, RecognizesTheMagicNumbers) {
  EXPECT_EQ(detect_compression("\x1F\x8B\x08"), Compression::gzip);
  EXPECT_EQ(detect_compression("\x28\xB5\x2F\xFD\x04"), Compression::zstd);
  EXPECT_EQ(detect_compression(std::string_view("\xFD\x37\x7A\x58\x5A\x00\x00", 7)), Compression::xz);
  EXPECT_EQ(detect_compression("\x1F"), Compression::none);
  EXPECT_EQ(detect_compression("\xFD\x37\x7A\x58\x5A"), Compression::none);
  EXPECT_EQ(detect_compression("name,lat,lon\n"), Compression::none);
  EXPECT_EQ(detect_compression(""), Compression::none);
}

TEST(DecompressingSource, GivesBackTheOriginalBytesInAnyPiecesAndBlocks) {
  for (const Codec& codec : codecs()) {
    const std::string compressed = codec.compress(sample_csv);
    ASSERT_LT(compressed.size(), sample_csv.size()) << codec.name;
    for (const auto& [piece, block] : {std::pair<std::size_t, std::size_t>{1, 7}, {5, 1}, {4096, 65536}, {65536, 3}}) {
      EXPECT_EQ(decompressed(compressed, piece, block), sample_csv) << codec.name << ' ' << piece << ' ' << block;
    }
  }
}

TEST(DecompressingSource, LeavesOtherInputUnchanged) {
  for (const std::string& text : {std::string(), std::string("a"), std::string("\x1F"), sample_csv}) {
    EXPECT_EQ(decompressed(text, 1, 3), text);
    EXPECT_EQ(decompressed(text, 100, 4096), text);
  }
}

TEST(DecompressingSource, ReadsConcatenatedStreamsAsOne) {
  for (const Codec& codec : codecs()) {
    EXPECT_EQ(decompressed(codec.compress("a,1,2\n") + codec.compress("b,3,4\n"), 3, 5), "a,1,2\nb,3,4\n")
        << codec.name;
  }
}

TEST(DecompressingSource, EmptyCompressedInputIsEmpty) {
  for (const Codec& codec : codecs()) EXPECT_EQ(decompressed(codec.compress(""), 2, 8), "") << codec.name;
}

TEST(DecompressingSource, RefusesTruncatedData) {
  for (const Codec& codec : codecs()) {
    const std::string compressed = codec.compress(sample_csv);
    for (const std::size_t kept : {compressed.size() - 1, compressed.size() / 2, std::size_t{7}}) {
      EXPECT_THROW((void)decompressed(compressed.substr(0, kept), 4096, 4096), CorruptInputError)
          << codec.name << " cut to " << kept;
    }
  }
}

TEST(DecompressingSource, RefusesCorruptData) {
  for (const Codec& codec : codecs()) {
    std::string compressed = codec.compress(sample_csv);
    compressed[compressed.size() / 2] = static_cast<char>(compressed[compressed.size() / 2] ^ 0x55);
    EXPECT_THROW((void)decompressed(compressed, 4096, 4096), CorruptInputError) << codec.name;
    std::string trailing = codec.compress("a,1,2\n") + "garbage";
    EXPECT_THROW((void)decompressed(trailing, 4096, 4096), CorruptInputError) << codec.name;
  }
}

TEST(DecompressingSource, DecodesAsItIsReadNotTheWholeInputFirst) {
  // Random coordinates compress poorly: megabytes in, megabytes compressed.
  const std::string big = testing::to_csv(testing::random_locations(60000, 3));
  for (const Codec& codec : codecs()) {
    const std::string compressed = codec.compress(big);
    ASSERT_GT(compressed.size(), std::size_t{1} << 20) << codec.name;
    auto counted = std::make_unique<testing::ChunkedSource>(compressed, compressed.size());
    const testing::ChunkedSource& raw = *counted;
    CsvLocationReader reader(open_decompressed(std::move(counted)), "big.csv");
    ASSERT_TRUE(reader.next().has_value()) << codec.name;
    EXPECT_LE(raw.bytes_read(), std::size_t{64} * 1024 + 16) << codec.name << ": one compressed block, not the file";
  }
}

// ---------------------------------------------------------------- through CsvLocationReader::open

class CompressedFileTest : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path write(std::string_view bytes) {
    testing::write_file(path_, bytes);
    return path_;
  }
  std::filesystem::path path_ = std::filesystem::temp_directory_path() /
                                ("decompressing_source_test_" + std::to_string(::getpid()) + ".csv.gz");
};

TEST_F(CompressedFileTest, ReadsTheSameLocationsAsThePlainFile) {
  CsvLocationReader plain(sample_csv, "plain.csv");
  const std::vector<Location> expected = every_location(plain);
  ASSERT_EQ(expected.size(), 2000u);
  for (const Codec& codec : codecs()) {
    CsvLocationReader reader = CsvLocationReader::open(write(codec.compress(sample_csv)));
    EXPECT_EQ(every_location(reader), expected) << codec.name;
  }
}

TEST_F(CompressedFileTest, ASemicolonFileWithAHeaderToo) {
  for (const Codec& codec : codecs()) {
    CsvLocationReader reader = CsvLocationReader::open(write(codec.compress("id;name;lat;lon\n1;Paris;48.8566;2.3522\n")));
    EXPECT_THAT(every_location(reader), ElementsAre(Location{"Paris", 48.8566, 2.3522})) << codec.name;
  }
}

TEST_F(CompressedFileTest, TruncatedDataIsAnInputErrorNamingTheFile) {
  // Several of zstd's 128 KiB blocks, so that half the file holds whole ones.
  const std::string text = testing::to_csv(testing::random_locations(10000, 5));
  for (const Codec& codec : codecs()) {
    const std::string compressed = codec.compress(text);
    CsvLocationReader reader = CsvLocationReader::open(write(compressed.substr(0, compressed.size() / 2)));
    std::size_t read = 0;
    while (reader.next()) ++read;
    EXPECT_GT(read, 0u) << codec.name << ": what came before the damage was read";
    EXPECT_LT(read, 10000u) << codec.name;
    ASSERT_EQ(reader.diagnostics().size(), 1u) << codec.name;
    const Diagnostic& problem = reader.diagnostics().front();
    EXPECT_EQ(problem.file, path_.string());
    EXPECT_EQ(problem.line, read + 1) << codec.name << ": the line the damage cut";
    EXPECT_EQ(problem.message, "the " + std::string(codec.name) +
                                   " data is truncated: the file ends inside the compressed stream (an "
                                   "interrupted download or copy?)");
    EXPECT_THROW(reader.throw_if_invalid(), InputError);
  }
}

TEST_F(CompressedFileTest, CorruptDataIsAnInputError) {
  for (const Codec& codec : codecs()) {
    std::string compressed = codec.compress(sample_csv);
    compressed[compressed.size() / 2] = static_cast<char>(compressed[compressed.size() / 2] ^ 0x55);
    CsvLocationReader reader = CsvLocationReader::open(write(compressed));
    LocationTable ignored;
    EXPECT_THROW(ignored = read_all(reader), InputError) << codec.name;
    ASSERT_FALSE(reader.diagnostics().empty()) << codec.name;
    EXPECT_THAT(reader.diagnostics().back().message, HasSubstr(" data is corrupt (")) << codec.name;
  }
}

}  // namespace
}  // namespace dm
