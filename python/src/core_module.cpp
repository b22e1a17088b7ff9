// The compiled half of the distance_matrix Python package: argument checks
// that must be fast for millions of rows, and the matrix computed by the
// library's kernel straight into a NumPy buffer with the interpreter lock
// released. Names, defaults and documentation live in the Python half
// (python/distance_matrix/__init__.py); this module trusts it for types.
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "distance_matrix/distributed/distributed_matrix.hpp"
#include "distance_matrix/errors.hpp"
#include "distance_matrix/executors/executor.hpp"
#include "distance_matrix/input/csv_options.hpp"
#include "distance_matrix/input/csv_reader.hpp"
#include "distance_matrix/executors/parallel_executor.hpp"
#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/kernel/distance_options.hpp"
#include "distance_matrix/kernel/location.hpp"
#include "distance_matrix/matrix/matrix_cells.hpp"
#include "distance_matrix/matrix/matrix_shape.hpp"
#include "distance_matrix/memory/huge_page_allocator.hpp"
#include "distance_matrix/output/matrix_format.hpp"
#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/output/npy_encoder.hpp"
#include "distance_matrix/output/output_file.hpp"
#include "distance_matrix/run/run_job.hpp"
#include "distance_matrix/run/runner_kind.hpp"
#include "distance_matrix/run/streaming_runner.hpp"
#include "distance_matrix/queries/nearest_arrays.hpp"
#include "distance_matrix/queries/summary_sweep.hpp"
#include "distance_matrix/queries/within_arrays.hpp"
#include "distance_matrix/run/batch_runner.hpp"
#include "distance_matrix/run/compute_and_write.hpp"
#include "distance_matrix/run/streaming_runner.hpp"
#include "distance_matrix/executors/sequential_executor.hpp"
#include "distance_matrix/version.hpp"
#include "python/src/buffer_output.hpp"

namespace py = pybind11;

