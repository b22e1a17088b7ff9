#include "distance_matrix/run/async_runner.hpp"

// Asio 1.22 enables co_await on Clang only when <experimental/coroutine>
// exists, which libstdc++ does not ship. Clang 14 implements C++20 coroutines
// on <coroutine> exactly as GCC does, so say so before Asio looks.
#if defined(__clang__) && defined(__cpp_impl_coroutine) && !defined(ASIO_HAS_CO_AWAIT)
#define ASIO_HAS_CO_AWAIT 1
#endif

// Under ThreadSanitizer GCC warns (-Wtsan) that TSan does not model the
// fences Asio puts around handler calls, so it could report false races
// between threads. This io_context runs on one thread: nothing to misjudge.
#if defined(__SANITIZE_THREAD__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wtsan"
#endif

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/channel.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/output/csv_pairs_encoder.hpp"

namespace dm {
namespace {

using Clock = std::chrono::steady_clock;

/// Awaiting with this token yields an error code instead of throwing: a stage
/// interrupted because another stage failed is not a failure of its own.
constexpr auto without_throwing = asio::experimental::as_tuple(asio::use_awaitable);

/// The distances of consecutive cells, one row (kernel run) at most.
struct ComputedRow {
  CellRange cells;
  std::vector<double> distances;
};

// An empty optional ends each stream. Closing the channel cannot: in Asio 1.22
// close() also discards the messages still buffered.
using CellsChannel = asio::experimental::channel<void(asio::error_code, std::optional<CellRange>)>;
using RowChannel = asio::experimental::channel<void(asio::error_code, std::optional<ComputedRow>)>;

/// Where the rows come from: the cells of a kernel in hand, or a reader
/// whose locations grow the kernel, the table and the encoder row by row.
struct StreamedInput {
  CsvLocationReader& reader;
  DistanceKernel kernel;
  LocationTable locations;
  CsvPairsEncoder encoder{LocationTable{}, MatrixShape::pairs(0)};
};

/// One run: the state its coroutines share. They all run on the calling
/// thread, so nothing here needs a lock.
class Pipeline {
 public:
  Pipeline(const AsyncRunner::Options& options, MatrixOutput& output)
      : options_(options),
        output_(output),
        cells_to_compute_(io_, options.channel_capacity),
        rows_computed_(io_, options.channel_capacity),
        read_timer_(io_),
        write_timer_(io_) {}

  MatrixReport run(const MatrixCells& cells, const MatrixEncoder& encoder, const ProgressCallback& progress) {
    cells_ = &cells;
    encoder_ = &encoder;
    progress_ = &progress;
    report_.cell_count = cells.cell_count();
    execute(cut_stage());
    return report_;
  }

  AsyncRunner::StreamReport stream_pairs(StreamedInput& input, const ProgressCallback& progress) {
    input_ = &input;
    progress_ = &progress;
    encoder_ = &input.encoder;
    execute(read_stage());
    AsyncRunner::StreamReport streamed;
    input.reader.throw_if_invalid();
    streamed.location_count = input.locations.size();
    report_.cell_count = pair_count(streamed.location_count);
    streamed.matrix = report_;
    streamed.read = read_;
    return streamed;
  }

 private:
  void execute(asio::awaitable<void> source) {
    const Clock::time_point start = Clock::now();
    spawn(std::move(source));
    spawn(compute_stage());
    spawn(write_stage());
    io_.run();
    report_.total = Clock::now() - start;
    if (failure_) std::rethrow_exception(failure_);
  }

  void spawn(asio::awaitable<void> stage) {
    asio::co_spawn(io_, std::move(stage), [this](std::exception_ptr failure) {
      if (!failure) return;
      if (!failure_) failure_ = failure;  // the first failure is the cause, later ones its echoes
      stop();
    });
  }

  /// Wakes every stage that is waiting so that it sees stopping_ and returns;
  /// otherwise a stage blocked on a full or empty channel would keep
  /// io_context::run() from ever returning.
  void stop() {
    if (stopping_) return;
    stopping_ = true;
    // cancel() completes the operations waiting now, close() fails later ones.
    cells_to_compute_.cancel();
    cells_to_compute_.close();
    rows_computed_.cancel();
    rows_computed_.close();
    read_timer_.cancel();
    write_timer_.cancel();
  }

  void notify(AsyncRunner::Event event, std::size_t index) const {
    if (options_.observer) options_.observer(event, index);
  }

  /// The workshop's simulated I/O, as a wait that lets the other stages run.
  /// False if the pipeline is stopping.
  asio::awaitable<bool> simulate_io(asio::steady_timer& timer) {
    if (options_.io_latency <= std::chrono::nanoseconds::zero()) co_return !stopping_;
    timer.expires_after(options_.io_latency);
    const auto [error] = co_await timer.async_wait(without_throwing);
    co_return !error && !stopping_;
  }

  /// Sends `cells` to the compute stage (nullopt: the end). False if stopping.
  asio::awaitable<bool> send(std::optional<CellRange> cells) {
    const auto [error] = co_await cells_to_compute_.async_send(asio::error_code{}, cells, without_throwing);
    co_return !error && !stopping_;
  }

  /// The matrix in hand: one message per row, split at max_row_cells.
  asio::awaitable<void> cut_stage() {
    const MatrixShape& shape = cells_->shape();
    const std::size_t max_cells = std::max<std::size_t>(options_.max_row_cells, 1);
    for (std::size_t cell = 0; cell < shape.cell_count();) {
      const CellRange row{cell, cell + shape.run_at(cell, max_cells).size()};
      if (!co_await send(row)) co_return;
      cell = row.last;
    }
    co_await send(std::nullopt);
  }

