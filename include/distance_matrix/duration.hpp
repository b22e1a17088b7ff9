#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace dm {

/// Parses a non-negative duration with a unit: "500ms", "0.5s", "250us",
/// "100ns", "2m" (minutes), or a bare "0". Returns nullopt for anything else.
[[nodiscard]] std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) noexcept;

}  // namespace dm
