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

/// One origin's row of the CSV; `destination_fields` are the fields of its columns.
void append_row(std::string& out, const std::string& origin_field, const RowSummary& summary,
                const std::string* destination_fields) {
  out += origin_field;
  out += ',';
  char count[24];
  out.append(count, std::to_chars(count, count + sizeof count, summary.count).ptr);
  if (summary.count == 0) {
    out += ",,,,,,\n";
    return;
  }
  out += ',';
  append_number(out, summary.min);
  out += ',';
  out += destination_fields[summary.nearest];
  out += ',';
  append_number(out, summary.max);
  out += ',';
  out += destination_fields[summary.farthest];
  out += ',';
  append_number(out, summary.mean);
  out += ',';
  append_number(out, summary.sd);
  out += '\n';
}

void check_shape(const LocationTable& locations, const MatrixShape& shape) {
  if (shape.layout() != Layout::square && shape.layout() != Layout::rectangle) {
    throw std::invalid_argument("a summary reduces the rows of a square or a rectangle");
  }
  if (shape.location_count() != locations.size()) {
    throw std::invalid_argument("the summary's shape is over another number of locations");
  }
}

std::vector<std::string> fields_of(const LocationTable& locations) {
  std::vector<std::string> fields;
  fields.reserve(locations.size());
  for (std::size_t index = 0; index < locations.size(); ++index) fields.push_back(csv_field(locations.name(index)));
  return fields;
}

}  // namespace

SummaryConsumer::SummaryConsumer(const LocationTable& locations, const MatrixShape& shape, MatrixOutput& output,
                                 const TallyGrid& grid)
    : shape_(shape), output_(output), grid_(grid) {
  check_shape(locations, shape);
  fields_ = fields_of(locations);
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
    const RowSummary summary = summarize_row(distances.subspan(offset, columns), square ? origin : no_column, grid_);
    append_row(out, fields_[origin], summary, fields_.data() + first_destination);
  }
}

void SummaryConsumer::finish(CellRange /*cells*/, std::span<const double> /*distances*/, BlockPartial& partial) {
  output_.append(partial.bytes);
}

void write_summary_csv(const LocationTable& locations, const MatrixShape& shape, std::span<const RowSummary> rows,
                       MatrixOutput& output) {
  check_shape(locations, shape);
  if (rows.size() != shape.rows()) throw std::invalid_argument("a summary has one row per origin");
  const std::vector<std::string> fields = fields_of(locations);
  const std::size_t first_destination = shape.layout() == Layout::square ? 0 : shape.rows();
  constexpr std::size_t flush_bytes = std::size_t{1} << 20;
  std::string bytes(SummaryConsumer::header);
  for (std::size_t origin = 0; origin < rows.size(); ++origin) {
    append_row(bytes, fields[origin], rows[origin], fields.data() + first_destination);
    if (bytes.size() >= flush_bytes) {
      output.append(bytes);
      bytes.clear();
    }
  }
  output.append(bytes);
}

}  // namespace dm
