// distance_matrix/output/csv_field_table.hpp
//
// CsvFieldTable: every location's name as a CSV field (csv_field), back to
// back in one buffer: the encoders that write a name per row copy it from
// there, with no string object or allocation per location (171,075 of them
// for the GeoNames cities), and a short one with a single fixed-size move.
//
// Thread safety: const member functions may run on any number of threads;
// add() may not run beside them.
//
// Example:
//   dm::CsvFieldTable fields(locations);     // "Washington, D.C." quoted
//   std::string_view first = fields[0];
//   char* end = fields.put(cursor, 0);       // may write `padding` bytes past cursor
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include "distance_matrix/kernel/location.hpp"
#include "distance_matrix/memory/huge_page_allocator.hpp"

namespace dm {

class CsvFieldTable {
 public:
  /// Names up to this length are copied by put() with one fixed-size move
  /// (a call to memcpy with a variable size costs more than the bytes it moves).
  static constexpr std::size_t padding = 32;

  CsvFieldTable() = default;
  explicit CsvFieldTable(const LocationTable& locations) { add(locations); }

  /// Appends the fields of locations[size(), locations.size()): a table that
  /// grows with its input (the async runner's) extends the same one.
  void add(const LocationTable& locations);

  [[nodiscard]] std::size_t size() const noexcept { return starts_.empty() ? 0 : starts_.size() - 1; }
  /// Field `index` (below size()), quoted where it must be.
  [[nodiscard]] std::string_view operator[](std::size_t index) const noexcept {
    return {bytes_.data() + starts_[index], field_size(index)};
  }
  [[nodiscard]] std::size_t field_size(std::size_t index) const noexcept {
    return starts_[index + 1] - starts_[index];
  }
  /// The bytes of every field together.
  [[nodiscard]] std::size_t total_bytes() const noexcept { return starts_.empty() ? 0 : starts_.back(); }
  [[nodiscard]] std::size_t longest() const noexcept { return longest_; }

  /// Copies field `index` to `cursor` and returns the end of the copy. It
  /// may write up to `padding` bytes from `cursor` whatever the field's
  /// length: the caller's buffer must have that room (what lies past the
  /// field's end is overwritten by whatever the caller writes next).
  /// Inline: the encoders call it twice a row.
  char* put(char* cursor, std::size_t index) const noexcept {
    const std::size_t size = field_size(index);
    const char* const source = bytes_.data() + starts_[index];
    // Two calls, so that the common one has a constant size and inlines.
    if (size <= padding) {
      std::memcpy(cursor, source, padding);
    } else {
      std::memcpy(cursor, source, size);
    }
    return cursor + size;
  }

 private:
  LargeString bytes_;  ///< the fields end to end, then `padding` bytes
  /// Where each field starts in bytes_, and after the last, where it ends:
  /// size() + 1 entries once a location is added.
  LargeVector<std::size_t> starts_;
  std::size_t longest_ = 0;
};

}  // namespace dm
