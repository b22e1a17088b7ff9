// distance_matrix/output/matrix_format.hpp
//
// Format and MatrixFormat: what to write (CSV or NPY, the layout, the value
// type), which combinations are allowed (format_problem) and the encoder for
// each (make_encoder).
//
// Thread safety: values and pure functions; make_encoder() returns a new,
// immutable encoder.
//
// Example:
//   const dm::MatrixFormat format{dm::Format::npy, dm::Layout::condensed, dm::ValueType::float32};
//   const dm::MatrixShape shape = dm::MatrixShape::of(dm::resolve_layout(format, false), locations.size());
//   const std::unique_ptr<dm::MatrixEncoder> encoder = dm::make_encoder(format, shape, locations);

#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "distance_matrix/enum_names.hpp"
#include "distance_matrix/kernel/location.hpp"
#include "distance_matrix/matrix/matrix_shape.hpp"
#include "distance_matrix/output/matrix_encoder.hpp"
#include "distance_matrix/output/npy_encoder.hpp"

namespace dm {

/// The file formats the matrix can be written in.
enum class Format { csv, npy };

inline constexpr EnumName<Format> format_names[] = {{Format::csv, "csv"}, {Format::npy, "npy"}};

[[nodiscard]] std::string_view to_string(Format format) noexcept;
[[nodiscard]] std::optional<Format> parse_format(std::string_view text) noexcept;

/// What to write: the format, the layout of the cells and, for NPY, the value type.
struct MatrixFormat {
  Format format = Format::csv;
  /// nullopt: the format's default (CSV pairs, NPY square); with
  /// destinations the layout is always the rectangle, written as a table
  /// unless this is pairs (CSV origin,destination,distance rows).
  std::optional<Layout> layout;
  ValueType value_type = ValueType::float64;
};

/// The layout actually written.
[[nodiscard]] Layout resolve_layout(const MatrixFormat& format, bool has_destinations) noexcept;

/// Why `format` cannot be written, as a sentence for a usage error, or
/// nullopt when it can: CSV has no condensed layout (it is the pairs order
/// under another name), NPY no pairs layout (condensed is SciPy's vector),
/// --dtype is for NPY only, and destinations imply the rectangle (a table,
/// or CSV rows with the pairs layout).
[[nodiscard]] std::optional<std::string> format_problem(const MatrixFormat& format, bool has_destinations);

/// The encoder for `format` over `locations` (a rectangle's table holds the
/// origins, then the destinations). Requires format_problem() to be nullopt.
[[nodiscard]] std::unique_ptr<MatrixEncoder> make_encoder(const MatrixFormat& format, const MatrixShape& shape,
                                                          const LocationTable& locations);

}  // namespace dm
