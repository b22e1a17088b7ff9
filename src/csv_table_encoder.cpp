#include "distance_matrix/csv_table_encoder.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <stdexcept>

#include "distance_matrix/csv_field.hpp"

namespace dm {
namespace {

constexpr std::size_t max_double_chars = 32;

}  // namespace

CsvTableEncoder::CsvTableEncoder(const LocationTable& locations, const MatrixShape& shape) : shape_(shape) {
  if ((shape.layout() != Layout::square && shape.layout() != Layout::rectangle) ||
      shape.location_count() != locations.size()) {
    throw std::invalid_argument("CsvTableEncoder needs a square or rectangle over its locations");
  }
  fields_.reserve(locations.size());
  for (std::size_t index = 0; index < locations.size(); ++index) {
    fields_.push_back(csv_field(locations.name(index)));
    longest_field_ = std::max(longest_field_, fields_.back().size());
  }
}

std::string CsvTableEncoder::header() const {
  if (shape_.cell_count() == 0) return {};
  // Column c is location c of a square, destination c (after the origins) of a rectangle.
  const std::size_t first_column = shape_.layout() == Layout::rectangle ? shape_.rows() : 0;
  std::string text;
  for (std::size_t column = 0; column < shape_.columns(); ++column) {
    text += ',';
    text += fields_[first_column + column];
  }
  text += '\n';
  return text;
}

void CsvTableEncoder::encode(PairRange cells, std::span<const double> distances, std::string& out) const {
  const std::size_t first_column = shape_.layout() == Layout::rectangle ? shape_.rows() : 0;
  // Room for the whole block at once, as CsvPairsEncoder does.
  std::size_t block_bound = 0;
  shape_.for_each_run(cells, [&](const MatrixRun& run, std::size_t /*offset*/) {
    block_bound += longest_field_ + run.size() * (max_double_chars + 1) + 1;
  });
  out.reserve(out.size() + block_bound);
  shape_.for_each_run(cells, [&](const MatrixRun& run, std::size_t offset) {
    const std::size_t used = out.size();
    out.resize(used + longest_field_ + run.size() * (max_double_chars + 1) + 1);
    char* cursor = out.data() + used;
    const std::size_t column = run.first - first_column;
    if (column == 0) {
      const std::string& name = fields_[run.anchor];
      std::memcpy(cursor, name.data(), name.size());
      cursor += name.size();
    }
    for (std::size_t cell = 0; cell < run.size(); ++cell) {
      *cursor++ = ',';
      cursor = std::to_chars(cursor, cursor + max_double_chars, distances[offset + cell]).ptr;
    }
    if (column + run.size() == shape_.columns()) *cursor++ = '\n';
    out.resize(static_cast<std::size_t>(cursor - out.data()));
  });
}

}  // namespace dm