  asio::awaitable<void> read_stage() {
    StreamedInput& input = *input_;
    for (;;) {
      const Clock::time_point start = Clock::now();
      std::optional<Location> location = input.reader.next();
      if (input.reader.has_errors()) {
        // Stop at the first bad row: the rows already written cannot be
        // taken back, but none computed from a location after it leaves,
        // and nothing is written any more. Scanning on (the reader keeps
        // its usual limit) reports every bad row as the other runners do.
        while (input.reader.next()) {
        }
        read_ += Clock::now() - start;
        stop();
        co_return;
      }
      if (!location) {
        read_ += Clock::now() - start;
        co_await send(std::nullopt);
        co_return;
      }
      if (!co_await simulate_io(read_timer_)) co_return;
      input.kernel.add(location->latitude, location->longitude);
      input.locations.push_back(std::move(*location));
      const std::size_t index = input.locations.size() - 1;
      read_ += Clock::now() - start;
      notify(AsyncRunner::Event::location_read, index);
      // Row j of the original tool's triangle: the pairs (0, j) … (j-1, j).
      if (index > 0 && !co_await send(CellRange{pair_count(index), pair_count(index + 1)})) co_return;
    }
  }

  asio::awaitable<void> compute_stage() {
    for (;;) {
      const auto [receive_error, cells] = co_await cells_to_compute_.async_receive(without_throwing);
      if (receive_error || stopping_) co_return;

      std::optional<ComputedRow> row;
      if (cells) {
        const Clock::time_point start = Clock::now();
        row = ComputedRow{*cells, std::vector<double>(cells->size())};
        if (input_ != nullptr) {
          // The triangle so far: the kernel grows with the input.
          MatrixCells(input_->kernel, MatrixShape::pairs(input_->kernel.size())).compute(*cells, row->distances);
        } else {
          cells_->compute(*cells, row->distances);
        }
        report_.calculation += Clock::now() - start;
      }

      const bool end = !cells;
      const auto [send_error] = co_await rows_computed_.async_send(asio::error_code{}, std::move(row), without_throwing);
      if (send_error || stopping_ || end) co_return;
    }
  }

  asio::awaitable<void> write_stage() {
    const std::string header = encoder_->header();
    if (!header.empty()) {
      const Clock::time_point start = Clock::now();
      if (!co_await simulate_io(write_timer_)) co_return;
      output_.append(header);
      report_.write += Clock::now() - start;
    }
    for (;;) {
      const auto [error, row] = co_await rows_computed_.async_receive(without_throwing);
      if (error || stopping_ || !row) co_return;
      if (!co_await write_row(*row)) co_return;
      if (progress_ != nullptr && *progress_) (*progress_)(row->cells.last, report_.cell_count);
    }
  }

  /// Encodes and appends `row`, one cell per simulated I/O, or all at once
  /// when there is no latency to simulate. False if the pipeline is stopping.
  asio::awaitable<bool> write_row(const ComputedRow& row) {
    // The names of the locations read so far; their rows keep their bytes.
    if (input_ != nullptr) input_->encoder.extend(input_->locations);
    const std::span<const double> distances(row.distances);
    if (options_.io_latency <= std::chrono::nanoseconds::zero()) {
      const Clock::time_point start = Clock::now();
      bytes_.clear();
      encoder_->encode(row.cells, distances, bytes_);
      output_.append(bytes_);
      report_.write += Clock::now() - start;
      if (options_.observer) {
        for (std::size_t cell = row.cells.first; cell < row.cells.last; ++cell) {
          notify(AsyncRunner::Event::cell_written, cell);
        }
      }
      co_return !stopping_;
    }

    for (std::size_t cell = row.cells.first; cell < row.cells.last; ++cell) {
      const Clock::time_point start = Clock::now();
      if (!co_await simulate_io(write_timer_)) co_return false;
      bytes_.clear();
      encoder_->encode({cell, cell + 1}, distances.subspan(cell - row.cells.first, 1), bytes_);
      output_.append(bytes_);
      report_.write += Clock::now() - start;
      notify(AsyncRunner::Event::cell_written, cell);
    }
    co_return !stopping_;
  }

  const AsyncRunner::Options& options_;
  MatrixOutput& output_;
  const MatrixCells* cells_ = nullptr;         ///< run(): the matrix in hand
  StreamedInput* input_ = nullptr;              ///< stream_pairs(): the input and what grows with it
  const MatrixEncoder* encoder_ = nullptr;
  const ProgressCallback* progress_ = nullptr;
  std::string bytes_;

  asio::io_context io_{1};  // declared before the I/O objects below, so destroyed after them
  CellsChannel cells_to_compute_;
  RowChannel rows_computed_;
  asio::steady_timer read_timer_;
  asio::steady_timer write_timer_;

  bool stopping_ = false;
  std::exception_ptr failure_;
  MatrixReport report_;
  std::chrono::duration<double> read_{};
};

}  // namespace

AsyncRunner::AsyncRunner(Options options) : options_(std::move(options)) {}

MatrixReport AsyncRunner::run(const MatrixCells& cells, const MatrixEncoder& encoder, MatrixOutput& output,
                              const ProgressCallback& progress) {
  if (!(encoder.shape() == cells.shape())) throw std::invalid_argument("the encoder is for another shape");
  Pipeline pipeline(options_, output);
  return pipeline.run(cells, encoder, progress);
}

AsyncRunner::StreamReport AsyncRunner::stream_pairs(CsvLocationReader& reader, const DistanceOptions& distance,
                                                    MatrixOutput& output, const ProgressCallback& progress) {
  StreamedInput input{reader, DistanceKernel(distance), {}, {LocationTable{}, MatrixShape::pairs(0)}};
  Pipeline pipeline(options_, output);
  return pipeline.stream_pairs(input, progress);
}

}  // namespace dm
