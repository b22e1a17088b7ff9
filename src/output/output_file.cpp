#include "distance_matrix/output/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include "distance_matrix/errors.hpp"
#include "distance_matrix/output/free_space.hpp"
#include "distance_matrix/output/interrupt_cleanup.hpp"
#include "distance_matrix/output/write_error.hpp"
#include "distance_matrix/text/printable.hpp"
#include "file_metadata.hpp"

namespace dm {
namespace {

namespace fs = std::filesystem;

/// "'out/x.csv'", or "standard output" for "-": the subject of every message.
std::string describe(const fs::path& path) {
  if (path == "-") return "standard output";
  return '\'' + printable(path.string()) + '\'';
}

[[noreturn]] void fail(std::string_view action, const std::string& subject, int error) {
  throw IoError(std::string(action) + ' ' + subject + ": " + describe_write_error(error));
}

[[noreturn]] void fail(std::string_view action, const fs::path& path, int error) {
  fail(action, describe(path), error);
}

/// Refuses to write over any file the run reads: same device and inode,
/// whatever names the user gave them. Only regular files: reading and writing
/// one terminal or /dev/null is harmless.
void refuse_overwriting_input(const fs::path& path, const struct stat& status,
                              const std::vector<ProtectedInput>& inputs) {
  if (!S_ISREG(status.st_mode)) return;
  for (const ProtectedInput& input : inputs) {
    if (FileIdentity{status.st_dev, status.st_ino} != input.identity) continue;
    throw IoError("cannot write " + describe(path) + ": it is the same file as " + input.describe() +
                  ", which would be destroyed");
  }
}

std::vector<ProtectedInput> at_most_one(const std::optional<ProtectedInput>& input) {
  if (!input) return {};
  return {*input};
}

/// Linux gives up after 40 links in a row (MAXSYMLINKS); so does the resolution here.
constexpr int max_links_followed = 40;

/// The descriptor number if `path` is `/proc/<this process>/fd/N` or
/// `/proc/<this process>/task/<thread>/fd/N` once its folder is resolved —
/// what `/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N` and
/// `/proc/thread-self/fd/N` come to.
std::optional<int> descriptor_named_by(const fs::path& path) {
  const std::string name = path.filename().string();
  constexpr std::size_t max_digits = 9;  // fits an int
  if (name.empty() || name.size() > max_digits ||
      !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::error_code error;
  const fs::path folder = fs::canonical(path.has_parent_path() ? path.parent_path() : fs::path("."), error);
  if (error || folder.filename() != "fd") return std::nullopt;
  const fs::path process = fs::path("/proc") / std::to_string(::getpid());
  const fs::path owner = folder.parent_path();
  if (owner != process && owner.parent_path() != process / "task") return std::nullopt;
  return std::stoi(name);
}

/// Where a path leads once symbolic links are followed one by one, as the
/// kernel would: either a descriptor this process has open, or a file that is
/// not a link (it may not exist yet: the target of a dangling link).
struct Destination {
  std::optional<int> descriptor;
  fs::path file;
  bool through_link = false;
};

/// Not std::filesystem::canonical(): it would follow /proc/self/fd/1 to the
/// file behind it, and forget that the file is already open (possibly for
/// appending); and it fails on a dangling link instead of naming its target.
Destination locate(const fs::path& path) {
  if (path == "-") return {STDOUT_FILENO, {}, false};
  fs::path current = path;
  for (int followed = 0; followed <= max_links_followed; ++followed) {
    if (const std::optional<int> descriptor = descriptor_named_by(current)) return {descriptor, {}, followed > 0};
    struct stat status {};
    if (::lstat(current.c_str(), &status) != 0 || !S_ISLNK(status.st_mode)) return {{}, current, followed > 0};
    std::error_code error;
    const fs::path target = fs::read_symlink(current, error);
    if (error) fail("cannot write", path, error.value());
    // A relative target is relative to the link's folder, not to ours.
    current = target.is_absolute() ? target : current.parent_path() / target;
  }
  fail("cannot write", path, ELOOP);
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

/// `.<name>.tmp.`, with `<name>` cut short when the whole temporary name would
/// exceed what the folder allows (the target's own name may use all of it).
std::string temporary_prefix(const fs::path& destination) {
  const long limit = ::pathconf(destination.parent_path().c_str(), _PC_NAME_MAX);
  const std::size_t name_max = limit > 0 ? static_cast<std::size_t>(limit) : std::size_t{NAME_MAX};
  constexpr std::size_t decoration = std::string_view(".").size() + std::string_view(".tmp.").size() + 6;
  std::string name = destination.filename().string();
  if (name.size() + decoration > name_max) {
    std::size_t cut = name_max > decoration ? name_max - decoration : 0;
    // Not in the middle of a UTF-8 character: the name stays readable in a listing.
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
    name.resize(cut);
  }
  return '.' + name + ".tmp.";
}

/// Creates `.<name>.tmp.XXXXXX` beside `destination` and returns its descriptor.
///
/// Not mkstemp: it creates the file with mode 0600, and the umask that a new
/// output file should honour can only be read by changing it (umask() is
/// process-wide, a race with any other thread creating files). Creating with
/// O_EXCL and mode 0666 lets the kernel apply the umask, and default ACLs of
/// the folder, exactly as for any other new file; O_EXCL gives the same
/// guarantee as mkstemp that the name was not taken.
int create_temporary(const fs::path& destination, fs::path& temporary, const std::string& subject) {
  const std::string prefix = temporary_prefix(destination);
  constexpr int attempts = 100;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    fs::path candidate = destination.parent_path() / (prefix + random_suffix());
    const int descriptor = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (descriptor >= 0) {
      temporary = std::move(candidate);
      return descriptor;
    }
    if (errno != EEXIST) fail("cannot write", subject, errno);
  }
  fail("cannot write", subject, EEXIST);
}

}  // namespace

OutputFile::OutputFile(fs::path path, const std::optional<ProtectedInput>& input)
    : OutputFile(std::move(path), at_most_one(input)) {}

OutputFile::OutputFile(fs::path path, const std::vector<ProtectedInput>& inputs) : path_(std::move(path)) {
  if (path_.empty()) fail("cannot write", path_, ENOENT);
  const Destination destination = locate(path_);
  if (destination.descriptor) {
    write_through_descriptor(*destination.descriptor, inputs);
    return;
  }

  // Failures past a link name where the link leads: "cannot write 'out.csv'
  // (a link to 'gone/x.csv'): No such file or directory".
  const fs::path& file = destination.file;
  const std::string subject =
      destination.through_link ? describe(path_) + " (a link to '" + printable(file.string()) + "')" : describe(path_);

  struct stat existing {};
  const bool exists = ::lstat(file.c_str(), &existing) == 0;
  if (!exists && errno != ENOENT) fail("cannot write", subject, errno);
  if (exists) refuse_overwriting_input(path_, existing, inputs);

  if (exists && !S_ISREG(existing.st_mode)) {
    // A device or a pipe: a rename would replace the special file itself.
    // A directory lands here too and open() reports "Is a directory".
    descriptor_ = ::open(file.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (descriptor_ < 0) fail("cannot write", subject, errno);
    return;
  }

  // The rename happens in the target's real folder, so that the temporary is
  // on the same file system and the link, if any, stays a link.
  std::error_code error;
  const fs::path folder = fs::canonical(file.has_parent_path() ? file.parent_path() : fs::path("."), error);
  if (error) fail("cannot write", subject, error.value());
  destination_ = folder / file.filename();
  {
    // No signal may end the process between creating the file and registering it.
    const TemporaryCreationGuard guard;
    descriptor_ = create_temporary(destination_, temporary_path_, subject);
    registration_ = TemporaryRegistration(temporary_path_);
  }
  if (exists) {
    if (const int failure = detail::copy_metadata(destination_, existing, descriptor_); failure != 0) {
      // No destructor runs for a constructor that throws: clean up here.
      ::close(descriptor_);
      ::unlink(temporary_path_.c_str());
      fail("cannot write", subject, failure);
    }
  }
}

void OutputFile::write_through_descriptor(int descriptor, const std::vector<ProtectedInput>& inputs) {
  struct stat status {};
  if (::fstat(descriptor, &status) != 0) fail("cannot write", path_, errno);
  refuse_overwriting_input(path_, status, inputs);
  // A duplicate shares the open file description: the same offset, the same
  // O_APPEND, so the bytes land exactly where the shell's redirection put
  // them. Above the standard descriptors, so that a closed standard input
  // never becomes our output.
  descriptor_ = ::fcntl(descriptor, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  if (descriptor_ < 0) fail("cannot write", path_, errno);
}

OutputFile::~OutputFile() {
  if (descriptor_ >= 0) ::close(descriptor_);
  if (!committed_ && !temporary_path_.empty()) ::unlink(temporary_path_.c_str());
  registration_.reset();
}

void OutputFile::write(std::string_view bytes) {
  if (committed_) throw std::logic_error("OutputFile::write after commit");
  if (before_write_ && !bytes.empty()) before_write_();
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
  if (before_write_ && !bytes.empty()) before_write_();
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

void OutputFile::require_room(std::uint64_t bytes) const {
  if (temporary_path_.empty()) return;
  const std::optional<std::uint64_t> available = free_bytes(temporary_path_.parent_path());
  if (!available) return;  // a file system that does not tell: the writes will say
  require_free_space(bytes, *available, describe(path_));
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
    registration_.reset();
  } else {
    close_descriptor();
  }
  committed_ = true;
}

void OutputFile::close_descriptor() {
  if (descriptor_ < 0) return;
  // On Linux the descriptor is released even when close() fails, so it is
  // never retried.
  const int result = ::close(descriptor_);
  descriptor_ = -1;
  if (result != 0) fail("cannot write", path_, errno);
}

}  // namespace dm
