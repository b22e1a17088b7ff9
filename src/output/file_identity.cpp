#include "distance_matrix/output/file_identity.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include "distance_matrix/text/printable.hpp"

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

std::optional<ProtectedInput> ProtectedInput::of(const std::filesystem::path& path, std::string role) {
  const std::optional<FileIdentity> identity =
      path == "-" ? FileIdentity::of_descriptor(STDIN_FILENO) : FileIdentity::of_path(path);
  if (!identity) return std::nullopt;
  return ProtectedInput{*identity, path, std::move(role)};
}

std::string ProtectedInput::describe() const {
  return path == "-" ? role + " (standard input)" : role + " '" + printable(path.string()) + '\'';
}

}  // namespace dm
