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
