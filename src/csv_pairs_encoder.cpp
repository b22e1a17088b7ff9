#include "distance_matrix/csv_pairs_encoder.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <stdexcept>

#include "distance_matrix/csv_field.hpp"

namespace dm {
namespace {

/// Longest shortest-round-trip double, e.g. "-1.2345678901234567e-308".
constexpr std::size_t max_double_chars = 32;

char* put(char* cursor, const std::string& text) noexcept {
  std::memcpy(cursor, text.data(), text.size());
  return cursor + text.size();
}

}  // namespace

CsvPairsEncoder::CsvPairsEncoder(const LocationTable& locations, const MatrixShape& shape) : shape_(shape) {
  if (shape.layout() != Layout::pairs || shape.location_count() != locations.size()) {
    throw std::invalid_argument("CsvPairsEncoder needs the pairs layout over its locations");
  }
  fields_.reserve(locations.size());
  extend(locations);
}

void CsvPairsEncoder::extend(const LocationTable& locations) {
  for (std::size_t index = fields_.size(); index < locations.size(); ++index) {
    fields_.push_back(csv_field(locations.name(index)));
    longest_field_ = std::max(longest_field_, fields_.back().size());
  }
  shape_ = MatrixShape::pairs(fields_.size());
}

void CsvPairsEncoder::encode(PairRange cells, std::span<const double> distances, std::string& out) const {
  // Room for the whole block at once: growing run by run would reallocate
  // and copy the block's bytes again each time the string doubles.
  std::size_t block_bound = 0;
  shape_.for_each_run(cells, [&](const MatrixRun& run, std::size_t /*offset*/) {
    block_bound += run.size() * (longest_field_ + fields_[run.anchor].size() + max_double_chars + 3);
  });
  out.reserve(out.size() + block_bound);
  shape_.for_each_run(cells, [&](const MatrixRun& run, std::size_t offset) {
    // Row j of the triangle: (i, j) for i in the run, the anchor j is the destination.
    const std::string& destination = fields_[run.anchor];
    const std::size_t row_bound = longest_field_ + destination.size() + max_double_chars + 3;
    const std::size_t used = out.size();
    out.resize(used + run.size() * row_bound);
    char* cursor = out.data() + used;
    const double* distance = distances.data() + offset;
    for (std::size_t origin = run.first; origin < run.last; ++origin) {
      cursor = put(cursor, fields_[origin]);
      *cursor++ = ',';
      cursor = put(cursor, destination);
      *cursor++ = ',';
      cursor = std::to_chars(cursor, cursor + max_double_chars, *distance++).ptr;
      *cursor++ = '\n';
    }
    out.resize(static_cast<std::size_t>(cursor - out.data()));
  });
}

}  // namespace dm
