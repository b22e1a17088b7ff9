#pragma once

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "distance_matrix/input/csv_reader.hpp"
#include "distance_matrix/kernel/location.hpp"

namespace dm::bench {

/// The bundled sample with 1000 US cities: 499,500 pairs.
inline LocationTable thousand_locations() {
  CsvLocationReader reader = CsvLocationReader::open(std::string(DM_DATA_DIR) + "/1k_locations.csv");
  return read_all(reader);
}

/// What a benchmark that needs large_location_file() says when there is none.
inline constexpr const char* no_large_location_file =
    "no location file: run bench/queries/setup, or set DM_BENCH_CSV";

/// The location file of the benchmarks that need one at scale: the file
/// $DM_BENCH_CSV names, or else the 171k GeoNames cities bench/queries/setup
/// caches; nothing when it does not exist.
inline std::optional<std::string> large_location_file() {
  const char* named = std::getenv("DM_BENCH_CSV");
  const char* home = std::getenv("HOME");
  const std::string path = named != nullptr ? std::string(named)
                                            : std::string(home != nullptr ? home : "") +
                                                  "/.cache/distance_matrix/bench-queries/cities.csv";
  if (!std::filesystem::exists(path)) return std::nullopt;
  return path;
}

}  // namespace dm::bench
