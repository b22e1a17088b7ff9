// distance_matrix: the command-line tool. A thin layer over the library:
// parse the options, run, report; every failure becomes one exit code.

#include <chrono>
#include <exception>
#include <iostream>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <tbb/global_control.h>

#include "bench_command.hpp"
#include "command_line.hpp"
#include "destinations_guard.hpp"
#include "mpi/mpi_command.hpp"
#include "progress_line.hpp"
#include "distance_matrix/errors.hpp"
#include "distance_matrix/input/csv_reader.hpp"
#include "distance_matrix/output/file_identity.hpp"
#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/output/output_file.hpp"
#include "distance_matrix/run/run_job.hpp"
#include "distance_matrix/text/printable.hpp"
#include "process_setup.hpp"
#include "timing_report.hpp"
#include "usage_error.hpp"

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* error_prefix = "distance_matrix: ";

int exit_code(dm::cli::ExitCode code) { return static_cast<int>(code); }

std::string describe_destination(const dm::OutputFile& output) {
  return output.is_standard_output() ? "standard output" : dm::printable(output.path().string());
}

/// Reads, computes, writes; the output file appears only once everything
/// succeeded. Loading the file and committing the output are part of the
/// read and write times the user sees.
int run_command(const dm::cli::CommandLine& command) {
  const Clock::time_point start = Clock::now();
  dm::cli::refuse_one_stream_read_twice(command);
  dm::CsvLocationReader reader = dm::CsvLocationReader::open(command.input, command.input_format);
  std::optional<dm::CsvLocationReader> destinations;
  if (command.destinations) destinations.emplace(dm::CsvLocationReader::open(*command.destinations, command.input_format));
  const dm::Duration loading = Clock::now() - start;

  // The inputs are open by now, but writing over either would still destroy
  // the user's data: refused before any file is created.
  dm::OutputFile file(command.output, dm::cli::files_read(command));
  dm::FileMatrixOutput output(file);
  std::optional<dm::cli::ProgressLine> progress =
      dm::cli::progress_line_on_standard_error(command.progress, command.quiet);
  dm::ProgressCallback on_progress;
  if (progress) on_progress = [&](std::size_t done, std::size_t total) { progress->update(done, total); };
  // `-o -` on the screen the line is drawn on: no data row may start after it.
  if (progress && file.is_standard_output() && dm::cli::standard_output_shares_the_terminal()) {
    file.before_each_write([&] { progress->clear(); });
  }
  dm::RunReport report =
      dm::run_job(reader, destinations ? &*destinations : nullptr, output, command.run, on_progress);
  if (progress) progress->finish();

  const Clock::time_point commit_start = Clock::now();
  output.commit();
  const dm::Duration committing = Clock::now() - commit_start;

  report.read += loading;
  report.write += committing;
  report.total += loading + committing;
  // The output is committed: a standard error that cannot take the report
  // (closed, or a pipe whose reader is gone) does not make the run fail.
  if (!command.quiet) {
    dm::cli::settled_standard_error() << dm::cli::format_timing_report(report, describe_destination(file));
  }
  return exit_code(dm::cli::ExitCode::success);
}

}  // namespace

int main(int argc, char** argv) {
  dm::cli::prepare_process();
  // The library's oneTBB arenas take --workers threads but never more than
  // the process allows, by default one per hardware thread. The workshop runs
  // more workers than cores on purpose (the bench lab twice as many): allow
  // up to the largest --workers. A process-wide setting, so main()'s alone.
  const tbb::global_control any_workers(tbb::global_control::max_allowed_parallelism, dm::cli::max_workers);
  try {
    if (argc > 1 && std::string_view(argv[1]) == "bench") {
      return dm::cli::run_bench_command(argc - 1, argv + 1, std::cout, std::cerr);
    }
    const auto parsed = dm::cli::parse_command_line(argc, argv, std::cout, std::cerr);
    if (const auto* code = std::get_if<dm::cli::ExitCode>(&parsed)) return exit_code(*code);
    const auto& command = std::get<dm::cli::CommandLine>(parsed);
    if (command.mpi) return dm::cli::run_mpi_command(command, &argc, &argv);
    return run_command(command);
  } catch (const dm::cli::UsageError& error) {
    std::cerr << error_prefix << error.what() << "\nRun with --help for more information.\n";
    return exit_code(dm::cli::ExitCode::usage);
  } catch (const dm::InputError& error) {
    // Already one "file:line: message" line per problem.
    std::cerr << error.what() << '\n';
    return exit_code(dm::cli::ExitCode::invalid_input);
  } catch (const dm::IoError& error) {
    std::cerr << error_prefix << error.what() << '\n';
    return exit_code(dm::cli::ExitCode::io_error);
  } catch (const std::bad_alloc&) {
    std::cerr << error_prefix << "out of memory\n";
    return exit_code(dm::cli::ExitCode::failure);
  } catch (const std::exception& error) {
    std::cerr << error_prefix << error.what() << '\n';
    return exit_code(dm::cli::ExitCode::failure);
  } catch (...) {
    std::cerr << error_prefix << "unknown error\n";
    return exit_code(dm::cli::ExitCode::failure);
  }
}
