// distance_matrix/output/zip_writer.hpp
//
// ZipWriter: a zip archive of stored (uncompressed) members written in one
// pass to a MatrixOutput: what NumPy's .npz files are (numpy.load,
// scipy.sparse.load_npz). ZIP64 records where a size or offset needs them.
//
// Thread safety: one thread at a time.
//
// Example:
//   dm::ZipWriter zip(output);
//   zip.add("indices.npy", bytes);            // a member held in memory
//   zip.begin({"data.npy", size, crc});       // or one streamed: its size and CRC first
//   zip.write(part_one); zip.write(part_two);
//   zip.finish();                             // the central directory

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "distance_matrix/output/matrix_output.hpp"

namespace dm {

/// CRC-32 (zip's and zlib's polynomial; computed by libdeflate) of `bytes`, continuing from `crc`
/// (0 to start), so that a member can be checked piece by piece.
[[nodiscard]] std::uint32_t crc32_of(std::string_view bytes, std::uint32_t crc = 0) noexcept;

/// The CRC-32 of two pieces one after the other, from the CRC-32 of each
/// and the second's length (zlib's crc32_combine): pieces checked apart.
[[nodiscard]] std::uint32_t crc32_combine_of(std::uint32_t first, std::uint32_t second,
                                             std::uint64_t second_length) noexcept;

/// A member of a zip archive, known before its bytes are written.
struct ZipMember {
  std::string name;         ///< ASCII, e.g. "distances.npy"
  std::uint64_t size = 0;   ///< its bytes, stored as they are
  std::uint32_t crc = 0;    ///< crc32_of its bytes
};

/// A zip archive whose members are stored, not compressed, written in one
/// pass: each member's local header (it needs the size and the CRC-32, so
/// they are known first), its bytes, then the central directory. Members
/// are dated 1980-01-01 00:00 (the earliest DOS date) so that the same
/// content always makes the same bytes. Sizes and offsets from `zip64_from`
/// (4 GiB - 1 by default; a smaller value only for tests) are written in
/// ZIP64 extra fields and records, which Python's zipfile reads.
class ZipWriter {
 public:
  static constexpr std::uint64_t zip32_limit = 0xFFFFFFFFu;

  /// How the archive reaches its output: appended in order (any output,
  /// standard output included), or written at offsets (MatrixOutput::
  /// write_at), which lets skip() leave a member's bytes to other writers.
  enum class Placement { append, at_offsets };

  explicit ZipWriter(MatrixOutput& output, std::uint64_t zip64_from = zip32_limit,
                     Placement placement = Placement::append)
      : output_(output), zip64_from_(zip64_from), placement_(placement) {}

  /// Writes `member`'s local header; its member.size bytes follow with
  /// write(). Throws std::logic_error while the previous member is short.
  void begin(const ZipMember& member);
  /// Bytes of the current member. Throws std::logic_error past its size.
  void write(std::string_view bytes);
  /// Leaves the current member's next `bytes` to other writers (MPI ranks
  /// writing their rows at their offsets): only counted. Placement::at_offsets
  /// only (std::logic_error otherwise, or past the member's size).
  void skip(std::uint64_t bytes);
  /// Where the next byte goes: the archive's size so far.
  [[nodiscard]] std::uint64_t offset() const noexcept { return written_; }
  /// A whole member at once (begin and write).
  void add(std::string name, std::string_view bytes);
  /// The central directory and its end records. Throws std::logic_error
  /// while the last member is short.
  void finish();

  /// The local header begin() writes for `member`: its length places the
  /// member's bytes, for writers that write them at offsets themselves.
  [[nodiscard]] std::string local_header(const ZipMember& member) const;

 private:
  struct Entry {
    ZipMember member;
    std::uint64_t offset = 0;
  };
  void emit(std::string_view bytes);
  void require_member_complete() const;

  MatrixOutput& output_;
  std::uint64_t zip64_from_;
  Placement placement_;
  std::uint64_t written_ = 0;
  std::uint64_t member_left_ = 0;
  std::vector<Entry> entries_;
};

}  // namespace dm
