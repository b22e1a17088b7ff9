#include "mpi_module.hpp"

#include <dlfcn.h>

#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "distance_matrix/text/printable.hpp"

namespace dm::cli {
namespace {

namespace fs = std::filesystem;

/// Where the module may be: beside the tool (the build tree), then in the
/// installed layout, relative to the tool so that a relocated prefix works.
std::vector<fs::path> module_candidates() {
  std::error_code error;
  const fs::path tool = fs::read_symlink("/proc/self/exe", error);
  const fs::path folder = error ? fs::path() : tool.parent_path();
  return {folder / DM_MPI_MODULE_NAME, folder / DM_MPI_MODULE_INSTALL_DIR / DM_MPI_MODULE_NAME};
}

}  // namespace

bool built_with_mpi() noexcept { return DM_WITH_MPI != 0; }

std::unique_ptr<Communicator> open_mpi_communicator(int* argc, char*** argv) {
  if (!built_with_mpi()) throw std::runtime_error("this distance_matrix was built without MPI");
  std::string reasons;
  for (const fs::path& candidate : module_candidates()) {
    if (!fs::exists(candidate)) continue;
    // Never closed: MPI keeps threads and handlers in it until the process ends.
    void* module = ::dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (module == nullptr) {
      reasons += ::dlerror();
      continue;
    }
    const auto open = reinterpret_cast<dm_open_mpi_communicator_t>(::dlsym(module, "dm_open_mpi_communicator"));
    if (open == nullptr) throw std::runtime_error("the MPI module has no entry point: " + printable(candidate.string()));
    char error[512] = "";
    Communicator* communicator = open(argc, argv, error, sizeof error);
    if (communicator == nullptr) throw std::runtime_error(std::string("cannot start MPI: ") + error);
    return std::unique_ptr<Communicator>(communicator);
  }
  throw std::runtime_error("cannot load the MPI module " + std::string(DM_MPI_MODULE_NAME) +
                           (reasons.empty() ? std::string(" (not found beside the tool)") : ": " + printable(reasons)));
}

}  // namespace dm::cli
