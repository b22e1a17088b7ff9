#include "distance_matrix/csv_writer.hpp"

#include <charconv>
#include <stdexcept>

namespace dm {
namespace {

/// Bytes gathered before one write to the output: large enough to make system
/// calls rare, small enough to stay in cache.
constexpr std::size_t flush_threshold = std::size_t{1} << 20;

/// Longest shortest-round-trip double, e.g. "-1.2345678901234567e-308".
constexpr std::size_t max_double_chars = 32;

bool needs_quotes(std::string_view name) {
  if (name.find_first_of(",\"\r\n") != std::string_view::npos) return true;
  // Readers trim spaces around unquoted fields; quoting keeps them.
  const auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  return !name.empty() && (is_space(name.front()) || is_space(name.back()));
}

}  // namespace

std::string csv_field(std::string_view name) {
  if (!needs_quotes(name)) return std::string(name);
  std::string field;
  field.reserve(name.size() + 2);
  field += '"';
  for (char c : name) {
    if (c == '"') field += '"';
    field += c;
  }
  field += '"';
  return field;
}

CsvPairWriter::CsvPairWriter(ByteOutput& output) : output_(output) {
  buffer_.reserve(flush_threshold + 1024);
}

void CsvPairWriter::begin(const LocationTable& locations) {
  locations_ = &locations;
  fields_.clear();
  next_ = {0, 1};
  next_index_ = 0;
}

const std::string& CsvPairWriter::field(std::size_t location) {
  // The table may have grown since the last block (streaming pipeline):
  // escape each name once, the first time a row needs it.
  while (fields_.size() <= location) fields_.push_back(csv_field(locations_->name(fields_.size())));
  return fields_[location];
}

void CsvPairWriter::consume(const PairBlock& block) {
  if (locations_ == nullptr) throw std::logic_error("CsvPairWriter::consume before begin");
  if (block.first_pair != next_index_) {
    next_ = pair_at(block.first_pair);
    next_index_ = block.first_pair;
  }
  for (const double distance : block.distances) {
    // Destination first: it is the larger index, so escaping it fills the
    // cache far enough that the origin lookup cannot reallocate fields_.
    const std::string& destination = field(next_.destination);
    const std::string& origin = field(next_.origin);
    buffer_ += origin;
    buffer_ += ',';
    buffer_ += destination;
    buffer_ += ',';
    char digits[max_double_chars];
    buffer_.append(digits, std::to_chars(digits, digits + sizeof digits, distance).ptr);
    buffer_ += '\n';
    if (++next_.origin == next_.destination) next_ = {0, next_.destination + 1};
    flush_if_full();
  }
  next_index_ += block.distances.size();
}

void CsvPairWriter::flush_if_full() {
  if (buffer_.size() < flush_threshold) return;
  output_.write(buffer_);
  buffer_.clear();
}

void CsvPairWriter::finish() {
  if (!buffer_.empty()) output_.write(buffer_);
  buffer_.clear();
}

}  // namespace dm
