#pragma once

// The whole run, CSV text in and CSV text out, for tests that compare executors.
#include <string>

#include "distance_matrix/byte_output.hpp"
#include "distance_matrix/csv_reader.hpp"
#include "distance_matrix/csv_writer.hpp"
#include "distance_matrix/run.hpp"

namespace dm::testing {

/// The bytes the tool would write for the CSV `input` with `options`.
inline std::string run_to_string(const std::string& input, const RunOptions& options) {
  CsvLocationReader reader(input, "random.csv");
  StringOutput output;
  CsvPairWriter writer(output);
  run(reader, writer, options);
  return output.str();
}

}  // namespace dm::testing