namespace dm::python {
namespace {

/// Below this many cells a thread pool costs more than it saves: the call
/// stays on the calling thread (the 3-point call overhead target).
constexpr std::size_t smallest_parallel_cells = std::size_t{1} << 15;

/// The shortest text that reads back as `value` (a float32 coordinate as
/// NumPy prints it: 1e+30, not 1.0000000150474662e+30).
template <typename Value>
std::string shortest(Value value) {
  std::array<char, 32> text{};
  const auto result = std::to_chars(text.data(), text.data() + text.size(), value);
  return std::string(text.data(), result.ptr);
}

template <typename Parsed>
Parsed parse_or_throw(std::optional<Parsed> parsed, std::string_view what, std::string_view given,
                      std::string_view allowed) {
  if (!parsed) {
    throw py::value_error(std::string(what) + " '" + std::string(given) + "' is not one of " +
                          std::string(allowed));
  }
  return *parsed;
}

/// The reader's rules for one coordinate (CoordinateRange). Returns what is
/// wrong, or an empty string.
template <typename Value>
std::string coordinate_problem(const CoordinateRange& range, Value value) {
  const std::string label(range.label);
  if (!std::isfinite(value)) return label + ' ' + shortest(value) + " is not a finite number";
  if (!range.contains(value)) return label + ' ' + shortest(value) + " is outside " + std::string(range.written);
  return {};
}

/// The coordinates of the points given, checked, column by column.
struct Coordinates {
  std::vector<double> latitudes;
  std::vector<double> longitudes;
};

/// Checks `points` (an (n, 2) float64 or float32 array, any strides) row by
/// row and appends every row to `out`. Throws ValueError naming the first
/// bad row, before anything is computed.
template <typename Value>
void read_rows(const py::array& points, std::string_view name, Coordinates& out) {
  const auto* const base = static_cast<const std::byte*>(points.data());
  const py::ssize_t rows = points.shape(0);
  const py::ssize_t row_stride = points.strides(0);
  const py::ssize_t column_stride = points.strides(1);
  for (py::ssize_t row = 0; row < rows; ++row) {
    Value latitude{};
    Value longitude{};
    std::memcpy(&latitude, base + row * row_stride, sizeof(Value));
    std::memcpy(&longitude, base + row * row_stride + column_stride, sizeof(Value));
    std::string problem = coordinate_problem(latitude_range, latitude);
    if (problem.empty()) problem = coordinate_problem(longitude_range, longitude);
    if (!problem.empty()) {
      throw py::value_error(std::string(name) + '[' + std::to_string(row) + "]: " + problem +
                            " (degrees: each row is latitude, longitude)");
    }
    out.latitudes.push_back(latitude);
    out.longitudes.push_back(longitude);
  }
}

std::size_t checked_rows(const py::array& points, std::string_view name) {
  if (points.ndim() != 2 || points.shape(1) != 2) {
    std::string shape = "(";
    for (py::ssize_t axis = 0; axis < points.ndim(); ++axis) {
      if (axis > 0) shape += ", ";
      shape += std::to_string(points.shape(axis));
    }
    shape += points.ndim() == 1 ? ",)" : ")";
    throw py::value_error(std::string(name) + " must have shape (n, 2), one row of latitude and longitude per point, not " + shape);
  }
  return static_cast<std::size_t>(points.shape(0));
}

void read_points(const py::array& points, std::string_view name, Coordinates& out) {
  if (points.dtype().is(py::dtype::of<double>())) {
    read_rows<double>(points, name, out);
  } else if (points.dtype().is(py::dtype::of<float>())) {
    read_rows<float>(points, name, out);
  } else {
    throw py::type_error(std::string(name) + " must be float64 or float32, not " +
                         std::string(py::str(py::handle(points.dtype()))));
  }
}

/// A kernel over `points` and then `destinations`, checked first (ValueError
/// or TypeError), prepared by up to `threads` threads without the GIL.
DistanceKernel kernel_of(const DistanceOptions& options, const py::array& points,
                         const std::optional<py::array>& destinations, unsigned threads) {
  Coordinates coordinates;
  const std::size_t rows = checked_rows(points, "points") + (destinations ? checked_rows(*destinations, "destinations") : 0);
  coordinates.latitudes.reserve(rows);
  coordinates.longitudes.reserve(rows);
  read_points(points, "points", coordinates);
  if (destinations) read_points(*destinations, "destinations", coordinates);
  DistanceKernel kernel(options);
  const py::gil_scoped_release unlocked;
  kernel.add_all(coordinates.latitudes, coordinates.longitudes, threads);
  return kernel;
}

/// `out` as given by the caller, checked, or a new array.
/// The library keeps freed large blocks for its next ones (up to 64 MiB:
/// huge_pages::kept_bytes); a Python process may live long and call
/// rarely, so what a call kept is returned when it ends.
struct KeptMemoryReturned {
  KeptMemoryReturned() = default;
  KeptMemoryReturned(const KeptMemoryReturned&) = delete;
  KeptMemoryReturned& operator=(const KeptMemoryReturned&) = delete;
  ~KeptMemoryReturned() { huge_pages::release_kept(); }
};

py::array output_array(const std::optional<py::array>& out, ValueType type, const std::vector<py::ssize_t>& dimensions) {
  const py::dtype dtype = type == ValueType::float64 ? py::dtype::of<double>() : py::dtype::of<float>();
  if (!out) return py::array(dtype, dimensions);
  const py::array& array = *out;
  const auto shape_text = [](const std::vector<py::ssize_t>& shape) {
    std::string text = "(";
    for (std::size_t axis = 0; axis < shape.size(); ++axis) text += (axis > 0 ? ", " : "") + std::to_string(shape[axis]);
    return text + (shape.size() == 1 ? ",)" : ")");
  };
  const std::vector<py::ssize_t> given(array.shape(), array.shape() + array.ndim());
  if (given != dimensions) {
    throw py::value_error("out has shape " + shape_text(given) + ", the result needs " + shape_text(dimensions));
  }
  if (!array.dtype().is(dtype)) {
    throw py::value_error("out has dtype " + std::string(py::str(py::handle(array.dtype()))) + ", the result is " +
                          std::string(py::str(py::handle(dtype))) + " (pass dtype= to match)");
  }
  if ((array.flags() & py::array::c_style) == 0) throw py::value_error("out must be C-contiguous");
  if (!array.writeable()) throw py::value_error("out is read-only");
  return array;
}

/// The cells of `shape` into `data`, as the command line's NPY output holds
/// them: float64 straight from the kernel, float32 through the NPY encoder.
/// `workers` 0 means every hardware thread.
void fill(const DistanceKernel& kernel, const MatrixShape& shape, ValueType type, unsigned requested_workers,
          void* data) {
  const std::size_t cells = shape.cell_count();
  if (cells == 0) return;
  // Looking the hardware threads up costs microseconds: only for matrices worth sharing.
  const unsigned workers = cells >= smallest_parallel_cells ? resolve_workers(requested_workers) : 1;
  const bool parallel = workers > 1;
  if (type == ValueType::float64) {
    const MatrixCells shaped(kernel, shape);
    const std::span<double> out(static_cast<double*>(data), cells);
    if (parallel) {
      ParallelExecutor(ExecutionOptions{workers, 0}).compute(shaped, {0, cells}, out);
    } else {
      shaped.compute({0, cells}, out);
    }
    return;
  }
  const NpyEncoder encoder(shape, type);
  BufferMatrixOutput output(static_cast<std::byte*>(data), cells * size_of(type), encoder.header().size());
  const std::unique_ptr<Executor> executor =
      make_executor(parallel ? ExecutorKind::parallel : ExecutorKind::sequential, ExecutionOptions{workers, 0});
  compute_and_write(kernel, shape, *executor, encoder, output);
}

/// The sphere (radius, km) or the ellipsoid ("wgs84", "grs80", "A,INVF"), each
/// only for its own kind of metric; None leaves the default.
void set_figure(DistanceOptions& options, const std::optional<double>& radius, const std::optional<std::string>& ellipsoid) {
  if (options.metric == Metric::geodesic) {
    if (radius) {
      throw py::value_error("radius is the sphere's and cannot be combined with metric='geodesic': use ellipsoid=");
    }
    if (ellipsoid) {
      options.ellipsoid = parse_or_throw(parse_ellipsoid(*ellipsoid), "ellipsoid", *ellipsoid,
                                         "'wgs84', 'grs80' or (semi-major axis in metres, inverse flattening)");
    }
  } else {
    if (ellipsoid) {
      throw py::value_error("ellipsoid applies to metric='geodesic' only, not '" +
                            std::string(to_string(options.metric)) + "' (which uses radius=)");
    }
    if (radius) options.radius_km = *radius;
  }
  try {
    validate(options);
  } catch (const std::invalid_argument& error) {
    throw py::value_error(std::string(options.metric == Metric::geodesic ? "" : "radius: ") + error.what());
  }
}

/// The distance options the keyword arguments name, validated; ValueError otherwise.
DistanceOptions distance_options(const std::string& metric, const std::string& unit,
                                 const std::optional<double>& radius, const std::optional<std::string>& ellipsoid,
                                 const std::string& kernel_kind) {
  DistanceOptions options;
  options.metric = parse_or_throw(parse_metric(metric), "metric", metric, names_listed(metric_names, "'"));
  options.unit = parse_or_throw(parse_unit(unit), "unit", unit, names_listed(unit_names, "'"));
  options.kernel = parse_or_throw(parse_kernel_kind(kernel_kind), "kernel", kernel_kind,
                                  names_listed(kernel_kind_names, "'"));
  set_figure(options, radius, ellipsoid);
  return options;
}

py::array compute(const py::array& points, const std::optional<py::array>& destinations,
                  const std::optional<py::array>& out, const std::string& metric, const std::string& unit,
                  const std::optional<double>& radius, const std::optional<std::string>& ellipsoid,
                  const std::string& dtype, const std::string& kernel_kind, unsigned workers) {
  const KeptMemoryReturned returned;
  const DistanceOptions options = distance_options(metric, unit, radius, ellipsoid, kernel_kind);
  const ValueType type = parse_or_throw(parse_value_type(dtype), "dtype", dtype, names_listed(value_type_names));
  if (!can_hold(type, options)) {
    throw py::value_error("distances up to " + shortest(largest_distance(options)) + ' ' + unit +
                          " do not fit in float32: use float64 or a smaller radius");
  }

  const std::size_t origins = checked_rows(points, "points");
  const std::size_t targets = destinations ? checked_rows(*destinations, "destinations") : 0;
  const DistanceKernel kernel = kernel_of(options, points, destinations, resolve_workers(workers));

  const MatrixShape shape = destinations ? MatrixShape::rectangle(origins, targets) : MatrixShape::condensed(origins);
  std::vector<py::ssize_t> dimensions;
  if (destinations) {
    dimensions = {static_cast<py::ssize_t>(origins), static_cast<py::ssize_t>(targets)};
  } else {
    dimensions = {static_cast<py::ssize_t>(shape.cell_count())};
  }
  py::array result = output_array(out, type, dimensions);
  void* const data = result.mutable_data();
  {
    // The kernel holds its own copy of the coordinates and `result` is kept
    // alive by this frame: nothing below touches a Python object.
    const py::gil_scoped_release unlocked;
    fill(kernel, shape, type, workers, data);
  }
  return result;
}

/// The names of `table`, for the package's METRICS, UNITS and KERNELS.
template <typename Enum, std::size_t N>
py::tuple names_of(const EnumName<Enum> (&table)[N]) {
  py::tuple names(N);
  for (std::size_t index = 0; index < N; ++index) names[index] = py::str(std::string(table[index].name));
  return names;
}

// ---------------------------------------------------------------- files (issue 17)

/// --columns and --delimiter as the command line parses them.
CsvOptions csv_options(const std::optional<std::string>& columns, const std::optional<std::string>& delimiter,
                       const std::string& name_property = "name") {
  CsvOptions options;
  options.name_property = name_property;
  if (columns) {
    options.columns = parse_column_choice(*columns);
    if (!options.columns) {
      throw py::value_error("columns '" + *columns + "' is not NAME,LAT,LON (three titles or numbers; - only for NAME)");
    }
  }
  if (delimiter) {
    options.delimiter = parse_delimiter(*delimiter);
    if (!options.delimiter) throw py::value_error("delimiter '" + *delimiter + "' is not one of , ; tab");
  }
  return options;
}

/// Every location of a file, read as the command line reads INPUT.
py::tuple read_locations(const std::string& path, const std::optional<std::string>& columns,
                         const std::optional<std::string>& delimiter, const std::string& name_property) {
  const KeptMemoryReturned returned;
  const CsvOptions options = csv_options(columns, delimiter, name_property);
  LocationTable table;
  {
    // Read without the interpreter lock, a large file on every core.
    const py::gil_scoped_release unlocked;
    CsvLocationReader reader = CsvLocationReader::open(path, options);
    table = read_all(reader, resolve_workers(0));
  }
  py::list names;
  py::array_t<double> points({static_cast<py::ssize_t>(table.size()), py::ssize_t{2}});
  auto view = points.mutable_unchecked<2>();
  for (std::size_t index = 0; index < table.size(); ++index) {
    names.append(py::str(std::string(table.name(index))));
    view(static_cast<py::ssize_t>(index), 0) = table.latitude(index);
    view(static_cast<py::ssize_t>(index), 1) = table.longitude(index);
  }
  return py::make_tuple(names, points);
}

/// The command line's run: the file's pairs CSV written to `output` (a
/// temporary renamed into place) by `executor`; the times in seconds.
py::dict write_pairs_file(const std::string& input, const std::string& output, const std::string& executor,
                          const std::optional<std::string>& columns, const std::optional<std::string>& delimiter,
                          const std::string& name_property) {
  const KeptMemoryReturned returned;
  const CsvOptions options = csv_options(columns, delimiter, name_property);
  MatrixJob job;
  job.executor = parse_or_throw(parse_runner_kind(executor), "executor", executor, "the executors");
  RunReport report;
  {
    const py::gil_scoped_release unlocked;
    CsvLocationReader reader = CsvLocationReader::open(input, options);
    OutputFile file(output, ProtectedInput::of(input));
    FileMatrixOutput sink(file);
    report = run_job(reader, nullptr, sink, job);
    sink.commit();
  }
  py::dict times;
  times["read"] = report.read.count();
  times["calculation"] = report.calculation.count();
  times["write"] = report.write.count();
  times["total"] = report.total.count();
  times["locations"] = report.location_count;
  times["pairs"] = report.pair_count;
  return times;
}

/// Part `part` of `parts` of the pairs CSV of these locations: the cells
/// rank_share gives it, so that the parts in order are the whole file byte
/// for byte. For one task of a Dask graph.
std::size_t write_pairs_part(const std::vector<std::string>& names, const py::array_t<double>& points,
                             const std::string& output, unsigned part, unsigned parts) {
  if (parts == 0 || part >= parts) throw py::value_error("part must be below parts");
  const auto view = points.unchecked<2>();
  LocationTable locations;
  locations.reserve(names.size());
  for (std::size_t index = 0; index < names.size(); ++index) {
    locations.push_back(Location{names[index], view(static_cast<py::ssize_t>(index), 0),
                                 view(static_cast<py::ssize_t>(index), 1)});
  }
  const py::gil_scoped_release unlocked;
  const DistanceKernel kernel(locations, DistanceOptions{});
  const MatrixShape shape = MatrixShape::pairs(locations.size());
  const std::unique_ptr<MatrixEncoder> encoder = make_encoder(MatrixFormat{}, shape, locations);
  const CellRange share = rank_share(shape, parts, part);
  OutputFile file(output);
  FileMatrixOutput sink(file);
  if (part == 0) sink.append(encoder->header());
  ExecutionOptions one_thread;
  one_thread.workers = 1;  // Dask runs one task per worker thread already
  StreamingRunner runner(one_thread);
  const MatrixCells cells(kernel, shape);
  (void)runner.run_range(cells, share, *encoder, sink, {});
  sink.commit();
  return share.size();
}

/// The options and the kernel of points (then destinations) for a query.
DistanceKernel query_kernel(const py::array& points, const std::optional<py::array>& destinations,
                            const std::string& metric, const std::string& unit, const std::optional<double>& radius,
                            const std::optional<std::string>& ellipsoid, const std::string& kernel_kind,
                            unsigned workers, DistanceOptions& options) {
  options = distance_options(metric, unit, radius, ellipsoid, kernel_kind);
  return kernel_of(options, points, destinations, resolve_workers(workers));
}

/// nearest and within search an index ordered by great-circle distance,
/// which equirectangular distances do not follow.
void refuse_unindexed_metric(const std::string& metric, const char* function) {
  if (metric == to_string(Metric::equirectangular)) {
    throw py::value_error(std::string(function) +
                          " needs metric 'haversine' or 'geodesic': equirectangular distances do not follow the "
                          "great-circle index");
  }
}

py::tuple nearest(const py::array& points, const std::optional<py::array>& destinations, std::size_t k,
                  std::optional<double> distance, const std::string& metric, const std::string& unit,
                  const std::optional<double>& radius, const std::optional<std::string>& ellipsoid,
                  const std::string& kernel_kind, unsigned workers) {
  const KeptMemoryReturned returned;
  refuse_unindexed_metric(metric, "nearest");
  DistanceOptions options;
  const DistanceKernel kernel =
      query_kernel(points, destinations, metric, unit, radius, ellipsoid, kernel_kind, workers, options);
  const std::size_t origins = static_cast<std::size_t>(points.shape(0));
  py::array_t<double> distances({static_cast<py::ssize_t>(origins), static_cast<py::ssize_t>(k)});
  py::array_t<std::int64_t> indices({static_cast<py::ssize_t>(origins), static_cast<py::ssize_t>(k)});
  const NeighbourQuery query{.origins = origins,
                             .first_candidate = destinations ? origins : 0,
                             .k = k,
                             .within = distance,
                             .radius = options.radius_km / kilometers_per(options.unit),
                             .workers = origins * k >= smallest_parallel_cells / 64 ? resolve_workers(workers) : 1};
  const std::span<double> distance_span(distances.mutable_data(), origins * k);
  const std::span<std::int64_t> index_span(indices.mutable_data(), origins * k);
  {
    const py::gil_scoped_release unlocked;
    find_nearest(kernel, query, distance_span, index_span);
  }
  return py::make_tuple(distances, indices);
}

/// A NumPy array that owns `values` (moved, not copied).
template <typename Vector>
py::array_t<typename Vector::value_type> owning_array(Vector&& values) {
  auto* const owned = new Vector(std::move(values));
  const py::capsule release(owned, [](void* pointer) {
    delete static_cast<Vector*>(pointer);
    huge_pages::release_kept();  // the array's block too, not kept for a next call that may never come
  });
  return py::array_t<typename Vector::value_type>(static_cast<py::ssize_t>(owned->size()), owned->data(), release);
}

/// (distances, indices, indptr): the CSR arrays of every point's (or
/// destination's) neighbours within `distance`.
py::tuple within(const py::array& points, const std::optional<py::array>& destinations, double distance,
                 const std::string& metric, const std::string& unit, const std::optional<double>& radius,
                 const std::optional<std::string>& ellipsoid, const std::string& kernel_kind, unsigned workers) {
  const KeptMemoryReturned returned;
  refuse_unindexed_metric(metric, "within");
  DistanceOptions options;
  const DistanceKernel kernel =
      query_kernel(points, destinations, metric, unit, radius, ellipsoid, kernel_kind, workers, options);
  const std::size_t origins = static_cast<std::size_t>(points.shape(0));
  const NeighbourQuery query{.origins = origins,
                             .first_candidate = destinations ? origins : 0,
                             .k = std::nullopt,
                             .within = distance,
                             .radius = options.radius_km / kilometers_per(options.unit),
                             .workers = origins >= nearest_origins_per_task * 2 ? resolve_workers(workers) : 1};
  WithinArrays arrays;
  {
    const py::gil_scoped_release unlocked;
    arrays = find_within(kernel, query);
  }
  return py::make_tuple(owning_array(std::move(arrays.distances)), owning_array(std::move(arrays.indices)),
                        owning_array(std::move(arrays.indptr)));
}

/// One record per origin: count, min, nearest, max, farthest, mean, sd.
struct SummaryRecord {
  std::int64_t count;
  double min;
  std::int64_t nearest;
  double max;
  std::int64_t farthest;
  double mean;
  double sd;
};

py::array summary(const py::array& points, const std::optional<py::array>& destinations, const std::string& metric,
                  const std::string& unit, const std::optional<double>& radius,
                  const std::optional<std::string>& ellipsoid, const std::string& kernel_kind, unsigned workers) {
  const KeptMemoryReturned returned;
  DistanceOptions options;
  const DistanceKernel kernel =
      query_kernel(points, destinations, metric, unit, radius, ellipsoid, kernel_kind, workers, options);
  const std::size_t origins = static_cast<std::size_t>(points.shape(0));
  const MatrixShape shape = destinations ? MatrixShape::rectangle(origins, kernel.size() - origins)
                                         : MatrixShape::square(origins);
  py::array_t<SummaryRecord> records(static_cast<py::ssize_t>(origins));
  SummaryRecord* const out = records.mutable_data();
  {
    const py::gil_scoped_release unlocked;
    const std::vector<RowSummary> rows =
        summarize_rows(kernel, shape, shape.cell_count() >= smallest_parallel_cells ? resolve_workers(workers) : 1u);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t origin = 0; origin < origins; ++origin) {
      const RowSummary& row = rows[origin];
      const bool any = row.count > 0;
      out[origin] = {static_cast<std::int64_t>(row.count), any ? row.min : nan,
                     any ? static_cast<std::int64_t>(row.nearest) : -1, any ? row.max : nan,
                     any ? static_cast<std::int64_t>(row.farthest) : -1, any ? row.mean : nan, any ? row.sd : nan};
    }
  }
  return records;
}

}  // namespace
}  // namespace dm::python

