#include "bench_command.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "bench_lab.hpp"
#include "distance_matrix/errors.hpp"
#include "distance_matrix/input/csv_reader.hpp"
#include "distance_matrix/output/file_identity.hpp"
#include "distance_matrix/output/output_file.hpp"
#include "distance_matrix/text/printable.hpp"
#include "exit_code.hpp"

namespace dm::cli {
namespace {

/// bench.json and bench.svg, opened (as temporaries) before the benchmark:
/// a report folder that cannot be written is refused at once, not after
/// minutes of measuring. Committed only once the report is written.
struct ReportFiles {
  ReportFiles(const std::filesystem::path& folder, const std::filesystem::path& input)
      : json(folder / "bench.json", ProtectedInput::of(input)), svg(folder / "bench.svg", ProtectedInput::of(input)) {}
  OutputFile json;
  OutputFile svg;
};

std::unique_ptr<ReportFiles> open_report(const std::string& report_folder, const std::string& input) {
  if (report_folder.empty()) return nullptr;
  const std::filesystem::path folder(report_folder);
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) throw IoError("cannot create '" + printable(folder.string()) + "': " + error.message());
  return std::make_unique<ReportFiles>(folder, input);
}

void write_report_file(OutputFile& file, const std::string& content) {
  file.write(content);
  file.commit();
}

}  // namespace

int run_bench_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"Times every executor with both kernels on INPUT (haversine, km), then the\n"
               "geodesic (WGS84) with both kernels sequential and parallel, checks that every\n"
               "result is identical, and prints executor, metric, kernel, workers, chunk size,\n"
               "median calculation time, pairs per second and speed-up over sequential haversine\n"
               "with the scalar kernel.\n",
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
  const std::unique_ptr<ReportFiles> report_files = open_report(report_folder, input);
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
      << " km (haversine), " << report.geodesic_simd_scalar_max_difference_km << " km (geodesic)\n";

  if (report_files) {
    write_report_file(report_files->json, lab_json(report));
    write_report_file(report_files->svg, lab_svg(report));
    out << "wrote " << printable(report_files->json.path().string()) << " and "
        << printable(report_files->svg.path().string()) << '\n';
  }
  if (!report.all_identical()) {
    err << "distance_matrix bench: some executor computed different distances (marked above)\n";
    return static_cast<int>(ExitCode::failure);
  }
  if (!report.kernels_agree()) {
    err << "distance_matrix bench: simd and scalar differ by more than 1e-9 km (1 µm)\n";
    return static_cast<int>(ExitCode::failure);
  }
  return static_cast<int>(ExitCode::success);
}

}  // namespace dm::cli
