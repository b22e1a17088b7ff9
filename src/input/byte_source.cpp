#include "distance_matrix/input/byte_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <utility>

#include "distance_matrix/errors.hpp"

namespace dm {

namespace {

/// `read()` (a read(2) or pread(2) call) again while a signal interrupts
/// it; an IoError naming `subject` when it fails.
template <class Read>
std::size_t read_retrying(const std::string& subject, Read read) {
  for (;;) {
    const ssize_t count = read();
    if (count >= 0) return static_cast<std::size_t>(count);
    if (errno != EINTR) throw IoError("cannot read " + subject + ": " + std::generic_category().message(errno));
  }
}

/// Bytes [first, last) of a regular file, read with pread() on a descriptor of its own.
class FileRangeSource final : public ByteSource {
 public:
  FileRangeSource(int descriptor, std::string subject, std::uint64_t first, std::uint64_t last)
      : descriptor_(descriptor), subject_(std::move(subject)), next_(first), last_(last) {}
  ~FileRangeSource() override { ::close(descriptor_); }

  std::size_t read(std::span<char> block) override {
    const std::size_t wanted = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), last_ - next_));
    const std::size_t count = read_retrying(
        subject_, [&] { return ::pread(descriptor_, block.data(), wanted, static_cast<off_t>(next_)); });
    next_ += count;
    return count;
  }

  [[nodiscard]] std::optional<std::uint64_t> remaining_bytes() const noexcept override { return last_ - next_; }

 private:
  int descriptor_;
  std::string subject_;
  std::uint64_t next_;
  std::uint64_t last_;
};

}  // namespace

DescriptorSource::DescriptorSource(int descriptor, std::string subject, bool owned)
    : descriptor_(descriptor), subject_(std::move(subject)), owned_(owned), origin_(::lseek(descriptor, 0, SEEK_CUR)) {}

DescriptorSource::~DescriptorSource() {
  if (owned_) ::close(descriptor_);
}

std::size_t DescriptorSource::read(std::span<char> block) {
  return read_retrying(subject_, [&] { return ::read(descriptor_, block.data(), block.size()); });
}

std::optional<std::uint64_t> DescriptorSource::remaining_bytes() const noexcept {
  struct stat status {};
  if (::fstat(descriptor_, &status) != 0 || !S_ISREG(status.st_mode)) return std::nullopt;
  const off_t offset = ::lseek(descriptor_, 0, SEEK_CUR);
  if (offset < 0 || offset > status.st_size) return std::nullopt;
  return static_cast<std::uint64_t>(status.st_size - offset);
}

std::unique_ptr<ByteSource> DescriptorSource::range(std::uint64_t begin, std::uint64_t end) const {
  struct stat status {};
  if (origin_ < 0 || ::fstat(descriptor_, &status) != 0 || !S_ISREG(status.st_mode)) return nullptr;
  const int duplicate = ::fcntl(descriptor_, F_DUPFD_CLOEXEC, 0);
  if (duplicate < 0) throw IoError("cannot read " + subject_ + ": " + std::generic_category().message(errno));
  const auto origin = static_cast<std::uint64_t>(origin_);
  return std::make_unique<FileRangeSource>(duplicate, subject_, origin + begin, origin + std::max(begin, end));
}

}  // namespace dm
