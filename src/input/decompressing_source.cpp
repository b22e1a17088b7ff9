#include "distance_matrix/input/decompressing_source.hpp"

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <span>
#include <utility>
#include <vector>

namespace dm {
namespace {

constexpr std::string_view gzip_magic = "\x1F\x8B";
constexpr std::string_view zstd_magic = "\x28\xB5\x2F\xFD";
constexpr std::string_view xz_magic{"\xFD\x37\x7A\x58\x5A\x00", 6};
constexpr std::size_t longest_magic = xz_magic.size();
constexpr std::size_t input_block_bytes = std::size_t{64} * 1024;

/// The bytes read to recognize the format, then the rest of the source.
class ReplayingSource final : public ByteSource {
 public:
  ReplayingSource(std::string first_bytes, std::unique_ptr<ByteSource> rest)
      : first_bytes_(std::move(first_bytes)), rest_(std::move(rest)) {}

  std::size_t read(std::span<char> block) override {
    if (replayed_ < first_bytes_.size()) {
      const std::size_t count = std::min(block.size(), first_bytes_.size() - replayed_);
      std::memcpy(block.data(), first_bytes_.data() + replayed_, count);
      replayed_ += count;
      return count;
    }
    return rest_->read(block);
  }

  [[nodiscard]] std::optional<std::uint64_t> remaining_bytes() const noexcept override {
    const std::optional<std::uint64_t> rest = rest_->remaining_bytes();
    if (!rest) return std::nullopt;
    return *rest + (first_bytes_.size() - replayed_);
  }

  /// The first bytes are the start of `rest`'s input: its ranges are this one's.
  [[nodiscard]] std::unique_ptr<ByteSource> range(std::uint64_t begin, std::uint64_t end) const override {
    return rest_->range(begin, end);
  }

 private:
  std::string first_bytes_;
  std::size_t replayed_ = 0;
  std::unique_ptr<ByteSource> rest_;
};

/// A decoder's compressed input, read from the source a block at a time.
class CompressedInput {
 public:
  explicit CompressedInput(std::unique_ptr<ByteSource> source) : source_(std::move(source)), block_(input_block_bytes) {}

  /// Reads the next block once the last is used up; false at the end of the input.
  bool ensure_available() {
    if (available_ > 0) return true;
    if (ended_) return false;
    available_ = source_->read(block_);
    start_ = 0;
    ended_ = available_ == 0;
    return !ended_;
  }
  [[nodiscard]] const unsigned char* data() const {
    return reinterpret_cast<const unsigned char*>(block_.data()) + start_;
  }
  [[nodiscard]] std::size_t available() const { return available_; }
  void consume(std::size_t count) {
    start_ += count;
    available_ -= count;
  }
  [[nodiscard]] bool at_end() { return !ensure_available(); }

 private:
  std::unique_ptr<ByteSource> source_;
  std::vector<char> block_;
  std::size_t start_ = 0;
  std::size_t available_ = 0;
  bool ended_ = false;
};

std::string truncated(std::string_view format) {
  return "the " + std::string(format) +
         " data is truncated: the file ends inside the compressed stream (an interrupted download or copy?)";
}

std::string corrupt(std::string_view format, std::string_view reason) {
  return "the " + std::string(format) + " data is corrupt (" + std::string(reason) +
         "): only whole, intact gzip, zstd or xz files can be read";
}

/// zlib's counts are unsigned int: one call handles at most this many bytes.
unsigned int zlib_count(std::size_t count) {
  return static_cast<unsigned int>(std::min<std::size_t>(count, std::numeric_limits<unsigned int>::max()));
}

class GzipSource final : public ByteSource {
 public:
  explicit GzipSource(std::unique_ptr<ByteSource> source) : input_(std::move(source)) {
    // 16 + MAX_WBITS: a gzip wrapper, not zlib's; the largest window.
    if (inflateInit2(&stream_, 16 + MAX_WBITS) != Z_OK) throw std::bad_alloc();
  }
  ~GzipSource() override { inflateEnd(&stream_); }

  std::size_t read(std::span<char> block) override {
    for (;;) {
      if (!input_.ensure_available()) {
        if (!in_stream_) return 0;
        throw CorruptInputError(truncated("gzip"));
      }
      if (!in_stream_) {
        if (inflateReset(&stream_) != Z_OK) throw CorruptInputError(corrupt("gzip", "reset"));
        in_stream_ = true;
      }
      stream_.next_in = const_cast<unsigned char*>(input_.data());  // zlib's API is not const-correct
      stream_.avail_in = zlib_count(input_.available());
      stream_.next_out = reinterpret_cast<unsigned char*>(block.data());
      stream_.avail_out = zlib_count(block.size());
      const int status = inflate(&stream_, Z_NO_FLUSH);
      input_.consume(zlib_count(input_.available()) - stream_.avail_in);
      const std::size_t produced = zlib_count(block.size()) - stream_.avail_out;
      if (status == Z_STREAM_END) {
        in_stream_ = false;  // a next member may follow
      } else if (status == Z_MEM_ERROR) {
        throw std::bad_alloc();
      } else if (status != Z_OK && status != Z_BUF_ERROR) {
        throw CorruptInputError(corrupt("gzip", stream_.msg != nullptr ? stream_.msg : "inflate failed"));
      }
      if (produced > 0) return produced;
    }
  }

