#include "process_setup.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <iostream>

#include "distance_matrix/output/interrupt_cleanup.hpp"

namespace dm::cli {
namespace {

/// Opens /dev/null on `descriptor` if it is closed, readable only for an
/// output and writable only for an input, so any use of it still fails.
void occupy_if_closed(int descriptor, int failing_mode) {
  if (::fcntl(descriptor, F_GETFD) != -1) return;
  // open() returns the lowest free descriptor: opening in order 0, 1, 2
  // fills exactly the closed one.
  const int opened = ::open("/dev/null", failing_mode | O_CLOEXEC);
  if (opened >= 0 && opened != descriptor) ::close(opened);
}

}  // namespace

void prepare_process() {
  occupy_if_closed(STDIN_FILENO, O_WRONLY);
  occupy_if_closed(STDOUT_FILENO, O_RDONLY);
  occupy_if_closed(STDERR_FILENO, O_RDONLY);
  install_interrupt_cleanup();
}

std::ostream& settled_standard_error() {
  std::signal(SIGPIPE, SIG_IGN);
  return std::cerr;
}

}  // namespace dm::cli
