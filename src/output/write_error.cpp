#include "distance_matrix/output/write_error.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <system_error>

namespace dm {

std::string describe_write_error(int error_number) {
  std::string text = std::generic_category().message(error_number);
  if (error_number != EFBIG) return text;
  rlimit limit{};
  if (::getrlimit(RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    // Without a limit, EFBIG is the file system's own maximum file size.
    text += " (the file size limit, ulimit -f, is " + std::to_string(limit.rlim_cur) + " bytes)";
  }
  return text;
}

}  // namespace dm
