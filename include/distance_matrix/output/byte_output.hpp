// distance_matrix/output/byte_output.hpp
//
// ByteOutput: a destination for bytes (OutputFile is one).
//
// Thread safety: one writer at a time.
//
// Example:
//   void save(dm::ByteOutput& output) { output.write("a,b,1\n"); }

#pragma once

#include <string_view>

namespace dm {

/// A destination for bytes: a file on disk, standard output, a buffer.
class ByteOutput {
 public:
  virtual ~ByteOutput() = default;
  /// Writes all of `bytes` or throws IoError.
  virtual void write(std::string_view bytes) = 0;
};

}  // namespace dm
