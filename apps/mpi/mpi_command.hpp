#pragma once

#include "command_line.hpp"

namespace dm::cli {

/// `-e mpi`: runs `command` as one rank of an MPI job (a job of one without
/// mpirun). Rank 0 reads and validates the input, creates the temporary
/// output and broadcasts the locations; every rank computes its share of
/// equal pair count with `--workers` local threads and writes it with MPI-IO
/// at its offset; rank 0 renames the file into place once every rank has
/// succeeded and prints the timing report. Every rank returns the same exit
/// code; messages are printed once, by rank 0.
int run_mpi_command(const CommandLine& command, int* argc, char*** argv);

}  // namespace dm::cli
