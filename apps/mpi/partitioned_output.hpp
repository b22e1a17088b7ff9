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

/// Rank 0, before it reads the input: throws IoError if the output folder
/// cannot be replaced without losing a file — it holds a file the run reads
/// (the input, --to) or one that is not a previous output (manifest.json and
/// the parts it lists) — or the output is not a folder. write_parts()
/// checks again before it switches.
void check_partitioned_output(const CommandLine& command);

/// `-e mpi --partitioned`: OUTPUT is a folder where each rank writes its
/// share as `part-NNNNN.<ext>` (NNNNN its rank), for tools that read parts
/// in parallel. In name order the CSV parts concatenate to exactly the
/// single file (rank 0's part holds the header row); each NPY part is a
/// valid .npy array of its rows (a square's or rectangle's whole rows, a
/// condensed vector's cells). Every part and then `manifest.json` go to a
/// hidden folder `.NAME.tmp.XXXXXX` beside OUTPUT; once every rank has
/// succeeded one rename (RENAME_EXCHANGE) puts it in OUTPUT's place and the
/// previous output is removed: only its manifest and the parts it listed,
/// since a folder holding anything else is refused. On any failure, or a
/// signal on any rank, the hidden folder is removed and the previous output
/// stays byte for byte. Collective; failures are agreed on
/// (DistributedFailure on every rank). `progress` follows this rank's part.
MatrixReport write_parts(Communicator& communicator, const CommandLine& command, const MatrixCells& cells,
                         StreamingRunner& runner, const MatrixEncoder& encoder, const ProgressCallback& progress = {});

/// `part-00003.csv` for rank 3 of a CSV run.
[[nodiscard]] std::string part_name(unsigned rank, Format format);

}  // namespace dm::cli
