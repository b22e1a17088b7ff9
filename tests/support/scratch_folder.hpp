#pragma once

// A fresh folder per test for the tests that run the real tool: path() holds
// what the harness captures (standard output and error), work() is where the
// tool runs and writes, so a listing of work() shows only what the tool left.
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace dm::testing {

class ScratchFolder {
 public:
  /// mkdtemp() under the temporary directory, named after `prefix`; throws
  /// std::runtime_error if it cannot be made.
  explicit ScratchFolder(std::string_view prefix) {
    std::string pattern = (std::filesystem::temp_directory_path() / (std::string(prefix) + ".XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
    work_ = path_ / "work";
    std::filesystem::create_directory(work_);
  }

  /// Removes everything, also what a test left locked (a folder without
  /// write or search permission).
  ~ScratchFolder() {
    std::error_code ignored;
    for (auto it = std::filesystem::recursive_directory_iterator(path_, ignored);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ignored)) {
      if (it->is_directory(ignored) && !it->is_symlink(ignored)) {
        std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all, ignored);
      }
    }
    std::filesystem::remove_all(path_, ignored);
  }

  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  [[nodiscard]] const std::filesystem::path& work() const noexcept { return work_; }

 private:
  std::filesystem::path path_;
  std::filesystem::path work_;
};

}  // namespace dm::testing
