#pragma once

#include <filesystem>
#include <string_view>

#include "distance_matrix/byte_output.hpp"

namespace dm {

/// An output file that appears only complete, or not at all.
///
/// For a regular file (new or existing) the bytes go to a temporary file in
/// the same folder (same file system, so the final rename is atomic) and
/// commit() renames it over the target. If commit() is never reached — an
/// exception, invalid input, a dead worker — the destructor removes the
/// temporary and any existing file at the path is left untouched.
///
/// Devices and named pipes (`/dev/null`, a FIFO) cannot be replaced by a
/// rename and are written straight through; "-" is standard output.
class OutputFile final : public ByteOutput {
 public:
  /// Opens the destination; throws IoError naming the path and the reason.
  explicit OutputFile(std::filesystem::path path);
  ~OutputFile() override;

  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(std::string_view bytes) override;

  /// Flushes and moves the result into place. Throws IoError.
  void commit();

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  /// The temporary file being written, empty when writing straight through.
  [[nodiscard]] const std::filesystem::path& temporary_path() const noexcept { return temporary_path_; }

 private:
  std::filesystem::path path_;
  std::filesystem::path temporary_path_;
  int descriptor_ = -1;
  bool owns_descriptor_ = false;
  bool committed_ = false;
};

}  // namespace dm
