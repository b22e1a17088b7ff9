#include "destinations_guard.hpp"

#include <optional>
#include <string>

#include "distance_matrix/errors.hpp"
#include "distance_matrix/output/file_identity.hpp"
#include "distance_matrix/text/printable.hpp"

namespace dm::cli {

void refuse_output_over_destinations(const CommandLine& command) {
  if (!command.destinations) return;
  const std::optional<ProtectedInput> destinations = ProtectedInput::of(*command.destinations);
  const std::optional<FileIdentity> output = FileIdentity::of_path(command.output);
  if (destinations && output && *output == destinations->identity) {
    throw IoError("cannot write '" + printable(command.output.string()) + "': it is the same file as the destinations '" +
                  printable(command.destinations->string()) + '\'');
  }
}

}  // namespace dm::cli
