#include "bench_command.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <ostream>
#include <string>

#include "bench_lab.hpp"
#include "distance_matrix/errors.hpp"
#include "distance_matrix/input/csv_reader.hpp"
#include "distance_matrix/output/output_file.hpp"
#include "distance_matrix/text/printable.hpp"
#include "exit_code.hpp"

namespace dm::cli {
namespace {

void write_report_file(const std::filesystem::path& path, const std::string& content) {
  OutputFile file(path);
  file.write(content);
  file.commit();
}

}  // namespace

int run_bench_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"Times every executor with both kernels on INPUT (haversine, km), checks that every\n"
               "result is identical, and prints executor, kernel, workers, chunk size, median\n"
               "calculation time, pairs per second and speed-up over sequential with the scalar\n"
               "kernel.\n",
               "distance_matrix bench"};
  app.footer("Example:\n  distance_matrix bench data/1k_locations.csv --repeat 5 --report bench-report\n");
  std::string input;
  unsigned repeat = 5;
  std::string report_folder;
  app.add_option("INPUT", input, "CSV of locations (name,latitude,longitude)")->required()->type_name("PATH");
  app.add_option("--repeat", repeat, "Repetitions per case; the median is reported.\nDefault: 5")
      ->check(CLI::Range(1U, 1000U))
      ->type_name("N");
  app.add_option("--report", report_folder, "Folder to write bench.json and bench.svg into\n(created if missing)")
      ->type_name("DIR");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& request) {
    return app.exit(request, out, err);
  } catch (const CLI::ParseError& error) {
    err << "distance_matrix bench: " << error.what() << "\nRun with --help for more information.\n";
    return static_cast<int>(ExitCode::usage);
  }

  CsvLocationReader reader = CsvLocationReader::open(input);
  const LocationTable locations = read_all(reader);
  LabOptions options;
  options.repeat = repeat;
  out << locations.size() << " locations, " << pair_count(locations.size()) << " pairs, median of " << repeat
      << "\n\n"
      << lab_table_header() << std::flush;
  const LabReport report = run_lab(locations, default_lab_cases(resolve_workers(0)), options,
                                   [&out](const LabMeasurement& measurement) { out << lab_table_row(measurement) << std::flush; });
  out << '\n' << lab_process_start_lines(report);
  out << "\nsimd = simd " << report.simd_target << "; largest |simd - scalar| " << report.simd_scalar_max_difference_km
      << " km\n";

  if (!report_folder.empty()) {
    const std::filesystem::path folder(report_folder);
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    if (error) throw IoError("cannot create '" + printable(folder.string()) + "': " + error.message());
    write_report_file(folder / "bench.json", lab_json(report));
    write_report_file(folder / "bench.svg", lab_svg(report));
    out << "wrote " << printable((folder / "bench.json").string()) << " and "
        << printable((folder / "bench.svg").string()) << '\n';
  }
  if (!report.all_identical()) {
    err << "distance_matrix bench: some executor computed different distances (marked above)\n";
    return static_cast<int>(ExitCode::failure);
  }
  if (!report.kernels_agree()) {
    err << "distance_matrix bench: simd and scalar differ by more than 1e-9 km\n";
    return static_cast<int>(ExitCode::failure);
  }
  return static_cast<int>(ExitCode::success);
}

}  // namespace dm::cli
