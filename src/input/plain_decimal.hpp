// Coordinates as location files write them ("-42.53176": a sign, digits, a
// point, digits) read without std::from_chars when the answer is certain:
// from_chars was a third of the CSV reader's time. This path, a digit loop
// and one division, gives the very same double.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace dm::detail {

/// 10^0 … 10^22: every one an exact double (5^22 < 2^53).
inline constexpr std::array<double, 23> exact_powers_of_ten = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/// Sets `value` and returns true when `text` is `[-]digits[.digits]` whose
/// digits (at most 19 in all, at most 22 after the point) make an integer
/// no larger than 2^53; returns false for anything else, which the caller
/// hands to std::from_chars.
/// The same double as from_chars: the digits' integer and the power of ten
/// are both exact doubles, so one IEEE division rounds their quotient
/// correctly (Clinger 1990; the first path of fast_float and other correct
/// parsers).
/// A point must have digits on both sides: "1." and ".5" go to from_chars,
/// whose grammar decides them.
[[nodiscard]] inline bool parse_plain_decimal(std::string_view text, double& value) noexcept {
  const char* cursor = text.data();
  const char* const end = cursor + text.size();
  const bool negative = cursor != end && *cursor == '-';
  cursor += negative ? 1 : 0;
  // Wraps past 19 digits (unsigned, so defined); such text is refused below.
  std::uint64_t digits = 0;
  const auto take_digits = [&] {
    const char* const first = cursor;
    for (unsigned digit = 0; cursor != end && (digit = static_cast<unsigned char>(*cursor) - '0') < 10; ++cursor) {
      digits = digits * 10 + digit;
    }
    return static_cast<std::size_t>(cursor - first);
  };
  const std::size_t integer_digits = take_digits();
  std::size_t fraction_digits = 0;
  if (cursor != end && *cursor == '.') {
    ++cursor;
    fraction_digits = take_digits();
    if (fraction_digits == 0) return false;
  }
  constexpr std::uint64_t largest_exact = std::uint64_t{1} << 53;
  if (cursor != end || integer_digits == 0 || integer_digits + fraction_digits > 19 ||
      fraction_digits >= exact_powers_of_ten.size() || digits > largest_exact) {
    return false;
  }
  const double magnitude = static_cast<double>(digits) / exact_powers_of_ten[fraction_digits];
  value = negative ? -magnitude : magnitude;
  return true;
}

}  // namespace dm::detail
