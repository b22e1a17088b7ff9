// distance_matrix/distributed/distributed_matrix.hpp
//
// One matrix computed by many processes (MPI ranks) into one file: each
// rank's share of the cells (rank_share), its local workers, the locations
// packed for a broadcast, failures agreed on by every rank (agree), and the
// share computed and written at its offset (write_share). The same kernel,
// shapes and encoders as one process, so the file is byte for byte the same.
//
// Thread safety: the collective functions are called by one thread per rank,
// in the same order on every rank; rank_share and workers_per_rank are pure.
//
// Example:
//   const dm::CellRange mine = dm::rank_share(shape, communicator.size(), communicator.rank());
//   dm::StreamingRunner runner({.workers = dm::workers_per_rank(0, communicator)});
//   const dm::ShareReport report = dm::write_share(communicator, cells, runner, *encoder, *file);

#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "distance_matrix/distributed/communicator.hpp"
#include "distance_matrix/kernel/location.hpp"
#include "distance_matrix/matrix/cell_range.hpp"
#include "distance_matrix/matrix/matrix_cells.hpp"
#include "distance_matrix/output/matrix_encoder.hpp"
#include "distance_matrix/run/matrix_runner.hpp"
#include "distance_matrix/run/streaming_runner.hpp"

namespace dm {

/// One matrix computed by many processes (MPI ranks) into one file: each
/// rank runs the ordinary StreamingRunner over its share of the cells and
/// writes the bytes at their place in the file. No second engine: the
/// kernel, shapes and encoders are the single-process ones, so the file is
/// byte for byte the single-process output.

/// The cells rank `rank` of `ranks` computes: contiguous and of equal pair
/// count. The triangle's layouts (pairs, condensed) are split by cells, to
/// within one pair, since their rows are uneven; a square's or rectangle's
/// rows all hold the same number of cells, so they are split by whole rows
/// (to within one row), which keeps each part a set of complete rows. Ranks
/// beyond the cells (or rows) get an empty share.
[[nodiscard]] CellRange rank_share(const MatrixShape& shape, unsigned ranks, unsigned rank) noexcept;

/// Local worker threads of one rank: `requested` if given (non-zero), else
/// this machine's hardware threads shared among the ranks running on it
/// (at least one each), so that ranks started on one machine do not
/// oversubscribe its cores.
[[nodiscard]] unsigned workers_per_rank(unsigned requested, const Communicator& communicator) noexcept;

/// The locations as bytes for a broadcast, and back. unpack_locations
/// throws std::invalid_argument for bytes pack_locations did not make.
[[nodiscard]] std::string pack_locations(const LocationTable& locations);
[[nodiscard]] LocationTable unpack_locations(std::string_view bytes);

/// Why a distributed run stopped, the same on every rank.
enum class FailureKind : unsigned char { usage = 1, invalid_input, io, failure };

struct RankFailure {
  FailureKind kind = FailureKind::failure;
  std::string message;  ///< what() of the exception, without the tool's prefix
};

/// The failure of the current exception: InputError is invalid_input,
/// IoError io, std::invalid_argument usage, anything else failure.
[[nodiscard]] RankFailure failure_of(std::exception_ptr error);

/// Thrown on every rank by agree() when some rank failed.
class DistributedFailure : public std::runtime_error {
 public:
  DistributedFailure(FailureKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  [[nodiscard]] FailureKind kind() const noexcept { return kind_; }

 private:
  FailureKind kind_;
};

/// Collective: if any rank passes a failure, every rank throws
/// DistributedFailure carrying the failure of the lowest such rank, so all
/// stop at the same point with the same message. Otherwise returns.
void agree(Communicator& communicator, const std::optional<RankFailure>& mine);

/// What one rank did.
struct ShareReport {
  CellRange share;
  std::uint64_t offset = 0;  ///< where this rank's bytes start in the file
  std::uint64_t bytes = 0;   ///< how many it wrote (rank 0: the header included)
  /// Busy times of the writing pass: calculation summed over the local
  /// workers, write the encoding and writing.
  MatrixReport matrix;
  /// The first pass of a text format, which encodes the share only to count
  /// its bytes (zero for binary formats, whose offsets are known).
  std::chrono::duration<double> counting{};
};

/// Collective: computes this rank's share of `cells` with `runner` on its
/// local workers, encodes it and writes it into `file` at its offset; rank 0
/// writes the header first. Binary formats know every offset from the cell
/// size; text rows vary in length, so the share is encoded once to count its
/// bytes, the ranks exchange counts with an exclusive prefix sum, and then
/// encoded again while written (the kernel and encoders are fast, and memory
/// stays bounded by the runner's blocks in flight). Failures are agreed on
/// (DistributedFailure on every rank); does not close the file.
/// `progress` follows this rank's share through both passes: for text,
/// counting is the first half of the total (2 × the share's cells) and
/// writing the second; for binary, writing is all of it.
ShareReport write_share(Communicator& communicator, const MatrixCells& cells, StreamingRunner& runner,
                        const MatrixEncoder& encoder, SharedFile& file, const ProgressCallback& progress = {});

/// The whole job's progress as one rank sees it: the shares are of equal
/// pair count and computed alike, so the others are about as far as this
/// one. `done` of `total` steps of this rank's share, scaled to the job's
/// `job_cells`; the full job once the share is done.
[[nodiscard]] std::size_t job_cells_done(std::size_t done, std::size_t total, std::size_t job_cells) noexcept;

}  // namespace dm
