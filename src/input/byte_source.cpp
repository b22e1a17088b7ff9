#include "distance_matrix/input/byte_source.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

#include "distance_matrix/errors.hpp"

namespace dm {

DescriptorSource::DescriptorSource(int descriptor, std::string subject, bool owned)
    : descriptor_(descriptor), subject_(std::move(subject)), owned_(owned) {}

DescriptorSource::~DescriptorSource() {
  if (owned_) ::close(descriptor_);
}

std::size_t DescriptorSource::read(std::span<char> block) {
  for (;;) {
    const ssize_t count = ::read(descriptor_, block.data(), block.size());
    if (count >= 0) return static_cast<std::size_t>(count);
    if (errno != EINTR) {
      throw IoError("cannot read " + subject_ + ": " + std::generic_category().message(errno));
    }
  }
}

std::optional<std::uint64_t> DescriptorSource::remaining_bytes() const noexcept {
  struct stat status {};
  if (::fstat(descriptor_, &status) != 0 || !S_ISREG(status.st_mode)) return std::nullopt;
  const off_t offset = ::lseek(descriptor_, 0, SEEK_CUR);
  if (offset < 0 || offset > status.st_size) return std::nullopt;
  return static_cast<std::uint64_t>(status.st_size - offset);
}

}  // namespace dm
