#include "delimiter_detection.hpp"

#include <array>
#include <cstddef>

namespace dm::detail {

char detect_delimiter(std::string_view row) {
  static constexpr std::array<char, 3> candidates = {';', ',', '\t'};
  std::array<std::size_t, candidates.size()> fields{1, 1, 1};
  bool quoted = false;
  for (const char c : row) {
    if (c == '"') quoted = !quoted;  // "" inside quotes toggles twice: no change
    if (quoted) continue;
    for (std::size_t index = 0; index < candidates.size(); ++index) {
      if (c == candidates[index]) ++fields[index];
    }
  }
  std::size_t best = 1;  // a comma when no candidate splits the row
  for (std::size_t index = 0; index < candidates.size(); ++index) {
    if (fields[index] >= 3) return candidates[index];
    if (fields[index] > fields[best]) best = index;
  }
  return candidates[best];
}

}  // namespace dm::detail
