#pragma once

// The seam between the tool and its MPI module: one C entry point, looked up
// with dlsym, so that the tool links no MPI library itself.
#include <cstddef>
#include <filesystem>
#include <memory>

#include "distance_matrix/distributed/communicator.hpp"

extern "C" {
/// Initializes MPI (MPI_Init_thread) and returns the job's communicator, which
/// finalizes MPI when deleted; nullptr with a reason in `error` on failure.
using dm_open_mpi_communicator_t = dm::Communicator* (*)(int* argc, char*** argv, char* error,
                                                         std::size_t error_size);
dm::Communicator* dm_open_mpi_communicator(int* argc, char*** argv, char* error, std::size_t error_size);
}

namespace dm::cli {

/// Whether this build has the MPI module at all (CMake option DM_WITH_MPI).
[[nodiscard]] bool built_with_mpi() noexcept;

/// Loads the MPI module (beside the tool in the build tree, under
/// <libdir>/distance_matrix/ once installed) and opens the communicator.
/// Throws std::runtime_error naming what is missing.
[[nodiscard]] std::unique_ptr<Communicator> open_mpi_communicator(int* argc, char*** argv);

}  // namespace dm::cli
