// distance_matrix/output/matrix_output.hpp
//
// MatrixOutput: where the encoded matrix goes, appended in order or written at
// offsets, final only on commit(); MemoryMatrixOutput keeps the bytes,
// FileMatrixOutput writes an OutputFile with bounded dirty memory.
//
// Thread safety: one writing thread at a time (the runners' serial writer).
//
// Example:
//   dm::MemoryMatrixOutput output;
//   dm::compute_and_write(kernel, shape, runner, *encoder, output);
//   const std::string& bytes = output.bytes();

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "distance_matrix/output/output_file.hpp"

namespace dm {

/// Where the encoded matrix goes: bytes appended in order (a pipeline's
/// serial writer) or written at an offset (parts produced out of order:
/// fixed-size binary blocks, later MPI-IO ranks). Nothing is final before
/// commit(); an output that is destroyed uncommitted leaves no trace.
class MatrixOutput {
 public:
  virtual ~MatrixOutput() = default;

  /// Writes `bytes` after everything appended so far. Throws IoError.
  virtual void append(std::string_view bytes) = 0;
  /// Writes `bytes` at byte `offset`. Throws IoError (also when the
  /// destination cannot seek, such as a pipe).
  virtual void write_at(std::uint64_t offset, std::string_view bytes) = 0;
  /// Makes everything written durable and visible. Throws IoError.
  virtual void commit() = 0;
  /// Told, before the first byte, the whole size when the format fixes it
  /// (NPY): an output that cannot hold it throws IoError now rather than
  /// after hours of work when the disk fills. Does nothing by default.
  virtual void expect_size(std::uint64_t /*total_bytes*/) {}
  /// Whether write_part_at() may be called from several threads at once,
  /// each with its own byte range: true for a regular file written through
  /// a temporary, where pwrite needs no lock. False by default.
  [[nodiscard]] virtual bool takes_parts_in_parallel() const noexcept { return false; }
  /// write_at() for large parts written side by side: from several threads
  /// at once when takes_parts_in_parallel(), ranges disjoint from each other
  /// and from everything appended. Throws IoError.
  virtual void write_part_at(std::uint64_t offset, std::string_view bytes) { write_at(offset, bytes); }
};

/// Bytes kept in memory: tests, and callers that want the encoded matrix.
class MemoryMatrixOutput final : public MatrixOutput {
 public:
  void append(std::string_view bytes) override { bytes_.append(bytes); }
  void write_at(std::uint64_t offset, std::string_view bytes) override;
  void commit() override { committed_ = true; }

  [[nodiscard]] const std::string& bytes() const noexcept { return bytes_; }
  [[nodiscard]] bool committed() const noexcept { return committed_; }

 private:
  std::string bytes_;
  bool committed_ = false;
};

/// An OutputFile: appearing complete or not at all (temporary file, fsync,
/// rename), with writeback started as data accumulates. Small appends are
/// gathered into writes of at least `buffer_bytes` (a block of one cell
/// must not cost a system call); appends of `direct_write_bytes` or more
/// are written without being copied. Every
/// `writeback_bytes` appended, the kernel is asked to start writing them to
/// disk while the next ones are computed, and the range written two steps
/// before is waited for. So dirty memory stays bounded and the final fsync
/// has only the last few megabytes left instead of the whole file.
class FileMatrixOutput final : public MatrixOutput {
 public:
  static constexpr std::uint64_t default_writeback_bytes = std::uint64_t{4} << 20;
  static constexpr std::size_t default_buffer_bytes = std::size_t{1} << 20;
  static constexpr std::size_t direct_write_bytes = std::size_t{64} << 10;

  explicit FileMatrixOutput(OutputFile& file, std::uint64_t writeback_bytes = default_writeback_bytes,
                            std::size_t buffer_bytes = default_buffer_bytes)
      : file_(file), writeback_bytes_(writeback_bytes), buffer_bytes_(buffer_bytes) {}

  void append(std::string_view bytes) override;
  /// Writes what is buffered first, so that offsets and appends agree.
  void write_at(std::uint64_t offset, std::string_view bytes) override;
  void commit() override;
  /// Checks the file system's free space (OutputFile::require_room).
  void expect_size(std::uint64_t total_bytes) override { file_.require_room(total_bytes); }
  /// A temporary file (never a pipe, a device or a shared descriptor).
  [[nodiscard]] bool takes_parts_in_parallel() const noexcept override { return !file_.temporary_path().empty(); }
  /// pwrite without touching the buffer, then the part's writeback started
  /// at once, so that commit()'s fsync finds little left to do.
  void write_part_at(std::uint64_t offset, std::string_view bytes) override;

 private:
  void write_through(std::string_view bytes);
  void flush();

  OutputFile& file_;
  std::uint64_t writeback_bytes_;
  std::size_t buffer_bytes_;
  std::string buffer_;
  std::uint64_t appended_ = 0;
  std::uint64_t writeback_started_ = 0;  ///< bytes [0, writeback_started_) have been handed to writeback
};

}  // namespace dm
