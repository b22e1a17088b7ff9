#include "distance_matrix/queries/summary_npy.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "distance_matrix/queries/row_summary.hpp"

namespace dm {
namespace {

static_assert(std::endian::native == std::endian::little, "NPY records are written by copying values as they are");

/// The code points of `text`, valid UTF-8 (the reader refuses any other name).
std::u32string code_points(std::string_view text) {
  std::u32string points;
  points.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    const auto lead = static_cast<unsigned char>(text[at]);
    const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    char32_t point = length == 1 ? lead : length == 2 ? lead & 0x1Fu : length == 3 ? lead & 0x0Fu : lead & 0x07u;
    for (std::size_t next = 1; next < length && at + next < text.size(); ++next) {
      point = (point << 6) | (static_cast<unsigned char>(text[at + next]) & 0x3Fu);
    }
    points += point;
    at += length;
  }
  return points;
}

template <typename Value>
void put(std::string& out, Value value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

}  // namespace

SummaryNpyConsumer::SummaryNpyConsumer(const LocationTable& locations, const MatrixShape& shape, ValueType type,
                                       MatrixOutput& output, const TallyGrid& grid)
    : shape_(shape), type_(type), output_(output), grid_(grid) {
  if (shape.layout() != Layout::square && shape.layout() != Layout::rectangle) {
    throw std::invalid_argument("a summary reduces the rows of a square or a rectangle");
  }
  if (shape.location_count() != locations.size()) {
    throw std::invalid_argument("the summary's shape is over another number of locations");
  }
  names_.reserve(shape.rows());
  for (std::size_t origin = 0; origin < shape.rows(); ++origin) {
    names_.push_back(code_points(locations.name(origin)));
    name_width_ = std::max(name_width_, names_.back().size());
  }
  const std::string value = type == ValueType::float64 ? "'<f8'" : "'<f4'";
  const std::string descr = "[('name', '<U" + std::to_string(name_width_) + "'), ('count', '<i8'), ('min', " + value +
                            "), ('nearest', '<i8'), ('max', " + value + "), ('farthest', '<i8'), ('mean', " + value +
                            "), ('sd', " + value + ")]";
  header_ = npy_header(descr, {shape.rows()});
  record_bytes_ = 4 * name_width_ + 3 * sizeof(std::int64_t) + 4 * size_of(type);
}

std::size_t SummaryNpyConsumer::block_alignment() const noexcept { return std::max<std::size_t>(shape_.columns(), 1); }

std::uint64_t SummaryNpyConsumer::file_bytes() const noexcept {
  return header_.size() + std::uint64_t{shape_.rows()} * record_bytes_;
}

void SummaryNpyConsumer::append_record(std::string& out, std::size_t origin, const RowSummary* summary) const {
  const std::u32string& name = names_[origin];
  for (std::size_t at = 0; at < name_width_; ++at) put<std::uint32_t>(out, at < name.size() ? name[at] : 0);
  const bool any = summary != nullptr && summary->count > 0;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto value = [&](double number) {
    if (type_ == ValueType::float64) {
      put<double>(out, number);
    } else {
      put<float>(out, static_cast<float>(number));
    }
  };
  put<std::int64_t>(out, any ? static_cast<std::int64_t>(summary->count) : 0);
  value(any ? summary->min : nan);
  put<std::int64_t>(out, any ? static_cast<std::int64_t>(summary->nearest) : -1);
  value(any ? summary->max : nan);
  put<std::int64_t>(out, any ? static_cast<std::int64_t>(summary->farthest) : -1);
  value(any ? summary->mean : nan);
  value(any ? summary->sd : nan);
}

void SummaryNpyConsumer::begin() {
  std::string bytes = header_;
  // No destinations: no cells, so no blocks will come; every origin still gets its record.
  if (shape_.columns() == 0) {
    for (std::size_t origin = 0; origin < shape_.rows(); ++origin) append_record(bytes, origin, nullptr);
  }
  output_.append(bytes);
}

void SummaryNpyConsumer::consume(CellRange cells, std::span<const double> distances, BlockPartial& partial) const {
  const std::size_t columns = shape_.columns();
  if (columns == 0) return;
  const bool square = shape_.layout() == Layout::square;
  for (std::size_t offset = 0; offset < cells.size(); offset += columns) {
    const std::size_t origin = (cells.first + offset) / columns;
    const RowSummary summary = summarize_row(distances.subspan(offset, columns), square ? origin : no_column, grid_);
    append_record(partial.bytes, origin, &summary);
  }
}

void SummaryNpyConsumer::write_rows(std::span<const RowSummary> rows) {
  if (rows.size() != shape_.rows()) throw std::invalid_argument("a summary needs one row per origin");
  std::string bytes = header_;
  bytes.reserve(file_bytes());
  for (std::size_t origin = 0; origin < rows.size(); ++origin) append_record(bytes, origin, &rows[origin]);
  output_.append(bytes);
}

void SummaryNpyConsumer::finish(CellRange /*cells*/, std::span<const double> /*distances*/, BlockPartial& partial) {
  output_.append(partial.bytes);
}

void write_summary_npy(const LocationTable& locations, const MatrixShape& shape, std::span<const RowSummary> rows,
                       ValueType type, MatrixOutput& output) {
  // The grid only matters to blocks reduced here; rows come reduced.
  SummaryNpyConsumer records(locations, shape, type, output, TallyGrid::for_largest(1.0));
  output.expect_size(records.file_bytes());
  records.write_rows(rows);
}

}  // namespace dm
