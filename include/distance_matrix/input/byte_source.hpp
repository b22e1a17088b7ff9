// distance_matrix/input/byte_source.hpp
//
// ByteSource: where a reader's bytes come from, one block at a time, so that
// input of any length is read in bounded memory; DescriptorSource reads a
// file descriptor (a file, a pipe, a terminal).
//
// Thread safety: a source is read by one thread at a time.
//
// Example:
//   auto source = std::make_unique<dm::DescriptorSource>(STDIN_FILENO, "standard input", false);
//   dm::CsvLocationReader reader(std::move(source), "-");

#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace dm {

/// Where a reader's bytes come from, one block at a time, so that input of
/// any length (a pipe, /dev/zero, a 10 GB file) is read in bounded memory.
class ByteSource {
 public:
  ByteSource() = default;
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;
  virtual ~ByteSource() = default;

  /// Fills the start of `block` and returns how many bytes it wrote; 0 only
  /// at the end of the input. Throws IoError if the input cannot be read.
  [[nodiscard]] virtual std::size_t read(std::span<char> block) = 0;

  /// The bytes read() has still to give when known beforehand (a regular
  /// file), for a reader to size what it builds; else nullopt.
  [[nodiscard]] virtual std::optional<std::uint64_t> remaining_bytes() const noexcept { return std::nullopt; }

  /// A source of bytes [begin, end) of the same input, counted from its
  /// first byte, that reads on its own: several ranges may be read at once,
  /// each by its own thread. nullptr where the input cannot be read out of
  /// order (a pipe, compressed data). Throws IoError.
  [[nodiscard]] virtual std::unique_ptr<ByteSource> range(std::uint64_t begin, std::uint64_t end) const {
    static_cast<void>(begin);
    static_cast<void>(end);
    return nullptr;
  }
};

/// Reads a file descriptor: a regular file, a pipe, a FIFO, a terminal.
class DescriptorSource final : public ByteSource {
 public:
  /// `subject` names the input in error messages ("'data.csv'", "standard
  /// input"); it is quoted as is, so escape user-controlled text first.
  /// Closes `descriptor` on destruction when `owned`.
  DescriptorSource(int descriptor, std::string subject, bool owned);
  ~DescriptorSource() override;

  [[nodiscard]] std::size_t read(std::span<char> block) override;
  /// A regular file's size past the current offset.
  [[nodiscard]] std::optional<std::uint64_t> remaining_bytes() const noexcept override;
  /// For a regular file, a range read with pread() on a duplicate of the
  /// descriptor (so it outlives this source); counted from the offset the
  /// descriptor had when this source was made.
  [[nodiscard]] std::unique_ptr<ByteSource> range(std::uint64_t begin, std::uint64_t end) const override;

 private:
  int descriptor_;
  std::string subject_;
  bool owned_;
  std::int64_t origin_;  ///< the descriptor's offset when this source was made; -1 if it has none
};

}  // namespace dm
