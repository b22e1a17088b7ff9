#include "distance_matrix/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include "distance_matrix/errors.hpp"
#include "distance_matrix/printable.hpp"

namespace dm {
namespace {

/// "'out/x.csv'", or "standard output" for "-": the subject of every message.
std::string describe(const std::filesystem::path& path) {
  if (path == "-") return "standard output";
  return '\'' + printable(path.string()) + '\'';
}

[[noreturn]] void fail(std::string_view action, const std::filesystem::path& path, int error) {
  throw IoError(std::string(action) + ' ' + describe(path) + ": " + std::generic_category().message(error));
}

/// Six random letters or digits, as mkstemp would pick.
std::string random_suffix() {
  static constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device entropy;
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string suffix(6, ' ');
  for (char& c : suffix) c = alphabet[pick(entropy)];
  return suffix;
}

/// Creates `.<name>.tmp.XXXXXX` beside `destination` and returns its descriptor.
///
/// Not mkstemp: it creates the file with mode 0600, and the umask that a new
/// output file should honour can only be read by changing it (umask() is
/// process-wide, a race with any other thread creating files). Creating with
/// O_EXCL and mode 0666 lets the kernel apply the umask, and default ACLs of
/// the folder, exactly as for any other new file; O_EXCL gives the same
/// guarantee as mkstemp that the name was not taken.
int create_temporary(const std::filesystem::path& destination, std::filesystem::path& temporary,
                     const std::filesystem::path& path_for_messages) {
  const std::string prefix = '.' + destination.filename().string() + ".tmp.";
  constexpr int attempts = 100;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    std::filesystem::path candidate = destination.parent_path() / (prefix + random_suffix());
    const int descriptor = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (descriptor >= 0) {
      temporary = std::move(candidate);
      return descriptor;
    }
    if (errno != EEXIST) fail("cannot write", path_for_messages, errno);
  }
  fail("cannot write", path_for_messages, EEXIST);
}

}  // namespace

OutputFile::OutputFile(std::filesystem::path path) : path_(std::move(path)) {
  if (is_standard_output()) {
    descriptor_ = STDOUT_FILENO;
    return;
  }

  struct stat existing {};
  const bool exists = ::stat(path_.c_str(), &existing) == 0;
  if (!exists && errno != ENOENT) fail("cannot write", path_, errno);

  if (exists && !S_ISREG(existing.st_mode)) {
    // A device or a pipe: a rename would replace the special file itself.
    // A directory lands here too and open() reports "Is a directory".
    descriptor_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    if (descriptor_ < 0) fail("cannot write", path_, errno);
    owns_descriptor_ = true;
    return;
  }

  destination_ = path_;
  if (exists) {
    std::error_code error;
    std::filesystem::path resolved = std::filesystem::canonical(path_, error);
    if (!error) destination_ = std::move(resolved);
  }
  descriptor_ = create_temporary(destination_, temporary_path_, path_);
  owns_descriptor_ = true;
  if (exists) {
    // Owner first: changing it may clear set-user-ID bits that fchmod restores.
    // Only privileged processes may give a file away; for others the new file
    // keeps their own ownership, as with any editor that saves by renaming.
    [[maybe_unused]] const int ignored = ::fchown(descriptor_, existing.st_uid, existing.st_gid);
    if (::fchmod(descriptor_, existing.st_mode & 07777) != 0) {
      // No destructor runs for a constructor that throws: clean up here.
      const int error = errno;
      ::close(descriptor_);
      ::unlink(temporary_path_.c_str());
      fail("cannot write", path_, error);
    }
  }
}

OutputFile::~OutputFile() {
  if (owns_descriptor_ && descriptor_ >= 0) ::close(descriptor_);
  if (!committed_ && !temporary_path_.empty()) ::unlink(temporary_path_.c_str());
}

void OutputFile::write(std::string_view bytes) {
  if (committed_) throw std::logic_error("OutputFile::write after commit");
  while (!bytes.empty()) {
    const ssize_t written = ::write(descriptor_, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      fail("cannot write", path_, errno);
    }
    if (written == 0) fail("cannot write", path_, EIO);  // would otherwise loop forever
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
}

void OutputFile::write_at(std::uint64_t offset, std::string_view bytes) {
  if (committed_) throw std::logic_error("OutputFile::write_at after commit");
  while (!bytes.empty()) {
    const ssize_t written = ::pwrite(descriptor_, bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (written < 0) {
      if (errno == EINTR) continue;
      fail("cannot write", path_, errno);
    }
    if (written == 0) fail("cannot write", path_, EIO);
    bytes.remove_prefix(static_cast<std::size_t>(written));
    offset += static_cast<std::uint64_t>(written);
  }
}

void OutputFile::start_writeback(std::uint64_t offset, std::uint64_t length, bool wait) noexcept {
  if (committed_ || descriptor_ < 0 || length == 0) return;
  const unsigned flags = wait ? SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER
                              : SYNC_FILE_RANGE_WRITE;
  [[maybe_unused]] const int ignored =
      ::sync_file_range(descriptor_, static_cast<off_t>(offset), static_cast<off_t>(length), flags);
}

void OutputFile::commit() {
  if (committed_) return;
  if (!temporary_path_.empty()) {
    // Data on disk before the rename makes it visible: otherwise a crash could
    // leave the new name pointing at an empty or partial file. The folder is
    // not fsynced: after a crash the path may still show the old content,
    // which is complete too.
    if (::fsync(descriptor_) != 0) fail("cannot write", path_, errno);
    close_descriptor();
    if (::rename(temporary_path_.c_str(), destination_.c_str()) != 0) fail("cannot replace", path_, errno);
  } else {
    close_descriptor();
  }
  committed_ = true;
}

void OutputFile::close_descriptor() {
  if (!owns_descriptor_ || descriptor_ < 0) return;
  // On Linux the descriptor is released even when close() fails, so it is
  // never retried.
  const int result = ::close(descriptor_);
  descriptor_ = -1;
  if (result != 0) fail("cannot write", path_, errno);
}

}  // namespace dm
