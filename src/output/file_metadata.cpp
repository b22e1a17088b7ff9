#include "file_metadata.hpp"

#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

namespace dm::detail {
namespace {

/// Calls `query(buffer, size)` — an xattr call that returns the length it
/// needs when given size 0 — until the buffer is large enough: attributes may
/// grow between the two calls. Empty on any error.
template <typename Query>
std::string fetch(Query query) {
  std::string buffer;
  for (int attempt = 0; attempt < 8; ++attempt) {
    const ssize_t needed = query(nullptr, 0);
    if (needed <= 0) return {};
    buffer.resize(static_cast<std::size_t>(needed));
    const ssize_t got = query(buffer.data(), buffer.size());
    if (got >= 0) {
      buffer.resize(static_cast<std::size_t>(got));
      return buffer;
    }
    if (errno != ERANGE) return {};
  }
  return {};
}

/// The NUL-separated list of attribute names, split.
std::vector<std::string> split_names(const std::string& list) {
  std::vector<std::string> names;
  for (std::size_t start = 0; start < list.size();) {
    const std::size_t end = std::min(list.find('\0', start), list.size());
    if (end > start) names.emplace_back(list, start, end - start);
    start = end + 1;
  }
  return names;
}

std::vector<std::string> attribute_names(const std::filesystem::path& file) {
  return split_names(fetch([&](char* buffer, std::size_t size) { return ::llistxattr(file.c_str(), buffer, size); }));
}

std::vector<std::string> attribute_names(int descriptor) {
  return split_names(fetch([&](char* buffer, std::size_t size) { return ::flistxattr(descriptor, buffer, size); }));
}

}  // namespace

int copy_metadata(const std::filesystem::path& original, const struct stat& status, int replacement) {
  // Owner first: changing it clears set-user-ID bits that fchmod restores.
  // Only privileged processes may give a file away; for others the new file
  // keeps their own ownership, as with any editor that saves by renaming.
  [[maybe_unused]] const int ignored = ::fchown(replacement, status.st_uid, status.st_gid);

  const std::vector<std::string> wanted = attribute_names(original);
  for (const std::string& inherited : attribute_names(replacement)) {
    if (std::find(wanted.begin(), wanted.end(), inherited) == wanted.end()) {
      ::fremovexattr(replacement, inherited.c_str());
    }
  }

  if (::fchmod(replacement, status.st_mode & 07777) != 0) return errno;

  // After the mode: an access ACL sets the group bits from its mask, which
  // must come out as the original's, not as fchmod left them.
  for (const std::string& name : wanted) {
    const std::string value = fetch(
        [&](char* buffer, std::size_t size) { return ::lgetxattr(original.c_str(), name.c_str(), buffer, size); });
    // An empty value is valid: fetch() cannot tell it from an error, so ask again.
    if (value.empty() && ::lgetxattr(original.c_str(), name.c_str(), nullptr, 0) != 0) continue;
    ::fsetxattr(replacement, name.c_str(), value.data(), value.size(), 0);
  }
  return 0;
}

}  // namespace dm::detail
