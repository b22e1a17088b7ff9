#pragma once

#include <iosfwd>

namespace dm::cli {

/// What the tool does first, before reading anything:
/// - reopens any of standard input, output and error that the caller closed
///   (`2>&-`) on /dev/null in the direction that fails, so that the next file
///   opened cannot take descriptor 1 or 2 and receive messages or rows meant
///   for the closed stream: writing to a closed standard output stays an
///   error, writing to a closed standard error stays silent;
/// - installs the interrupt cleanup (interrupt_cleanup.hpp): a signal removes
///   the temporary output and kills the process by that same signal, and
///   SIGXFSZ is ignored so that `ulimit -f` gives an error message.
void prepare_process();

/// Standard error for the timing report, written once the output is
/// committed. SIGPIPE is ignored from then on: a standard error whose reader
/// has gone loses the report but cannot turn a run whose output is already
/// in place into a failure. Write failures are not checked.
std::ostream& settled_standard_error();

}  // namespace dm::cli
