#include "distance_matrix/queries/summary_consumer.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "distance_matrix/output/csv_field.hpp"
#include "distance_matrix/queries/row_summary.hpp"
#include "src/output/shortest_double.hpp"

namespace dm {
namespace {

void append_number(std::string& out, double value) {
  char digits[shortest_double_room];
  out.append(digits, write_shortest(digits, value));
}

}  // namespace

SummaryConsumer::SummaryConsumer(const LocationTable& locations, const MatrixShape& shape, MatrixOutput& output)
    : shape_(shape), output_(output) {
  if (shape.layout() != Layout::square && shape.layout() != Layout::rectangle) {
    throw std::invalid_argument("a summary reduces the rows of a square or a rectangle");
  }
  if (shape.location_count() != locations.size()) {
    throw std::invalid_argument("the summary's shape is over another number of locations");
  }
  fields_.reserve(locations.size());
  for (std::size_t index = 0; index < locations.size(); ++index) fields_.push_back(csv_field(locations.name(index)));
}

std::size_t SummaryConsumer::block_alignment() const noexcept { return std::max<std::size_t>(shape_.columns(), 1); }

void SummaryConsumer::begin() {
  std::string bytes(header);
  // No destinations: no cells, so no blocks will come; every origin still gets its row.
  if (shape_.columns() == 0) {
    for (std::size_t origin = 0; origin < shape_.rows(); ++origin) bytes += fields_[origin] + ",0,,,,,,\n";
  }
  output_.append(bytes);
}

void SummaryConsumer::consume(CellRange cells, std::span<const double> distances, BlockPartial& partial) const {
  const std::size_t columns = shape_.columns();
  if (columns == 0) return;
  const bool square = shape_.layout() == Layout::square;
  // Destination c is location c of a square, origins + c of a rectangle.
  const std::size_t first_destination = square ? 0 : shape_.rows();
  std::string& out = partial.bytes;
  for (std::size_t offset = 0; offset < cells.size(); offset += columns) {
    const std::size_t origin = (cells.first + offset) / columns;
    const RowSummary summary = summarize_row(distances.subspan(offset, columns), square ? origin : no_column);
    out += fields_[origin];
    out += ',';
    char count[24];
    out.append(count, std::to_chars(count, count + sizeof count, summary.count).ptr);
    if (summary.count == 0) {
      out += ",,,,,,\n";
      continue;
    }
    out += ',';
    append_number(out, summary.min);
    out += ',';
    out += fields_[first_destination + summary.nearest];
    out += ',';
    append_number(out, summary.max);
    out += ',';
    out += fields_[first_destination + summary.farthest];
    out += ',';
    append_number(out, summary.mean);
    out += ',';
    append_number(out, summary.sd);
    out += '\n';
  }
}

void SummaryConsumer::finish(CellRange /*cells*/, std::span<const double> /*distances*/, BlockPartial& partial) {
  output_.append(partial.bytes);
}

}  // namespace dm