 private:
  CompressedInput input_;
  z_stream stream_{};
  bool in_stream_ = true;
};

class ZstdSource final : public ByteSource {
 public:
  explicit ZstdSource(std::unique_ptr<ByteSource> source) : input_(std::move(source)), stream_(ZSTD_createDStream()) {
    if (stream_ == nullptr) throw std::bad_alloc();
  }
  ~ZstdSource() override { ZSTD_freeDStream(stream_); }

  std::size_t read(std::span<char> block) override {
    for (;;) {
      ZSTD_outBuffer output{block.data(), block.size(), 0};
      // A frame may still hold decoded bytes that did not fit the last block.
      const bool has_input = input_.ensure_available();
      if (!has_input && frame_done_) return 0;
      ZSTD_inBuffer in{input_.data(), has_input ? input_.available() : 0, 0};
      const std::size_t hint = ZSTD_decompressStream(stream_, &output, &in);
      if (ZSTD_isError(hint) != 0) throw CorruptInputError(corrupt("zstd", ZSTD_getErrorName(hint)));
      input_.consume(in.pos);
      frame_done_ = hint == 0;
      if (output.pos > 0) return output.pos;
      if (!has_input) throw CorruptInputError(truncated("zstd"));
    }
  }

 private:
  CompressedInput input_;
  ZSTD_DStream* stream_;
  bool frame_done_ = true;
};

class XzSource final : public ByteSource {
 public:
  explicit XzSource(std::unique_ptr<ByteSource> source) : input_(std::move(source)) {
    if (lzma_stream_decoder(&stream_, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) throw std::bad_alloc();
  }
  ~XzSource() override { lzma_end(&stream_); }

  std::size_t read(std::span<char> block) override {
    while (!ended_) {
      const bool has_input = input_.ensure_available();
      stream_.next_in = input_.data();
      stream_.avail_in = has_input ? input_.available() : 0;
      stream_.next_out = reinterpret_cast<std::uint8_t*>(block.data());
      stream_.avail_out = block.size();
      const lzma_ret status = lzma_code(&stream_, has_input ? LZMA_RUN : LZMA_FINISH);
      input_.consume((has_input ? input_.available() : 0) - stream_.avail_in);
      const std::size_t produced = block.size() - stream_.avail_out;
      if (status == LZMA_STREAM_END) {
        ended_ = true;
      } else if (status == LZMA_MEM_ERROR) {
        throw std::bad_alloc();
      } else if (status == LZMA_BUF_ERROR && !has_input) {
        throw CorruptInputError(truncated("xz"));
      } else if (status != LZMA_OK && status != LZMA_BUF_ERROR) {
        throw CorruptInputError(corrupt("xz", describe(status)));
      }
      if (produced > 0) return produced;
    }
    return 0;
  }

 private:
  static std::string_view describe(lzma_ret status) {
    switch (status) {
      case LZMA_FORMAT_ERROR:
        return "not an xz stream";
      case LZMA_OPTIONS_ERROR:
        return "unsupported options";
      case LZMA_DATA_ERROR:
        return "bad compressed data";
      case LZMA_MEMLIMIT_ERROR:
        return "memory limit";
      default:
        return "decoding failed";
    }
  }

  CompressedInput input_;
  lzma_stream stream_ = LZMA_STREAM_INIT;
  bool ended_ = false;
};

}  // namespace

std::string_view to_string(Compression compression) noexcept {
  switch (compression) {
    case Compression::gzip:
      return "gzip";
    case Compression::zstd:
      return "zstd";
    case Compression::xz:
      return "xz";
    case Compression::none:
      break;
  }
  return "none";
}

Compression detect_compression(std::string_view first_bytes) noexcept {
  if (first_bytes.starts_with(gzip_magic)) return Compression::gzip;
  if (first_bytes.starts_with(zstd_magic)) return Compression::zstd;
  if (first_bytes.starts_with(xz_magic)) return Compression::xz;
  return Compression::none;
}

std::unique_ptr<ByteSource> open_decompressed(std::unique_ptr<ByteSource> raw) {
  // A pipe may hand out fewer bytes than a magic number per read.
  std::string first_bytes(longest_magic, '\0');
  std::size_t filled = 0;
  while (filled < longest_magic) {
    const std::size_t count = raw->read(std::span<char>(first_bytes.data() + filled, longest_magic - filled));
    if (count == 0) break;
    filled += count;
  }
  first_bytes.resize(filled);
  const Compression compression = detect_compression(first_bytes);
  auto replaying = std::make_unique<ReplayingSource>(std::move(first_bytes), std::move(raw));
  switch (compression) {
    case Compression::gzip:
      return std::make_unique<GzipSource>(std::move(replaying));
    case Compression::zstd:
      return std::make_unique<ZstdSource>(std::move(replaying));
    case Compression::xz:
      return std::make_unique<XzSource>(std::move(replaying));
    case Compression::none:
      break;
  }
  return replaying;
}

}  // namespace dm
