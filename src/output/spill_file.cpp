#include "src/output/spill_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "distance_matrix/errors.hpp"
#include "distance_matrix/output/zip_writer.hpp"
#include "distance_matrix/text/printable.hpp"

namespace dm {
namespace {

constexpr std::size_t buffer_bytes = std::size_t{4} << 20;

[[noreturn]] void fail(const std::filesystem::path& folder, int error) {
  throw IoError("cannot spill to '" + printable(folder.string()) + "': " + std::strerror(error));
}

}  // namespace

SpillFile::SpillFile(const std::filesystem::path& folder) : folder_(folder) {
  descriptor_ = ::open(folder.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (descriptor_ < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
    // A file system without O_TMPFILE: a name, removed at once.
    std::string name = (folder / ".distance_matrix-spill.XXXXXX").string();
    descriptor_ = ::mkstemp(name.data());
    if (descriptor_ >= 0) ::unlink(name.c_str());
  }
  if (descriptor_ < 0) fail(folder_, errno);
  buffer_.reserve(buffer_bytes);
}

SpillFile::~SpillFile() {
  if (descriptor_ >= 0) ::close(descriptor_);
}

void SpillFile::append(std::string_view bytes) {
  crc_ = crc32_of(bytes, crc_);
  size_ += bytes.size();
  if (buffer_.size() + bytes.size() > buffer_bytes) flush();
  buffer_.append(bytes);
  if (buffer_.size() >= buffer_bytes) flush();
}

void SpillFile::flush() {
  std::string_view rest = buffer_;
  while (!rest.empty()) {
    const ssize_t written = ::write(descriptor_, rest.data(), rest.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) fail(folder_, errno);
    rest.remove_prefix(static_cast<std::size_t>(written));
  }
  buffer_.clear();
}

void SpillFile::read_back(const std::function<void(std::string_view)>& sink) {
  flush();
  std::vector<char> piece(buffer_bytes);
  std::uint64_t offset = 0;
  while (offset < size_) {
    const ssize_t got = ::pread(descriptor_, piece.data(), piece.size(), static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail(folder_, errno);
    if (got == 0) throw IoError("cannot read back a spill file in '" + printable(folder_.string()) + "': it is short");
    sink(std::string_view(piece.data(), static_cast<std::size_t>(got)));
    offset += static_cast<std::uint64_t>(got);
  }
}

void SpillOutput::write_at(std::uint64_t offset, std::string_view bytes) {
  if (offset != file_.size()) throw std::logic_error("a spill file is written in order");
  file_.append(bytes);
}

}  // namespace dm
