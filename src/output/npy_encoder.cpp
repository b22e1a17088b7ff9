#include "distance_matrix/output/npy_encoder.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace dm {
namespace {

static_assert(std::endian::native == std::endian::little,
              "NPY output is written little-endian by copying doubles as they are in memory");
static_assert(std::numeric_limits<double>::is_iec559 && std::numeric_limits<float>::is_iec559);

/// NumPy aligns the data of the files it writes to 64 bytes (version 1.0
/// only requires 16); doing the same keeps every memory map aligned.
constexpr std::size_t header_alignment = 64;
constexpr std::string_view magic = "\x93NUMPY";

std::vector<std::size_t> dimensions_of(const MatrixShape& shape) {
  switch (shape.layout()) {
    case Layout::square:
    case Layout::rectangle: return {shape.rows(), shape.columns()};
    case Layout::condensed: return {shape.cell_count()};
    case Layout::pairs: break;
  }
  throw std::invalid_argument("NPY stores the square, condensed or rectangle layout, not pairs");
}

}  // namespace

std::string_view to_string(ValueType type) noexcept { return name_in(value_type_names, type); }

std::optional<ValueType> parse_value_type(std::string_view text) noexcept {
  return value_in(value_type_names, text);
}

bool can_hold(ValueType type, const DistanceOptions& options) noexcept {
  const double largest = largest_distance(options);
  if (type == ValueType::float64) return std::isfinite(largest);
  // Rounding to nearest turns values past the largest float (plus half an ulp) into infinity.
  return largest <= static_cast<double>(std::numeric_limits<float>::max());
}

std::string_view npy_descr(ValueType type) noexcept { return type == ValueType::float64 ? "'<f8'" : "'<f4'"; }

std::string npy_header(ValueType type, const std::vector<std::size_t>& dimensions) {
  return npy_header(npy_descr(type), dimensions);
}

std::string npy_header(std::string_view descr, const std::vector<std::size_t>& dimensions) {
  std::string shape = "(";
  for (std::size_t index = 0; index < dimensions.size(); ++index) {
    if (index > 0) shape += ", ";
    shape += std::to_string(dimensions[index]);
  }
  if (dimensions.size() == 1) shape += ',';
  shape += ')';
  std::string dictionary = "{'descr': ";
  dictionary += descr;
  dictionary += ", 'fortran_order': False, 'shape': " + shape + ", }";

  const std::size_t unpadded = magic.size() + 2 + 2 + dictionary.size() + 1;  // + the final '\n'
  const std::size_t padding = (header_alignment - unpadded % header_alignment) % header_alignment;
  const std::size_t header_length = dictionary.size() + padding + 1;
  if (header_length > std::numeric_limits<std::uint16_t>::max()) {
    throw std::length_error("NPY 1.0 header too long");
  }
  std::string header(magic);
  header += '\x01';  // major version
  header += '\x00';  // minor version
  header += static_cast<char>(header_length & 0xFF);  // little-endian uint16
  header += static_cast<char>(header_length >> 8);
  header += dictionary;
  header.append(padding, ' ');
  header += '\n';
  return header;
}

NpyEncoder::NpyEncoder(const MatrixShape& shape, ValueType type)
    : shape_(shape), type_(type), header_(npy_header(type, dimensions_of(shape))) {}

void NpyEncoder::encode(CellRange cells, std::span<const double> distances, std::string& out) const {
  const std::size_t used = out.size();
  out.resize(used + cells.size() * size_of(type_));
  char* cursor = out.data() + used;
  if (type_ == ValueType::float64) {
    std::memcpy(cursor, distances.data(), cells.size() * sizeof(double));
    return;
  }
  for (std::size_t cell = 0; cell < cells.size(); ++cell) {
    const auto value = static_cast<float>(distances[cell]);
    std::memcpy(cursor + cell * sizeof(float), &value, sizeof(float));
  }
}

}  // namespace dm
