#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "distance_matrix/csv_reader.hpp"
#include "distance_matrix/distance_options.hpp"
#include "distance_matrix/executor.hpp"
#include "distance_matrix/pair_sink.hpp"

namespace dm {

using Duration = std::chrono::duration<double>;

struct RunOptions {
  ExecutorKind executor = ExecutorKind::parallel;
  ExecutionOptions execution;
  DistanceOptions distance;
  /// Simulated latency per input row read and per output row written
  /// (the workshop's I/O-bound experiment). Zero: no waiting.
  std::chrono::nanoseconds io_latency{0};
  /// Pairs computed before they are handed to the sink. Bounds memory to
  /// 8 bytes × window whatever the number of locations.
  std::size_t window_pairs = std::size_t{1} << 22;
};

/// What a run did and where its time went. For the async pipeline the stages
/// overlap: read, calculation and write are each stage's own busy time and
/// may add up to more than total.
struct RunReport {
  ExecutorKind executor = ExecutorKind::parallel;
  unsigned workers = 1;
  std::size_t chunk_size = 0;
  std::string kernel;  ///< what computed the distances: "scalar", "simd avx512", ...
  std::size_t location_count = 0;
  std::size_t pair_count = 0;
  Duration read{};
  Duration calculation{};
  Duration write{};
  Duration total{};
  /// Calculation and writing ran at the same time (the async and streaming
  /// pipelines): their times are busy times and may add up to more than total.
  bool stages_overlap = false;
};

/// Reads every location from `reader`, computes the distance of every pair
/// with the chosen executor, and hands them to `sink` in output order.
/// Throws InputError if the input has invalid rows (the batch executors read
/// everything first, so their sink sees no block; the async pipeline may have
/// streamed some), ExecutionError if an executor fails, IoError from the sink.
/// sink.finish() is called only on success, so an OutputFile behind the sink
/// is committed only then.
RunReport run(CsvLocationReader& reader, PairSink& sink, const RunOptions& options);

}  // namespace dm
