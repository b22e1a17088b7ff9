#include "distance_matrix/text/printable.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dm {
namespace {

using namespace std::string_literals;

TEST(Printable, KeepsOrdinaryAndNonAsciiTextAsItIs) {
  EXPECT_EQ(printable("data/many_locations.csv"), "data/many_locations.csv");
  EXPECT_EQ(printable("Zürich, 東京 🌍"), "Zürich, 東京 🌍");
  EXPECT_EQ(printable(""), "");
}

TEST(Printable, EscapesLineBreaksSoANameCannotForgeADiagnostic) {
  EXPECT_EQ(printable("a.csv\nb.csv:1: forged"), "a.csv\\nb.csv:1: forged");
  EXPECT_EQ(printable("x\r\ty"), "x\\r\\ty");
}

TEST(Printable, EscapesTerminalControlSequences) {
  EXPECT_EQ(printable("\x1b[31mred"), "\\e[31mred");
  EXPECT_EQ(printable("bell\a del\x7f"), "bell\\x07 del\\x7f");
  EXPECT_EQ(printable("nul\0end"s), "nul\\x00end");
  EXPECT_EQ(printable("\xc2\x9b" "31m"), "\\xc2\\x9b31m");  // C1 CSI encoded in UTF-8
}

TEST(Printable, EscapesBytesThatAreNotUtf8) {
  EXPECT_EQ(printable("caf\xe9"), "caf\\xe9");                  // Latin-1 é
  EXPECT_EQ(printable("\xc0\xaf"), "\\xc0\\xaf");               // overlong '/'
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");      // UTF-16 surrogate
  EXPECT_EQ(printable("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
  EXPECT_EQ(printable("\xe2\x82"), "\\xe2\\x82");               // truncated sequence
}

TEST(Printable, EscapesBackslashSoEscapesAreUnambiguous) {
  EXPECT_EQ(printable("a\\nb"), "a\\\\nb");
}

}  // namespace
}  // namespace dm
