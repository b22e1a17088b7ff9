// distance_matrix/output/file_identity.hpp
//
// FileIdentity and ProtectedInput: the device and inode a name designates
// (through links and descriptors), so that an output is never written over
// its own input, whatever names the two were given.
//
// Thread safety: values; the functions that make them examine the file
// system and may be called from any thread.
//
// Example:
//   const std::optional<dm::ProtectedInput> input = dm::ProtectedInput::of("data.csv");
//   dm::OutputFile output("link-to-data.csv", input);  // throws IoError: it is the input

#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>

namespace dm {

/// Which file a name designates: the device and inode that every name of one
/// file shares — the path itself, a symbolic link to it, a hard link, a
/// descriptor opened on it (`/dev/stdin`, a shell redirection). Comparing
/// identities is how the tool recognises that an output would overwrite its
/// own input, whatever names the two were given.
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;

  /// The file `path` designates, following symbolic links; nullopt if it
  /// cannot be examined (it does not exist, a folder is not searchable).
  [[nodiscard]] static std::optional<FileIdentity> of_path(const std::filesystem::path& path);
  /// The file open on `descriptor`; nullopt if the descriptor is not open.
  [[nodiscard]] static std::optional<FileIdentity> of_descriptor(int descriptor);

  friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};

/// The input a run reads, which its output must never overwrite: writing the
/// result over the file would destroy the data before or while it is read.
struct ProtectedInput {
  FileIdentity identity;
  std::filesystem::path path;  ///< as the user named it, for messages; "-" is standard input

  /// The input `path` names, as CsvLocationReader::open reads it ("-" is
  /// standard input); nullopt if there is no file to protect there.
  [[nodiscard]] static std::optional<ProtectedInput> of(const std::filesystem::path& path);
};

}  // namespace dm
