#pragma once

// Runs a /bin/sh script the way a user's shell would, for tests whose cases
// are shell lines (redirections, links, pipes around the real tool).
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "support/files.hpp"

namespace dm::testing {

struct ShellOutcome {
  int status = -1;  ///< as a shell reports it: the exit status, or 128 + N for signal N
  std::string err;
};

/// Runs `script` with /bin/sh in `folder`, with DM (the tool: `tool`),
/// DATA (the project's data folder) and SCRATCH (`scratch`) in its
/// environment. Standard error is captured into `scratch`/stderr and
/// returned; standard output goes to `scratch`/stdout unless the script
/// redirects it. An empty script does nothing and succeeds.
inline ShellOutcome run_shell(const std::filesystem::path& folder, const std::filesystem::path& scratch,
                              const std::string& script, const std::string& tool = DM_CLI_PATH) {
  const std::filesystem::path err_path = scratch / "stderr";
  const std::string body = script.empty() ? ":" : script;
  const std::string wrapped = "cd '" + folder.string() + "' && { " + body + "\n} >'" + (scratch / "stdout").string() +
                              "' 2>'" + err_path.string() + "' </dev/null";
  const pid_t child = ::fork();
  if (child == 0) {
    ::setenv("DM", tool.c_str(), 1);
    ::setenv("DATA", DM_DATA_DIR, 1);
    ::setenv("SCRATCH", scratch.c_str(), 1);
    ::execl("/bin/sh", "sh", "-c", wrapped.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  ShellOutcome outcome;
  if (child < 0 || ::waitpid(child, &status, 0) != child) return outcome;
  outcome.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  outcome.err = read_file(err_path);
  return outcome;
}

}  // namespace dm::testing
