#include "src/output/shortest_double.hpp"

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

/// "00" "01" ... "99".
constexpr std::array<char, 200> digit_pairs = [] {
  std::array<char, 200> table{};
  for (std::size_t i = 0; i < 100; ++i) {
    table[2 * i] = static_cast<char>('0' + i / 10);
    table[2 * i + 1] = static_cast<char>('0' + i % 10);
  }
  return table;
}();

[[gnu::always_inline]] inline std::uint64_t digit_pair(std::uint64_t pair) noexcept {
  std::uint16_t text = 0;
  std::memcpy(&text, &digit_pairs[pair * 2], 2);
  return text;
}

/// The eight decimal digits of `value` < 10^8, zero-padded, as ASCII bytes
/// in a word, the first digit in the lowest byte (memory order on a
/// little-endian CPU). value·2^32/10^6 in fixed point (rounded up, so that
/// no step truncates below a digit boundary: checked for every value) holds
/// the first two digits in its integer part; each multiplication of the
/// fraction by 100 brings up the next two, one multiply per pair in a chain.
[[gnu::always_inline]] inline std::uint64_t eight_digits(std::uint32_t value) noexcept {
  constexpr std::uint64_t fraction_mask = 0xFFFF'FFFF;
  std::uint64_t fixed = ((std::uint64_t{value} * 281'474'977) >> 16) + 1;  // 281474977 = ⌈2^48/10^6⌉
  const std::uint64_t pair0 = fixed >> 32;
  fixed = (fixed & fraction_mask) * 100;
  const std::uint64_t pair1 = fixed >> 32;
  fixed = (fixed & fraction_mask) * 100;
  const std::uint64_t pair2 = fixed >> 32;
  fixed = (fixed & fraction_mask) * 100;
  const std::uint64_t pair3 = fixed >> 32;
  return digit_pair(pair0) | digit_pair(pair1) << 16 | digit_pair(pair2) << 32 | digit_pair(pair3) << 48;
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

  // The digits, left-aligned in 17 bytes (the most a double needs): the
  // first, then 16 more in two words. They are made right-aligned (the
  // significand split in groups of 8 while its length is counted, in
  // parallel), then the leading zeros are shifted out in registers. Every
  // notation below is a few stores of these words, shifted to make room for
  // a '.', with no digit written twice or read back.
  const std::uint64_t significand = decimal.significand;
  const int count = decimal_digits(significand);
  const std::uint64_t upper = significand / powers_of_ten[8];
  const std::uint64_t top = upper / powers_of_ten[8];  // the 17th digit from the right, maybe 0
  std::uint64_t high = eight_digits(static_cast<std::uint32_t>(upper % powers_of_ten[8]));
  std::uint64_t low = eight_digits(static_cast<std::uint32_t>(significand % powers_of_ten[8]));
  char first_digit = static_cast<char>('0' + top);
  const auto skip = static_cast<unsigned>(17 - count);  // leading zeros
  if (skip < 8) {  // 10 or more digits: no branch on the exact count
    const std::uint64_t first_eight = (high << 8) | static_cast<unsigned char>(first_digit);
    first_digit = static_cast<char>(first_eight >> (8 * skip));
    high = (high >> (8 * skip)) | ((low << 1) << (63 - 8 * skip));  // two shifts: never by 64
    low >>= 8 * skip;
  } else {  // 1 to 9 digits, all in `high` and `low`
    const unsigned into_low = skip - 8;  // 0 to 8
    first_digit = static_cast<char>(into_low == 0 ? high >> 56 : low >> (8 * (into_low - 1)));
    high = into_low == 8 ? 0 : low >> (8 * into_low);
    low = 0;
  }
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
    // The digits after "0.000", or an integer below 2^53: at most 16 digits
    // and zeros.
    cursor[0] = first_digit;
    store(cursor + 1, high);
    store(cursor + 9, low);
    if (whole <= 0) return cursor + count;
    store(cursor + count, 0x30303030'30303030);
    store(cursor + count + 8, 0x30303030'30303030);
    return cursor + whole;
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
