#pragma once

#include <string>
#include <string_view>

namespace dm {

/// A destination for bytes: a file on disk, standard output, a string in tests.
class ByteOutput {
 public:
  virtual ~ByteOutput() = default;
  /// Writes all of `bytes` or throws IoError.
  virtual void write(std::string_view bytes) = 0;
};

/// Collects everything written in memory (tests, small results).
class StringOutput final : public ByteOutput {
 public:
  void write(std::string_view bytes) override { text_.append(bytes); }
  [[nodiscard]] const std::string& str() const noexcept { return text_; }

 private:
  std::string text_;
};

}  // namespace dm
