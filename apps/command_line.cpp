#include "command_line.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "distance_matrix/kernel/distance_options.hpp"
#include "duration.hpp"
#include "distance_matrix/input/csv_options.hpp"
#include "distance_matrix/run/runner_kind.hpp"
#include "distance_matrix/text/printable.hpp"
#include "distance_matrix/version.hpp"
#include "mpi/mpi_module.hpp"
#include "option_table.hpp"

namespace dm::cli {
namespace {

constexpr std::string_view program_name = "distance_matrix";

constexpr std::string_view description =
    "Computes the great-circle distance between every pair of locations in a CSV file\n"
    "(name,latitude,longitude in decimal degrees) and writes origin,destination,distance\n"
    "rows, through any execution strategy of the concurrency workshop.\n";

constexpr std::string_view footer =
    "Output is written to a temporary file renamed over OUTPUT only when complete:\n"
    "on any failure an existing OUTPUT is left untouched. Devices, named pipes and\n"
    "open descriptors (/dev/null, a FIFO, /dev/stdout, /dev/fd/N) are written\n"
    "straight through. OUTPUT may not be a file the run reads (INPUT, --to).\n"
    "\n"
    "-e async (-r asyncio) streams CSV pairs rows while it reads: to standard output,\n"
    "a pipe or a device it may have written the rows of the locations before the\n"
    "first bad row when it stops. Every other executor, and async on any other\n"
    "format or layout, writes nothing on invalid input.\n"
    "\n"
    "--summary, --nearest and --within: a location is never its own neighbour;\n"
    "other locations at the same coordinates are, at distance 0. Ties go to the\n"
    "earlier location of the input. Distances are the matrix's own doubles, and\n"
    "every executor writes the same bytes. Each writes CSV with a header row.\n"
    "\n"
    "Interrupted (Ctrl-C, SIGTERM, SIGHUP, timeout, ...), the tool removes its\n"
    "temporary file and dies by that signal (status 128+N).\n"
    "\n"
    "Exit codes:\n"
    "  0  success\n"
    "  1  the computation failed (for example a worker process died)\n"
    "  2  bad command-line arguments\n"
    "  3  invalid input: one 'file:line: what is wrong' line per bad row, on stderr\n"
    "  4  a file could not be read or written\n"
    "  128+N  killed by signal N\n"
    "\n"
    "Examples:\n"
    "  distance_matrix data/many_locations.csv            # writes data/output.csv\n"
    "  distance_matrix data/five_locations.csv -r asyncio\n"
    "  distance_matrix data/five_locations.csv -r pandas   # simd kernel, one process\n"
    "  distance_matrix data/1k_locations.csv -e pool --workers 4 --chunk-size 1 -o out.csv\n"
    "  distance_matrix data/five_locations.csv -e sequential --io-latency 500ms\n"
    "  distance_matrix data/1k_locations.csv -o matrix.npy     # NumPy (n, n) float64\n"
    "  distance_matrix data/1k_locations.csv -o d.npy --layout condensed --dtype float32\n"
    "  distance_matrix data/1k_locations.csv --layout square -o table.csv\n"
    "  distance_matrix data/1k_locations.csv --to data/five_locations.csv -o to.csv\n"
    "  distance_matrix data/1k_locations.csv --summary -o summary.csv\n"
    "  distance_matrix data/1k_locations.csv --nearest 5 -o nearest.csv\n"
    "  distance_matrix data/1k_locations.csv --within 50km -o pairs.csv\n"
    "\n"
    "Benchmark lab (every executor, both kernels; see distance_matrix bench --help):\n"
    "  distance_matrix bench data/1k_locations.csv --repeat 5 --report bench-report\n";

/// Accepts only a plain decimal integer in [1, max]. CLI11's own conversion
/// would accept "0x10" and wrap "-3" around to a huge size_t.
CLI::Validator whole_number_from_one_to(std::uint64_t max) {
  return CLI::Validator(
      [max](std::string& text) -> std::string {
        std::uint64_t value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc{} || end != text.data() + text.size() || value < 1 || value > max) {
          return text + " is not a whole number from 1 to " + std::to_string(max);
        }
        return {};
      },
      "");
}

/// --nearest K: a count of neighbours, said so when it is not one.
CLI::Validator neighbour_count() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        std::uint64_t value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc{} || end != text.data() + text.size() || value < 1) {
          return text + " is not a number of neighbours: K is a whole number of at least 1";
        }
        return {};
      },
      "");
}

