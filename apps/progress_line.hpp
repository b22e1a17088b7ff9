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

  /// `done` distances of `total` are written (total 0: not known yet, as
  /// while -e async streams its input); redraws when it is time.
  void update(std::size_t done, std::size_t total);
  /// Erases the line from a terminal now, if it is on the screen; the next
  /// update() draws it again. For standard output sharing the terminal:
  /// called before each write there, so no data row starts after the line.
  void clear();
  /// Erases the line from a terminal (once; later calls do nothing).
  void finish();

  /// The text of the line, e.g. "1,234,567 of 49,995,000 distances (2%), 31.2 M/s, 1.6 s left",
  /// or with the total unknown (0) "1,234,567 distances, 31.2 M/s".
  [[nodiscard]] static std::string describe(std::size_t done, std::size_t total, double seconds);

 private:
  std::FILE* stream_;
  Options options_;
  Clock::time_point start_;
  Clock::time_point last_draw_{};
  bool drawn_ = false;      ///< drawn at least once: last_draw_ holds
  bool on_screen_ = false;  ///< on a terminal, and not erased since
  bool finished_ = false;
};

/// The progress line a command wants on standard error: for people watching
/// a terminal unless `quiet`, and anywhere when `forced` (--progress); none
/// otherwise.
[[nodiscard]] std::optional<ProgressLine> progress_line_on_standard_error(bool forced, bool quiet);

/// Whether standard output and standard error are the same terminal (both
/// on one screen: `-o -` typed at a prompt), where data rows and the
/// progress line would mix.
[[nodiscard]] bool standard_output_shares_the_terminal();

}  // namespace dm::cli
