#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace dm {

/// "320 GB", "12.3 GB", "950 kB", "512 bytes": decimal units (as df -H and
/// disk makers count), three significant digits.
[[nodiscard]] std::string human_bytes(std::uint64_t bytes);

/// The bytes this process may still write on the file system of `folder`
/// (statvfs: blocks available to unprivileged users); nullopt when the file
/// system does not say.
[[nodiscard]] std::optional<std::uint64_t> free_bytes(const std::filesystem::path& folder);

/// Refuses, before the first byte, an output of known size that cannot fit:
/// throws IoError "cannot write <subject>: needs 320 GB, 12.3 GB free on its
/// file system" when `needed` exceeds `available`. Separate from
/// free_bytes() so that the decision is testable without filling a disk.
void require_free_space(std::uint64_t needed, std::uint64_t available, const std::string& subject);

}  // namespace dm
