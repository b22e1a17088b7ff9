#include "distance_matrix/text/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace dm {

std::size_t utf8_sequence_length(std::string_view text) noexcept {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
  const std::uint8_t lead = byte(0);
  std::size_t length = 0;
  std::uint32_t code_point = 0;
  std::uint32_t minimum = 0;
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, code_point = lead & 0x1Fu, minimum = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, code_point = lead & 0x0Fu, minimum = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, code_point = lead & 0x07u, minimum = 0x10000;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0u) != 0x80u) return 0;
    code_point = (code_point << 6) | (byte(i) & 0x3Fu);
  }
  if (code_point < minimum || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) return 0;
  return length;
}

std::size_t first_invalid_utf8(std::string_view text) noexcept {
  constexpr std::uint64_t high_bits = 0x8080808080808080u;
  std::size_t offset = 0;
  while (offset < text.size()) {
    // ASCII, most names' bytes, eight at a time and then one by one.
    std::uint64_t word = 0;
    while (offset + sizeof word <= text.size() &&
           (std::memcpy(&word, text.data() + offset, sizeof word), (word & high_bits) == 0)) {
      offset += sizeof word;
    }
    while (offset < text.size() && static_cast<std::uint8_t>(text[offset]) < 0x80) ++offset;
    if (offset == text.size()) break;
    const std::size_t length = utf8_sequence_length(text.substr(offset));
    if (length == 0) return offset;
    offset += length;
  }
  return std::string_view::npos;
}

}  // namespace dm
