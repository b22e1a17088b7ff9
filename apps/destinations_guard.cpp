#include "destinations_guard.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "distance_matrix/errors.hpp"
#include "distance_matrix/output/file_identity.hpp"
#include "distance_matrix/text/printable.hpp"
#include "usage_error.hpp"

namespace dm::cli {
namespace {

constexpr const char* input_role = "the input";
constexpr const char* destinations_role = "the destinations";

/// What `path` reads, as CsvLocationReader::open would ("-": standard input).
std::optional<struct stat> status_of_input(const std::filesystem::path& path) {
  struct stat status {};
  const int result = path == "-" ? ::fstat(STDIN_FILENO, &status) : ::stat(path.c_str(), &status);
  if (result != 0) return std::nullopt;
  return status;
}

std::string kind_of_stream(const struct stat& status) {
  if (S_ISFIFO(status.st_mode)) return "pipe";
  if (S_ISSOCK(status.st_mode)) return "socket";
  if (S_ISCHR(status.st_mode)) return "device";
  return "stream";
}

std::string named(const std::filesystem::path& path) {
  return path == "-" ? std::string("- (standard input)") : '\'' + printable(path.string()) + '\'';
}

}  // namespace

std::vector<ProtectedInput> files_read(const CommandLine& command) {
  std::vector<ProtectedInput> files;
  if (std::optional<ProtectedInput> input = ProtectedInput::of(command.input, input_role)) {
    files.push_back(std::move(*input));
  }
  if (command.destinations) {
    if (std::optional<ProtectedInput> destinations = ProtectedInput::of(*command.destinations, destinations_role)) {
      files.push_back(std::move(*destinations));
    }
  }
  return files;
}

void refuse_one_stream_read_twice(const CommandLine& command) {
  if (!command.destinations) return;
  const std::optional<struct stat> input = status_of_input(command.input);
  const std::optional<struct stat> destinations = status_of_input(*command.destinations);
  if (!input || !destinations) return;  // the reader reports what cannot be opened
  if (input->st_dev != destinations->st_dev || input->st_ino != destinations->st_ino) return;
  if (S_ISREG(input->st_mode)) return;
  throw UsageError("--to", named(*command.destinations) + " is the same " + kind_of_stream(*input) + " as INPUT " +
                             named(command.input) +
                             ": one stream cannot be read twice (the first reader takes every row); save it to a "
                             "file and name that file twice");
}

void refuse_output_over_destinations(const CommandLine& command) {
  if (!command.destinations) return;
  const std::optional<ProtectedInput> destinations = ProtectedInput::of(*command.destinations, destinations_role);
  const std::optional<FileIdentity> output = FileIdentity::of_path(command.output);
  if (destinations && output && *output == destinations->identity) {
    throw IoError("cannot write '" + printable(command.output.string()) + "': it is the same file as " +
                  destinations->describe() + ", which would be destroyed");
  }
}

}  // namespace dm::cli
