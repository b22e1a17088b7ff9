#pragma once

#include <stdexcept>
#include <string>

namespace dm::cli {

/// A mistake in how the command was given that shows only once the named
/// files are examined, after parsing (both inputs on one pipe): exit 2 with
/// the same "--option: what is wrong" line as a parse error. A kind of
/// std::invalid_argument, which the MPI ranks agree on as a usage failure.
class UsageError : public std::invalid_argument {
 public:
  UsageError(const std::string& option, const std::string& problem) : std::invalid_argument(option + ": " + problem) {}
};

}  // namespace dm::cli
