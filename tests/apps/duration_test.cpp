#include "duration.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace dm {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

TEST(ParseDuration, ReadsEveryUnit) {
  EXPECT_EQ(parse_duration("100ns"), nanoseconds(100));
  EXPECT_EQ(parse_duration("250us"), nanoseconds(250us));
  EXPECT_EQ(parse_duration("250\u00b5s"), nanoseconds(250us));
  EXPECT_EQ(parse_duration("500ms"), nanoseconds(500ms));
  EXPECT_EQ(parse_duration("3s"), nanoseconds(3s));
  EXPECT_EQ(parse_duration("2min"), nanoseconds(2min));
}

TEST(ParseDuration, ReadsDecimalFractions) {
  EXPECT_EQ(parse_duration("0.5s"), nanoseconds(500ms));
  EXPECT_EQ(parse_duration("1.5s"), nanoseconds(1500ms));
  EXPECT_EQ(parse_duration("0.3s"), nanoseconds(300ms)) << "0.3 is not exact in binary";
  EXPECT_EQ(parse_duration("0.001ms"), nanoseconds(1us));
  EXPECT_EQ(parse_duration("1.25min"), nanoseconds(75s));
  EXPECT_EQ(parse_duration("0.123456789s"), nanoseconds(123'456'789));
}

TEST(ParseDuration, RoundsTheFractionToTheNearestNanosecond) {
  EXPECT_EQ(parse_duration("1.4ns"), nanoseconds(1));
  EXPECT_EQ(parse_duration("1.6ns"), nanoseconds(2));
  EXPECT_EQ(parse_duration("0.0000000004s"), nanoseconds(0));
  EXPECT_EQ(parse_duration("1.000000000000000000000000001s"), nanoseconds(1s)) << "many digits";
}

TEST(ParseDuration, AcceptsZeroWithOrWithoutUnit) {
  EXPECT_EQ(parse_duration("0"), nanoseconds(0));
  EXPECT_EQ(parse_duration("0.0"), nanoseconds(0));
  EXPECT_EQ(parse_duration("000"), nanoseconds(0));
  EXPECT_EQ(parse_duration("0ms"), nanoseconds(0));
  EXPECT_EQ(parse_duration("0.0s"), nanoseconds(0));
}

TEST(ParseDuration, KeepsLeadingZerosAndLargeIntegersExact) {
  EXPECT_EQ(parse_duration("007ms"), nanoseconds(7ms));
  EXPECT_EQ(parse_duration("123456789012345678ns"), nanoseconds(123456789012345678))
      << "beyond 2^53, where a double would round";
}

TEST(ParseDuration, RefusesEmptyTextAndMissingNumbers) {
  EXPECT_EQ(parse_duration(""), std::nullopt);
  EXPECT_EQ(parse_duration("ms"), std::nullopt);
  EXPECT_EQ(parse_duration("s"), std::nullopt);
  EXPECT_EQ(parse_duration(".5s"), std::nullopt);
  EXPECT_EQ(parse_duration("5.s"), std::nullopt);
  EXPECT_EQ(parse_duration("."), std::nullopt);
}

TEST(ParseDuration, RefusesANonZeroNumberWithoutUnit) {
  EXPECT_EQ(parse_duration("500"), std::nullopt);
  EXPECT_EQ(parse_duration("0.5"), std::nullopt);
}

TEST(ParseDuration, RefusesNegativeAndSignedValues) {
  EXPECT_EQ(parse_duration("-1s"), std::nullopt);
  EXPECT_EQ(parse_duration("-0"), std::nullopt);
  EXPECT_EQ(parse_duration("+1s"), std::nullopt);
}

TEST(ParseDuration, RefusesUnknownAndAmbiguousUnits) {
  EXPECT_EQ(parse_duration("2m"), std::nullopt) << "minutes or milli: ambiguous";
  EXPECT_EQ(parse_duration("1h"), std::nullopt);
  EXPECT_EQ(parse_duration("1sec"), std::nullopt);
  EXPECT_EQ(parse_duration("1MS"), std::nullopt);
  EXPECT_EQ(parse_duration("1mss"), std::nullopt);
}

TEST(ParseDuration, RefusesSpacesExponentsAndGarbage) {
  EXPECT_EQ(parse_duration(" 1s"), std::nullopt);
  EXPECT_EQ(parse_duration("1s "), std::nullopt);
  EXPECT_EQ(parse_duration("1 s"), std::nullopt);
  EXPECT_EQ(parse_duration("1e3ms"), std::nullopt);
  EXPECT_EQ(parse_duration("1.2.3s"), std::nullopt);
  EXPECT_EQ(parse_duration("1,5s"), std::nullopt);
  EXPECT_EQ(parse_duration("0x10ms"), std::nullopt);
  EXPECT_EQ(parse_duration("fast"), std::nullopt);
  EXPECT_EQ(parse_duration(std::string_view("1\0s", 3)), std::nullopt);
}

TEST(ParseDuration, RefusesNanAndInfinity) {
  EXPECT_EQ(parse_duration("nan"), std::nullopt);
  EXPECT_EQ(parse_duration("nanms"), std::nullopt);
  EXPECT_EQ(parse_duration("inf"), std::nullopt);
  EXPECT_EQ(parse_duration("infs"), std::nullopt);
  EXPECT_EQ(parse_duration("infinitys"), std::nullopt);
}

TEST(ParseDuration, RefusesWhatDoesNotFitInNanoseconds) {
  const auto max = nanoseconds::max().count();  // 9223372036854775807 ns, about 292 years
  EXPECT_EQ(parse_duration(std::to_string(max) + "ns"), nanoseconds(max));
  EXPECT_EQ(parse_duration("9223372036854775808ns"), std::nullopt);
  EXPECT_EQ(parse_duration("99999999999999999999999ns"), std::nullopt) << "more than 64 bits";
  EXPECT_EQ(parse_duration("9223372036s"), nanoseconds(9223372036s));
  EXPECT_EQ(parse_duration("9223372037s"), std::nullopt);
  EXPECT_EQ(parse_duration("9223372036.9s"), std::nullopt) << "the fraction tips it over";
  EXPECT_EQ(parse_duration("153722867min"), nanoseconds(std::chrono::minutes(153722867)));
  EXPECT_EQ(parse_duration("153722868min"), std::nullopt);
}

}  // namespace
}  // namespace dm
