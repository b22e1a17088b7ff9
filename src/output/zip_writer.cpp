#include "distance_matrix/output/zip_writer.hpp"

#include <libdeflate.h>
#include <zlib.h>

#include <limits>
#include <stdexcept>

namespace dm {
namespace {

constexpr std::uint32_t local_signature = 0x04034b50;
constexpr std::uint32_t central_signature = 0x02014b50;
constexpr std::uint32_t end_signature = 0x06054b50;
constexpr std::uint32_t zip64_end_signature = 0x06064b50;
constexpr std::uint32_t zip64_locator_signature = 0x07064b50;
constexpr std::uint16_t zip64_extra_id = 0x0001;
constexpr std::uint16_t version_stored = 20;  // 2.0: what a stored member needs
constexpr std::uint16_t version_zip64 = 45;   // 4.5: ZIP64 extensions
constexpr std::uint16_t dos_time = 0;                          // 00:00:00
constexpr std::uint16_t dos_date = (0 << 9) | (1 << 5) | 1;    // 1980-01-01
constexpr std::uint32_t saturated = 0xFFFFFFFFu;

/// Little-endian fields, as every zip record stores them.
template <typename Value>
void put(std::string& out, Value value) {
  for (std::size_t byte = 0; byte < sizeof(Value); ++byte) {
    out += static_cast<char>(static_cast<std::uint64_t>(value) >> (8 * byte) & 0xFF);
  }
}

std::uint16_t name_length(const std::string& name) {
  if (name.size() > std::numeric_limits<std::uint16_t>::max()) throw std::length_error("zip member name too long");
  return static_cast<std::uint16_t>(name.size());
}

}  // namespace

std::uint32_t crc32_of(std::string_view bytes, std::uint32_t crc) noexcept {
  // libdeflate folds with carry-less multiplication where the CPU has it.
  return libdeflate_crc32(crc, bytes.data(), bytes.size());
}

std::uint32_t crc32_combine_of(std::uint32_t first, std::uint32_t second, std::uint64_t second_length) noexcept {
  return static_cast<std::uint32_t>(::crc32_combine(first, second, static_cast<z_off_t>(second_length)));
}

std::string ZipWriter::local_header(const ZipMember& member) const {
  const bool zip64 = member.size >= zip64_from_;
  std::string out;
  put<std::uint32_t>(out, local_signature);
  put<std::uint16_t>(out, zip64 ? version_zip64 : version_stored);
  put<std::uint16_t>(out, 0);  // flags
  put<std::uint16_t>(out, 0);  // stored
  put<std::uint16_t>(out, dos_time);
  put<std::uint16_t>(out, dos_date);
  put<std::uint32_t>(out, member.crc);
  put<std::uint32_t>(out, zip64 ? saturated : static_cast<std::uint32_t>(member.size));  // compressed
  put<std::uint32_t>(out, zip64 ? saturated : static_cast<std::uint32_t>(member.size));  // uncompressed
  put<std::uint16_t>(out, name_length(member.name));
  put<std::uint16_t>(out, zip64 ? 20 : 0);
  out += member.name;
  if (zip64) {
    put<std::uint16_t>(out, zip64_extra_id);
    put<std::uint16_t>(out, 16);
    put<std::uint64_t>(out, member.size);  // uncompressed
    put<std::uint64_t>(out, member.size);  // compressed
  }
  return out;
}

void ZipWriter::emit(std::string_view bytes) {
  if (placement_ == Placement::append) {
    output_.append(bytes);
  } else {
    output_.write_at(written_, bytes);
  }
  written_ += bytes.size();
}

void ZipWriter::require_member_complete() const {
  if (member_left_ != 0) throw std::logic_error("a zip member is shorter than its declared size");
}

void ZipWriter::begin(const ZipMember& member) {
  require_member_complete();
  entries_.push_back({member, written_});
  emit(local_header(member));
  member_left_ = member.size;
}

void ZipWriter::write(std::string_view bytes) {
  if (bytes.size() > member_left_) throw std::logic_error("a zip member is longer than its declared size");
  member_left_ -= bytes.size();
  emit(bytes);
}

void ZipWriter::skip(std::uint64_t bytes) {
  if (placement_ != Placement::at_offsets) throw std::logic_error("a zip appended in order cannot skip bytes");
  if (bytes > member_left_) throw std::logic_error("a zip member is longer than its declared size");
  member_left_ -= bytes;
  written_ += bytes;
}

void ZipWriter::add(std::string name, std::string_view bytes) {
  begin({std::move(name), bytes.size(), crc32_of(bytes)});
  write(bytes);
}

void ZipWriter::finish() {
  require_member_complete();
  const std::uint64_t directory_offset = written_;
  std::string directory;
  for (const Entry& entry : entries_) {
    const bool big = entry.member.size >= zip64_from_;
    const bool far = entry.offset >= zip64_from_;
    const std::uint16_t extra = static_cast<std::uint16_t>((big ? 16 : 0) + (far ? 8 : 0));
    put<std::uint32_t>(directory, central_signature);
    put<std::uint16_t>(directory, big || far ? version_zip64 : version_stored);  // made by (MS-DOS attributes)
    put<std::uint16_t>(directory, big || far ? version_zip64 : version_stored);  // needed
    put<std::uint16_t>(directory, 0);
    put<std::uint16_t>(directory, 0);
    put<std::uint16_t>(directory, dos_time);
    put<std::uint16_t>(directory, dos_date);
    put<std::uint32_t>(directory, entry.member.crc);
    put<std::uint32_t>(directory, big ? saturated : static_cast<std::uint32_t>(entry.member.size));
    put<std::uint32_t>(directory, big ? saturated : static_cast<std::uint32_t>(entry.member.size));
    put<std::uint16_t>(directory, name_length(entry.member.name));
    put<std::uint16_t>(directory, extra == 0 ? 0 : static_cast<std::uint16_t>(extra + 4));
    put<std::uint16_t>(directory, 0);  // comment
    put<std::uint16_t>(directory, 0);  // disk
    put<std::uint16_t>(directory, 0);  // internal attributes
    put<std::uint32_t>(directory, 0);  // external attributes
    put<std::uint32_t>(directory, far ? saturated : static_cast<std::uint32_t>(entry.offset));
    directory += entry.member.name;
    if (extra > 0) {
      // Only the fields saturated above, in this order (APPNOTE 4.5.3).
      put<std::uint16_t>(directory, zip64_extra_id);
      put<std::uint16_t>(directory, extra);
      if (big) {
        put<std::uint64_t>(directory, entry.member.size);
        put<std::uint64_t>(directory, entry.member.size);
      }
      if (far) put<std::uint64_t>(directory, entry.offset);
    }
  }
  const std::uint64_t directory_size = directory.size();
  const std::uint64_t count = entries_.size();
  const bool zip64_end = directory_offset >= zip64_from_ || directory_size >= zip64_from_ || count >= 0xFFFF;
  if (zip64_end) {
    const std::uint64_t end64_offset = directory_offset + directory_size;
    put<std::uint32_t>(directory, zip64_end_signature);
    put<std::uint64_t>(directory, 44);  // the record's size after this field
    put<std::uint16_t>(directory, version_zip64);
    put<std::uint16_t>(directory, version_zip64);
    put<std::uint32_t>(directory, 0);
    put<std::uint32_t>(directory, 0);
    put<std::uint64_t>(directory, count);
    put<std::uint64_t>(directory, count);
    put<std::uint64_t>(directory, directory_size);
    put<std::uint64_t>(directory, directory_offset);
    put<std::uint32_t>(directory, zip64_locator_signature);
    put<std::uint32_t>(directory, 0);
    put<std::uint64_t>(directory, end64_offset);
    put<std::uint32_t>(directory, 1);
  }
  put<std::uint32_t>(directory, end_signature);
  put<std::uint16_t>(directory, 0);
  put<std::uint16_t>(directory, 0);
  put<std::uint16_t>(directory, zip64_end ? 0xFFFF : static_cast<std::uint16_t>(count));
  put<std::uint16_t>(directory, zip64_end ? 0xFFFF : static_cast<std::uint16_t>(count));
  put<std::uint32_t>(directory, zip64_end ? saturated : static_cast<std::uint32_t>(directory_size));
  put<std::uint32_t>(directory, zip64_end ? saturated : static_cast<std::uint32_t>(directory_offset));
  put<std::uint16_t>(directory, 0);  // comment
  emit(directory);
}

}  // namespace dm
