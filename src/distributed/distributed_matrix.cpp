#include "distance_matrix/distributed/distributed_matrix.hpp"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

#include "distance_matrix/errors.hpp"
#include "distance_matrix/matrix/chunking.hpp"
#include "distance_matrix/executors/executor.hpp"

namespace dm {
namespace {

using Clock = std::chrono::steady_clock;

template <typename Value>
void put(std::string& bytes, Value value) {
  bytes.append(reinterpret_cast<const char*>(&value), sizeof value);
}

/// Reads values back in the order put() wrote them, checking every length.
class Unpacker {
 public:
  explicit Unpacker(std::string_view bytes) : bytes_(bytes) {}

  template <typename Value>
  Value take() {
    Value value{};
    std::memcpy(&value, take_bytes(sizeof value).data(), sizeof value);
    return value;
  }
  std::string_view take_bytes(std::size_t count) {
    if (bytes_.size() < count) throw std::invalid_argument("truncated location table");
    const std::string_view taken = bytes_.substr(0, count);
    bytes_.remove_prefix(count);
    return taken;
  }
  [[nodiscard]] bool done() const noexcept { return bytes_.empty(); }

 private:
  std::string_view bytes_;
};

/// Counts the bytes a pass would write, keeping none of them.
class CountingOutput final : public MatrixOutput {
 public:
  void append(std::string_view bytes) override { count_ += bytes.size(); }
  void write_at(std::uint64_t offset, std::string_view bytes) override {
    if (offset + bytes.size() > count_) count_ = offset + bytes.size();
  }
  void commit() override {}
  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }

 private:
  std::uint64_t count_ = 0;
};

/// A rank's window of the shared file: appends land one after the other
/// from `base`, gathered into large writes (a block of a few cells must not
/// cost an MPI-IO call).
class SharedFileOutput final : public MatrixOutput {
 public:
  static constexpr std::size_t buffer_bytes = std::size_t{4} << 20;

  SharedFileOutput(SharedFile& file, std::uint64_t base) : file_(file), base_(base) {}

  void append(std::string_view bytes) override {
    if (buffer_.size() + bytes.size() > buffer_bytes) flush();
    if (bytes.size() >= buffer_bytes) {
      write_through(bytes);
    } else {
      buffer_.append(bytes);
    }
  }
  void write_at(std::uint64_t offset, std::string_view bytes) override {
    flush();
    file_.write_at(base_ + offset, bytes);
  }
  void commit() override { flush(); }
  [[nodiscard]] std::uint64_t written() const noexcept { return appended_ + buffer_.size(); }

 private:
  void flush() {
    if (buffer_.empty()) return;
    write_through(buffer_);
    buffer_.clear();
  }
  void write_through(std::string_view bytes) {
    file_.write_at(base_ + appended_, bytes);
    appended_ += bytes.size();
  }

  SharedFile& file_;
  std::uint64_t base_;
  std::uint64_t appended_ = 0;
  std::string buffer_;
};

std::string pack_failure(const RankFailure& failure) {
  std::string bytes(1, static_cast<char>(failure.kind));
  return bytes + failure.message;
}

}  // namespace

CellRange rank_share(const MatrixShape& shape, unsigned ranks, unsigned rank) noexcept {
  if (shape.layout() == Layout::pairs || shape.layout() == Layout::condensed || shape.columns() == 0) {
    return Chunking::into({0, shape.cell_count()}, ranks).piece(rank);
  }
  const CellRange rows = Chunking::into({0, shape.rows()}, ranks).piece(rank);
  return {rows.first * shape.columns(), rows.last * shape.columns()};
}

unsigned workers_per_rank(unsigned requested, const Communicator& communicator) noexcept {
  if (requested > 0) return requested;
  const unsigned sharing = std::max(communicator.ranks_on_this_machine(), 1u);
  return std::max(resolve_workers(0) / sharing, 1u);
}

std::string pack_locations(const LocationTable& locations) {
  std::string bytes;
  put<std::uint64_t>(bytes, locations.size());
  for (std::size_t index = 0; index < locations.size(); ++index) {
    const std::string_view name = locations.name(index);
    put<double>(bytes, locations.latitude(index));
    put<double>(bytes, locations.longitude(index));
    put<std::uint64_t>(bytes, name.size());
    bytes.append(name);
  }
  return bytes;
}

