// A temporary file that no one can see and that vanishes however the
// process ends (O_TMPFILE, or a name removed as soon as it is made): bytes
// put aside while a result streams, read back once to assemble it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "distance_matrix/output/matrix_output.hpp"

namespace dm {

class SpillFile {
 public:
  /// Throws IoError ("cannot spill to '/tmp': ...").
  explicit SpillFile(const std::filesystem::path& folder);
  ~SpillFile();
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;

  /// Appends `bytes` (buffered) and extends the CRC-32. Throws IoError.
  void append(std::string_view bytes);
  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
  [[nodiscard]] std::uint32_t crc() const noexcept { return crc_; }
  /// Hands everything appended, in order, to `sink` in pieces of a few MiB.
  void read_back(const std::function<void(std::string_view)>& sink);

 private:
  void flush();

  std::filesystem::path folder_;
  int descriptor_ = -1;
  std::string buffer_;
  std::uint64_t size_ = 0;
  std::uint32_t crc_ = 0;
};

/// A MatrixOutput that appends to a SpillFile: a producer's bytes put aside.
class SpillOutput final : public MatrixOutput {
 public:
  explicit SpillOutput(SpillFile& file) : file_(file) {}
  void append(std::string_view bytes) override { file_.append(bytes); }
  /// Only appends: a spill is read back in order.
  void write_at(std::uint64_t offset, std::string_view bytes) override;
  void commit() override {}

 private:
  SpillFile& file_;
};

}  // namespace dm
