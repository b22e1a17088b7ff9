#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "distance_matrix/byte_output.hpp"

namespace dm {

/// An output file that appears only complete, or not at all.
///
/// For a regular file (new or existing) the bytes go to a temporary file
/// `.<name>.tmp.XXXXXX` in the same folder (same file system, so the final
/// rename is atomic) and commit() renames it over the target. If commit() is
/// never reached — an exception, invalid input, a dead worker — the
/// destructor removes the temporary and any existing file at the path is left
/// untouched.
///
/// The replacement keeps an existing file's permission bits (and its owner
/// and group when the process may set them); a new file gets 0666 minus the
/// umask, as any other program's output would. A symbolic link to a regular
/// file is followed: the file it points to is replaced, the link stays.
/// commit() fsyncs the data before the rename, so after a crash the path
/// holds the old content or the new, never a truncated file.
///
/// Devices and named pipes (`/dev/null`, a FIFO) cannot be replaced by a
/// rename and are written straight through; "-" is standard output.
///
/// Writing needs permission to create files in the target's folder, even to
/// replace a file that is itself writable.
class OutputFile final : public ByteOutput {
 public:
  /// Opens the destination; throws IoError naming the path and the reason,
  /// e.g. "cannot write 'out/x.csv': No such file or directory".
  explicit OutputFile(std::filesystem::path path);
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

  /// Flushes and moves the result into place. Throws IoError. Calling it again
  /// does nothing.
  void commit();

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  /// The temporary file being written, empty when writing straight through.
  [[nodiscard]] const std::filesystem::path& temporary_path() const noexcept { return temporary_path_; }
  [[nodiscard]] bool is_standard_output() const noexcept { return path_ == "-"; }

 private:
  /// Closes the descriptor if it is ours; throws IoError if closing reports
  /// an error (for a file on NFS that is where a write failure surfaces).
  void close_descriptor();

  std::filesystem::path path_;         ///< as given, for messages
  std::filesystem::path destination_;  ///< the file the temporary replaces (symbolic links resolved)
  std::filesystem::path temporary_path_;
  int descriptor_ = -1;
  bool owns_descriptor_ = false;
  bool committed_ = false;
};

}  // namespace dm
