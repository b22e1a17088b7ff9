#include "src/input/plain_decimal.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>

namespace dm::detail {
namespace {

/// std::from_chars's double for the whole of `text`, the reference: a
/// separate, correctly rounding parser (libstdc++'s).
std::optional<double> reference(std::string_view text) {
  double value = 0.0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

/// Where the fast path answers, it is from_chars's double, bit for bit (the sign of zero included).
void expect_as_from_chars(std::string_view text) {
  double value = 0.0;
  if (!parse_plain_decimal(text, value)) return;
  const std::optional<double> expected = reference(text);
  ASSERT_TRUE(expected.has_value()) << text;
  EXPECT_EQ(std::bit_cast<std::uint64_t>(value), std::bit_cast<std::uint64_t>(*expected)) << text;
}

TEST(PlainDecimal, ReadsCoordinatesAsWritten) {
  const std::pair<std::string_view, double> cases[] = {
      {"42.53176", 42.53176},   {"-71.0589", -71.0589}, {"0", 0.0},     {"180", 180.0},
      {"-90.000000", -90.0},    {"1.5", 1.5},           {"007.25", 7.25}, {"0.1", 0.1},
      {"-179.99999999999", -179.99999999999}, {"9007199254740992", 9007199254740992.0}};
  for (const auto& [text, expected] : cases) {
    double value = -1.0;
    ASSERT_TRUE(parse_plain_decimal(text, value)) << text;
    EXPECT_EQ(value, expected) << text;
  }
}

TEST(PlainDecimal, NegativeZeroKeepsItsSign) {
  for (const std::string_view text : {"-0", "-0.0", "-0.000"}) {
    double value = 1.0;
    ASSERT_TRUE(parse_plain_decimal(text, value)) << text;
    EXPECT_TRUE(std::signbit(value)) << text;
    EXPECT_EQ(value, 0.0) << text;
  }
}

TEST(PlainDecimal, LeavesEverythingElseToFromChars) {
  for (const std::string_view text :
       {"", "-", ".", "1.", ".5", "-.5", "+1", "1e5", "1E5", "inf", "nan", "0x10", "1.2.3", "1,5", " 1", "1 ",
        "--1", "1-", "12a", "\xd9\xa1",
        "9007199254740993",       // 2^53 + 1: not an exact double
        "12345678901234567890",   // 20 digits
        "0.00000000000000000000001"}) {  // 23 after the point: 10^23 is not exact
    double value = 0.0;
    EXPECT_FALSE(parse_plain_decimal(text, value)) << '"' << text << '"';
  }
}

TEST(PlainDecimal, HardCasesRoundAsFromChars) {
  // Halfway and near-halfway quotients, the most digits allowed, the largest exact integer.
  for (const std::string_view text :
       {"0.3", "2.675", "1.0000000000000002", "9.999999999999999", "0.0000000000000000000001",
        "1234567890.123456789", "4503599627370497.5", "9007199254740.992", "-3.1415926535897932",
        "0.1000000000000000055511151231257827"}) {
    expect_as_from_chars(text);
  }
}

TEST(PlainDecimal, RandomDecimalsMatchFromChars) {
  std::mt19937_64 random(20261207);
  std::uniform_int_distribution<int> length(1, 21);
  std::uniform_int_distribution<int> digit(0, 9);
  std::size_t taken = 0;
  constexpr int count = 400'000;
  for (int i = 0; i < count; ++i) {
    std::string text = random() % 2 == 0 ? "-" : "";
    const int integer_digits = length(random) % 10 + 1;
    const int fraction_digits = length(random) - 1;
    for (int d = 0; d < integer_digits; ++d) text += static_cast<char>('0' + digit(random));
    if (fraction_digits > 0) text += '.';
    for (int d = 0; d < fraction_digits; ++d) text += static_cast<char>('0' + digit(random));
    double value = 0.0;
    taken += parse_plain_decimal(text, value) ? 1 : 0;
    expect_as_from_chars(text);
    if (HasFailure()) return;
  }
  // Most such numbers take the fast path: the comparison is of it, not of the fallback.
  EXPECT_GT(taken, count / 2);
}

}  // namespace
}  // namespace dm::detail
