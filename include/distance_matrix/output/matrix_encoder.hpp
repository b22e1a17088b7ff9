// distance_matrix/output/matrix_encoder.hpp
//
// MatrixEncoder: turns blocks of computed cells into the bytes of one output
// format (header first). Encoders make bytes and never write them: where the
// bytes go is a MatrixOutput's business.
//
// Thread safety: immutable once constructed; encode() is const: many threads
// may encode blocks at once and concatenate them in cell order.
//
// Example:
//   std::string bytes = encoder.header();
//   encoder.encode({0, distances.size()}, distances, bytes);
//   output.append(bytes);

#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "distance_matrix/matrix/cell_range.hpp"
#include "distance_matrix/matrix/matrix_shape.hpp"

namespace dm {

/// Turns blocks of computed cells into the bytes of one output format.
///
/// An encoder is immutable once constructed: everything it needs (the shape,
/// names already escaped) is prepared up front, so encode() is const and
/// thread-safe. A pipeline may encode many blocks at once on many threads
/// and concatenate the results in cell order; the bytes are the same however
/// the cells were split into blocks.
class MatrixEncoder {
 public:
  virtual ~MatrixEncoder() = default;

  [[nodiscard]] virtual const MatrixShape& shape() const noexcept = 0;

  /// The bytes before the first cell (an NPY header, a CSV table's header
  /// row); known from the shape alone, so it can be written first.
  [[nodiscard]] virtual std::string header() const = 0;

  /// Appends the bytes of cells [cells.first, cells.last), whose distances
  /// are `distances`, to `out`. Requires distances.size() == cells.size().
  virtual void encode(CellRange cells, std::span<const double> distances, std::string& out) const = 0;

  /// Bytes per cell when every cell takes the same number (binary formats),
  /// 0 when it varies (text). With a fixed size, the offset of any block is
  /// known before it is encoded, so blocks can be written at offsets in any
  /// order (MPI-IO, parallel writers).
  [[nodiscard]] virtual std::size_t fixed_cell_bytes() const noexcept { return 0; }

  /// About how many bytes a cell takes: fixed_cell_bytes() when fixed, an
  /// estimate for text. Runners size their blocks by it, so that a block's
  /// bytes stay in cache from encoding to writing.
  [[nodiscard]] virtual std::size_t typical_cell_bytes() const noexcept {
    return fixed_cell_bytes() > 0 ? fixed_cell_bytes() : 16;
  }

  /// Whether the bytes of any block are exactly the bytes of its distances
  /// as doubles in memory (NPY float64 on a little-endian machine): a runner
  /// may then write the distances themselves instead of an encoded copy.
  [[nodiscard]] virtual bool encodes_as_native_doubles() const noexcept { return false; }
};

}  // namespace dm
