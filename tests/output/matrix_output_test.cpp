#include "distance_matrix/output/matrix_output.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "distance_matrix/errors.hpp"

namespace dm {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

class FileMatrixOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder = fs::temp_directory_path() / ("matrix_output_test." + std::to_string(::getpid()));
    fs::create_directories(folder);
  }
  void TearDown() override { fs::remove_all(folder); }
  fs::path folder;
};

TEST_F(FileMatrixOutputTest, AppendsThroughManyWritebackStepsAndAppearsOnCommit) {
  const fs::path path = folder / "out.bin";
  std::string expected;
  {
    OutputFile file(path);
    FileMatrixOutput output(file, 7);  // a writeback step every 7 bytes, waits from the third on
    for (int piece = 0; piece < 40; ++piece) {
      const std::string bytes(static_cast<std::size_t>(piece % 5 + 1), static_cast<char>('a' + piece % 26));
      output.append(bytes);
      expected += bytes;
    }
    EXPECT_FALSE(fs::exists(path));
    output.commit();
  }
  EXPECT_EQ(read_file(path), expected);
}

TEST_F(FileMatrixOutputTest, TakesPartsFromSeveralThreadsOnlyThroughATemporaryFile) {
  const fs::path path = folder / "parts.bin";
  std::string expected(3 * 4096, '\0');
  {
    OutputFile file(path);
    FileMatrixOutput output(file, 4096);
    ASSERT_TRUE(output.takes_parts_in_parallel());
    output.write_at(0, "head");
    std::vector<std::thread> writers;
    for (std::size_t part = 0; part < 3; ++part) {
      const std::string bytes(4096 - (part == 0 ? 4 : 0), static_cast<char>('a' + part));
      const std::size_t offset = part * 4096 + (part == 0 ? 4 : 0);
      expected.replace(offset, bytes.size(), bytes);
      writers.emplace_back([&output, offset, bytes] { output.write_part_at(offset, bytes); });
    }
    for (std::thread& writer : writers) writer.join();
    expected.replace(0, 4, "head");
    EXPECT_FALSE(fs::exists(path));
    output.commit();
  }
  EXPECT_EQ(read_file(path), expected);
  OutputFile device("/dev/null");
  EXPECT_FALSE(FileMatrixOutput(device).takes_parts_in_parallel());
  EXPECT_FALSE(MemoryMatrixOutput().takes_parts_in_parallel());
}

TEST_F(FileMatrixOutputTest, WritesAtOffsetsInAnyOrder) {
  const fs::path path = folder / "out.bin";
  {
    OutputFile file(path);
    FileMatrixOutput output(file);
    output.write_at(6, "world");
    output.write_at(0, "hello ");
    output.commit();
  }
  EXPECT_EQ(read_file(path), "hello world");
}

TEST_F(FileMatrixOutputTest, LeavesNothingWithoutCommit) {
  const fs::path path = folder / "out.bin";
  {
    OutputFile file(path);
    FileMatrixOutput output(file, 1);
    output.append("partial");
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::is_empty(folder));
}

TEST(MemoryMatrixOutput, AppendsAndWritesAtOffsets) {
  MemoryMatrixOutput output;
  output.append("ab");
  output.write_at(4, "ef");
  output.write_at(1, "BCD");
  EXPECT_EQ(output.bytes(), std::string("aBCDef"));
  EXPECT_FALSE(output.committed());
  output.commit();
  EXPECT_TRUE(output.committed());
}

}  // namespace
}  // namespace dm

namespace dm {
namespace {

TEST_F(FileMatrixOutputTest, GathersSmallAppendsAndKeepsOrderWithOffsets) {
  const fs::path path = folder / "out.bin";
  {
    OutputFile file(path);
    FileMatrixOutput output(file, 8, 16);  // writes of at least 16 bytes
    output.append("0123456789");
    output.append("abcdefghij");            // overflows: the first 10 go out, these wait
    output.append(std::string(40, 'x'));    // larger than the buffer: straight through after the rest
    output.write_at(0, "ZZ");               // after what was appended, whatever was buffered
    output.append("tail");
    output.commit();
  }
  EXPECT_EQ(read_file(path), "ZZ23456789abcdefghij" + std::string(40, 'x') + "tail");
}

TEST_F(FileMatrixOutputTest, WritesLargeAppendsUncopiedInOrderWithTheBufferedOnes) {
  const fs::path path = folder / "out.bin";
  const std::string block(FileMatrixOutput::direct_write_bytes, 'b');
  {
    OutputFile file(path);
    FileMatrixOutput output(file);  // a 1 MiB buffer: the block is far smaller, yet goes straight through
    output.append("head,");
    output.append(block);
    output.append(",middle,");
    output.append(block);
    output.append(block);
    output.append(",tail");
    output.commit();
  }
  EXPECT_EQ(read_file(path), "head," + block + ",middle," + block + block + ",tail");
}

}  // namespace
}  // namespace dm
