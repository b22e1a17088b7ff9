#include "mpi_command.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "destinations_guard.hpp"
#include "distance_matrix/distributed/distributed_matrix.hpp"
#include "distance_matrix/distributed/distributed_query.hpp"
#include "distance_matrix/errors.hpp"
#include "distance_matrix/input/csv_reader.hpp"
#include "distance_matrix/output/file_identity.hpp"
#include "distance_matrix/output/interrupt_cleanup.hpp"
#include "distance_matrix/output/matrix_format.hpp"
#include "distance_matrix/output/output_file.hpp"
#include "distance_matrix/run/run_job.hpp"
#include "distance_matrix/run/streaming_runner.hpp"
#include "distance_matrix/text/printable.hpp"
#include "mpi_module.hpp"
#include "partitioned_output.hpp"
#include "process_setup.hpp"
#include "progress_line.hpp"

namespace dm::cli {
namespace {

using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

/// What rank 0 sends every rank: the rectangle's origin count (0 without
/// --to), the temporary file to write, and the locations.
struct Job {
  std::uint64_t origins = 0;
  std::string temporary;
  LocationTable locations;
};

std::string pack_job(std::uint64_t origins, const std::string& temporary, const LocationTable& locations) {
  std::string bytes(reinterpret_cast<const char*>(&origins), sizeof origins);
  const std::uint64_t length = temporary.size();
  bytes.append(reinterpret_cast<const char*>(&length), sizeof length);
  bytes += temporary;
  return bytes + pack_locations(locations);
}

Job unpack_job(std::string_view bytes) {
  Job job;
  std::uint64_t length = 0;
  if (bytes.size() < 2 * sizeof length) throw std::invalid_argument("truncated job");
  std::memcpy(&job.origins, bytes.data(), sizeof job.origins);
  std::memcpy(&length, bytes.data() + sizeof job.origins, sizeof length);
  bytes.remove_prefix(2 * sizeof length);
  if (bytes.size() < length) throw std::invalid_argument("truncated job");
  job.temporary = std::string(bytes.substr(0, static_cast<std::size_t>(length)));
  job.locations = unpack_locations(bytes.substr(static_cast<std::size_t>(length)));
  return job;
}

void read_into(LocationTable& locations, CsvLocationReader& reader) {
  while (std::optional<Location> location = reader.next()) locations.push_back(std::move(*location));
}

/// Rank 0's part before anyone computes: the same checks, in the same order,
/// as a single-process run, then the temporary output every rank will write.
std::string prepare_on_first_rank(const CommandLine& command, std::optional<OutputFile>& file) {
  refuse_one_stream_read_twice(command);
  CsvLocationReader reader = CsvLocationReader::open(command.input, command.input_format);
  std::optional<CsvLocationReader> destinations;
  if (command.destinations) destinations.emplace(CsvLocationReader::open(*command.destinations, command.input_format));
  refuse_output_over_destinations(command);
  // Checked before opening: opening a FIFO for writing waits for a reader,
  // which may never come, only to refuse it.
  struct stat status {};
  const bool special =
      ::stat(command.output.c_str(), &status) == 0 && !S_ISREG(status.st_mode) && !S_ISDIR(status.st_mode);
  if (command.partitioned) check_partitioned_output(command);
  if (!command.partitioned && !special) file.emplace(command.output, files_read(command));
  if (!command.partitioned && (special || file->temporary_path().empty())) {
    throw std::invalid_argument("-e mpi writes a regular file at offsets with MPI-IO, not standard output, a pipe "
                                "or a device: name a file with -o");
  }
  LocationTable locations;
  read_into(locations, reader);
  const std::size_t origins = locations.size();
  if (destinations) read_into(locations, *destinations);
  reader.throw_if_invalid();
  if (destinations) {
    destinations->throw_if_invalid();
    throw_if_no_destinations(*destinations, locations.size() - origins);
  }
  if (file && command.run.query.is_matrix()) {
    // The NPY size is known now: a disk too small is refused before any rank computes.
    const MatrixShape shape = destinations ? MatrixShape::rectangle(origins, locations.size() - origins)
                                           : MatrixShape::of(resolve_layout(command.run.format, false), origins);
    if (const std::optional<std::uint64_t> size = fixed_output_bytes(*make_encoder(command.run.format, shape, locations))) {
      file->require_room(*size);
    }
  }
  return pack_job(destinations ? origins : 0, file ? file->temporary_path().string() : std::string(), locations);
}

/// Every option that shapes the output, one "option value" line each, in a
/// fixed order: what the ranks compare so that one job never mixes units in
/// one file or deadlocks in different collectives. Workers, chunk size,
/// --quiet and --progress may differ: they change no byte.
std::string output_shaping_options(const CommandLine& command) {
  const auto line = [](std::string_view option, const std::string& value) {
    return std::string(option) + ' ' + value + '\n';
  };
  char radius[40];
  std::snprintf(radius, sizeof radius, "%.17g", command.run.distance.radius_km);
  char ellipsoid[80];
  std::snprintf(ellipsoid, sizeof ellipsoid, "%.17g,%.17g", command.run.distance.ellipsoid.semi_major_axis_m,
                command.run.distance.ellipsoid.inverse_flattening);
  const MatrixFormat& format = command.run.format;
  return line("INPUT", printable(command.input.string())) +
         line("--to", command.destinations ? printable(command.destinations->string()) : std::string("(none)")) +
         line("-o", printable(command.output.string())) + line("--partitioned", command.partitioned ? "yes" : "no") +
         line("--format", std::string(to_string(format.format))) +
         line("--layout", format.layout ? std::string(to_string(*format.layout)) : std::string("(default)")) +
         line("--dtype", std::string(to_string(format.value_type))) +
         line("--metric", std::string(to_string(command.run.distance.metric))) +
         line("--unit", std::string(to_string(command.run.distance.unit))) + line("--radius", radius) +
         line("--kernel", std::string(to_string(command.run.distance.kernel))) +
         line("--ellipsoid", ellipsoid) + line("--summary", command.run.query.summary ? "yes" : "no") +
         line("--nearest", command.run.query.nearest ? std::to_string(*command.run.query.nearest) : "(none)") +
         line("--within", command.run.query.within ? [&] {
           char within[40];
           std::snprintf(within, sizeof within, "%.17g", *command.run.query.within);
           return std::string(within);
         }() : std::string("(none)"));
}

/// The first line where `mine` and rank 0's options differ, as a usage
/// message; nullopt when they agree.
std::optional<std::string> options_mismatch(const std::string& mine, const std::string& first, unsigned rank) {
  if (mine == first) return std::nullopt;
  std::size_t at = 0;
  while (at < mine.size() && at < first.size()) {
    const std::size_t mine_end = mine.find('\n', at);
    const std::size_t first_end = first.find('\n', at);
    const std::string_view mine_line = std::string_view(mine).substr(at, mine_end - at);
    const std::string_view first_line = std::string_view(first).substr(at, first_end - at);
    if (mine_line != first_line) {
      return "-e mpi: rank " + std::to_string(rank) + " was started with " + std::string(mine_line) +
             ", rank 0 with " + std::string(first_line) +
             ": every rank needs the same options that shape the output";
    }
    if (mine_end == std::string::npos || first_end == std::string::npos) break;
    at = mine_end + 1;
  }
  return "-e mpi: rank " + std::to_string(rank) + " was started with other options than rank 0";
}

/// Collective: a usage failure on every rank unless every rank was started
/// with rank 0's output-shaping options (an MPMD line `mpirun -np 1 … : -np 1
/// … --unit mi`, a wrapper script that differs per host).
void agree_on_options(Communicator& communicator, const CommandLine& command) {
  const std::string mine = output_shaping_options(command);
  std::string first = mine;
  communicator.broadcast(first, 0);
  std::optional<RankFailure> failure;
  if (std::optional<std::string> mismatch = options_mismatch(mine, first, communicator.rank())) {
    failure = RankFailure{FailureKind::usage, *mismatch};
  }
  agree(communicator, failure);
}

/// The shared file with the output's name in its errors.
class NamedSharedFile final : public SharedFile {
 public:
  NamedSharedFile(Communicator& communicator, const std::string& temporary, std::string name)
      : name_(std::move(name)) {
    guard([&] { file_ = communicator.open_shared_file(temporary); });
  }
  void write_at(std::uint64_t offset, std::string_view bytes) override {
    guard([&] { file_->write_at(offset, bytes); });
  }
  void close() override {
    guard([&] { file_->close(); });
  }