PYBIND11_MODULE(_core, module) {
  module.doc() = "Compiled core of distance_matrix; use the functions of the distance_matrix package.";
  module.attr("__version__") = dm::version;
  module.attr("METRICS") = dm::python::names_of(dm::metric_names);
  module.attr("UNITS") = dm::python::names_of(dm::unit_names);
  module.attr("KERNELS") = dm::python::names_of(dm::kernel_kind_names);
  module.def("compute", &dm::python::compute, py::arg("points"), py::arg("destinations"), py::arg("out"),
             py::arg("metric"), py::arg("unit"), py::arg("radius"), py::arg("ellipsoid"), py::arg("dtype"), py::arg("kernel"),
             py::arg("workers"),
             "The condensed matrix of `points` (destinations None) or the points x destinations "
             "rectangle, into `out` or a new array; arguments already normalized by the package.");
  // The library's errors as Python's: invalid input is a ValueError, a file
  // that cannot be read or written an OSError; the message is the tool's.
  py::register_exception<dm::InputError>(module, "InputError", PyExc_ValueError);
  py::register_exception<dm::IoError>(module, "FileError", PyExc_OSError);
  module.def("read_locations", &dm::python::read_locations, py::arg("path"), py::arg("columns"),
             py::arg("delimiter"), py::arg("name_property"), "(names, (n, 2) array) of a file, read as the command line reads INPUT.");
  module.def("write_pairs_file", &dm::python::write_pairs_file, py::arg("input"), py::arg("output"),
             py::arg("executor"), py::arg("columns"), py::arg("delimiter"), py::arg("name_property"),
             "The command line's run: the pairs CSV of `input` into `output`; the times.");
  module.def("write_pairs_part", &dm::python::write_pairs_part, py::arg("names"), py::arg("points"),
             py::arg("output"), py::arg("part"), py::arg("parts"),
             "Part `part` of `parts` of the pairs CSV of these locations; the cells written.");
  PYBIND11_NUMPY_DTYPE(dm::python::SummaryRecord, count, min, nearest, max, farthest, mean, sd);
  module.def("nearest", &dm::python::nearest, py::arg("points"), py::arg("destinations"), py::arg("k"),
             py::arg("distance"), py::arg("metric"), py::arg("unit"), py::arg("radius"), py::arg("ellipsoid"),
             py::arg("kernel"), py::arg("workers"),
             "(distances, indices), each (n, k): the k nearest other points (or destinations) of every point, "
             "only those within `distance` when it is not None.");
  module.def("within", &dm::python::within, py::arg("points"), py::arg("destinations"), py::arg("distance"),
             py::arg("metric"), py::arg("unit"), py::arg("radius"), py::arg("ellipsoid"), py::arg("kernel"), py::arg("workers"),
             "(distances, indices, indptr): CSR rows of every point's neighbours within `distance`.");
  module.def("summary", &dm::python::summary, py::arg("points"), py::arg("destinations"), py::arg("metric"),
             py::arg("unit"), py::arg("radius"), py::arg("ellipsoid"), py::arg("kernel"), py::arg("workers"),
             "One record per point: count, min, nearest, max, farthest, mean, sd.");
  module.def("simd_target", [] { return std::string(dm::simd_target_name()); },
             "The instruction set the simd kernel runs on in this process.");
}
