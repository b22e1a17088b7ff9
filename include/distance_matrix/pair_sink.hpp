#pragma once

#include <cstddef>
#include <span>

#include "distance_matrix/location.hpp"
#include "distance_matrix/pair_range.hpp"

namespace dm {

/// Distances of consecutive pairs, starting at pair index `first_pair`.
struct PairBlock {
  std::size_t first_pair = 0;
  std::span<const double> distances;

  [[nodiscard]] PairRange range() const noexcept {
    return {first_pair, first_pair + distances.size()};
  }
};

/// Where computed distances go: a CSV writer, a matrix in memory, later NPY
/// files or an MPI gather. A sink receives the whole matrix exactly once, as
/// blocks in pair-index order with no gaps, so it may stream to disk and
/// never needs the full matrix in memory.
class PairSink {
 public:
  virtual ~PairSink() = default;

  /// Called once, before the first block. `locations` stays alive until finish()
  /// and may still grow (a streaming pipeline adds location j before the pairs
  /// of row j arrive), so keep the reference, not copies of its contents.
  virtual void begin(const LocationTable& locations) = 0;

  /// The next block; block.first_pair is where the previous block ended.
  virtual void consume(const PairBlock& block) = 0;

  /// Called once after the last block, on success only.
  virtual void finish() = 0;
};

}  // namespace dm
