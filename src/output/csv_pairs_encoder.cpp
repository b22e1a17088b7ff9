#include "distance_matrix/output/csv_pairs_encoder.hpp"

#include <algorithm>
#include <stdexcept>

#include "src/output/shortest_double.hpp"

namespace dm {
namespace {

/// Longest text write_shortest() produces: "-1.2345678901234567e-308".
constexpr std::size_t longest_number = 24;

/// Rows sized and zero-filled at a time: std::string::resize fills what it
/// adds, so fill a batch while it is in cache, just before overwriting it,
/// rather than a whole block of cold memory.
constexpr std::size_t rows_per_batch = 256;

}  // namespace

CsvPairsEncoder::CsvPairsEncoder(const LocationTable& locations, const MatrixShape& shape) : shape_(shape) {
  if ((shape.layout() != Layout::pairs && shape.layout() != Layout::rectangle) ||
      shape.location_count() != locations.size()) {
    throw std::invalid_argument("CsvPairsEncoder needs the pairs or rectangle layout over its locations");
  }
  fields_.add(locations);
}

void CsvPairsEncoder::extend(const LocationTable& locations) {
  if (shape_.layout() != Layout::pairs) throw std::logic_error("only the pairs layout grows with its input");
  fields_.add(locations);
  shape_ = MatrixShape::pairs(fields_.size());
}

std::size_t CsvPairsEncoder::typical_cell_bytes() const noexcept {
  const std::size_t average_name = fields_.size() == 0 ? 0 : fields_.total_bytes() / fields_.size();
  return 2 * average_name + 18 + 3;  // most distances have 16 or 17 digits and a '.'
}

void CsvPairsEncoder::encode(CellRange cells, std::span<const double> distances, std::string& out) const {
  // Reserve the whole block at once: growing run by run would reallocate
  // and copy the block's bytes again each time the string doubles. Each row
  // is bounded by `row_bound`; the fixed-size moves of the last row reach at
  // most `slack` further.
  const std::size_t slack = std::max(CsvFieldTable::padding, shortest_double_room);
  std::size_t block_bound = slack;
  shape_.for_each_run(cells, [&](const MatrixRun& run, std::size_t /*offset*/) {
    block_bound += run.size() * (fields_.longest() + fields_.field_size(run.anchor) + longest_number + 3);
  });
  out.reserve(out.size() + block_bound);
  // Pairs: row j of the triangle is (i, j) for i in the run, so the anchor
  // is the destination. Rectangle: the anchor is the origin, the run its
  // destinations (origin-major).
  if (shape_.layout() == Layout::rectangle) {
    shape_.for_each_run(cells, [&](const MatrixRun& run, std::size_t offset) {
      encode_run<true>(run, distances.data() + offset, out);
    });
  } else {
    shape_.for_each_run(cells, [&](const MatrixRun& run, std::size_t offset) {
      encode_run<false>(run, distances.data() + offset, out);
    });
  }
}

template <bool anchor_is_origin>
void CsvPairsEncoder::encode_run(const MatrixRun& run, const double* distance, std::string& out) const {
  const std::size_t slack = std::max(CsvFieldTable::padding, shortest_double_room);
  const std::size_t anchor = run.anchor;
  const std::size_t row_bound = fields_.longest() + fields_.field_size(anchor) + longest_number + 3;
  for (std::size_t member = run.first; member < run.last;) {
    const std::size_t batch_end = std::min(run.last, member + rows_per_batch);
    const std::size_t used = out.size();
    out.resize(used + (batch_end - member) * row_bound + slack);
    char* cursor = out.data() + used;
    for (; member < batch_end; ++member) {
      cursor = fields_.put(cursor, anchor_is_origin ? anchor : member);
      *cursor++ = ',';
      cursor = fields_.put(cursor, anchor_is_origin ? member : anchor);
      *cursor++ = ',';
      cursor = write_shortest(cursor, *distance++);
      *cursor++ = '\n';
    }
    out.resize(static_cast<std::size_t>(cursor - out.data()));
  }
}

}  // namespace dm