CLI::Validator positive_finite_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value) || value <= 0) {
          return text + " is not a positive number";
        }
        return {};
      },
      "");
}

/// "wgs84", "grs80" or "A,INVF" naming a valid ellipsoid.
CLI::Validator ellipsoid_text() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const std::optional<Ellipsoid> ellipsoid = parse_ellipsoid(text);
        if (!ellipsoid) {
          return text + " is not wgs84, grs80, or A,INVF (semi-major axis in metres, inverse flattening), "
                        "e.g. 6378137,298.257223563";
        }
        if (std::optional<std::string> problem = ellipsoid_problem(*ellipsoid)) return text + ": " + *problem;
        return {};
      },
      "");
}

CLI::Validator duration() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (parse_duration(text)) return {};
        return text + " is not a duration such as 500ms, 0.5s, 250us, 100ns or 2min";
      },
      "");
}

/// The raw strings CLI11 fills in; resolve() turns them into a CommandLine.
struct Arguments {
  std::string input;
  std::string output;
  bool output_given = false;  ///< -o "" is a mistake (an unset variable), not the default
  std::string executor;
  std::string runner;
  unsigned workers = 0;
  std::size_t chunk_size = 0;
  std::string io_latency = "0";
  std::string metric{to_string(Metric::haversine)};
  std::string unit{to_string(Unit::kilometers)};
  double radius_km = mean_earth_radius_km;
  bool radius_given = false;  ///< --radius is the sphere's: a mistake with --metric geodesic
  std::string ellipsoid;
  std::string kernel{to_string(KernelKind::simd)};
  std::string format;
  std::string layout;
  std::string dtype;
  std::string destinations;
  bool destinations_given = false;  ///< --to "" is a mistake too, not "no --to"
  bool quiet = false;
  bool progress = false;
  bool partitioned = false;
  std::string columns;    ///< --columns NAME,LAT,LON
  std::string delimiter;  ///< --delimiter
  std::string name_property = "name";  ///< --name-property
  bool summary = false;
  std::size_t nearest = 0;
  std::string within;
};

/// How INPUT and --to are read (issue 17); the defaults are detected.
void define_input_options(CLI::App& app, Arguments& arguments) {
  app.add_option(flags_of(Option::columns), arguments.columns,
                 "The name, latitude and longitude columns of\n"
                 "INPUT and --to, by header title or 1-based\n"
                 "number; - for NAME: the row number is the\n"
                 "name. Default: from the header's titles, or\n"
                 "name,latitude,longitude")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            if (parse_column_choice(text)) return {};
            return text + " is not NAME,LAT,LON (three titles or numbers; - only for NAME)";
          },
          ""))
      ->type_name("NAME,LAT,LON");
  app.add_option(flags_of(Option::delimiter), arguments.delimiter,
                 "Field separator: comma, semicolon or tab.\n"
                 "Default: detected from the first row")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            if (parse_delimiter(text)) return {};
            return text + " is not a delimiter: comma (,), semicolon (;) or tab";
          },
          ""))
      ->type_name("CHAR");
  app.add_option(flags_of(Option::name_property), arguments.name_property,
                 "GeoJSON input: the property naming each\n"
                 "Point feature. Default: name")
      ->type_name("KEY");
}

