// The free-space refusal of issue 18.9, decided on given numbers: no disk
// has to be filled to test it.
#include "distance_matrix/output/free_space.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "distance_matrix/errors.hpp"

namespace dm {
namespace {

TEST(HumanBytesTest, ThreeSignificantDigitsInDecimalUnits) {
  EXPECT_EQ(human_bytes(0), "0 bytes");
  EXPECT_EQ(human_bytes(1), "1 byte");
  EXPECT_EQ(human_bytes(999), "999 bytes");
  EXPECT_EQ(human_bytes(1000), "1.00 kB");
  EXPECT_EQ(human_bytes(12'345), "12.3 kB");
  EXPECT_EQ(human_bytes(999'499), "999 kB");
  EXPECT_EQ(human_bytes(999'500), "1.00 MB") << "not 1000 kB";
  EXPECT_EQ(human_bytes(12'300'000'000), "12.3 GB");
  // n = 200,000, square float64: 200000^2 * 8 bytes and a 128-byte header.
  EXPECT_EQ(human_bytes(320'000'000'128), "320 GB");
  EXPECT_EQ(human_bytes(18'446'744'073'709'551'615ULL), "18.4 EB");
}

TEST(RequireFreeSpaceTest, AnOutputThatFitsPasses) {
  EXPECT_NO_THROW(require_free_space(100, 100, "'m.npy'"));
  EXPECT_NO_THROW(require_free_space(0, 0, "'m.npy'"));
}

TEST(RequireFreeSpaceTest, AnOutputLargerThanTheFreeSpaceSaysHowMuchOfEach) {
  try {
    require_free_space(320'000'000'128, 12'300'000'000, "'m.npy'");
    FAIL() << "not refused";
  } catch (const IoError& error) {
    EXPECT_STREQ(error.what(), "cannot write 'm.npy': needs 320 GB, 12.3 GB free on its file system");
  }
  EXPECT_THROW(require_free_space(101, 100, "'m.npy'"), IoError);
}

TEST(FreeBytesTest, AFolderHasAnAnswerAMissingOneHasNone) {
  EXPECT_TRUE(free_bytes(std::filesystem::temp_directory_path()).has_value());
  EXPECT_FALSE(free_bytes("/nonexistent/folder/of/free_space_test").has_value());
}

}  // namespace
}  // namespace dm
