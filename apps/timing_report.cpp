#include "timing_report.hpp"

#include <algorithm>
#include <cstdio>

#include "distance_matrix/run/runner_kind.hpp"

namespace dm::cli {
namespace {

std::string seconds(Duration duration) {
  char text[32];
  const int length = std::snprintf(text, sizeof text, "%.3f", duration.count());
  return {text, static_cast<std::size_t>(std::max(length, 0))};
}

std::string plural(std::size_t count, std::string_view noun) {
  return std::to_string(count) + ' ' + std::string(noun) + (count == 1 ? "" : "s");
}

std::string strategy(const RunReport& report) {
  const std::string chunk = report.chunk_size == 0 ? "auto" : std::to_string(report.chunk_size);
  std::string text = std::string(to_string(report.executor)) + ", " + plural(report.workers, "worker") +
                     ", chunk " + chunk;
  if (!report.kernel.empty()) text += ", " + report.kernel;
  return text;
}

}  // namespace

std::string format_timing_report(const RunReport& report, std::string_view destination) {
  struct Line {
    std::string_view stage;
    std::string time;
    std::string detail;
  };
  const Line lines[] = {
      {"read", seconds(report.read), plural(report.location_count, "location")},
      {"calculation", seconds(report.calculation),
       plural(report.pair_count, "pair") + " (" + strategy(report) + ')'},
      {"write", seconds(report.write), "-> " + std::string(destination)},
      // The async pipeline's stages run interleaved, so their times overlap.
      {"total", seconds(report.total), report.stages_overlap || report.executor == RunnerKind::async ? "(stages overlap)" : ""},
  };
  std::size_t time_width = 0;
  for (const Line& line : lines) time_width = std::max(time_width, line.time.size());

  std::string text;
  for (const Line& line : lines) {
    text += line.stage;
    text.append(13 - line.stage.size(), ' ');
    text.append(time_width - line.time.size(), ' ');
    text += line.time;
    text += " s";
    if (!line.detail.empty()) text += "   " + line.detail;
    text += '\n';
  }
  return text;
}

}  // namespace dm::cli
