// distance_matrix/input/decompressing_source.hpp
//
// open_decompressed(): a ByteSource of the decoded bytes of gzip, zstd or xz
// input, recognized by its first bytes (zlib, libzstd, liblzma), or of the
// bytes unchanged. Decodes a block at a time, so memory does not grow with
// the input; damaged data throws CorruptInputError, which CsvLocationReader
// reports as an input error. CsvLocationReader::open() applies it.
//
// Thread safety: a source is used by one thread at a time.
//
// Example:
//   auto raw = std::make_unique<dm::DescriptorSource>(fd, "'cities.csv.gz'", true);
//   dm::CsvLocationReader reader(dm::open_decompressed(std::move(raw)), "cities.csv.gz");

#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "distance_matrix/input/byte_source.hpp"

namespace dm {

/// How an input is compressed, as its first bytes (its magic number) say.
enum class Compression { none, gzip, zstd, xz };

[[nodiscard]] std::string_view to_string(Compression compression) noexcept;

/// gzip (1F 8B), zstd (28 B5 2F FD) or xz (FD 37 7A 58 5A 00) from the first
/// bytes of an input; none for anything else, and for too few bytes.
[[nodiscard]] Compression detect_compression(std::string_view first_bytes) noexcept;

/// The compressed data cannot be decoded: corrupt, truncated, or followed by
/// something else. An error in the input, not in reading it: a reader
/// reports it as one of the input's problems, at the line it had reached.
class CorruptInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Reads the first bytes of `raw` and, if they are a gzip, zstd or xz
/// stream, returns a source of the decompressed bytes, decoded block by
/// block as they are read (memory stays that of one block and the decoder's
/// window, whatever the size); else a source of `raw`'s bytes unchanged.
/// Concatenated streams (`cat a.gz b.gz`) are read as one. The returned
/// source's read() throws CorruptInputError on bad or truncated data and
/// IoError when `raw` cannot be read (as open_decompressed itself may).
[[nodiscard]] std::unique_ptr<ByteSource> open_decompressed(std::unique_ptr<ByteSource> raw);

}  // namespace dm
