#include "bench_lab.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <span>
#include <utility>

#include "distance_matrix/input/csv_reader.hpp"
#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/run/async_runner.hpp"
#include "distance_matrix/run/compute_and_write.hpp"

namespace dm {
namespace {

using Clock = std::chrono::steady_clock;

/// The async runner's cells as raw doubles, to compare them with the others.
class RawDoubles final : public MatrixEncoder {
 public:
  explicit RawDoubles(const MatrixShape& shape) : shape_(shape) {}
  [[nodiscard]] const MatrixShape& shape() const noexcept override { return shape_; }
  [[nodiscard]] std::string header() const override { return {}; }
  void encode(CellRange /*cells*/, std::span<const double> distances, std::string& out) const override {
    out.append(reinterpret_cast<const char*>(distances.data()), distances.size_bytes());
  }
  [[nodiscard]] std::size_t fixed_cell_bytes() const noexcept override { return sizeof(double); }

 private:
  MatrixShape shape_;
};

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

bool same_bits(std::span<const double> a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

/// One repetition of `config` on `executor` (null for async, which is a
/// runner): its calculation time; the distances in `out`.
double time_once(Executor* executor, const DistanceKernel& kernel, std::span<double> out,
                 LabMeasurement& measurement) {
  if (executor == nullptr) {
    AsyncRunner runner;
    const MatrixShape shape = MatrixShape::pairs(kernel.size());
    MemoryMatrixOutput bytes;
    const MatrixReport report = compute_and_write(kernel, shape, runner, RawDoubles(shape), bytes);
    std::memcpy(out.data(), bytes.bytes().data(), std::min(bytes.bytes().size(), out.size() * sizeof(double)));
    measurement.workers = runner.workers();
    measurement.chunk_size = runner.chunk_size();
    return report.calculation.count();
  }
  measurement.workers = executor->workers();
  measurement.chunk_size = executor->chunk_size();
  const Clock::time_point start = Clock::now();
  executor->compute(kernel, {0, out.size()}, out);
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string escape_xml(std::string_view text) {
  std::string escaped;
  for (const char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

/// JSON has no infinity or NaN: those become null.
std::string json_number(double value) {
  if (!std::isfinite(value)) return "null";
  char buffer[32];
  const int length = std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return {buffer, static_cast<std::size_t>(length)};
}

std::string format(const char* pattern, double value) {
  char buffer[64];
  const int length = std::snprintf(buffer, sizeof buffer, pattern, value);
  return {buffer, static_cast<std::size_t>(std::max(length, 0))};
}

std::string chunk_name(std::size_t chunk_size) { return chunk_size == 0 ? "auto" : std::to_string(chunk_size); }

/// "612 M", "48.2 k": pairs per second for a person.
std::string human_rate(double per_second) {
  if (per_second >= 1e9) return format("%.3g G", per_second / 1e9);
  if (per_second >= 1e6) return format("%.3g M", per_second / 1e6);
  if (per_second >= 1e3) return format("%.3g k", per_second / 1e3);
  return format("%.3g ", per_second);
}

}  // namespace

bool LabReport::all_identical() const noexcept {
  return std::all_of(measurements.begin(), measurements.end(),
                     [](const LabMeasurement& measurement) { return measurement.identical; });
}

std::vector<LabCase> default_lab_cases(unsigned hardware_threads) {
  const unsigned cores = std::max(hardware_threads, 1U);
  std::vector<unsigned> worker_counts = {1, cores, 2 * cores};
  worker_counts.erase(std::unique(worker_counts.begin(), worker_counts.end()), worker_counts.end());
  std::vector<LabCase> strategies = {{RunnerKind::sequential, KernelKind::scalar, 1, 0}};
  for (const std::size_t chunk : {std::size_t{4096}, std::size_t{256}}) {
    strategies.push_back({RunnerKind::threads, KernelKind::scalar, 0, chunk});
  }
  for (const RunnerKind executor : {RunnerKind::pool, RunnerKind::processes, RunnerKind::parallel}) {
    for (const unsigned workers : worker_counts) strategies.push_back({executor, KernelKind::scalar, workers, 0});
  }
  strategies.push_back({RunnerKind::pool, KernelKind::scalar, cores, 64});
  strategies.push_back({RunnerKind::parallel, KernelKind::scalar, cores, 1});
  strategies.push_back({RunnerKind::async, KernelKind::scalar, 1, 0});
  // The ellipsoid's price: GeographicLib (scalar) against our vectorized
  // Karney inverse (simd), on one core and on all of them.
  strategies.push_back({RunnerKind::sequential, KernelKind::scalar, 1, 0, Metric::geodesic});
  strategies.push_back({RunnerKind::parallel, KernelKind::scalar, cores, 0, Metric::geodesic});
  // Each strategy with both kernels side by side, scalar (the baseline) first.
  std::vector<LabCase> cases;
  for (const LabCase& strategy : strategies) {
    cases.push_back(strategy);
    cases.push_back({strategy.executor, KernelKind::simd, strategy.workers, strategy.chunk_size, strategy.metric});
  }
  return cases;
}

LabReport run_lab(const LocationTable& locations, const std::vector<LabCase>& cases, const LabOptions& options,
                  const std::function<void(const LabMeasurement&)>& on_measured) {
  LabReport report;
  report.location_count = locations.size();
  report.pair_count = pair_count(locations.size());
  report.hardware_threads = resolve_workers(0);
  report.simd_target = std::string(simd_target_name());
  report.repeat = std::max(options.repeat, 1U);

  // Sequential's result per metric and kernel: what every case must match.
  std::map<std::pair<Metric, KernelKind>, std::vector<double>> reference;
  auto largest_difference = [&](Metric metric) {
    const std::vector<double>& simd = reference[{metric, KernelKind::simd}];
    const std::vector<double>& scalar = reference[{metric, KernelKind::scalar}];
    double largest = 0;
    for (std::size_t k = 0; k < report.pair_count; ++k) largest = std::max(largest, std::abs(simd[k] - scalar[k]));
    return largest;
  };
  for (const Metric metric : {Metric::haversine, Metric::geodesic}) {
    const bool measured = metric == Metric::haversine ||
                          std::any_of(cases.begin(), cases.end(), [&](const LabCase& c) { return c.metric == metric; });
    if (!measured) continue;
    for (const KernelKind kernel : {KernelKind::scalar, KernelKind::simd}) {
      std::vector<double>& distances = reference[{metric, kernel}];
      distances.resize(report.pair_count);
      DistanceKernel(locations, {.metric = metric, .kernel = kernel}).compute({0, distances.size()}, distances);
    }
    (metric == Metric::haversine ? report.simd_scalar_max_difference_km
                                 : report.geodesic_simd_scalar_max_difference_km) = largest_difference(metric);
  }

  double baseline_seconds = 0;
  std::vector<double> out(report.pair_count);
  for (const LabCase& config : cases) {
    LabMeasurement measurement;
    measurement.config = config;
    measurement.identical = true;
    const DistanceKernel kernel(locations, DistanceOptions{.metric = config.metric, .kernel = config.kernel});
    const std::optional<ExecutorKind> batch = batch_executor_of(config.executor);
    const std::unique_ptr<Executor> executor =
        batch ? make_executor(*batch, {config.workers, config.chunk_size}) : nullptr;
    // One run per case, as a program computing windows makes one: the
    // processes executor forks its workers in the run's first window and
    // keeps them, and its window memory is shared with them (no copy).
    const MatrixCells cells(kernel);
    std::optional<ExecutorRun> run;
    std::span<double> target = out;
    if (executor) {
      run.emplace(*executor, cells);
      const std::span<double> window = executor->window_memory(out.size());
      if (window.size() == out.size()) target = window;
      measurement.first_seconds = time_once(executor.get(), kernel, target, measurement);
    }
    // The pool's threads, oneTBB's workers and the run's worker processes
    // outlive a window, so they can settle; `threads` start anew every time.
    const bool keeps_its_workers = config.executor == RunnerKind::pool || config.executor == RunnerKind::parallel ||
                                   config.executor == RunnerKind::processes;
    if (keeps_its_workers && executor->workers() > 1) {
      const Clock::time_point warm_up_start = Clock::now();
      do {
        executor->compute(kernel, {0, target.size()}, target);
      } while (Clock::now() - warm_up_start < options.warm_up);
    }
    for (unsigned repetition = 0; repetition < report.repeat; ++repetition) {
      std::fill(target.begin(), target.end(), -1.0);
      const double seconds = time_once(executor.get(), kernel, target, measurement);
      measurement.seconds.push_back(seconds);
      measurement.identical = measurement.identical && same_bits(target, reference[{config.metric, config.kernel}]);
      if (seconds > options.slow_case.count()) break;
    }
    measurement.median_seconds = median(measurement.seconds);
    measurement.pairs_per_second =
        measurement.median_seconds > 0 ? static_cast<double>(report.pair_count) / measurement.median_seconds : 0;
    if (baseline_seconds == 0 && config.executor == RunnerKind::sequential && config.kernel == KernelKind::scalar &&
        config.metric == Metric::haversine) {
      baseline_seconds = measurement.median_seconds;
    }
    measurement.speedup = measurement.median_seconds > 0 ? baseline_seconds / measurement.median_seconds : 0;
    if (on_measured) on_measured(measurement);
    report.measurements.push_back(std::move(measurement));
  }
  return report;
}

std::string lab_table_header() {
  char line[128];
  std::snprintf(line, sizeof line, "%-10s %-9s %-6s %7s %7s %12s %12s %9s\n", "executor", "metric", "kernel",
                "workers", "chunk", "median ms", "pairs/s", "speed-up");
  return line;
}

std::string lab_table_row(const LabMeasurement& measurement) {
  char line[160];
  std::snprintf(line, sizeof line, "%-10s %-9s %-6s %7u %7s %12.3f %11sp %8.1fx%s\n",
                std::string(to_string(measurement.config.executor)).c_str(),
                std::string(to_string(measurement.config.metric)).c_str(),
                std::string(to_string(measurement.config.kernel)).c_str(), measurement.workers,
                chunk_name(measurement.chunk_size).c_str(), measurement.median_seconds * 1e3,
                human_rate(measurement.pairs_per_second).c_str(), measurement.speedup,
                measurement.identical ? "" : "   DIFFERENT RESULT");
  return line;
}

std::string lab_process_start_lines(const LabReport& report) {
  std::string lines;
  for (const LabMeasurement& m : report.measurements) {
    if (m.config.executor != RunnerKind::processes) continue;
    char line[200];
    std::snprintf(line, sizeof line,
                  "processes %-6s %u worker%s: first window %.3f ms (forks the workers, faults in the shared "
                  "memory), then %.3f ms\n",
                  std::string(to_string(m.config.kernel)).c_str(), m.workers, m.workers == 1 ? "" : "s",
                  m.first_seconds * 1e3, m.median_seconds * 1e3);
    lines += line;
  }
  return lines;
}

std::string lab_json(const LabReport& report) {
  std::string json = "{\n";
  json += "  \"locations\": " + std::to_string(report.location_count) + ",\n";
  json += "  \"pairs\": " + std::to_string(report.pair_count) + ",\n";
  json += "  \"hardware_threads\": " + std::to_string(report.hardware_threads) + ",\n";
  json += "  \"simd_target\": \"" + report.simd_target + "\",\n";
  json += "  \"repeat\": " + std::to_string(report.repeat) + ",\n";
  json += "  \"all_identical\": " + std::string(report.all_identical() ? "true" : "false") + ",\n";
  json += "  \"simd_scalar_max_difference_km\": " + json_number(report.simd_scalar_max_difference_km) + ",\n";
  json += "  \"geodesic_simd_scalar_max_difference_km\": " +
          json_number(report.geodesic_simd_scalar_max_difference_km) + ",\n";
  json += "  \"results\": [";
  for (std::size_t index = 0; index < report.measurements.size(); ++index) {
    const LabMeasurement& m = report.measurements[index];
    json += index == 0 ? "\n" : ",\n";
    json += "    {\"executor\": \"" + std::string(to_string(m.config.executor)) + "\", \"metric\": \"" +
            std::string(to_string(m.config.metric)) + "\", \"kernel\": \"" +
            std::string(to_string(m.config.kernel)) + "\", \"workers\": " + std::to_string(m.workers) +
            ", \"chunk_size\": " + (m.chunk_size == 0 ? std::string("null") : std::to_string(m.chunk_size)) +
            ", \"median_seconds\": " + json_number(m.median_seconds) +
            ", \"first_seconds\": " + json_number(m.first_seconds) + ", \"seconds\": [";
    for (std::size_t run = 0; run < m.seconds.size(); ++run) {
      json += (run == 0 ? "" : ", ") + json_number(m.seconds[run]);
    }
    json += "], \"pairs_per_second\": " + json_number(m.pairs_per_second) +
            ", \"speedup_over_sequential_scalar\": " + json_number(m.speedup) +
            ", \"identical\": " + (m.identical ? "true" : "false") + "}";
  }
  json += "\n  ]\n}\n";
  return json;
}

std::string lab_svg(const LabReport& report) {
  constexpr double label_width = 300;
  constexpr double plot_width = 560;
  constexpr double bar_height = 18;
  constexpr double bar_gap = 6;
  constexpr double top = 70;
  const double chart_height = static_cast<double>(report.measurements.size()) * (bar_height + bar_gap);
  const double width = label_width + plot_width + 110;
  const double height = top + chart_height + 60;

  double slowest = 0;
  double fastest = 0;
  for (const LabMeasurement& m : report.measurements) {
    if (m.pairs_per_second <= 0) continue;
    slowest = slowest == 0 ? m.pairs_per_second : std::min(slowest, m.pairs_per_second);
    fastest = std::max(fastest, m.pairs_per_second);
  }
  const bool log_scale = slowest > 0 && fastest / slowest > 20;
  // Axis from a power of ten below the slowest to one above the fastest (log),
  // or from zero to the fastest (linear).
  const double low = log_scale ? std::floor(std::log10(slowest)) : 0;
  const double high = log_scale ? std::ceil(std::log10(fastest)) : std::max(fastest, 1.0);
  const auto x_of = [&](double rate) {
    if (rate <= 0) return 0.0;
    const double position = log_scale ? (std::log10(rate) - low) / std::max(high - low, 1.0) : rate / high;
    return std::clamp(position, 0.0, 1.0) * plot_width;
  };

  std::string svg;
  svg += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + format("%.0f", width) + "\" height=\"" +
         format("%.0f", height) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += "<text x=\"10\" y=\"22\" font-size=\"16\" font-weight=\"bold\">" +
         escape_xml("distance_matrix bench: " + std::to_string(report.location_count) + " locations, " +
                    std::to_string(report.pair_count) + " pairs, median of " + std::to_string(report.repeat)) +
         "</text>\n";
  svg += "<text x=\"10\" y=\"42\">" +
         escape_xml(std::string("calculation throughput in pairs per second") +
                    (log_scale ? " (log scale)" : "") + "; simd = " + report.simd_target + ", " +
                    std::to_string(report.hardware_threads) + " hardware threads") +
         "</text>\n";
  svg += "<rect x=\"" + format("%.0f", label_width + 10) + "\" y=\"50\" width=\"12\" height=\"12\" fill=\"#1f77b4\"/>"
         "<text x=\"" + format("%.0f", label_width + 26) + "\" y=\"60\">simd</text>\n";
  svg += "<rect x=\"" + format("%.0f", label_width + 80) + "\" y=\"50\" width=\"12\" height=\"12\" fill=\"#ff7f0e\"/>"
         "<text x=\"" + format("%.0f", label_width + 96) + "\" y=\"60\">scalar</text>\n";

  // Grid and axis labels.
  const double axis_y = top + chart_height;
  std::vector<double> ticks;
  if (log_scale) {
    for (double exponent = low; exponent <= high; exponent += 1) ticks.push_back(std::pow(10.0, exponent));
  } else {
    for (int step = 0; step <= 4; ++step) ticks.push_back(high * step / 4);
  }
  for (const double tick : ticks) {
    const double x = label_width + x_of(tick);
    svg += "<line x1=\"" + format("%.1f", x) + "\" y1=\"" + format("%.1f", top - 4) + "\" x2=\"" + format("%.1f", x) +
           "\" y2=\"" + format("%.1f", axis_y) + "\" stroke=\"#ddd\"/>\n";
    svg += "<text x=\"" + format("%.1f", x) + "\" y=\"" + format("%.1f", axis_y + 16) +
           "\" text-anchor=\"middle\">" + escape_xml(human_rate(tick) + "/s") + "</text>\n";
  }
  svg += "<line x1=\"" + format("%.0f", label_width) + "\" y1=\"" + format("%.1f", axis_y) + "\" x2=\"" +
         format("%.0f", label_width + plot_width) + "\" y2=\"" + format("%.1f", axis_y) + "\" stroke=\"#333\"/>\n";

  for (std::size_t index = 0; index < report.measurements.size(); ++index) {
    const LabMeasurement& m = report.measurements[index];
    const double y = top + static_cast<double>(index) * (bar_height + bar_gap);
    const std::string label = std::string(to_string(m.config.executor)) + "  " +
                              (m.config.metric == Metric::haversine ? "" : std::string(to_string(m.config.metric)) + "  ") +
                              std::string(to_string(m.config.kernel)) + "  " + std::to_string(m.workers) +
                              (m.workers == 1 ? " worker" : " workers") + "  chunk " + chunk_name(m.chunk_size);
    const double bar = x_of(m.pairs_per_second);
    svg += "<text x=\"" + format("%.0f", label_width - 8) + "\" y=\"" + format("%.1f", y + 13) +
           "\" text-anchor=\"end\">" + escape_xml(label) + "</text>\n";
    svg += "<rect x=\"" + format("%.0f", label_width) + "\" y=\"" + format("%.1f", y) + "\" width=\"" +
           format("%.1f", std::max(bar, 1.0)) + "\" height=\"" + format("%.0f", bar_height) + "\" fill=\"" +
           (m.config.kernel == KernelKind::simd ? "#1f77b4" : "#ff7f0e") + "\"/>\n";
    svg += "<text x=\"" + format("%.1f", label_width + bar + 6) + "\" y=\"" + format("%.1f", y + 13) + "\">" +
           escape_xml(human_rate(m.pairs_per_second) + "/s  " + format("%.1fx", m.speedup) +
                      (m.identical ? "" : "  DIFFERENT")) +
           "</text>\n";
  }
  svg += "<text x=\"10\" y=\"" + format("%.1f", height - 12) + "\" fill=\"#555\">" +
         escape_xml("speed-up over sequential haversine with the scalar kernel; every result checked bit for bit "
                    "against sequential with the same metric and kernel") +
         "</text>\n";
  svg += "</svg>\n";
  return svg;
}

}  // namespace dm
