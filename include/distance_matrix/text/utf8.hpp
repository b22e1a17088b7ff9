// distance_matrix/text/utf8.hpp
//
// UTF-8 validation: the length of a valid sequence, the first invalid byte.
//
// Thread safety: pure functions.
//
// Example:
//   dm::first_invalid_utf8("Z\xc3\xbcrich");  // npos: valid
//   dm::first_invalid_utf8("ok\xff");           // 2

#pragma once

#include <cstddef>
#include <string_view>

namespace dm {

/// Length of the valid UTF-8 sequence that starts `text`, or 0 if it is not
/// one: a stray continuation byte, a truncated sequence, an overlong form, a
/// surrogate or a code point past U+10FFFF. `text` must not be empty.
[[nodiscard]] std::size_t utf8_sequence_length(std::string_view text) noexcept;

/// Offset of the first byte of `text` that does not start a valid UTF-8
/// sequence, or std::string_view::npos if all of `text` is valid UTF-8.
[[nodiscard]] std::size_t first_invalid_utf8(std::string_view text) noexcept;

}  // namespace dm
