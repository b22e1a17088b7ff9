// distance_matrix/text/printable.hpp
//
// printable(): text the user controls made safe to print on one line of a
// terminal or a log (control characters and invalid UTF-8 escaped).
//
// Thread safety: a pure function.
//
// Example:
//   dm::printable("a\nb\x1b[31m");  // a\nb\e[31m

#pragma once

#include <string>
#include <string_view>

namespace dm {

/// `text` made safe to print on one line of a terminal or a log: control
/// characters (C0, DEL and the C1 range U+0080–U+009F) and bytes that are not
/// valid UTF-8 become escapes (`\n`, `\t`, `\r`, `\e`, `\xNN`), and a backslash
/// becomes `\\` so that an escape cannot be told apart from the same text typed
/// literally. Valid UTF-8 text, non-ASCII included, is kept as it is.
///
/// Every message that quotes something the user controls (a file name, a
/// field of the input) passes it through here: a name holding a line break or
/// an escape sequence must not be able to forge a `file:line:` diagnostic or
/// recolour the terminal.
[[nodiscard]] std::string printable(std::string_view text);

}  // namespace dm
