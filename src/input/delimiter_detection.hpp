#pragma once

#include <string_view>

namespace dm::detail {

/// The field separator a first row (`row`, quoted line breaks included)
/// uses: the first of semicolon, comma and tab that splits it into at least
/// three fields (outside quotes), else the one giving most fields, else a
/// comma. Semicolon goes first because a semicolon file's decimal commas
/// (`Paris;48,85;2,35`) split it as many ways; comma before tab because tabs
/// may pad comma-separated fields.
[[nodiscard]] char detect_delimiter(std::string_view row);

}  // namespace dm::detail
