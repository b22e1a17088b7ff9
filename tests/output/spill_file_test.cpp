// SpillFile: what is read back is what was appended, in order, with its
// CRC-32, whether the bytes stay within the memory budget, pass it midway
// or never fit it; appended as copies or filled in place alike, with room
// reserved first or not.
#include "src/output/spill_file.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>

#include "distance_matrix/output/zip_writer.hpp"

namespace dm {
namespace {

/// Bytes that differ from place to place, so that a piece out of order shows.
std::string pattern(std::size_t size, std::uint32_t seed) {
  std::string bytes(size, '\0');
  std::uint32_t state = seed;
  for (char& byte : bytes) {
    state = state * 1664525u + 1013904223u;
    byte = static_cast<char>(state >> 24);
  }
  return bytes;
}

std::string read_back(SpillFile& spill) {
  std::string bytes;
  spill.read_back([&](std::string_view piece) { bytes.append(piece); });
  return bytes;
}

TEST(SpillFile, ReadsBackWhatWasAppendedWhereverTheMemoryBudgetEnds) {
  // Pieces small and large, past the 4 MiB write buffer too.
  const std::size_t sizes[] = {0, 1, 7, 1000, std::size_t{5} << 20, 3, std::size_t{1} << 20, 12345};
  std::uint64_t total = 0;
  for (const std::size_t size : sizes) total += size;
  for (const std::uint64_t budget : {std::uint64_t{0}, std::uint64_t{8}, std::uint64_t{4000}, std::uint64_t{6} << 20,
                                     total, SpillFile::default_memory_bytes}) {
    for (const std::uint64_t reserved : {std::uint64_t{0}, std::uint64_t{1000}, total, 2 * total}) {
      SpillFile spill(std::filesystem::temp_directory_path(), budget);
      spill.reserve(reserved);  // less than will come, all of it, more than the budget
      std::string expected;
      std::uint32_t seed = 1;
      bool filled = false;
      for (const std::size_t size : sizes) {
        const std::string piece = pattern(size, seed++);
        if (filled) {
          spill.append_filled(size, [&](char* out) { std::memcpy(out, piece.data(), piece.size()); });
        } else {
          spill.append(piece);
        }
        filled = !filled;
        expected += piece;
        ASSERT_EQ(spill.size(), expected.size()) << budget << " reserved " << reserved;
        EXPECT_EQ(spill.in_memory().has_value(), expected.size() <= budget) << budget << " reserved " << reserved;
      }
      EXPECT_EQ(spill.crc(), crc32_of(expected)) << budget << " reserved " << reserved;
      if (spill.in_memory()) {
        EXPECT_TRUE(*spill.in_memory() == expected) << budget << " reserved " << reserved;
      }
      EXPECT_TRUE(read_back(spill) == expected) << budget << " reserved " << reserved;
    }
  }
}

TEST(SpillFile, EmptyIsEmptyInMemory) {
  SpillFile spill(std::filesystem::temp_directory_path(), 0);
  ASSERT_TRUE(spill.in_memory().has_value());
  EXPECT_TRUE(spill.in_memory()->empty());
  EXPECT_EQ(spill.crc(), crc32_of(""));
  EXPECT_TRUE(read_back(spill).empty());
}

}  // namespace
}  // namespace dm
