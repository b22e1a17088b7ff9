#include "distance_matrix/distributed/communicator.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace dm {
namespace {

class PosixSharedFile final : public SharedFile {
 public:
  explicit PosixSharedFile(const std::string& path) : descriptor_(::open(path.c_str(), O_WRONLY | O_CLOEXEC)) {
    if (descriptor_ < 0) throw std::runtime_error(std::strerror(errno));
  }
  ~PosixSharedFile() override {
    if (descriptor_ >= 0) ::close(descriptor_);
  }
  PosixSharedFile(const PosixSharedFile&) = delete;
  PosixSharedFile& operator=(const PosixSharedFile&) = delete;

  void write_at(std::uint64_t offset, std::string_view bytes) override {
    while (!bytes.empty()) {
      const ssize_t written = ::pwrite(descriptor_, bytes.data(), bytes.size(), static_cast<off_t>(offset));
      if (written < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(std::strerror(errno));
      }
      bytes.remove_prefix(static_cast<std::size_t>(written));
      offset += static_cast<std::uint64_t>(written);
    }
  }
  void close() override {
    const int descriptor = descriptor_;
    descriptor_ = -1;
    if (descriptor >= 0 && ::close(descriptor) != 0) throw std::runtime_error(std::strerror(errno));
  }

 private:
  int descriptor_;
};

}  // namespace

std::unique_ptr<SharedFile> SingleProcessCommunicator::open_shared_file(const std::string& path) {
  return std::make_unique<PosixSharedFile>(path);
}

void SingleProcessCommunicator::abort(int exit_code) noexcept { std::_Exit(exit_code); }

}  // namespace dm
