#include "src/output/spill_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
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

SpillFile::SpillFile(const std::filesystem::path& folder, std::uint64_t memory_bytes)
    : folder_(folder), memory_bytes_(memory_bytes) {
  descriptor_ = ::open(folder.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (descriptor_ < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
    // A file system without O_TMPFILE: a name, removed at once.
    std::string name = (folder / ".distance_matrix-spill.XXXXXX").string();
    descriptor_ = ::mkstemp(name.data());
    if (descriptor_ >= 0) ::unlink(name.c_str());
  }
  if (descriptor_ < 0) fail(folder_, errno);
  buffer_.reserve(std::min<std::uint64_t>(buffer_bytes, memory_bytes_));
}

SpillFile::~SpillFile() {
  if (descriptor_ >= 0) ::close(descriptor_);
}

void SpillFile::reserve(std::uint64_t bytes) {
  if (!spilled_) buffer_.reserve(static_cast<std::size_t>(std::min(bytes, memory_bytes_)));
}

void SpillFile::append(std::string_view bytes) {
  if (!spilled_) {
    if (size_ + bytes.size() <= memory_bytes_) {
      buffer_.append(bytes);
      size_ += bytes.size();
      return;
    }
    spill();
  }
  crc_ = crc32_of(bytes, crc_);
  size_ += bytes.size();
  if (buffer_.size() + bytes.size() > buffer_bytes) flush();
  buffer_.append(bytes);
  if (buffer_.size() >= buffer_bytes) flush();
}

void SpillFile::append_filled(std::size_t count, const std::function<void(char*)>& fill) {
  if (!spilled_ && size_ + count > memory_bytes_) spill();
  if (spilled_ && buffer_.size() + count > buffer_bytes) flush();
  const std::size_t used = buffer_.size();
  buffer_.resize(used + count);
  fill(buffer_.data() + used);
  size_ += count;
  if (!spilled_) return;
  crc_ = crc32_of(std::string_view(buffer_).substr(used), crc_);
  if (buffer_.size() >= buffer_bytes) flush();
}

void SpillFile::spill() {
  // From now on the file, the memory's bytes first.
  spilled_ = true;
  crc_ = crc32_of(buffer_);
  flush();
  buffer_.shrink_to_fit();
  buffer_.reserve(buffer_bytes);
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

std::uint32_t SpillFile::crc() const noexcept { return spilled_ ? crc_ : crc32_of(buffer_); }

std::optional<std::string_view> SpillFile::in_memory() const noexcept {
  if (spilled_) return std::nullopt;
  return std::string_view(buffer_);
}

void SpillFile::read_back(const std::function<void(std::string_view)>& sink) {
  if (!spilled_) {
    for (std::size_t offset = 0; offset < buffer_.size(); offset += buffer_bytes) {
      sink(std::string_view(buffer_).substr(offset, buffer_bytes));
    }
    return;
  }
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
