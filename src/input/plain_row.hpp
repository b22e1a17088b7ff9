// The common CSV row, "Vila (AD),42.53176,1.56654\n", split with a few
// vector compares instead of field by field: the reader's general scanner
// (quotes, blank lines, rows cut by the end of what was read) was a third
// of the read, on rows that need none of it.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include "byte_lanes.hpp"

namespace dm::detail {

/// A row found whole in the 64 bytes looked at.
struct PlainRow {
  unsigned length = 0;              ///< bytes before its '\n'
  std::uint64_t delimiter_bits = 0;  ///< bit i set: byte i is a delimiter
};

/// Whether the 64 bytes at `at` (all of them readable) start with a row of
/// exactly `field_count` fields that holds no quote and no NUL byte, is not
/// blanks only, and ends with '\n' within them. Such a row's fields are the
/// bytes between its delimiters, to be trimmed as the general scanner trims
/// them; any other row (quoted fields, a wrong field count, a blank line,
/// one longer than 63 bytes) is the general scanner's. Without SSE2, never.
[[nodiscard]] inline bool find_plain_row(const char* at, char delimiter, std::size_t field_count,
                                         PlainRow& row) noexcept {
#if defined(__SSE2__)
  const __m128i delimiters = byte_in_every_lane(delimiter);
  const __m128i line_ends = _mm_set1_epi8('\n');
  const __m128i quotes = _mm_set1_epi8('"');
  const __m128i nuls = _mm_setzero_si128();
  const __m128i spaces = _mm_set1_epi8(' ');
  const __m128i tabs = _mm_set1_epi8('\t');
  const __m128i carriage_returns = _mm_set1_epi8('\r');
  std::uint64_t line_end_bits = 0;
  std::uint64_t delimiter_bits = 0;
  std::uint64_t refused_bits = 0;
  std::uint64_t blank_bits = 0;  // a line of blanks and blank delimiters is skipped, not a row
  for (unsigned block = 0; block < 4; ++block) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at + 16 * block));
    const auto bits_of = [&](__m128i equal) {
      return static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(equal))) << (16 * block);
    };
    line_end_bits |= bits_of(_mm_cmpeq_epi8(bytes, line_ends));
    delimiter_bits |= bits_of(_mm_cmpeq_epi8(bytes, delimiters));
    refused_bits |= bits_of(_mm_or_si128(_mm_cmpeq_epi8(bytes, quotes), _mm_cmpeq_epi8(bytes, nuls)));
    blank_bits |= bits_of(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, spaces), _mm_cmpeq_epi8(bytes, tabs)),
                                       _mm_cmpeq_epi8(bytes, carriage_returns)));
  }
  if (line_end_bits == 0) return false;
  const auto length = static_cast<unsigned>(std::countr_zero(line_end_bits));
  const std::uint64_t in_row = (std::uint64_t{1} << length) - 1;  // length < 64
  delimiter_bits &= in_row;
  if ((refused_bits & in_row) != 0 || (blank_bits & in_row) == in_row) return false;
  // field_count - 1 delimiters, counted by clearing them (std::popcount is a
  // libgcc call on baseline x86-64).
  std::uint64_t uncounted = delimiter_bits;
  for (std::size_t field = 1; field < field_count; ++field) {
    if (uncounted == 0) return false;
    uncounted &= uncounted - 1;
  }
  if (uncounted != 0) return false;
  row.length = length;
  row.delimiter_bits = delimiter_bits;
  return true;
#else
  static_cast<void>(at), static_cast<void>(delimiter), static_cast<void>(field_count), static_cast<void>(row);
  return false;
#endif
}

}  // namespace dm::detail
