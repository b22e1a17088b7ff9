#include "src/shortest_double.hpp"

#include <dragonbox/dragonbox.h>

#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace dm {
namespace {

constexpr std::array<std::uint64_t, 20> powers_of_ten = [] {
  std::array<std::uint64_t, 20> table{};
  std::uint64_t power = 1;
  for (auto& entry : table) {
    entry = power;
    power *= 10;
  }
  return table;
}();

/// The eight decimal digits of `value` < 10^8 as ASCII bytes in a word,
/// the first digit in the lowest byte (memory order on a little-endian
/// CPU). All four pairs, then all eight digits, are split at once: each
/// multiply-shift divides every lane of the word by 100 or by 10.
[[gnu::always_inline]] inline std::uint64_t eight_digits(std::uint32_t value) noexcept {
  std::uint64_t lanes = (value / 10000) | (std::uint64_t{value % 10000} << 32);  // 2 lanes of 4 digits
  std::uint64_t quotient = ((lanes * 10486) >> 20) & 0x0000007F'0000007F;      // each lane / 100
  lanes = quotient | ((lanes - quotient * 100) << 16);                           // 4 lanes of 2 digits
  quotient = ((lanes * 103) >> 10) & 0x000F000F'000F000F;                        // each lane / 10
  lanes = quotient | ((lanes - quotient * 10) << 8);                             // 8 lanes of 1 digit
  return lanes | 0x30303030'30303030;
}

/// `word` with `byte` inserted at byte position `at` (< 8), the bytes from
/// there on moved up by one; the top byte falls out (the caller keeps it).
[[gnu::always_inline]] inline std::uint64_t insert_byte(std::uint64_t word, unsigned at, char byte) noexcept {
  const std::uint64_t below = (std::uint64_t{1} << (8 * at)) - 1;
  return (word & below) | (std::uint64_t{static_cast<unsigned char>(byte)} << (8 * at)) | ((word & ~below) << 8);
}

void store(char* out, std::uint64_t word) noexcept {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(out, &word, sizeof word);
  } else {
    std::uint64_t swapped = 0;
    for (int i = 0; i < 8; ++i) swapped |= ((word >> (8 * i)) & 0xFF) << (8 * (7 - i));
    std::memcpy(out, &swapped, sizeof swapped);
  }
}

/// Number of decimal digits of `value` (at least 1).
int decimal_digits(std::uint64_t value) noexcept {
  // bit_width·log10(2) is the digit count or one less than it.
  const int estimate = static_cast<int>((std::bit_width(value) * 1233) >> 12);
  return estimate + (value >= powers_of_ten[static_cast<std::size_t>(estimate)] ? 1 : 0);
}

}  // namespace

char* write_shortest(char* first, double value) noexcept {
  // Zero, infinities and NaN keep libstdc++'s spelling; so do magnitudes from
  // 2^53 up, where its fixed notation prints a double's exact integer value,
  // which may have more digits than the shortest form padded with zeros.
  constexpr double exact_integers_end = 9007199254740992.0;  // 2^53
  if (value == 0.0 || !(std::fabs(value) < exact_integers_end)) {
    return std::to_chars(first, first + shortest_double_room, value).ptr;
  }
  const auto decimal = jkj::dragonbox::to_decimal(value);  // value = ±significand·10^exponent
  char* cursor = first;
  if (decimal.is_negative) *cursor++ = '-';

  // The digits, left-aligned to exactly 17 (the most a double needs) and
  // zero-filled on the right: first, then 16 more in two words. Every
  // notation below is then a few stores of these words, shifted to make
  // room for a '.', with no digit written twice or read back.
  const int count = decimal_digits(decimal.significand);
  const std::uint64_t digits = decimal.significand * powers_of_ten[static_cast<std::size_t>(17 - count)];
  const char first_digit = static_cast<char>('0' + digits / powers_of_ten[16]);
  const std::uint64_t rest = digits % powers_of_ten[16];
  std::uint64_t high = eight_digits(static_cast<std::uint32_t>(rest / powers_of_ten[8]));  // digits 2 to 9
  std::uint64_t low = eight_digits(static_cast<std::uint32_t>(rest % powers_of_ten[8]));   // digits 10 to 17
  const int exponent = decimal.exponent;  // value = ±significand·10^exponent
  const int scientific_exponent = exponent + count - 1;

  // std::to_chars picks the shorter of the two notations, fixed on a tie.
  const int scientific_length =
      count + (count > 1 ? 1 : 0) + 2 + (scientific_exponent >= 100 || scientific_exponent <= -100 ? 3 : 2);
  const int fixed_length = exponent >= 0 ? count + exponent : (-exponent < count ? count + 1 : 2 - exponent);

  if (fixed_length <= scientific_length) {
    const int whole = count + exponent;  // digits before the '.'
    if (whole <= 0) {  // 0.001234: at most three zeros, or scientific would be shorter
      store(cursor, 0x30303030'30302E30);  // "0.000000"
      cursor += 2 - whole;
    } else if (exponent < 0) {  // 12.34: the '.' goes into `high` or `low`
      const auto at = static_cast<unsigned>(whole - 1);
      const char last = static_cast<char>(low >> 56);
      if (at < 8) {
        const char carried = static_cast<char>(high >> 56);
        high = insert_byte(high, at, '.');
        low = insert_byte(low, 0, carried);
      } else {
        low = insert_byte(low, at - 8, '.');
      }
      cursor[0] = first_digit;
      store(cursor + 1, high);
      store(cursor + 9, low);
      cursor[17] = last;
      return cursor + count + 1;
    }
    // An integer below 2^53 (at most 16 digits and zeros), or the digits after "0.000".
    cursor[0] = first_digit;
    store(cursor + 1, high);
    store(cursor + 9, low);
    return cursor + (whole <= 0 ? count : whole);
  }

  *cursor++ = first_digit;  // 1.234e-05
  if (count > 1) {
    *cursor++ = '.';
    store(cursor, high);
    store(cursor + 8, low);
    cursor += count - 1;
  }
  *cursor++ = 'e';
  *cursor++ = scientific_exponent < 0 ? '-' : '+';
  const int magnitude = scientific_exponent < 0 ? -scientific_exponent : scientific_exponent;
  if (magnitude >= 100) *cursor++ = static_cast<char>('0' + magnitude / 100);
  *cursor++ = static_cast<char>('0' + magnitude / 10 % 10);
  *cursor++ = static_cast<char>('0' + magnitude % 10);
  return cursor;
}

}  // namespace dm
