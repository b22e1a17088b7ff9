// distance_matrix/errors.hpp
//
// The exceptions the library throws, by cause: InputError (invalid input
// rows, with one Diagnostic "file:line: what is wrong" each), IoError (a file
// could not be read or written) and ExecutionError (the computation failed,
// for example a worker process died). The tool maps them to exit codes 3, 4, 1.
//
// Thread safety: plain values; a caught exception may be read from any thread.
//
// Example:
//   try {
//     const dm::LocationTable locations = dm::parse_locations("a,91,0\n", "in.csv");
//   } catch (const dm::InputError& error) {
//     for (const dm::Diagnostic& d : error.diagnostics()) std::cerr << d.to_string() << '\n';
//     // in.csv:1: latitude 91 is outside [-90, 90]
//   }

#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace dm {

/// One problem in the input, pointing at the place it was found.
struct Diagnostic {
  std::string file;
  std::size_t line = 0;  ///< 1-based physical line of the input
  std::string message;   ///< what is wrong and what is allowed, e.g. "latitude 91.5 is outside [-90, 90]"

  /// "file:line: message", the format compilers use, so editors can jump to it.
  [[nodiscard]] std::string to_string() const;
  friend bool operator==(const Diagnostic&, const Diagnostic&) = default;
};

/// The input holds invalid rows. Carries the first few diagnostics and how many there were in all.
class InputError : public std::runtime_error {
 public:
  InputError(std::vector<Diagnostic> diagnostics, std::size_t total_count);

  [[nodiscard]] const std::vector<Diagnostic>& diagnostics() const noexcept { return diagnostics_; }
  [[nodiscard]] std::size_t total_count() const noexcept { return total_count_; }

 private:
  std::vector<Diagnostic> diagnostics_;
  std::size_t total_count_;
};

/// A file could not be opened, read, written or renamed. what() names the file and the reason.
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An executor failed for a reason other than the input (a worker process died, ...).
class ExecutionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace dm
