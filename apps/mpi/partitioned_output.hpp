#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "command_line.hpp"
#include "distance_matrix/distributed/communicator.hpp"
#include "distance_matrix/matrix/matrix_cells.hpp"
#include "distance_matrix/output/matrix_encoder.hpp"
#include "distance_matrix/run/matrix_runner.hpp"
#include "distance_matrix/run/streaming_runner.hpp"

namespace dm::cli {

/// `-e mpi --partitioned`: OUTPUT is a folder where each rank writes its
/// share as `part-NNNNN.<ext>` (NNNNN its rank) with the ordinary OutputFile
/// (temporary, then rename), for tools that read parts in parallel. In name
/// order the CSV parts concatenate to exactly the single file (rank 0's part
/// holds the header row); each NPY part is a valid .npy array of its rows (a
/// square's or rectangle's whole rows, a condensed vector's cells). Rank 0
/// writes `manifest.json` last, once every part is in place, and removes
/// parts a previous run with more ranks left behind. Collective; failures
/// are agreed on (DistributedFailure on every rank). `progress` follows
/// this rank's part.
MatrixReport write_parts(Communicator& communicator, const CommandLine& command, const MatrixCells& cells,
                         StreamingRunner& runner, const MatrixEncoder& encoder, const ProgressCallback& progress = {});

/// `part-00003.csv` for rank 3 of a CSV run.
[[nodiscard]] std::string part_name(unsigned rank, Format format);

}  // namespace dm::cli
