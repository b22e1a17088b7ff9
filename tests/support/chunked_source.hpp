#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "distance_matrix/input/byte_source.hpp"

namespace dm::testing {

/// Hands out `text` at most `piece` bytes per read, as a slow pipe would, so
/// that rows, quotes, CRLFs and UTF-8 sequences get split at every place.
/// With `tells_size`, it says how much is left, as a regular file does.
class ChunkedSource final : public ByteSource {
 public:
  ChunkedSource(std::string_view text, std::size_t piece, bool tells_size = false)
      : text_(text), piece_(std::max<std::size_t>(piece, 1)), tells_size_(tells_size) {}

  [[nodiscard]] std::size_t read(std::span<char> block) override {
    const std::size_t count = std::min({block.size(), piece_, text_.size() - offset_});
    std::memcpy(block.data(), text_.data() + offset_, count);
    offset_ += count;
    return count;
  }

  [[nodiscard]] std::optional<std::uint64_t> remaining_bytes() const noexcept override {
    if (!tells_size_) return std::nullopt;
    return text_.size() - offset_;
  }

  /// With `tells_size`, bytes [begin, end) of the text, in the same pieces.
  [[nodiscard]] std::unique_ptr<ByteSource> range(std::uint64_t begin, std::uint64_t end) const override {
    if (!tells_size_) return nullptr;
    const std::string_view text(text_);
    return std::make_unique<ChunkedSource>(text.substr(begin, end - begin), piece_, true);
  }

  [[nodiscard]] std::size_t bytes_read() const { return offset_; }

 private:
  std::string text_;
  std::size_t piece_;
  bool tells_size_;
  std::size_t offset_ = 0;
};

/// Input that never ends: `pattern` again and again. Counts what was read.
class EndlessSource final : public ByteSource {
 public:
  explicit EndlessSource(std::string pattern) : pattern_(std::move(pattern)) {}

  [[nodiscard]] std::size_t read(std::span<char> block) override {
    for (char& byte : block) byte = pattern_[bytes_read_++ % pattern_.size()];
    return block.size();
  }

  [[nodiscard]] std::size_t bytes_read() const { return bytes_read_; }

 private:
  std::string pattern_;
  std::size_t bytes_read_ = 0;
};

}  // namespace dm::testing
