#pragma once

// Runs the real distance_matrix binary (DM_CLI_PATH) in a child process, the
// way a user's shell would, and captures what it leaves on each stream.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern char** environ;

namespace dm::testing {

struct ToolResult {
  int exit_code = -1;  ///< -1 if the tool did not exit normally (killed by a signal)
  std::string out;
  std::string err;
};

inline std::string read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Starts the tool with `arguments`, standard input from `stdin_path` and
/// both outputs into files of `scratch`; returns its pid, or -1.
inline pid_t start_tool(const std::vector<std::string>& arguments, const std::filesystem::path& stdin_path,
                        const std::filesystem::path& scratch) {
  std::string program = DM_CLI_PATH;
  std::vector<std::string> copies = arguments;
  std::vector<char*> argv{program.data()};
  for (std::string& argument : copies) argv.push_back(argument.data());
  argv.push_back(nullptr);
  const std::string out_path = (scratch / "stdout").string();
  const std::string err_path = (scratch / "stderr").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t child = -1;
  const int spawned = posix_spawn(&child, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return spawned == 0 ? child : -1;
}

/// Waits for a tool started by start_tool() and collects its results.
inline ToolResult finish_tool(pid_t child, const std::filesystem::path& scratch) {
  ToolResult result;
  int status = 0;
  if (child < 0 || ::waitpid(child, &status, 0) != child) return result;
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  result.out = read_whole_file(scratch / "stdout");
  result.err = read_whole_file(scratch / "stderr");
  return result;
}

inline ToolResult run_tool(const std::vector<std::string>& arguments, const std::filesystem::path& scratch,
                           const std::filesystem::path& stdin_path = "/dev/null") {
  return finish_tool(start_tool(arguments, stdin_path, scratch), scratch);
}

}  // namespace dm::testing
