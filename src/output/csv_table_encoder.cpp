#include "distance_matrix/output/csv_table_encoder.hpp"

#include <algorithm>
#include <stdexcept>

#include "distance_matrix/output/csv_field.hpp"
#include "src/output/shortest_double.hpp"

namespace dm {
namespace {

/// Longest text write_shortest() produces: "-1.2345678901234567e-308".
constexpr std::size_t longest_number = 24;

/// Cells sized and zero-filled at a time (std::string::resize fills what it
/// adds): a batch is filled while in cache, just before being overwritten.
constexpr std::size_t cells_per_batch = 512;

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

void CsvTableEncoder::encode(CellRange cells, std::span<const double> distances, std::string& out) const {
  const std::size_t first_column = shape_.layout() == Layout::rectangle ? shape_.rows() : 0;
  // Reserve the whole block at once, as CsvPairsEncoder does.
  std::size_t block_bound = shortest_double_room;
  shape_.for_each_run(cells, [&](const MatrixRun& run, std::size_t /*offset*/) {
    block_bound += longest_field_ + run.size() * (longest_number + 1) + 1;
  });
  out.reserve(out.size() + block_bound);
  shape_.for_each_run(cells, [&](const MatrixRun& run, std::size_t offset) {
    const std::size_t column = run.first - first_column;
    if (column == 0) out += fields_[run.anchor];
    for (std::size_t cell = 0; cell < run.size();) {
      const std::size_t batch_end = std::min(run.size(), cell + cells_per_batch);
      const std::size_t used = out.size();
      out.resize(used + (batch_end - cell) * (longest_number + 1) + shortest_double_room);
      char* cursor = out.data() + used;
      for (; cell < batch_end; ++cell) {
        *cursor++ = ',';
        cursor = write_shortest(cursor, distances[offset + cell]);
      }
      out.resize(static_cast<std::size_t>(cursor - out.data()));
    }
    if (column + run.size() == shape_.columns()) out += '\n';
  });
}

}  // namespace dm
