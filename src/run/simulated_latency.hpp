#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "distance_matrix/input/csv_reader.hpp"
#include "distance_matrix/output/matrix_output.hpp"

namespace dm {

/// The workshop's I/O-bound experiment (`--io-latency`): every location read
/// and every write waits a fixed time, as a program waiting on a slow disk or
/// network would. These decorators wait by blocking the calling thread, as a
/// synchronous program does; the async runner awaits the same latency on
/// timers instead, so that its other stages run meanwhile — the difference
/// the experiment shows.

/// Reads locations from a reader, waiting `latency` after each one.
class SlowLocationReader {
 public:
  /// `reader` must outlive this object.
  SlowLocationReader(CsvLocationReader& reader, std::chrono::nanoseconds latency) noexcept
      : reader_(reader), latency_(latency) {}

  /// The reader's next location, after the wait; nullopt at the end (no wait).
  [[nodiscard]] std::optional<Location> next();

 private:
  CsvLocationReader& reader_;
  std::chrono::nanoseconds latency_;
};

/// An output that waits `latency` before every write that has bytes (a
/// format without a header writes an empty one: no wait for it). A runner
/// that appends one cell at a time (BatchRunner with append_cells = 1)
/// thus waits once per cell, as the original tool waited per row written.
class SlowMatrixOutput final : public MatrixOutput {
 public:
  /// `inner` must outlive this object.
  SlowMatrixOutput(MatrixOutput& inner, std::chrono::nanoseconds latency) noexcept
      : inner_(inner), latency_(latency) {}

  void append(std::string_view bytes) override;
  void write_at(std::uint64_t offset, std::string_view bytes) override;
  void commit() override { inner_.commit(); }
  void expect_size(std::uint64_t total_bytes) override { inner_.expect_size(total_bytes); }

 private:
  MatrixOutput& inner_;
  std::chrono::nanoseconds latency_;
};

}  // namespace dm
