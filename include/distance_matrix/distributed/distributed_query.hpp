// distance_matrix/distributed/distributed_query.hpp
//
// --summary, --nearest and --within answered by many processes (MPI ranks)
// into one file: the origins split among the ranks (origin_share), each
// rank searching (or summarising over) the whole set for its share, its
// bytes put aside, then written at their offsets (write_query_share). The
// same searches, reductions and encoders as one process: the file is byte
// for byte the single-process output, CSV or NumPy.
//
// Thread safety: collective, one thread per rank, the same order on every rank.
//
// Example:
//   const dm::QueryShareReport report = dm::write_query_share(communicator, kernel, locations, origins, job,
//                                                              runner, file);

#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>

#include "distance_matrix/distributed/communicator.hpp"
#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/kernel/location.hpp"
#include "distance_matrix/matrix/cell_range.hpp"
#include "distance_matrix/run/matrix_runner.hpp"
#include "distance_matrix/run/run_job.hpp"
#include "distance_matrix/run/streaming_runner.hpp"

namespace dm {

/// The origins rank `rank` of `ranks` answers: contiguous near-equal parts
/// in rank order (Chunking::into); ranks beyond the origins get none.
[[nodiscard]] CellRange origin_share(std::size_t origins, unsigned ranks, unsigned rank) noexcept;

/// What one rank did.
struct QueryShareReport {
  CellRange origins;                    ///< its share
  std::uint64_t bytes = 0;              ///< how many it wrote
  MatrixReport matrix;                  ///< calculation (search or reduction) and write times; cell_count: rows or pairs
};

/// Collective: answers `job.query` for this rank's share of the origins
/// (locations 0 … origins - 1 of `kernel`; the destinations follow them when
/// `origins` < kernel.size(), else the origins are searched among
/// themselves) and writes its part of the single-process output into
/// `file`:
///  - CSV, and --summary's structured .npy: the rows of the share, the
///    header from rank 0, at the offset the ranks before it end at (an
///    exclusive prefix sum of the sizes);
///  - --nearest's and --within's .npz: each member's rows of the share at
///    their place in the member; rank 0 writes the zip headers, the NPY
///    headers and the central directory from the sizes and CRC-32s every
///    rank gathers to it (zlib's crc32_combine joins them).
/// Each rank puts its bytes aside first (an anonymous temporary file in
/// `spill_folder`, or memory for --nearest's arrays), so it searches once.
/// `runner` computes --summary's rows (whole rows, as one process);
/// `job.execution.workers` threads search. Failures are agreed on
/// (DistributedFailure on every rank); does not close the file.
QueryShareReport write_query_share(Communicator& communicator, const DistanceKernel& kernel,
                                   const LocationTable& locations, std::size_t origins, const MatrixJob& job,
                                   StreamingRunner& runner, SharedFile& file,
                                   const std::filesystem::path& spill_folder = std::filesystem::temp_directory_path(),
                                   const ProgressCallback& progress = {});

}  // namespace dm
