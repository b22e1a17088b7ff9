// distance_matrix/run/async_runner.hpp
//
// AsyncRunner: the workshop's asyncio version: one thread, read, compute and
// write coroutines joined by bounded channels (standalone Asio), awaiting the
// simulated I/O latency on timers instead of blocking.
//
// Thread safety: a runner runs one matrix at a time, on the calling thread.
//
// Example:
//   dm::AsyncRunner runner({.io_latency = std::chrono::milliseconds(1)});
//   dm::compute_and_write(kernel, shape, runner, *encoder, output);

#pragma once

#include <chrono>
#include <cstddef>
#include <functional>

#include "distance_matrix/input/csv_reader.hpp"
#include "distance_matrix/kernel/distance_options.hpp"
#include "distance_matrix/run/matrix_runner.hpp"

namespace dm {

/// The workshop's asyncio version: one thread, coroutines joined by bounded
/// channels, on standalone Asio.
///
///   source  — run(): cuts the matrix into rows (one kernel run each, at most
///             max_row_cells); stream_pairs(): reads locations one at a time,
///             awaiting the simulated latency after each, and sends row j of
///             the original tool's triangle as soon as location j has arrived;
///   compute — computes each row it receives and sends its distances on;
///   write   — encodes each row and appends it to the output, awaiting the
///             latency before every cell (or the whole row at once without it).
///
/// Waits are timers the other coroutines run during, never a blocking sleep:
/// with latency, the rows of location j are written while location j+1 is
/// still being read, so streaming beats read-all, compute-all, write-all.
/// Without latency it is one thread doing the same work plus channel traffic.
class AsyncRunner final : public MatrixRunner {
 public:
  /// Observes progress (tests see reads and writes interleave): `index` is
  /// the location's index for location_read, the cell's for cell_written.
  /// Called on the running thread; an exception it throws stops every stage
  /// and leaves the run.
  enum class Event { location_read, cell_written };
  using Observer = std::function<void(Event event, std::size_t index)>;

  struct Options {
    /// Simulated wait after each location read and before each cell written
    /// (and before a non-empty header); zero writes each row as one append.
    std::chrono::nanoseconds io_latency{0};
    /// Messages buffered between two stages; 0 makes each send wait for the
    /// matching receive.
    std::size_t channel_capacity = 64;
    /// Cells per row message at most: bounds memory to about
    /// channel_capacity × 2 rows whatever the shape.
    std::size_t max_row_cells = std::size_t{1} << 16;
    Observer observer{};
  };

  /// What stream_pairs() did: the matrix it wrote and the time its reader
  /// stage was busy (simulated waits included).
  struct StreamReport {
    MatrixReport matrix;
    std::chrono::duration<double> read{};
    std::size_t location_count = 0;
  };

  AsyncRunner() : AsyncRunner(Options{}) {}
  explicit AsyncRunner(Options options);

  [[nodiscard]] RunnerKind kind() const noexcept override { return RunnerKind::async; }
  [[nodiscard]] unsigned workers() const noexcept override { return 1; }
  [[nodiscard]] std::size_t chunk_size() const noexcept override { return 0; }
  [[nodiscard]] bool stages_overlap() const noexcept override { return true; }

  /// The locations in hand: any shape and encoder, rows through compute and
  /// write coroutines. The header is written first.
  MatrixReport run(const MatrixCells& cells, const MatrixEncoder& encoder, MatrixOutput& output,
                   const ProgressCallback& progress) override;

  /// The original tool's CSV pairs (CsvPairsEncoder), streamed: row j only
  /// needs locations 0 … j, so it is computed and written while the rest of
  /// the input is still being read. The one strategy that writes before the
  /// whole input is read, so it stops at the first invalid row: the output
  /// may already hold rows of the locations before it, never a row of a
  /// location after it, and receives nothing more; the rest of the input is
  /// still scanned so that every bad row is reported. Throws InputError
  /// then, or what the output or the observer threw. Does not commit
  /// `output`. `progress` is called after each row written with a cell
  /// count of 0: the count is unknown until the input ends.
  StreamReport stream_pairs(CsvLocationReader& reader, const DistanceOptions& distance, MatrixOutput& output,
                            const ProgressCallback& progress = {});

 private:
  Options options_;
};

}  // namespace dm
