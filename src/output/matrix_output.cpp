#include "distance_matrix/output/matrix_output.hpp"

#include <algorithm>

namespace dm {

void MemoryMatrixOutput::write_at(std::uint64_t offset, std::string_view bytes) {
  const std::size_t end = static_cast<std::size_t>(offset) + bytes.size();
  if (bytes_.size() < end) bytes_.resize(end, '\0');  // a gap reads as zeros, as in a sparse file
  bytes_.replace(static_cast<std::size_t>(offset), bytes.size(), bytes);
}

void FileMatrixOutput::append(std::string_view bytes) {
  // A large append (a pipeline's block) goes to the file as it is: copying
  // it into the buffer first would cost more than the system call it saves.
  const std::size_t large = std::min(buffer_bytes_, direct_write_bytes);
  if (bytes.size() < large && buffer_.size() + bytes.size() < buffer_bytes_) {
    buffer_.append(bytes);
    return;
  }
  flush();
  if (bytes.size() < large) {
    buffer_.append(bytes);
  } else {
    write_through(bytes);
  }
}

void FileMatrixOutput::write_at(std::uint64_t offset, std::string_view bytes) {
  flush();
  file_.write_at(offset, bytes);
}

void FileMatrixOutput::write_part_at(std::uint64_t offset, std::string_view bytes) {
  if (!takes_parts_in_parallel()) {
    write_at(offset, bytes);
    return;
  }
  // The buffer is the appending thread's; parts never need it flushed
  // first, as their ranges are disjoint from whatever it holds.
  file_.write_at(offset, bytes);
  if (writeback_bytes_ > 0) file_.start_writeback(offset, bytes.size(), false);
}

void FileMatrixOutput::commit() {
  flush();
  file_.commit();
}

void FileMatrixOutput::flush() {
  if (buffer_.empty()) return;
  write_through(buffer_);
  buffer_.clear();
}

void FileMatrixOutput::write_through(std::string_view bytes) {
  file_.write(bytes);
  appended_ += bytes.size();
  while (writeback_bytes_ > 0 && appended_ - writeback_started_ >= writeback_bytes_) {
    file_.start_writeback(writeback_started_, writeback_bytes_, false);
    // Two steps back: long enough ago to be on disk already in a steady
    // stream, so this wait costs nothing unless the disk is the bottleneck.
    if (writeback_started_ >= 2 * writeback_bytes_) {
      file_.start_writeback(writeback_started_ - 2 * writeback_bytes_, writeback_bytes_, true);
    }
    writeback_started_ += writeback_bytes_;
  }
}

}  // namespace dm
