// A temporary file that no one can see and that vanishes however the
// process ends (O_TMPFILE, or a name removed as soon as it is made): bytes
// put aside while a result streams, read back once to assemble it. Up to a
// memory budget the bytes stay in memory and never reach the file: a small
// result is assembled without writing, reading back and copying it again,
// a huge one still takes no more memory than the budget.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "distance_matrix/memory/huge_page_allocator.hpp"
#include "distance_matrix/output/matrix_output.hpp"

namespace dm {

class SpillFile {
 public:
  /// Bytes kept in memory before the first write to the file: 8 Mi
  /// --within entries' indices (or float64 distances), 128 MiB for the two
  /// pieces of a --within .npz, next to the search's own memory.
  static constexpr std::uint64_t default_memory_bytes = std::uint64_t{64} << 20;

  /// Throws IoError ("cannot spill to '/tmp': ...").
  explicit SpillFile(const std::filesystem::path& folder, std::uint64_t memory_bytes = default_memory_bytes);
  ~SpillFile();
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;

  /// Room in memory for `bytes` appended in all (up to the memory budget):
  /// address space, written only as bytes come, so that the memory does not
  /// grow by doubling (each step a fresh, zeroed block and a copy).
  void reserve(std::uint64_t bytes);
  /// Appends `bytes` (buffered) and extends the CRC-32. Throws IoError.
  void append(std::string_view bytes);
  /// Appends `count` bytes that `fill` writes at the address it is given:
  /// straight into the memory (or the file's buffer), without a copy.
  void append_filled(std::size_t count, const std::function<void(char*)>& fill);
  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
  /// The CRC-32 of everything appended.
  [[nodiscard]] std::uint32_t crc() const noexcept;
  /// Everything appended, while it all still fits the memory budget.
  [[nodiscard]] std::optional<std::string_view> in_memory() const noexcept;
  /// Hands everything appended, in order, to `sink` in pieces of a few MiB.
  void read_back(const std::function<void(std::string_view)>& sink);

 private:
  void flush();
  /// Leaves memory for the file, the bytes in memory written first.
  void spill();

  std::filesystem::path folder_;
  int descriptor_ = -1;
  std::uint64_t memory_bytes_;
  bool spilled_ = false;  ///< past the budget: buffer_ holds only what the file does not yet
  LargeString buffer_;
  std::uint64_t size_ = 0;
  std::uint32_t crc_ = 0;  ///< of everything once spilled_; before, crc() computes it
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
