#include "duration.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

namespace dm {
namespace {

struct DurationUnit {
  std::string_view suffix;
  std::int64_t nanoseconds;
};

constexpr DurationUnit duration_units[] = {
    {"ns", 1},         {"us", 1'000},        {"\u00b5s", 1'000},  // µs, as UTF-8
    {"ms", 1'000'000}, {"s", 1'000'000'000}, {"min", 60'000'000'000},
};

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

std::size_t count_digits(std::string_view text, std::size_t from) noexcept {
  std::size_t end = from;
  while (end < text.size() && is_digit(text[end])) ++end;
  return end - from;
}

std::optional<std::int64_t> nanoseconds_per(std::string_view suffix) noexcept {
  for (const DurationUnit& unit : duration_units) {
    if (unit.suffix == suffix) return unit.nanoseconds;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) noexcept {
  // The number: digits, optionally '.' and more digits. Checking the shape by
  // hand keeps out what from_chars would accept: signs, "inf", "nan", ".5".
  const std::size_t integer_digits = count_digits(text, 0);
  if (integer_digits == 0) return std::nullopt;
  std::size_t number_end = integer_digits;
  if (number_end < text.size() && text[number_end] == '.') {
    const std::size_t fraction_digits = count_digits(text, number_end + 1);
    if (fraction_digits == 0) return std::nullopt;
    number_end += 1 + fraction_digits;
  }
  const std::string_view integer_text = text.substr(0, integer_digits);
  const std::string_view fraction_text = text.substr(integer_digits, number_end - integer_digits);
  const std::string_view suffix = text.substr(number_end);

  std::uint64_t integer_part = 0;
  if (std::from_chars(integer_text.data(), integer_text.data() + integer_text.size(), integer_part).ec !=
      std::errc{}) {
    return std::nullopt;  // more digits than 64 bits hold
  }
  // ".123" as a double, correctly rounded; only its first ~17 digits can matter.
  double fraction = 0.0;
  if (!fraction_text.empty()) {
    std::from_chars(fraction_text.data(), fraction_text.data() + fraction_text.size(), fraction,
                    std::chars_format::fixed);
  }

  if (suffix.empty()) {
    if (integer_part == 0 && fraction == 0.0) return std::chrono::nanoseconds::zero();
    return std::nullopt;
  }
  const std::optional<std::int64_t> unit = nanoseconds_per(suffix);
  if (!unit) return std::nullopt;

  constexpr std::int64_t max_nanoseconds = std::numeric_limits<std::chrono::nanoseconds::rep>::max();
  const auto per_unit = static_cast<std::uint64_t>(*unit);
  if (integer_part > static_cast<std::uint64_t>(max_nanoseconds) / per_unit) return std::nullopt;
  const auto whole = static_cast<std::int64_t>(integer_part * per_unit);
  // fraction < 1 and unit <= 6e10, so the product is exact to well under a nanosecond.
  const auto fractional = static_cast<std::int64_t>(std::llround(fraction * static_cast<double>(*unit)));
  if (whole > max_nanoseconds - fractional) return std::nullopt;
  return std::chrono::nanoseconds(whole + fractional);
}

}  // namespace dm
