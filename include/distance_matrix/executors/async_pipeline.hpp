#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string_view>

#include "distance_matrix/csv_reader.hpp"
#include "distance_matrix/distance_kernel.hpp"
#include "distance_matrix/pair_sink.hpp"
#include "distance_matrix/run.hpp"

namespace dm {

/// The workshop's asyncio version: one thread, three coroutines joined by
/// bounded channels, on standalone Asio.
///
///   read    — takes locations from the reader, one per row, awaiting the
///             simulated latency before each; sends each to the compute stage.
///   compute — on location j, appends it to the kernel and computes row j,
///             the pairs (0, j) … (j-1, j), which in output order are exactly
///             the next j rows; sends them on.
///   write   — hands each row to the sink, awaiting the latency before each.
///
/// With latency, waits overlap: rows of location j are written while j+1 is
/// still being read, so the pipeline beats read-all, compute-all, write-all.
/// Without latency it is one thread doing the same work plus channel traffic.
class AsyncPipeline {
 public:
  /// Observes the pipeline's progress (tests use it to see reads and writes
  /// interleave). `index` is the location's index for location_read and the
  /// pair index for row_written. Called on the thread running run(); an
  /// exception it throws stops the pipeline and leaves run().
  enum class Event { location_read, row_written };
  using Observer = std::function<void(Event event, std::size_t index)>;

  struct Options {
    DistanceOptions distance;
    /// Simulated wait before each input row and each output row; zero hands
    /// every matrix row to the sink as one block.
    std::chrono::nanoseconds io_latency{0};
    /// Messages buffered between two stages (a location, a matrix row);
    /// 0 makes each send wait for the matching receive.
    std::size_t channel_capacity = 64;
    Observer observer;
  };

  explicit AsyncPipeline(Options options);

  /// Runs the three stages to completion on the calling thread. Calls
  /// sink.begin() before any block and sink.finish() only on success.
  /// Throws InputError if the input had invalid rows. The pipeline stops at
  /// the first one: the sink may already have received rows of locations
  /// before it (the one strategy that streams before the whole input is
  /// read), never a row involving a location after it, and receives nothing
  /// more; the rest of the input is still scanned for diagnostics. An
  /// exception from the sink or the observer stops every stage and is
  /// rethrown. The report's read, calculation and write are
  /// each stage's busy time, simulated waits included, not channel waits.
  RunReport run(CsvLocationReader& reader, PairSink& sink);

 private:
  Options options_;
};

}  // namespace dm
