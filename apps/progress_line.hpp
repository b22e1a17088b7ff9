#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>

namespace dm::cli {

/// A progress line on standard error for long runs: distances done of the
/// total, the rate, and the time left.
///
/// On a terminal the line is redrawn in place (carriage return, erase to the
/// end of the line) at most `redraw_interval` apart and erased by finish(),
/// so a finished run leaves the screen as if there had been none. Forced
/// into a file or a pipe it appends a plain line instead, at most once per
/// `log_interval`, and leaves them. Nothing is shown during the first
/// `delay`: short runs stay silent.
class ProgressLine {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    bool terminal = true;  ///< redraw in place, erase at the end
    Clock::duration delay = std::chrono::seconds(1);
    Clock::duration redraw_interval = std::chrono::milliseconds(250);
    Clock::duration log_interval = std::chrono::seconds(1);
  };

  /// Starts the clock: the delay and the rate count from here.
  ProgressLine(std::FILE* stream, Options options);
  ~ProgressLine() { finish(); }

  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  /// `done` distances of `total` are written; redraws when it is time.
  void update(std::size_t done, std::size_t total);
  /// Erases the line from a terminal (once; later calls do nothing).
  void finish();

  /// The text of the line, e.g. "1,234,567 of 49,995,000 distances (2%), 31.2 M/s, 1.6 s left".
  [[nodiscard]] static std::string describe(std::size_t done, std::size_t total, double seconds);

 private:
  std::FILE* stream_;
  Options options_;
  Clock::time_point start_;
  Clock::time_point last_draw_{};
  bool drawn_ = false;
  bool finished_ = false;
};

/// The progress line a command wants on standard error: for people watching
/// a terminal unless `quiet`, and anywhere when `forced` (--progress); none
/// otherwise.
[[nodiscard]] std::optional<ProgressLine> progress_line_on_standard_error(bool forced, bool quiet);

}  // namespace dm::cli