void define_options(CLI::App& app, Arguments& arguments) {
  // Every name and choice comes from option_table.hpp, which the --help test checks.
  const auto choices = [](Option option) { return CLI::IsMember(spelling_of(option).choices()); };
  app.set_help_flag(flags_of(Option::help), "Print this help message and exit");
  // CLI11 does not wrap text: descriptions are broken by hand to fit 80 columns.
  app.add_option(flags_of(Option::input), arguments.input,
                 "CSV of locations (name,latitude,longitude\n"
                 "or a header naming them; comma, semicolon\n"
                 "or tab; or GeoJSON points; plain, gzip,\n"
                 "zstd or xz);\n"
                 "- reads standard input")
      ->required()
      ->type_name("PATH");
  const auto take_output = [&arguments](const std::string& path) {
    arguments.output = path;
    arguments.output_given = true;
  };
  app.add_option_function<std::string>(flags_of(Option::output), take_output,
                                       "Where to write the distances; - is standard\n"
                                       "output. Default: output.csv in the input's\n"
                                       "folder, as the original tool does; standard\n"
                                       "output when INPUT is -")
      ->type_name("PATH");
  app.add_option(flags_of(Option::executor), arguments.executor,
                 "sequential  one loop\n"
                 "threads     a new thread per task\n"
                 "pool        a fixed pool of threads\n"
                 "processes   forked worker processes\n"
                 "async       read/compute/write coroutines\n"
                 "parallel    oneTBB work stealing (default)\n"
                 "mpi         the ranks of an MPI job (mpirun),\n"
                 "            --workers threads each")
      ->check(choices(Option::executor))
      ->type_name("NAME");
  app.add_option(flags_of(Option::runner), arguments.runner,
                 "The original tool's switch: asyncio selects\n"
                 "the async executor, pandas the vectorized\n"
                 "kernel in one process (-e sequential),\n"
                 "standard any other; dask: see python -m\n"
                 "distance_matrix")
      ->check(choices(Option::runner))
      ->type_name("NAME");
  app.add_option(flags_of(Option::workers), arguments.workers,
                 "Threads or processes, at most 1024. Default:\n"
                 "one per hardware thread (-e mpi: shared among\n"
                 "the ranks on each machine)")
      ->check(whole_number_from_one_to(max_workers))
      ->type_name("N");
  app.add_option(flags_of(Option::chunk_size), arguments.chunk_size,
                 "Pairs per task; 1 makes each pair a task.\n"
                 "Default: chosen by the executor")
      ->check(whole_number_from_one_to(std::numeric_limits<std::uint64_t>::max()))
      ->type_name("PAIRS");
  app.add_option(flags_of(Option::io_latency), arguments.io_latency,
                 "Simulated wait before each row read and each\n"
                 "cell written (and before a header, if the\n"
                 "format has one): 500ms, 0.5s, 250us, 100ns,\n"
                 "2min (units: ns us ms s min). Default: 0")
      ->check(duration())
      ->type_name("DURATION");
  app.add_option(flags_of(Option::metric), arguments.metric,
                 "haversine: great circle, accurate everywhere\n"
                 "(default); equirectangular: flat projection,\n"
                 "fast, for short distances; geodesic: on the\n"
                 "ellipsoid (--ellipsoid), Karney's algorithm\n"
                 "(simd: vectorized; scalar: GeographicLib)")
      ->check(choices(Option::metric))
      ->type_name("NAME");
  app.add_option(flags_of(Option::radius), arguments.radius_km,
                 "Sphere radius in kilometers, not with\n"
                 "--metric geodesic. Default: 6371.0088, the\n"
                 "mean Earth radius. At most 2.86e307\n"
                 "(2.86e304 with --unit m)")
      ->check(positive_finite_number())
      ->each([&arguments](const std::string&) { arguments.radius_given = true; })
      ->type_name("KM");
  app.add_option(flags_of(Option::ellipsoid), arguments.ellipsoid,
                 "With --metric geodesic: wgs84 (default),\n"
                 "grs80, or A,INVF: semi-major axis in metres\n"
                 "and inverse flattening (0: a sphere; else\n"
                 "|INVF| >= 100, negative for prolate)")
      ->check(ellipsoid_text())
      ->type_name("ELLIPSOID");
  app.add_option(flags_of(Option::unit), arguments.unit,
                 "Distance unit: kilometers (default), meters,\n"
                 "miles, nautical miles")
      ->check(choices(Option::unit))
      ->type_name("NAME");
  app.add_option(flags_of(Option::kernel), arguments.kernel,
                 "simd: vectorized, best instruction set of\n"
                 "this CPU (default); scalar: one pair at a\n"
                 "time, the reference. Both accurate to 1e-9 km")
      ->check(choices(Option::kernel))
      ->type_name("NAME");
  app.add_option(flags_of(Option::format), arguments.format,
                 "csv (default) or npy (NumPy); an OUTPUT name\n"
                 "ending in .npy picks npy")
      ->check(choices(Option::format))
      ->type_name("NAME");
  app.add_option(flags_of(Option::layout), arguments.layout,
                 "pairs      origin,destination,distance rows\n"
                 "           (CSV default; with --to, opt-in)\n"
                 "square     n x n table, zero diagonal (NPY\n"
                 "           default; CSV: a table with names)\n"
                 "condensed  SciPy's pdist vector (NPY only)")
      ->check(choices(Option::layout))
      ->type_name("NAME");
  app.add_option(flags_of(Option::dtype), arguments.dtype,
                 "NPY values: float64 (default) or float32,\n"
                 "each distance rounded once")
      ->check(choices(Option::dtype))
      ->type_name("NAME");
  const auto take_destinations = [&arguments](const std::string& path) {
    arguments.destinations = path;
    arguments.destinations_given = true;
  };
  app.add_option_function<std::string>(flags_of(Option::destinations), take_destinations,
                 "CSV of destinations: write the distance from\n"
                 "every INPUT location to every destination\n"
                 "(rows: INPUT, columns: destinations; with\n"
                 "--layout pairs, one origin,destination,distance\n"
                 "row per pair, origin-major)")
      ->type_name("PATH");
  app.add_flag(flags_of(Option::summary), arguments.summary,
               "Instead of the matrix: one CSV row per origin,\n"
               "name,count,min,nearest,max,farthest,mean,sd,\n"
               "over all other locations (or destinations)");
  app.add_option(flags_of(Option::nearest), arguments.nearest,
                 "Instead of the matrix: the K nearest other\n"
                 "locations (or destinations) of each origin,\n"
                 "origin,destination,distance,rank rows")
      ->check(neighbour_count())
      ->type_name("K");
  app.add_option(flags_of(Option::within), arguments.within,
                 "Instead of the matrix: every pair at most\n"
                 "DISTANCE apart, origin,destination,distance\n"
                 "rows; a number in --unit, or 10km, 500m, 3mi,\n"
                 "2nmi. With --nearest: at most K within it")
      ->type_name("DISTANCE");
  define_input_options(app, arguments);
  app.add_flag(flags_of(Option::quiet), arguments.quiet,
               "Do not print the timings, nor the progress line\n"
               "of runs longer than a second on a terminal");
  app.add_flag(flags_of(Option::progress), arguments.progress,
               "Show the progress line even when standard\n"
               "error is not a terminal (a log file)");
  app.add_flag(flags_of(Option::partitioned), arguments.partitioned,
               "With -e mpi: OUTPUT is a folder of one\n"
               "part-NNNNN file per rank and manifest.json");
  app.set_version_flag(flags_of(Option::version), std::string(program_name) + ' ' + version, "Print the version and exit");
}

