#pragma once

#include <cstddef>
#include <vector>

#include "distance_matrix/errors.hpp"
#include "distance_matrix/kernel/location.hpp"

namespace dm::testing {

/// What a reader gave: its locations, its diagnostics and its error count,
/// compared whole between two ways of reading the same input.
struct ReadResult {
  std::vector<Location> locations;
  std::vector<Diagnostic> diagnostics;
  std::size_t error_count = 0;
  friend bool operator==(const ReadResult&, const ReadResult&) = default;
};

}  // namespace dm::testing
