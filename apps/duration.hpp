#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace dm {

/// Parses a non-negative duration written as a decimal number and a unit,
/// with no sign, exponent or spaces: "500ms", "0.5s", "1.5s", "250us",
/// "100ns", "2min". Units: ns, us (or µs), ms, s, min. A bare "0" (or "0.0")
/// needs no unit: zero is zero in any unit.
///
/// "m" alone is refused: it reads as minutes to some and as milli to others,
/// and a latency off by a factor of 60,000 is worse than an error.
///
/// The integer part is exact; the fraction is rounded to the nearest
/// nanosecond. Returns nullopt for anything else: empty text, a missing or
/// unknown unit, a negative value, NaN or infinity, garbage, or a duration
/// that does not fit in std::chrono::nanoseconds (about 292 years).
[[nodiscard]] std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) noexcept;

}  // namespace dm