/// The original tool's -r pandas and -r dask (issue 17): pandas was its
/// vectorized computation in one process, our simd kernel on one thread;
/// Dask needs a Python cluster, which only the Python package drives.
std::optional<RunnerKind> workshop_runner(const Arguments& arguments) {
  if (arguments.runner == "dask") {
    throw CLI::ValidationError("--runner",
                               "dask needs a Dask cluster, which the Python package drives: run python -m "
                               "distance_matrix INPUT -r dask; this tool spreads one matrix over processes or "
                               "machines with -e mpi (mpirun) or -e processes");
  }
  if (arguments.runner != "pandas") return std::nullopt;
  if (!arguments.executor.empty() && arguments.executor != "sequential") {
    throw CLI::ValidationError("--runner", "pandas runs the vectorized kernel in one process (-e sequential) and "
                                           "cannot be combined with --executor " + arguments.executor);
  }
  return RunnerKind::sequential;
}

RunnerKind resolve_executor(const Arguments& arguments) {
  if (const std::optional<RunnerKind> workshop = workshop_runner(arguments)) return *workshop;
  if (arguments.executor == mpi_executor) {
    if (arguments.runner == "asyncio") {
      throw CLI::ValidationError("--runner", "asyncio runs the async executor and cannot be combined with --executor mpi");
    }
    if (!built_with_mpi()) {
      throw CLI::ValidationError("--executor", "mpi: this distance_matrix was built without MPI (DM_WITH_MPI=OFF)");
    }
    return RunnerKind::parallel;  // each rank's local runner
  }
  const std::optional<RunnerKind> chosen =
      arguments.executor.empty() ? std::nullopt : parse_runner_kind(arguments.executor);
  if (arguments.runner == "asyncio") {
    if (chosen && *chosen != RunnerKind::async) {
      throw CLI::ValidationError(
          "--runner",
          "asyncio runs the async executor and cannot be combined with --executor " + arguments.executor);
    }
    return RunnerKind::async;
  }
  if (arguments.runner == "standard" && chosen == RunnerKind::async) {
    throw CLI::ValidationError(
        "--runner", "standard cannot be combined with --executor async, which is the asyncio runner");
  }
  return chosen.value_or(MatrixJob{}.executor);
}

