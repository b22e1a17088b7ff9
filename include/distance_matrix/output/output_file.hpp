// distance_matrix/output/output_file.hpp
//
// OutputFile: a file that appears complete or not at all (a temporary,
// fsync, rename), that keeps an existing file's permissions and owner, and
// writes devices, pipes and open descriptors straight through.
//
// Thread safety: one thread at a time per file.
//
// Example:
//   dm::OutputFile file("out.csv");
//   file.write("a,b,1040.300088008328\n");
//   file.commit();  // without it, out.csv is left as it was

#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "distance_matrix/output/byte_output.hpp"
#include "distance_matrix/output/file_identity.hpp"
#include "distance_matrix/output/interrupt_cleanup.hpp"

namespace dm {

/// An output file that appears only complete, or not at all.
///
/// For a regular file (new or existing) the bytes go to a temporary file
/// `.<name>.tmp.XXXXXX` in the same folder (same file system, so the final
/// rename is atomic) and commit() renames it over the target. If commit() is
/// never reached — an exception, invalid input, a dead worker — the
/// destructor removes the temporary and any existing file at the path is left
/// untouched. The temporary's name is shortened when `<name>` is too long for
/// it (names of 244 to 255 bytes).
///
/// The replacement keeps an existing file's permission bits, its extended
/// attributes and ACLs (those the process may set) and its owner and group
/// (when the process may set them); a new file gets 0666 minus the umask, as
/// any other program's output would. The rename replaces the name, not the
/// file: other hard links to the old file keep the old content, as with `mv`
/// or `sed -i`. commit() fsyncs the data before the rename, so after a crash
/// the path holds the old content or the new, never a truncated file.
///
/// Symbolic links are followed, as a shell redirection follows them: the file
/// a link points to is replaced (or created, for a dangling link) and the link
/// stays. A relative link target is taken from the link's folder.
///
/// Paths that name a descriptor this process already has open — "-",
/// `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`, directly or
/// through links — are written through that descriptor (a duplicate of it),
/// never replaced or truncated: at its current offset, or at the end when it
/// was opened for appending, exactly as a shell redirection set it up.
/// Devices and named pipes (`/dev/null`, a FIFO) are opened and written
/// straight through: a rename would replace the special file itself.
///
/// Writing needs permission to create files in the target's folder, even to
/// replace a file that is itself writable.
class OutputFile final : public ByteOutput {
 public:
  /// Opens the destination; throws IoError naming the path and the reason,
  /// e.g. "cannot write 'out/x.csv': No such file or directory". Refuses
  /// (IoError, before any file is created) a destination that is the same
  /// regular file as any of `inputs`, whatever names lead to it: a path, a
  /// link, or a descriptor such as standard output redirected onto it
  /// (`>> in.csv`, `1<> in.csv`).
  explicit OutputFile(std::filesystem::path path, const std::vector<ProtectedInput>& inputs = {});
  /// The same with at most one input to protect.
  OutputFile(std::filesystem::path path, const std::optional<ProtectedInput>& input);
  ~OutputFile() override;

  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  /// Writes all of `bytes` (the file descriptor is unbuffered). Throws IoError;
  /// std::logic_error after commit().
  void write(std::string_view bytes) override;

  /// Writes all of `bytes` at byte `offset` of the file (pwrite), whatever
  /// was written before: for outputs whose parts are produced out of order.
  /// Needs a seekable destination; throws IoError for a pipe or a terminal.
  void write_at(std::uint64_t offset, std::string_view bytes);

  /// Starts writing [offset, offset + length) to the disk now, without
  /// waiting (sync_file_range), so that the fsync of commit() finds little
  /// left to do; with `wait`, first waits for that range to be on disk,
  /// which bounds the dirty memory a long run leaves behind. Only a hint:
  /// errors (a pipe, a file system without support) are ignored here and any
  /// real write failure is reported by commit().
  void start_writeback(std::uint64_t offset, std::uint64_t length, bool wait) noexcept;

  /// Refuses (IoError "cannot write 'm.npy': needs 320 GB, 12.3 GB free on
  /// its file system") an output of `bytes` that the temporary's file system
  /// cannot hold, before anything is written. Only for a regular file: a
  /// device, a pipe or a descriptor written through has no size to check.
  void require_room(std::uint64_t bytes) const;

  /// Flushes and moves the result into place. Throws IoError. Calling it again
  /// does nothing.
  void commit();

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  /// The temporary file being written, empty when writing straight through.
  /// Its name is at most the folder's limit (NAME_MAX, 255 bytes on Linux).
  [[nodiscard]] const std::filesystem::path& temporary_path() const noexcept { return temporary_path_; }
  [[nodiscard]] bool is_standard_output() const noexcept { return path_ == "-"; }

  /// Calls `hook` before every write that reaches the destination (not
  /// before buffering: FileMatrixOutput writes here when its buffer fills):
  /// the tool erases its progress line from a terminal that standard output
  /// shares, so no data row starts after it. An exception it throws stops
  /// the write.
  void before_each_write(std::function<void()> hook) { before_write_ = std::move(hook); }

 private:
  /// Closes the descriptor; throws IoError if closing reports an error (for a
  /// file on NFS that is where a write failure surfaces).
  void close_descriptor();
  /// Writes through `descriptor`, already open in this process, via a duplicate.
  void write_through_descriptor(int descriptor, const std::vector<ProtectedInput>& inputs);

  std::filesystem::path path_;         ///< as given, for messages
  std::filesystem::path destination_;  ///< the file the temporary replaces (links resolved, folder canonical)
  std::filesystem::path temporary_path_;
  TemporaryRegistration registration_;  ///< removes the temporary if a signal ends the process
  int descriptor_ = -1;  ///< always ours: a descriptor named by the path is duplicated
  bool committed_ = false;
  std::function<void()> before_write_;
};

}  // namespace dm
