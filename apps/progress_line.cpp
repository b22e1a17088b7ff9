#include "progress_line.hpp"

#include <cmath>

#include <sys/stat.h>
#include <unistd.h>

#include "distance_matrix/output/interrupt_cleanup.hpp"

namespace dm::cli {
namespace {

/// 49995000 as "49,995,000".
std::string grouped(std::size_t value) {
  std::string digits = std::to_string(value);
  for (std::ptrdiff_t at = static_cast<std::ptrdiff_t>(digits.size()) - 3; at > 0; at -= 3) {
    digits.insert(static_cast<std::size_t>(at), 1, ',');
  }
  return digits;
}

/// 31200000 as "31.2 M".
std::string with_prefix(double value) {
  static constexpr const char* prefixes[] = {"", " k", " M", " G"};
  std::size_t prefix = 0;
  while (value >= 1000.0 && prefix + 1 < std::size(prefixes)) {
    value /= 1000.0;
    ++prefix;
  }
  char text[32];
  std::snprintf(text, sizeof text, prefix == 0 ? "%.0f%s" : "%.1f%s", value, prefixes[prefix]);
  return text;
}

std::string duration_text(double seconds) {
  char text[32];
  if (seconds < 60) {
    std::snprintf(text, sizeof text, "%.1f s", seconds);
  } else {
    const auto whole = static_cast<long long>(seconds);
    std::snprintf(text, sizeof text, "%lld min %02lld s", whole / 60, whole % 60);
  }
  return text;
}

}  // namespace

ProgressLine::ProgressLine(std::FILE* stream, Options options)
    : stream_(stream), options_(options), start_(Clock::now()) {}

std::string ProgressLine::describe(std::size_t done, std::size_t total, double seconds) {
  if (total == 0) {
    std::string text = grouped(done) + " distances";
    if (seconds > 0 && done > 0) text += ", " + with_prefix(static_cast<double>(done) / seconds) + "/s";
    return text;
  }
  const int percent = static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total));
  std::string text = grouped(done) + " of " + grouped(total) + " distances (" + std::to_string(percent) + "%)";
  if (seconds > 0 && done > 0) {
    const double rate = static_cast<double>(done) / seconds;
    text += ", " + with_prefix(rate) + "/s, " + duration_text(static_cast<double>(total - done) / rate) + " left";
  }
  return text;
}

void ProgressLine::update(std::size_t done, std::size_t total) {
  if (finished_) return;
  const Clock::time_point now = Clock::now();
  if (now - start_ < options_.delay) return;
  const Clock::duration interval = options_.terminal ? options_.redraw_interval : options_.log_interval;
  if (drawn_ && now - last_draw_ < interval) return;
  const std::string text = describe(done, total, std::chrono::duration<double>(now - start_).count());
  if (options_.terminal) {
    // Registered before the line reaches the screen: a signal arriving right
    // after the draw must find it (Ctrl-C, or any signal the tool handles,
    // erases it before the process dies).
    on_screen_ = true;
    erase_line_on_interrupt(::fileno(stream_));
    // Carriage return, the text, then erase whatever a longer previous line left.
    std::fprintf(stream_, "\r%s\033[K", text.c_str());
  } else {
    std::fprintf(stream_, "%s\n", text.c_str());
  }
  std::fflush(stream_);
  drawn_ = true;
  last_draw_ = now;
}

void ProgressLine::clear() {
  if (!on_screen_) return;
  on_screen_ = false;
  erase_no_line_on_interrupt();
  std::fputs("\r\033[K", stream_);
  std::fflush(stream_);
}

void ProgressLine::finish() {
  if (finished_) return;
  finished_ = true;
  clear();
}

std::optional<ProgressLine> progress_line_on_standard_error(bool forced, bool quiet) {
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  if (!forced && (quiet || !terminal)) return std::nullopt;
  ProgressLine::Options options;
  options.terminal = terminal;
  return std::optional<ProgressLine>(std::in_place, stderr, options);
}

bool standard_output_shares_the_terminal() {
  if (::isatty(STDOUT_FILENO) != 1 || ::isatty(STDERR_FILENO) != 1) return false;
  struct stat output {};
  struct stat error {};
  if (::fstat(STDOUT_FILENO, &output) != 0 || ::fstat(STDERR_FILENO, &error) != 0) return false;
  return output.st_rdev == error.st_rdev;
}

}  // namespace dm::cli