std::filesystem::path default_output(const std::filesystem::path& input, Format format) {
  if (input == "-") return "-";
  return input.parent_path() / (format == Format::npy ? "output.npy" : "output.csv");
}

/// --format, or npy for an output named *.npy (any case: X.NPY, as a file
/// manager or Windows would name it), or csv.
Format resolve_format(const Arguments& arguments) {
  if (!arguments.format.empty()) return parse_format(arguments.format).value_or(Format::csv);
  std::string extension = std::filesystem::path(arguments.output).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  return extension == ".npy" ? Format::npy : Format::csv;
}

/// --within: a number in the run's unit, or one followed by a unit of its
/// own (10km, 500m, 3mi, 2nmi), converted to the run's unit.
double parse_within(const std::string& text, Unit unit) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  const std::string_view suffix(end, static_cast<std::size_t>(text.data() + text.size() - end));
  const std::optional<Unit> given = suffix.empty() ? unit : parse_unit(suffix);
  if (error != std::errc{} || end == text.data() || !given || !std::isfinite(value) || value < 0) {
    throw CLI::ValidationError("--within", text + " is not a distance: a number of at least 0 in --unit, or "
                                                  "one with its unit, such as 10km, 500m, 3mi or 2nmi");
  }
  return value * kilometers_per(*given) / kilometers_per(unit);
}

std::string shortest_text(double value) {
  char text[32];
  const auto written = std::to_chars(text, text + sizeof text, value);
  return {text, written.ptr};
}

/// Refuses a radius so large that distances in the chosen unit would be
/// infinite (the library's validate() would refuse it too, as a failure).
void check_radius_fits_unit(const Arguments& arguments) {
  const Unit unit = parse_unit(arguments.unit).value_or(Unit::kilometers);
  const double largest = largest_radius_km(unit);
  if (arguments.radius_km <= largest) return;
  throw CLI::ValidationError("--radius", shortest_text(arguments.radius_km) + " km gives infinite distances in " +
                                             arguments.unit + "; the largest radius allowed with --unit " +
                                             arguments.unit + " is " + shortest_text(largest) + " km");
}

/// --radius and --ellipsoid each belong to their own kind of metric.
void check_figure_fits_metric(const Arguments& arguments, const DistanceOptions& distance) {
  if (distance.metric == Metric::geodesic) {
    if (arguments.radius_given) {
      throw CLI::ValidationError("--radius", "is the sphere's radius and cannot be combined with --metric geodesic; "
                                             "use --ellipsoid wgs84|grs80|A,INVF");
    }
    try {
      validate(distance);
    } catch (const std::invalid_argument& error) {
      throw CLI::ValidationError("--ellipsoid", error.what());
    }
    return;
  }
  if (!arguments.ellipsoid.empty()) {
    throw CLI::ValidationError("--ellipsoid", "applies to --metric geodesic only, not " + arguments.metric +
                                                  " (which uses --radius)");
  }
  check_radius_fits_unit(arguments);
}

