#include "distance_matrix/executors/async_pipeline.hpp"

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

#include <exception>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace dm {
namespace {

using Clock = std::chrono::steady_clock;

/// Awaiting with this token yields an error code instead of throwing: a stage
/// interrupted because another stage failed is not a failure of its own.
constexpr auto without_throwing = asio::experimental::as_tuple(asio::use_awaitable);

/// Distances of the pairs (0, j) … (j-1, j): the next j output rows.
struct ComputedRow {
  std::size_t first_pair = 0;
  std::vector<double> distances;
};

// An empty optional ends each stream. Closing the channel cannot: in Asio 1.22
// close() also discards the messages still buffered.
using LocationChannel = asio::experimental::channel<void(asio::error_code, std::optional<std::size_t>)>;
using RowChannel = asio::experimental::channel<void(asio::error_code, std::optional<ComputedRow>)>;

/// One run of the pipeline: the state its three coroutines share. They all
/// run on the calling thread, so nothing here needs a lock.
class Pipeline {
 public:
  Pipeline(const AsyncPipeline::Options& options, CsvLocationReader& reader, PairSink& sink)
      : options_(options),
        reader_(reader),
        sink_(sink),
        locations_read_(io_, options.channel_capacity),
        rows_computed_(io_, options.channel_capacity),
        read_timer_(io_),
        write_timer_(io_) {
    report_.executor = ExecutorKind::async;
    report_.workers = 1;
    report_.chunk_size = 0;
  }

  RunReport run() {
    const Clock::time_point start = Clock::now();
    spawn(read_stage());
    spawn(compute_stage());
    spawn(write_stage());
    io_.run();
    report_.total = Clock::now() - start;

    if (failure_) std::rethrow_exception(failure_);
    reader_.throw_if_invalid();
    report_.location_count = locations_.size();
    report_.pair_count = pair_count(locations_.size());
    return report_;
  }

 private:
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
    locations_read_.cancel();
    locations_read_.close();
    rows_computed_.cancel();
    rows_computed_.close();
    read_timer_.cancel();
    write_timer_.cancel();
  }

  void notify(AsyncPipeline::Event event, std::size_t index) const {
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

  asio::awaitable<void> read_stage() {
    for (;;) {
      const Clock::time_point start = Clock::now();
      std::optional<Location> location = reader_.next();
      if (reader_.has_errors()) {
        // Stop at the first bad row: the rows already streamed cannot be
        // taken back, but none computed from a location after it leaves,
        // and nothing is written any more. Scanning on (the reader keeps
        // its usual limit) reports every bad row as the other executors do.
        while (reader_.next()) {
        }
        report_.read += Clock::now() - start;
        stop();
        co_return;
      }
      std::optional<std::size_t> index;
      if (location) {
        const bool waited = co_await simulate_io(read_timer_);
        if (!waited) co_return;
        locations_.push_back(std::move(*location));
        index = locations_.size() - 1;
      }
      report_.read += Clock::now() - start;
      if (index) notify(AsyncPipeline::Event::location_read, *index);

      const auto [error] = co_await locations_read_.async_send(asio::error_code{}, index, without_throwing);
      if (error || stopping_ || !index) co_return;
    }
  }

  asio::awaitable<void> compute_stage() {
    // The kernel grows with the input: row j needs locations 0 … j only.
    DistanceKernel kernel(options_.distance);
    for (;;) {
      const auto [receive_error, index] = co_await locations_read_.async_receive(without_throwing);
      if (receive_error || stopping_) co_return;

      std::optional<ComputedRow> row;
      if (index) {
        const Clock::time_point start = Clock::now();
        kernel.add(locations_.latitude(*index), locations_.longitude(*index));
        const PairRange range{pair_count(*index), pair_count(*index + 1)};
        if (!range.empty()) {
          row = ComputedRow{range.first, std::vector<double>(range.size())};
          kernel.compute(range, row->distances);
        }
        report_.calculation += Clock::now() - start;
        if (!row) continue;  // location 0 has no pair yet
      }

      const bool end_of_input = !index;
      const auto [send_error] =
          co_await rows_computed_.async_send(asio::error_code{}, std::move(row), without_throwing);
      if (send_error || stopping_ || end_of_input) co_return;
    }
  }

  asio::awaitable<void> write_stage() {
    Clock::time_point start = Clock::now();
    sink_.begin(locations_);
    report_.write += Clock::now() - start;

    for (;;) {
      const auto [error, row] = co_await rows_computed_.async_receive(without_throwing);
      if (error || stopping_) co_return;
      if (!row) break;
      const bool written = co_await write_row(*row);
      if (!written) co_return;
    }

    // Invalid rows make the run throw InputError: the output must not be committed.
    if (reader_.has_errors()) co_return;
    start = Clock::now();
    sink_.finish();
    report_.write += Clock::now() - start;
  }

  /// Hands `row` to the sink, one output row per simulated I/O, or all at
  /// once when there is no latency to simulate. False if the pipeline is stopping.
  asio::awaitable<bool> write_row(const ComputedRow& row) {
    const std::span<const double> distances(row.distances);
    if (options_.io_latency <= std::chrono::nanoseconds::zero()) {
      const Clock::time_point start = Clock::now();
      sink_.consume({row.first_pair, distances});
      report_.write += Clock::now() - start;
      if (options_.observer) {
        for (std::size_t offset = 0; offset < distances.size(); ++offset) {
          notify(AsyncPipeline::Event::row_written, row.first_pair + offset);
        }
      }
      co_return !stopping_;
    }

    for (std::size_t offset = 0; offset < distances.size(); ++offset) {
      const Clock::time_point start = Clock::now();
      const bool waited = co_await simulate_io(write_timer_);
      if (!waited) co_return false;
      sink_.consume({row.first_pair + offset, distances.subspan(offset, 1)});
      report_.write += Clock::now() - start;
      notify(AsyncPipeline::Event::row_written, row.first_pair + offset);
    }
    co_return !stopping_;
  }

  const AsyncPipeline::Options& options_;
  CsvLocationReader& reader_;
  PairSink& sink_;
  /// Owned here because the sink keeps a reference to it until finish().
  LocationTable locations_;

  asio::io_context io_{1};  // declared before the I/O objects below, so destroyed after them
  LocationChannel locations_read_;
  RowChannel rows_computed_;
  asio::steady_timer read_timer_;
  asio::steady_timer write_timer_;

  bool stopping_ = false;
  std::exception_ptr failure_;
  RunReport report_;
};

}  // namespace

AsyncPipeline::AsyncPipeline(Options options) : options_(std::move(options)) {}

RunReport AsyncPipeline::run(CsvLocationReader& reader, PairSink& sink) {
  Pipeline pipeline(options_, reader, sink);
  return pipeline.run();
}

}  // namespace dm
