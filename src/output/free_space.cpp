#include "distance_matrix/output/free_space.hpp"

#include <sys/statvfs.h>

#include <array>
#include <cstdio>

#include "distance_matrix/errors.hpp"

namespace dm {

std::string human_bytes(std::uint64_t bytes) {
  if (bytes < 1000) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  static constexpr std::array<const char*, 6> units{"kB", "MB", "GB", "TB", "PB", "EB"};
  double value = static_cast<double>(bytes) / 1000;
  std::size_t unit = 0;
  // 999.96 kB would print as "1.00e+03 kB": move up before rounding does.
  while (value >= 999.5 && unit + 1 < units.size()) {
    value /= 1000;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, value < 9.995 ? "%.2f %s" : value < 99.95 ? "%.1f %s" : "%.0f %s", value,
                units[unit]);
  return text;
}

std::optional<std::uint64_t> free_bytes(const std::filesystem::path& folder) {
  struct statvfs status {};
  if (::statvfs(folder.c_str(), &status) != 0) return std::nullopt;
  const std::uint64_t block = status.f_frsize != 0 ? status.f_frsize : status.f_bsize;
  if (block == 0) return std::nullopt;
  return static_cast<std::uint64_t>(status.f_bavail) * block;
}

void require_free_space(std::uint64_t needed, std::uint64_t available, const std::string& subject) {
  if (needed <= available) return;
  throw IoError("cannot write " + subject + ": needs " + human_bytes(needed) + ", " + human_bytes(available) +
                " free on its file system");
}

}  // namespace dm
