// distance_matrix/output/npy_encoder.hpp
//
// NpyEncoder: the matrix as a NumPy .npy file (float64 or float32, square,
// condensed or rectangle), which numpy.load reads and memory-maps; npy_header
// and the value types. Makes bytes, never writes them.
//
// Thread safety: immutable after construction; encode() is const: any number
// of threads may encode blocks at once.
//
// Example:
//   const dm::NpyEncoder encoder(dm::MatrixShape::square(n), dm::ValueType::float64);
//   std::string bytes = encoder.header();  // "\x93NUMPY\x01\x00...'shape': (n, n)..."

#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "distance_matrix/enum_names.hpp"
#include "distance_matrix/kernel/distance_options.hpp"
#include "distance_matrix/output/matrix_encoder.hpp"

namespace dm {

/// How each distance is stored in a binary output.
enum class ValueType { float64, float32 };

inline constexpr EnumName<ValueType> value_type_names[] = {{ValueType::float64, "float64"},
                                                          {ValueType::float32, "float32"}};

[[nodiscard]] std::string_view to_string(ValueType type) noexcept;
[[nodiscard]] std::optional<ValueType> parse_value_type(std::string_view text) noexcept;
[[nodiscard]] constexpr std::size_t size_of(ValueType type) noexcept { return type == ValueType::float64 ? 8 : 4; }

/// Whether every distance of `options` is finite as `type`, by the metric's
/// own bound, largest_distance(options) (kernel/distance_options.hpp).
[[nodiscard]] bool can_hold(ValueType type, const DistanceOptions& options) noexcept;

/// A complete NPY format version 1.0 header for a C-order little-endian
/// array of `type` with dimensions `dimensions`: magic, version, header
/// length and the dictionary, padded with spaces to a multiple of 64 bytes
/// as NumPy itself writes it (so the data is aligned for memory mapping).
[[nodiscard]] std::string npy_header(ValueType type, const std::vector<std::size_t>& dimensions);

/// The same for any array: `descr` is the dictionary's 'descr' value as
/// Python source, e.g. "'<i8'" or "[('name', '<U12'), ('count', '<i8')]"
/// (a structured array's fields, packed).
[[nodiscard]] std::string npy_header(std::string_view descr, const std::vector<std::size_t>& dimensions);

/// The 'descr' of `type`, quoted: "'<f8'" or "'<f4'".
[[nodiscard]] std::string_view npy_descr(ValueType type) noexcept;

/// The matrix as a NumPy `.npy` file: numpy.load reads it, and
/// mmap_mode='r' maps it without reading it. Layout::square is an (n, n)
/// array, Layout::condensed the (n(n-1)/2,) vector of SciPy's pdist (what
/// scipy.spatial.distance.squareform accepts), Layout::rectangle an
/// (origins, destinations) array. float32 rounds each double once, to nearest.
class NpyEncoder final : public MatrixEncoder {
 public:
  /// Throws std::invalid_argument for Layout::pairs, which is no NumPy array
  /// anyone expects (use condensed).
  NpyEncoder(const MatrixShape& shape, ValueType type);

  [[nodiscard]] const MatrixShape& shape() const noexcept override { return shape_; }
  [[nodiscard]] std::string header() const override { return header_; }
  void encode(CellRange cells, std::span<const double> distances, std::string& out) const override;
  [[nodiscard]] std::size_t fixed_cell_bytes() const noexcept override { return size_of(type_); }
  /// float64: encode() copies the doubles as they are (little-endian only).
  [[nodiscard]] bool encodes_as_native_doubles() const noexcept override { return type_ == ValueType::float64; }

 private:
  MatrixShape shape_;
  ValueType type_;
  std::string header_;
};

}  // namespace dm
