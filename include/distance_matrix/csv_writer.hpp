#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "distance_matrix/byte_output.hpp"
#include "distance_matrix/pair_sink.hpp"

namespace dm {

/// Writes `origin,destination,distance` rows. Names are quoted as RFC 4180
/// requires (only when they hold a comma, a quote or a line break); distances
/// use the shortest decimal form that reads back as the same double.
class CsvPairWriter final : public PairSink {
 public:
  explicit CsvPairWriter(ByteOutput& output);

  void begin(const LocationTable& locations) override;
  void consume(const PairBlock& block) override;
  void finish() override;

 private:
  const std::string& field(std::size_t location);
  void flush_if_full();

  ByteOutput& output_;
  const LocationTable* locations_ = nullptr;
  std::vector<std::string> fields_;  ///< each name, already escaped for CSV
  std::string buffer_;
  Pair next_{0, 1};  ///< the pair expected at the start of the next block
  std::size_t next_index_ = 0;
};

/// `name` as a CSV field: unchanged, or quoted with inner quotes doubled.
[[nodiscard]] std::string csv_field(std::string_view name);

}  // namespace dm
