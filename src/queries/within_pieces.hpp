// --within's rows as the pieces of its .npz: the CSR indices and distances
// put aside in spill files as the rows arrive (in memory up to the spill
// files' budget), the row lengths in memory.
// One process assembles them into an archive (write_within_npz); MPI ranks
// each search a share of the origins and write their pieces at their
// offsets (distributed/distributed_query.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/output/npy_encoder.hpp"
#include "distance_matrix/queries/neighbours_csv.hpp"
#include "distance_matrix/run/matrix_runner.hpp"
#include "src/output/spill_file.hpp"

namespace dm {

struct WithinPieces {
  explicit WithinPieces(const std::filesystem::path& spill_folder,
                        std::uint64_t memory_bytes = SpillFile::default_memory_bytes)
      : indices(spill_folder, memory_bytes), data(spill_folder, memory_bytes) {}

  SpillFile indices;                     ///< int64 candidate positions, row after row
  SpillFile data;                        ///< the distances, as the value type
  std::vector<std::int64_t> row_counts;  ///< per origin searched
};

/// Searches origins query.first_origin … query.origins - 1 in tasks on
/// query.workers threads and appends their rows, in origin order, to
/// `pieces`. The report's cell_count is the pairs found. Requires query.within.
/// `handed_over`: the kernel itself when the caller gave it up
/// (release_handed_over), else null.
MatrixReport search_within_pieces(const DistanceKernel& kernel, const NeighbourQuery& query, ValueType type,
                                  WithinPieces& pieces, const ProgressCallback& progress,
                                  DistanceKernel* handed_over = nullptr);

/// write_within_npz with the pieces put aside in `pieces` (empty): the
/// archive is the same bytes whether they stay in memory or spill.
MatrixReport write_within_npz_from(const DistanceKernel& kernel, const NeighbourQuery& query, ValueType type,
                                   MatrixOutput& output, const ProgressCallback& progress, WithinPieces& pieces,
                                   DistanceKernel* handed_over = nullptr);

}  // namespace dm
