// distance_matrix/output/write_error.hpp
//
// describe_write_error(): the reason for a failed file operation as a phrase
// for a message, naming the file size limit (ulimit -f) when that is why.
//
// Thread safety: no state of its own; callable from any thread.
//
// Example:
//   dm::describe_write_error(ENOSPC);  // "No space left on device"

#pragma once

#include <string>

namespace dm {

/// The reason for a failed file operation, as one phrase for a message:
/// strerror's text, and for EFBIG ("File too large") also the limit that was
/// reached when it is the process's file size limit (`ulimit -f`,
/// RLIMIT_FSIZE), e.g. "File too large (the file size limit, ulimit -f, is
/// 1048576 bytes)".
[[nodiscard]] std::string describe_write_error(int error_number);

}  // namespace dm