 private:
  template <typename Action>
  void guard(Action&& action) {
    try {
      action();
    } catch (const std::runtime_error& error) {
      throw IoError("cannot write '" + printable(name_) + "': " + error.what());
    }
  }

  std::string name_;
  std::unique_ptr<SharedFile> file_;
};

/// A phase as every rank saw it: the slowest, and how far the fastest was from it.
struct Spread {
  double slowest = 0;
  double fastest = 0;
};

Spread spread_of(Communicator& communicator, Seconds local) {
  return {communicator.all_max(local.count()), communicator.all_min(local.count())};
}

std::string seconds(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%8.3f s", value);
  return text;
}

std::string phase_line(const char* name, const Spread& spread, const std::string& detail) {
  char label[16];
  std::snprintf(label, sizeof label, "%-12s", name);
  return std::string(label) + seconds(spread.slowest) + "   spread " + seconds(spread.slowest - spread.fastest) +
         "   " + detail + '\n';
}

struct Phases {
  Seconds start{};  ///< loading the module and MPI_Init
  Seconds read{};
  Seconds broadcast{};
  Seconds calculation{};
  Seconds counting{};
  Seconds write{};
  Seconds total{};
};

std::string report(Communicator& communicator, const Phases& phases, std::size_t locations, std::size_t cells,
                   unsigned workers, const CommandLine& command) {
  // Every rank takes part in the reductions; rank 0 formats.
  const Spread start = spread_of(communicator, phases.start);
  const Spread read = spread_of(communicator, phases.read);
  const Spread broadcast = spread_of(communicator, phases.broadcast);
  const Spread calculation = spread_of(communicator, phases.calculation);
  const Spread counting = spread_of(communicator, phases.counting);
  const Spread write = spread_of(communicator, phases.write);
  const Spread total = spread_of(communicator, phases.total);
  const unsigned ranks = communicator.size();
  std::string text = "slowest rank of " + std::to_string(ranks) + (ranks == 1 ? " rank" : " ranks") +
                     ", and the spread between the slowest and the fastest:\n";
  text += phase_line("mpi start", start, "loading the MPI module, MPI_Init (not in total)");
  char line[96];
  std::snprintf(line, sizeof line, "%-12s%s   %s", "read", seconds(read.slowest).c_str(), "on rank 0: ");
  text += line + std::to_string(locations) + " locations\n";
  text += phase_line("broadcast", broadcast, "the locations to every rank");
  text += phase_line("calculation", calculation,
                     std::to_string(cells) + " pairs (mpi, " + std::to_string(workers) +
                         (workers == 1 ? " worker" : " workers") + " per rank, " +
                         describe_kernel(command.run.distance) + ')');
  if (counting.slowest > 0) text += phase_line("count", counting, "text rows encoded once to size each share");
  text += phase_line("write", write,
                     "-> " + printable(command.output.string()) +
                         (command.partitioned ? " (one part per rank, manifest.json)" : " (MPI-IO)"));
  text += phase_line("total", total, "(calculation and write overlap)");
  return text;
}

int exit_code_of(FailureKind kind) {
  switch (kind) {
    case FailureKind::usage: return static_cast<int>(ExitCode::usage);
    case FailureKind::invalid_input: return static_cast<int>(ExitCode::invalid_input);
    case FailureKind::io: return static_cast<int>(ExitCode::io_error);
    case FailureKind::failure: break;
  }
  return static_cast<int>(ExitCode::failure);
}

/// --summary, --nearest, --within: each rank answers its share of the
/// origins into the shared temporary, renamed by rank 0 as for the matrix.
int run_query_ranks(Communicator& communicator, const CommandLine& command, const Job& job,
                    std::optional<OutputFile>& file, Phases& phases, Clock::time_point start) {
  const bool first_rank = communicator.rank() == 0;
  const std::size_t count = job.locations.size();
  const std::size_t origins = job.origins > 0 || command.destinations ? job.origins : count;
  const DistanceKernel kernel(job.locations, command.run.distance);
  ExecutionOptions execution = command.run.execution;
  execution.workers = workers_per_rank(execution.workers, communicator);
  StreamingRunner runner(execution);
  std::optional<RankFailure> failure;
  std::unique_ptr<NamedSharedFile> shared;
  try {
    shared = std::make_unique<NamedSharedFile>(communicator, job.temporary, command.output.string());
  } catch (...) {
    failure = failure_of(std::current_exception());
  }
  agree(communicator, failure);
  // The spill files go next to the output: the same file system, with room for it.
  const std::filesystem::path folder = std::filesystem::path(job.temporary).parent_path();
  const QueryShareReport share = write_query_share(communicator, kernel, job.locations, origins, command.run, runner,
                                                   *shared, folder.empty() ? "." : folder);
  const Clock::time_point close_start = Clock::now();
  try {
    shared->close();
  } catch (...) {
    failure = failure_of(std::current_exception());
  }
  agree(communicator, failure);
  if (first_rank) {
    try {
      file->commit();
    } catch (...) {
      failure = failure_of(std::current_exception());
    }
  }
  agree(communicator, failure);
  phases.calculation = share.matrix.calculation;
  phases.write = share.matrix.write + (Clock::now() - close_start);
  phases.total = Clock::now() - start;
  const std::string text =
      report(communicator, phases, count, share.matrix.cell_count, runner.workers(), command);
  if (first_rank && !command.quiet) settled_standard_error() << text;
  return static_cast<int>(ExitCode::success);
}

int run_ranks(Communicator& communicator, const CommandLine& command, Seconds mpi_start) {
  const Clock::time_point start = Clock::now();
  const bool first_rank = communicator.rank() == 0;
  Phases phases;
  phases.start = mpi_start;

  agree_on_options(communicator, command);

  std::optional<OutputFile> file;  // rank 0 only: the temporary, renamed at the end
  std::string packed;
  std::optional<RankFailure> failure;
  if (first_rank) {
    try {
      packed = prepare_on_first_rank(command, file);
    } catch (...) {
      failure = failure_of(std::current_exception());
    }
  }
  phases.read = Clock::now() - start;
  agree(communicator, failure);

  const Clock::time_point broadcast_start = Clock::now();
  communicator.broadcast(packed, 0);
  const Job job = unpack_job(packed);
  packed = std::string();
  // Every rank removes the temporary if a signal ends it (rank 0's
  // OutputFile already does): whichever rank the job's end reaches first.
  const TemporaryRegistration cleanup =
      first_rank || job.temporary.empty() ? TemporaryRegistration() : TemporaryRegistration(job.temporary);
  phases.broadcast = Clock::now() - broadcast_start;

  const std::size_t count = job.locations.size();
  if (!command.run.query.is_matrix()) return run_query_ranks(communicator, command, job, file, phases, start);
  const MatrixShape shape = job.origins > 0 || command.destinations
                                ? MatrixShape::rectangle(job.origins, count - job.origins)
                                : MatrixShape::of(resolve_layout(command.run.format, false), count);
  const DistanceKernel kernel(job.locations, command.run.distance);
  const std::unique_ptr<MatrixEncoder> encoder = make_encoder(command.run.format, shape, job.locations);
  const MatrixCells cells(kernel, shape);
  ExecutionOptions execution = command.run.execution;
  execution.workers = workers_per_rank(execution.workers, communicator);
  StreamingRunner runner(execution);

  // Rank 0 shows the progress of its own share, scaled to the whole job:
  // the shares are equal and the ranks alike, so the others keep pace.
  std::optional<ProgressLine> progress_line =
      first_rank ? progress_line_on_standard_error(command.progress, command.quiet) : std::nullopt;
  ProgressCallback progress;
  if (progress_line) {
    progress = [&, job_cells = shape.cell_count()](std::size_t done, std::size_t total) {
      progress_line->update(job_cells_done(done, total, job_cells), job_cells);
    };
  }

  if (command.partitioned) {
    const MatrixReport parts = write_parts(communicator, command, cells, runner, *encoder, progress);
    if (progress_line) progress_line->finish();
    phases.calculation = parts.calculation;
    phases.write = parts.write;
    phases.total = Clock::now() - start;
    const std::string text = report(communicator, phases, count, shape.cell_count(), runner.workers(), command);
    if (first_rank && !command.quiet) settled_standard_error() << text;
    return static_cast<int>(ExitCode::success);
  }

  std::unique_ptr<NamedSharedFile> shared;
  try {
    shared = std::make_unique<NamedSharedFile>(communicator, job.temporary, command.output.string());
  } catch (...) {
    failure = failure_of(std::current_exception());
  }
  agree(communicator, failure);

  const ShareReport share = write_share(communicator, cells, runner, *encoder, *shared, progress);
  if (progress_line) progress_line->finish();
  const Clock::time_point close_start = Clock::now();
  try {
    shared->close();
  } catch (...) {
    failure = failure_of(std::current_exception());
  }
  agree(communicator, failure);
  if (first_rank) {
    try {
      file->commit();
    } catch (...) {
      failure = failure_of(std::current_exception());
    }
  }
  agree(communicator, failure);

  phases.calculation = share.matrix.calculation;
  phases.counting = share.counting;
  phases.write = share.matrix.write + (Clock::now() - close_start);
  phases.total = Clock::now() - start;
  const std::string text = report(communicator, phases, count, shape.cell_count(), runner.workers(), command);
  if (first_rank && !command.quiet) settled_standard_error() << text;
  return static_cast<int>(ExitCode::success);
}

}  // namespace

int run_mpi_command(const CommandLine& command, int* argc, char*** argv) {
  const Clock::time_point start = Clock::now();
  const std::unique_ptr<Communicator> communicator = open_mpi_communicator(argc, argv);
  try {
    return run_ranks(*communicator, command, Clock::now() - start);
  } catch (const DistributedFailure& failure) {
    // Every rank stops here with the same failure; one of them says so.
    if (communicator->rank() == 0) {
      if (failure.kind() == FailureKind::invalid_input) {
        std::cerr << failure.what() << '\n';
      } else {
        std::cerr << "distance_matrix: " << failure.what() << '\n';
      }
    }
    return exit_code_of(failure.kind());
  } catch (const std::exception& error) {
    // Not agreed on: the other ranks may be waiting in a collective for this one.
    std::cerr << "distance_matrix: rank " << communicator->rank() << ": " << error.what() << '\n';
  }
  communicator->abort(static_cast<int>(ExitCode::failure));
  std::_Exit(static_cast<int>(ExitCode::failure));  // abort() does not return
}

}  // namespace dm::cli
