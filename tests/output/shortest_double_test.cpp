#include "src/output/shortest_double.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace dm {
namespace {

// The reference is the standard library's own std::to_chars: the CSV
// format promises its bytes, and write_shortest() is a faster way to them.
std::string reference(double value) {
  char text[64];
  return {text, std::to_chars(text, text + sizeof text, value).ptr};
}

std::string shortest(double value) {
  char text[shortest_double_room + 8];
  return {text, write_shortest(text, value)};
}

TEST(WriteShortest, SpellsTheCasesOfEachNotationAsToChars) {
  const std::vector<std::pair<double, std::string>> cases = {
      {0.0, "0"},
      {-0.0, "-0"},
      {1.0, "1"},
      {0.1, "0.1"},
      {0.001, "0.001"},          // fixed and scientific tie: fixed
      {0.0001, "1e-04"},         // scientific is shorter
      {0.00012, "0.00012"},      // tie again
      {1e-05, "1e-05"},
      {1.5e-10, "1.5e-10"},
      {5e-324, "5e-324"},        // the smallest subnormal
      {2000.0, "2000"},
      {10000.0, "10000"},        // tie: fixed
      {1e+06, "1e+06"},
      {123456.0, "123456"},
      {20015.086796020572, "20015.086796020572"},
      {-3.25, "-3.25"},
      {9007199254740991.0, "9007199254740991"},  // 2^53 - 1, the last fast one
      {9007199254740992.0, "9007199254740992"},  // 2^53: to_chars' own path
      {1e+23, "1e+23"},
      {1.7976931348623157e+308, "1.7976931348623157e+308"},
      {std::numeric_limits<double>::infinity(), "inf"},
      {-std::numeric_limits<double>::infinity(), "-inf"},
  };
  for (const auto& [value, text] : cases) {
    EXPECT_EQ(shortest(value), text) << text;
    EXPECT_EQ(reference(value), text) << text;  // the cases themselves are right
  }
  EXPECT_EQ(shortest(std::numeric_limits<double>::quiet_NaN()), reference(std::numeric_limits<double>::quiet_NaN()));
}

TEST(WriteShortest, MatchesToCharsOnRandomBitPatterns) {
  std::mt19937_64 random(20261125);
  for (int i = 0; i < 2'000'000; ++i) {
    const double value = std::bit_cast<double>(random());
    ASSERT_EQ(shortest(value), reference(value)) << std::bit_cast<std::uint64_t>(value);
  }
}

TEST(WriteShortest, MatchesToCharsOnDistancesInEveryUnit) {
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> kilometres(0.0, 20015.1);
  for (int i = 0; i < 1'000'000; ++i) {
    const double value = kilometres(random);
    for (const double scaled : {value, value * 1000.0, value * 0.621371192237334, value * 1e-6}) {
      ASSERT_EQ(shortest(scaled), reference(scaled)) << scaled;
    }
  }
}

TEST(WriteShortest, MatchesToCharsAroundPowersOfTwoAndTen) {
  for (int exponent = -1074; exponent <= 1023; ++exponent) {
    const double power = std::ldexp(1.0, exponent);
    for (const double value : {power, std::nextafter(power, 0.0), std::nextafter(power, 2 * power)}) {
      ASSERT_EQ(shortest(value), reference(value)) << value;
    }
  }
  for (int exponent = -323; exponent <= 308; ++exponent) {
    for (int digit = 1; digit <= 9; ++digit) {
      const double value = digit * std::pow(10.0, exponent);
      for (const double near : {value, std::nextafter(value, 0.0), std::nextafter(value, 2 * value), -value}) {
        ASSERT_EQ(shortest(near), reference(near)) << near;
      }
    }
  }
}

TEST(WriteShortest, MatchesToCharsOnIntegersAndShortFractions) {
  for (int i = 0; i < 300'000; ++i) {
    for (const double value : {static_cast<double>(i), i / 8.0, i / 1000.0, i * 1e9}) {
      ASSERT_EQ(shortest(value), reference(value)) << value;
    }
  }
}

TEST(WriteShortest, MatchesToCharsAcrossEveryDigitGroup) {
  // Digits are made eight at a time: walk each group's range, in the
  // integer part, the fraction, and both.
  for (std::uint32_t group = 0; group < 100'000'000; group += 9973) {
    for (const double value : {1e8 + group, 1.0 + group * 1e-8, 12345678.0 + group * 1e-8, group * 1e-16,
                               9e15 + group}) {
      ASSERT_EQ(shortest(value), reference(value)) << value;
    }
  }
}

}  // namespace
}  // namespace dm