LocationTable unpack_locations(std::string_view bytes) {
  Unpacker unpacker(bytes);
  const auto count = unpacker.take<std::uint64_t>();
  // Each location takes at least 24 bytes: a count beyond that is corrupt, not a reason to reserve.
  if (count > bytes.size() / 24) throw std::invalid_argument("corrupt location table");
  LocationTable locations;
  locations.reserve(static_cast<std::size_t>(count));
  for (std::uint64_t index = 0; index < count; ++index) {
    Location location;
    location.latitude = unpacker.take<double>();
    location.longitude = unpacker.take<double>();
    const auto length = unpacker.take<std::uint64_t>();
    location.name = std::string(unpacker.take_bytes(static_cast<std::size_t>(length)));
    locations.push_back(std::move(location));
  }
  if (!unpacker.done()) throw std::invalid_argument("trailing bytes after the location table");
  return locations;
}

RankFailure failure_of(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const DistributedFailure& failure) {
    return {failure.kind(), failure.what()};
  } catch (const InputError& failure) {
    return {FailureKind::invalid_input, failure.what()};
  } catch (const IoError& failure) {
    return {FailureKind::io, failure.what()};
  } catch (const std::invalid_argument& failure) {
    return {FailureKind::usage, failure.what()};
  } catch (const std::bad_alloc&) {
    return {FailureKind::failure, "out of memory"};
  } catch (const std::exception& failure) {
    return {FailureKind::failure, failure.what()};
  } catch (...) {
    return {FailureKind::failure, "unknown error"};
  }
}

void agree(Communicator& communicator, const std::optional<RankFailure>& mine) {
  const std::uint64_t none = communicator.size();
  const std::uint64_t first = communicator.all_min(mine ? std::uint64_t{communicator.rank()} : none);
  if (first == none) return;
  std::string packed = mine && first == communicator.rank() ? pack_failure(*mine) : std::string();
  communicator.broadcast(packed, static_cast<unsigned>(first));
  if (packed.empty()) throw DistributedFailure(FailureKind::failure, "a rank failed without a message");
  throw DistributedFailure(static_cast<FailureKind>(packed.front()), packed.substr(1));
}

std::size_t job_cells_done(std::size_t done, std::size_t total, std::size_t job_cells) noexcept {
  if (total == 0 || done >= total) return job_cells;
  // done / total of job_cells, without overflowing the product.
  const long double fraction = static_cast<long double>(done) / static_cast<long double>(total);
  return std::min(job_cells, static_cast<std::size_t>(fraction * static_cast<long double>(job_cells)));
}

ShareReport write_share(Communicator& communicator, const MatrixCells& cells, StreamingRunner& runner,
                        const MatrixEncoder& encoder, SharedFile& file, const ProgressCallback& progress) {
  ShareReport report;
  report.share = rank_share(cells.shape(), communicator.size(), communicator.rank());
  const std::string header = encoder.header();
  const bool first_rank = communicator.rank() == 0;
  std::optional<RankFailure> failure;

  const std::size_t share_cells = report.share.size();
  const std::size_t cell_bytes = encoder.fixed_cell_bytes();
  const std::size_t steps = cell_bytes > 0 ? share_cells : 2 * share_cells;  // text is encoded twice
  ProgressCallback counting_progress;
  ProgressCallback writing_progress;
  if (progress) {
    counting_progress = [&](std::size_t done, std::size_t) { progress(done, steps); };
    writing_progress = [&](std::size_t done, std::size_t) { progress(steps - share_cells + done, steps); };
  }

  if (cell_bytes > 0) {
    report.offset = first_rank ? 0 : header.size() + std::uint64_t{report.share.first} * cell_bytes;
  } else {
    const Clock::time_point start = Clock::now();
    std::uint64_t bytes = 0;
    try {
      CountingOutput counter;
      runner.run_range(cells, report.share, encoder, counter, counting_progress);
      bytes = counter.count() + (first_rank ? header.size() : 0);
    } catch (...) {
      failure = failure_of(std::current_exception());
    }
    agree(communicator, failure);
    report.offset = communicator.exclusive_prefix_sum(bytes);
    report.counting = Clock::now() - start;
  }

  try {
    SharedFileOutput output(file, report.offset);
    if (first_rank) output.append(header);
    report.matrix = runner.run_range(cells, report.share, encoder, output, writing_progress);
    output.commit();
    report.bytes = output.written();
  } catch (...) {
    failure = failure_of(std::current_exception());
  }
  agree(communicator, failure);
  return report;
}

}  // namespace dm
