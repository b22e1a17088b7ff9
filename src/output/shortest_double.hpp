#pragma once

#include <cstddef>

namespace dm {

/// Room write_shortest() needs from where it starts writing: the longest
/// form, "-1.2345678901234567e-308" (24 bytes), plus slack for its
/// fixed-size stores of digit groups (their excess lies past the end it
/// returns).
inline constexpr std::size_t shortest_double_room = 64;

/// Writes `value` exactly as std::to_chars(first, last, value) does (the
/// shortest decimal that reads back as the same double, fixed notation
/// unless scientific is shorter), about twice as fast: the digits come from
/// Dragonbox instead of libstdc++'s Ryu. Needs shortest_double_room bytes
/// from `first`; returns the end of what it wrote.
char* write_shortest(char* first, double value) noexcept;

}  // namespace dm
