#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "distance_matrix/output/matrix_output.hpp"

namespace dm::python {

/// A MatrixOutput over memory the caller owns (a NumPy array's buffer): the
/// encoded matrix without its header. compute_matrix writes the encoder's
/// header first; those bytes are counted but not stored, so cell k lands at
/// k * cell bytes, exactly where NumPy expects it.
class BufferMatrixOutput final : public MatrixOutput {
 public:
  BufferMatrixOutput(std::byte* data, std::size_t size, std::size_t header_bytes) noexcept
      : data_(data), size_(size), header_bytes_(header_bytes) {}

  void append(std::string_view bytes) override {
    write_at(appended_, bytes);
    appended_ += bytes.size();
  }

  void write_at(std::uint64_t offset, std::string_view bytes) override {
    std::size_t skipped = 0;
    if (offset < header_bytes_) skipped = static_cast<std::size_t>(std::min<std::uint64_t>(header_bytes_ - offset, bytes.size()));
    const std::uint64_t start = offset + skipped - header_bytes_;
    const std::size_t count = bytes.size() - skipped;
    if (count == 0) return;
    if (start > size_ || count > size_ - start) throw std::length_error("matrix bytes past the end of the array");
    std::memcpy(data_ + start, bytes.data() + skipped, count);
  }

  void commit() override {}

 private:
  std::byte* data_;
  std::size_t size_;
  std::size_t header_bytes_;
  std::uint64_t appended_ = 0;
};

}  // namespace dm::python
