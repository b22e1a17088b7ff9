#include "distance_matrix/text/printable.hpp"

#include <cstddef>
#include <cstdint>

#include "distance_matrix/text/utf8.hpp"

namespace dm {
namespace {

void append_hex_escape(std::string& out, std::uint8_t byte) {
  static constexpr char digits[] = "0123456789abcdef";
  out += "\\x";
  out += digits[byte >> 4];
  out += digits[byte & 0x0F];
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const std::size_t length = utf8_sequence_length(text);
    const auto lead = static_cast<std::uint8_t>(text[0]);
    if (length == 0) {
      append_hex_escape(out, lead);
      text.remove_prefix(1);
      continue;
    }
    if (length == 1) {
      switch (lead) {
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case 0x1B: out += "\\e"; break;
        default:
          if (lead < 0x20 || lead == 0x7F) {
            append_hex_escape(out, lead);
          } else {
            out += static_cast<char>(lead);
          }
      }
    } else if (length == 2 && lead == 0xC2 && static_cast<std::uint8_t>(text[1]) < 0xA0) {
      // U+0080–U+009F: C1 controls, which some terminals obey (CSI is U+009B).
      append_hex_escape(out, lead);
      append_hex_escape(out, static_cast<std::uint8_t>(text[1]));
    } else {
      out.append(text.substr(0, length));
    }
    text.remove_prefix(length);
  }
  return out;
}

}  // namespace dm
