#include "distance_matrix/output/file_identity.hpp"

#include <sys/stat.h>
#include <unistd.h>

namespace dm {
namespace {

FileIdentity identity_from(const struct stat& status) { return {status.st_dev, status.st_ino}; }

}  // namespace

std::optional<FileIdentity> FileIdentity::of_path(const std::filesystem::path& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return std::nullopt;
  return identity_from(status);
}

std::optional<FileIdentity> FileIdentity::of_descriptor(int descriptor) {
  struct stat status {};
  if (::fstat(descriptor, &status) != 0) return std::nullopt;
  return identity_from(status);
}

std::optional<ProtectedInput> ProtectedInput::of(const std::filesystem::path& path) {
  const std::optional<FileIdentity> identity =
      path == "-" ? FileIdentity::of_descriptor(STDIN_FILENO) : FileIdentity::of_path(path);
  if (!identity) return std::nullopt;
  return ProtectedInput{*identity, path};
}

}  // namespace dm