CommandLine resolve(const Arguments& arguments) {
  if (arguments.output_given && arguments.output.empty()) {
    throw CLI::ValidationError("--output", "output path is empty");
  }
  if (arguments.destinations_given && arguments.destinations.empty()) {
    throw CLI::ValidationError("--to", "destinations path is empty");
  }
  CommandLine command;
  command.input = arguments.input;
  command.run.format.format = resolve_format(arguments);
  if (!arguments.layout.empty()) command.run.format.layout = parse_layout(arguments.layout);
  if (!arguments.dtype.empty()) command.run.format.value_type = parse_value_type(arguments.dtype).value_or(ValueType::float64);
  if (!arguments.destinations.empty()) command.destinations = arguments.destinations;
  command.output = arguments.output.empty() ? default_output(command.input, command.run.format.format)
                                            : std::filesystem::path(arguments.output);
  command.run.executor = resolve_executor(arguments);
  command.mpi = arguments.executor == mpi_executor;
  command.run.execution.workers = arguments.workers;
  command.run.execution.chunk_size = arguments.chunk_size;
  // The validators above have already accepted each of these strings.
  command.run.io_latency = parse_duration(arguments.io_latency).value_or(std::chrono::nanoseconds::zero());
  command.run.distance.metric = parse_metric(arguments.metric).value_or(Metric::haversine);
  command.run.distance.unit = parse_unit(arguments.unit).value_or(Unit::kilometers);
  command.run.distance.radius_km = arguments.radius_km;
  command.run.distance.kernel = parse_kernel_kind(arguments.kernel).value_or(KernelKind::simd);
  if (!arguments.ellipsoid.empty()) command.run.distance.ellipsoid = parse_ellipsoid(arguments.ellipsoid).value_or(wgs84);
  check_figure_fits_metric(arguments, command.run.distance);
  if (command.mpi && command.run.io_latency > std::chrono::nanoseconds::zero()) {
    throw CLI::ValidationError("--io-latency", "simulates one process's waits and cannot be combined with -e mpi");
  }
  if (arguments.partitioned && !command.mpi) {
    throw CLI::ValidationError("--partitioned", "writes one part per MPI rank: use it with -e mpi");
  }
  if (arguments.partitioned && !arguments.output_given) {
    // The default output.csv is a file name: as a folder it would only mislead.
    throw CLI::ValidationError("--partitioned", "writes a folder of parts: name it with -o FOLDER");
  }
  if (arguments.partitioned && arguments.output == "-") {
    throw CLI::ValidationError("--partitioned",
                               "writes a folder of parts, not standard output: name a folder with -o FOLDER");
  }
  command.partitioned = arguments.partitioned;
  if (!arguments.columns.empty()) command.input_format.columns = parse_column_choice(arguments.columns);
  if (!arguments.delimiter.empty()) command.input_format.delimiter = parse_delimiter(arguments.delimiter);
  command.input_format.name_property = arguments.name_property;
  command.run.query.summary = arguments.summary;
  if (arguments.nearest > 0) command.run.query.nearest = arguments.nearest;
  if (!arguments.within.empty()) command.run.query.within = parse_within(arguments.within, command.run.distance.unit);
  if (command.mpi && !command.run.query.is_matrix()) {
    throw CLI::ValidationError("--executor", "mpi does not answer " + std::string(query_option(command.run.query)) +
                                                 " yet: use -e sequential or parallel");
  }
  command.quiet = arguments.quiet;
  command.progress = arguments.progress;
  if (std::optional<std::string> problem = job_problem(command.run, command.destinations.has_value())) {
    throw CLI::ValidationError(*problem);
  }
  if (command.destinations && *command.destinations == "-" && command.input == "-") {
    throw CLI::ValidationError("--to", "INPUT and --to cannot both read standard input");
  }
  return command;
}

}  // namespace

std::variant<CommandLine, ExitCode> parse_command_line(int argc, const char* const* argv, std::ostream& out,
                                                       std::ostream& err) {
  CLI::App app{std::string(description), std::string(program_name)};
  app.footer(std::string(footer));
  app.get_formatter()->column_width(30);
  Arguments arguments;
  define_options(app, arguments);
  try {
    app.parse(argc, argv);
    return resolve(arguments);
  } catch (const CLI::CallForHelp& request) {
    app.exit(request, out, err);
  } catch (const CLI::CallForAllHelp& request) {
    app.exit(request, out, err);
  } catch (const CLI::CallForVersion& request) {
    app.exit(request, out, err);
  } catch (const CLI::ParseError& error) {
    // CLI11 quotes the offending argument as typed: escape it like every message.
    err << program_name << ": " << printable(error.what()) << "\nRun with --help for more information.\n";
    return ExitCode::usage;
  }
  return ExitCode::success;
}

}  // namespace dm::cli
