#pragma once

// Runs Debian's Python (with python3-numpy and python3-scipy, installed by
// scripts/setup) as an independent reader of the files the library writes.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>

namespace dm::testing {

struct PythonResult {
  int status = -1;     ///< exit status, -1 if it did not exit normally
  std::string output;  ///< standard output and standard error
};

/// Runs `script` with `arguments` (already shell-quoted) and collects what it prints.
inline PythonResult run_python(const std::filesystem::path& folder, const std::string& script,
                               const std::string& arguments) {
  const std::filesystem::path script_path = folder / "check.py";
  std::ofstream(script_path) << script;
  const std::string command = "/usr/bin/python3 '" + script_path.string() + "' " + arguments + " 2>&1";
  PythonResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t count = 0;
  while ((count = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, count);
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace dm::testing
