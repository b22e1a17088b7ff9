#pragma once

#include <string>

#include "distance_matrix/input/csv_reader.hpp"
#include "distance_matrix/kernel/location.hpp"

namespace dm::bench {

/// The bundled sample with 1000 US cities: 499,500 pairs.
inline LocationTable thousand_locations() {
  CsvLocationReader reader = CsvLocationReader::open(std::string(DM_DATA_DIR) + "/1k_locations.csv");
  return read_all(reader);
}

}  // namespace dm::bench
