#include "partitioned_output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <string_view>
#include <system_error>
#include <utility>

#include "distance_matrix/distributed/distributed_matrix.hpp"
#include "distance_matrix/errors.hpp"
#include "distance_matrix/output/file_identity.hpp"
#include "distance_matrix/output/interrupt_cleanup.hpp"
#include "distance_matrix/output/matrix_format.hpp"
#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/output/npy_encoder.hpp"
#include "distance_matrix/output/output_file.hpp"
#include "distance_matrix/text/printable.hpp"

namespace dm::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view manifest_name = "manifest.json";

/// Forwards to a FileMatrixOutput and counts the bytes, for the manifest.
class CountedOutput final : public MatrixOutput {
 public:
  explicit CountedOutput(MatrixOutput& inner) : inner_(inner) {}
  void append(std::string_view bytes) override {
    inner_.append(bytes);
    bytes_ += bytes.size();
  }
  void write_at(std::uint64_t offset, std::string_view bytes) override { inner_.write_at(offset, bytes); }
  void commit() override { inner_.commit(); }
  [[nodiscard]] std::uint64_t bytes() const noexcept { return bytes_; }

 private:
  MatrixOutput& inner_;
  std::uint64_t bytes_ = 0;
};

/// Array rows of a share: whole rows of a square or rectangle, cells of a 1-D layout.
std::size_t rows_of(const MatrixShape& shape, CellRange share) {
  const bool one_dimensional = shape.layout() == Layout::pairs || shape.layout() == Layout::condensed;
  return one_dimensional || shape.columns() == 0 ? share.size() : share.size() / shape.columns();
}

std::string part_header(const CommandLine& command, const MatrixShape& shape, const MatrixEncoder& encoder,
                        CellRange share, unsigned rank) {
  if (command.run.format.format == Format::csv) return rank == 0 ? encoder.header() : std::string();
  if (shape.layout() == Layout::condensed) return npy_header(command.run.format.value_type, {share.size()});
  return npy_header(command.run.format.value_type, {rows_of(shape, share), shape.columns()});
}

std::string json_string(std::string_view text) {
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      quoted += escaped;
    } else {
      quoted += c;
    }
  }
  return quoted + '"';
}

std::string manifest(const CommandLine& command, const MatrixShape& shape, unsigned ranks,
                     const std::vector<std::uint64_t>& bytes) {
  const Format format = command.run.format.format;
  std::string text = "{\n  \"format\": " + json_string(to_string(format)) +
                     ",\n  \"layout\": " + json_string(to_string(shape.layout()));
  if (format == Format::npy) text += ",\n  \"dtype\": " + json_string(to_string(command.run.format.value_type));
  text += ",\n  \"rows\": " + std::to_string(shape.rows()) + ",\n  \"columns\": " + std::to_string(shape.columns()) +
          ",\n  \"pairs\": " + std::to_string(shape.cell_count()) + ",\n  \"ranks\": " + std::to_string(ranks) +
          ",\n  \"parts\": [";
  for (unsigned rank = 0; rank < ranks; ++rank) {
    const CellRange share = rank_share(shape, ranks, rank);
    const std::string first = share.empty() ? "null" : std::to_string(share.first);
    const std::string last = share.empty() ? "null" : std::to_string(share.last - 1);
    text += std::string(rank == 0 ? "\n" : ",\n") + "    {\"file\": " + json_string(part_name(rank, format)) +
            ", \"rank\": " + std::to_string(rank) + ", \"first_pair\": " + first + ", \"last_pair\": " + last +
            ", \"pairs\": " + std::to_string(share.size()) + ", \"rows\": " + std::to_string(rows_of(shape, share)) +
            ", \"bytes\": " + std::to_string(bytes[rank]) + '}';
  }
  return text + "\n  ]\n}\n";
}

/// `part-NNNNN.csv` or `part-NNNNN.npy`: the only names a manifest may make
/// this tool remove (a hand-edited manifest naming `../x` removes nothing).
bool is_part_name(std::string_view name) {
  if (name.size() != 14 || name.substr(0, 5) != "part-") return false;
  if (name.substr(5, 5).find_first_not_of("0123456789") != std::string_view::npos) return false;
  return name.substr(10) == ".csv" || name.substr(10) == ".npy";
}

/// What a previous run wrote in `folder`: manifest.json and the parts it
/// lists; nothing when there is no manifest or it is not one this tool wrote.
std::vector<std::string> previous_output(const fs::path& folder) {
  std::ifstream in(folder / manifest_name, std::ios::binary);
  if (!in) return {};
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (text.rfind("{\n  \"format\": ", 0) != 0 || text.find("\n  \"parts\": [") == std::string::npos) return {};
  std::vector<std::string> names{std::string(manifest_name)};
  constexpr std::string_view key = "{\"file\": \"";
  for (std::size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + 1)) {
    const std::size_t begin = at + key.size();
    const std::size_t end = text.find('"', begin);
    if (end == std::string::npos) return {};
    const std::string name = text.substr(begin, end - begin);
    if (!is_part_name(name)) return {};
    names.push_back(name);
  }
  return names;
}

std::string quoted(const fs::path& path) { return '\'' + printable(path.string()) + '\''; }

/// `-o parts/` names the folder `parts`; links are followed, as for a file:
/// the folder a link points to is replaced and the link stays.
fs::path target_folder(const fs::path& output) {
  fs::path folder = output.filename().empty() ? output.parent_path() : output;
  std::error_code error;
  const fs::path resolved = fs::canonical(folder, error);
  if (!error) return resolved;
  return fs::absolute(folder).lexically_normal();
}

/// A file the run reads, which no output may replace or remove.
struct FileRead {
  ProtectedInput file;
  std::string role;  ///< "the input", "the destinations"
};

std::vector<FileRead> files_read(const CommandLine& command) {
  std::vector<FileRead> files;
  if (std::optional<ProtectedInput> input = ProtectedInput::of(command.input)) files.push_back({*input, "the input"});
  if (command.destinations) {
    if (std::optional<ProtectedInput> input = ProtectedInput::of(*command.destinations)) {
      files.push_back({*input, "the destinations"});
    }
  }
  return files;
}

/// Refuses (IoError) to replace a folder that holds anything but a previous
/// output (`previous`: its manifest.json and the parts that lists), since
/// the switch replaces the whole folder: a file the tool read (`inputs`) or
/// one it did not write would be lost.
void check_replaceable(const fs::path& output, const fs::path& folder, const std::vector<std::string>& previous,
                       const std::vector<FileRead>& inputs) {
  struct stat status {};
  if (::stat(folder.c_str(), &status) != 0) {
    if (errno == ENOENT) return;
    throw IoError("cannot write " + quoted(output) + ": " + std::strerror(errno));
  }
  if (!S_ISDIR(status.st_mode)) {
    throw IoError("cannot write " + quoted(output) + ": not a folder (--partitioned writes a folder of parts)");
  }
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder, error)) {
    const std::string name = entry.path().filename().string();
    const std::optional<FileIdentity> identity = FileIdentity::of_path(entry.path());
    for (const FileRead& input : inputs) {
      if (!identity || *identity != input.file.identity) continue;
      const std::string what_input = input.file.path == "-" ? input.role + " (standard input)"
                                                            : input.role + ' ' + quoted(input.file.path);
      throw IoError("cannot write " + quoted(output) + ": it holds " + quoted(output / name) + ", the same file as " +
                    what_input + ", which would be destroyed");
    }
    if (std::find(previous.begin(), previous.end(), name) != previous.end()) continue;
    throw IoError("cannot write " + quoted(output) + ": it holds " + quoted(output / name) +
                  ", which this tool did not write (manifest.json does not list it); --partitioned replaces the "
                  "whole folder, so move that file away or choose another folder");
  }
  if (error) throw IoError("cannot write " + quoted(output) + ": " + error.message());
}

/// A new hidden folder beside the target, `.NAME.tmp.XXXXXX`, made as
/// mkdir() makes any folder (0777 minus the umask), on rank 0.
fs::path make_staging_folder(const fs::path& output, const fs::path& folder) {
  static constexpr char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device random;
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string suffix(6, 'X');
    for (char& letter : suffix) letter = letters[random() % (sizeof letters - 1)];
    const fs::path staging = folder.parent_path() / ('.' + folder.filename().string() + ".tmp." + suffix);
    if (::mkdir(staging.c_str(), 0777) == 0) return staging;
    if (errno != EEXIST) throw IoError("cannot write " + quoted(output) + ": " + std::strerror(errno));
  }
  throw IoError("cannot write " + quoted(output) + ": no free temporary folder name beside it");
}

/// What rank 0 tells every rank: the staging folder and the previous parts.
std::string pack_plan(const fs::path& staging, const std::vector<std::string>& previous) {
  std::string bytes = staging.string();
  for (const std::string& name : previous) bytes += '\0' + name;
  return bytes;
}

std::pair<fs::path, std::vector<std::string>> unpack_plan(const std::string& bytes) {
  std::vector<std::string> fields;
  std::size_t begin = 0;
  for (std::size_t end = bytes.find('\0'); end != std::string::npos; end = bytes.find('\0', begin)) {
    fields.push_back(bytes.substr(begin, end - begin));
    begin = end + 1;
  }
  fields.push_back(bytes.substr(begin));
  const fs::path staging = fields.front();
  fields.erase(fields.begin());
  return {staging, fields};
}

/// The folder this run writes into before it replaces the output: every
/// part and the manifest go there, and only once every rank has succeeded
/// does one rename put the whole folder in place. Until then — on any
/// failure, or a signal on any rank — it is removed and the previous output
/// stays as it was.
class StagingFolder {
 public:
  /// `owner`: this process created the folder (rank 0, or the first rank on
  /// a machine that does not share rank 0's file system) and switches it.
  StagingFolder(fs::path path, bool owner)
      : path_(std::move(path)), owner_(owner), registration_(path_, TemporaryKind::folder) {}
  ~StagingFolder() {
    if (switched_) return;
    // Every rank tries: on a shared file system the last one finds the other
    // ranks' files gone and removes the folder.
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  StagingFolder(const StagingFolder&) = delete;
  StagingFolder& operator=(const StagingFolder&) = delete;

  [[nodiscard]] const fs::path& path() const noexcept { return path_; }
  [[nodiscard]] bool owner() const noexcept { return owner_; }

  /// Puts the folder at `folder` in one rename (RENAME_EXCHANGE with an
  /// existing folder, whose mode the new one takes), then removes the
  /// previous output: its manifest and the parts it listed, and the folder
  /// once empty. Throws IoError, the previous output then untouched.
  void switch_into(const fs::path& output, const fs::path& folder, const std::vector<std::string>& previous) {
    struct stat status {};
    const bool replacing = ::stat(folder.c_str(), &status) == 0;
    if (replacing) ::chmod(path_.c_str(), status.st_mode & 07777);
    const unsigned flags = replacing ? RENAME_EXCHANGE : RENAME_NOREPLACE;
    if (::renameat2(AT_FDCWD, path_.c_str(), AT_FDCWD, folder.c_str(), flags) != 0) {
      if (errno != EINVAL) throw IoError("cannot write " + quoted(output) + ": " + std::strerror(errno));
      exchange_in_two_renames(output, folder, replacing);
    }
    switched_ = true;
    registration_.reset();  // the path now names the previous output, if any
    sync_folder(folder.parent_path());
    if (!replacing) return;
    std::error_code ignored;
    for (const std::string& name : previous) fs::remove(path_ / name, ignored);
    fs::remove(path_, ignored);  // only if empty: never what someone put there meanwhile
  }

 private:
  /// For a file system without RENAME_EXCHANGE (NFS before 4.x servers that
  /// have it, some FUSE): the previous folder moves aside, the new one into
  /// place; should the second rename fail, the first is undone.
  void exchange_in_two_renames(const fs::path& output, const fs::path& folder, bool replacing) {
    const fs::path aside = path_.string() + ".old";
    if (replacing && ::rename(folder.c_str(), aside.c_str()) != 0) {
      throw IoError("cannot write " + quoted(output) + ": " + std::strerror(errno));
    }
    if (::rename(path_.c_str(), folder.c_str()) != 0) {
      const int error = errno;
      if (replacing) ::rename(aside.c_str(), folder.c_str());
      throw IoError("cannot write " + quoted(output) + ": " + std::strerror(error));
    }
    if (replacing) ::rename(aside.c_str(), path_.c_str());
  }

  static void sync_folder(const fs::path& folder) {
    const int descriptor = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (descriptor < 0) return;
    ::fsync(descriptor);
    ::close(descriptor);
  }

  fs::path path_;
  bool owner_ = false;
  bool switched_ = false;
  TemporaryRegistration registration_;
};

}  // namespace

std::string part_name(unsigned rank, Format format) {
  char name[32];
  std::snprintf(name, sizeof name, "part-%05u.", rank);
  return name + std::string(to_string(format));
}

void check_partitioned_output(const CommandLine& command) {
  const fs::path folder = target_folder(command.output);
  check_replaceable(command.output, folder, previous_output(folder), files_read(command));
}

MatrixReport write_parts(Communicator& communicator, const CommandLine& command, const MatrixCells& cells,
                         StreamingRunner& runner, const MatrixEncoder& encoder, const ProgressCallback& progress) {
  const fs::path& output = command.output;
  const unsigned rank = communicator.rank();
  const Format format = command.run.format.format;
  const CellRange share = rank_share(cells.shape(), communicator.size(), rank);
  std::optional<RankFailure> failure;

  // Rank 0 checks the folder against the files it read and the previous
  // manifest, and makes the staging folder beside it.
  std::string plan;
  fs::path folder;
  std::optional<StagingFolder> staging;
  if (rank == 0) {
    try {
      folder = target_folder(output);
      const std::vector<std::string> previous = previous_output(folder);
      check_replaceable(output, folder, previous, files_read(command));
      std::error_code error;
      fs::create_directories(folder.parent_path(), error);
      // No signal between making the folder and registering it for removal.
      const TemporaryCreationGuard creating;
      staging.emplace(make_staging_folder(output, folder), true);
      plan = pack_plan(staging->path(), previous);
    } catch (...) {
      failure = failure_of(std::current_exception());
    }
  }
  agree(communicator, failure);
  communicator.broadcast(plan, 0);
  const auto [staging_path, previous] = unpack_plan(plan);

  // A rank on a machine that does not see rank 0's file system makes the
  // staging folder there; the first to make it checks and switches it.
  try {
    if (rank != 0) {
      folder = target_folder(output);
      std::error_code error;
      fs::create_directories(staging_path.parent_path(), error);
      {
        const TemporaryCreationGuard creating;
        const bool made = ::mkdir(staging_path.c_str(), 0777) == 0;
        if (!made && errno != EEXIST) {
          throw IoError("cannot write " + quoted(output) + ": " + std::strerror(errno));
        }
        staging.emplace(staging_path, made);
      }
      if (staging->owner()) check_replaceable(output, folder, previous, {});
    }
  } catch (...) {
    failure = failure_of(std::current_exception());
  }
  agree(communicator, failure);

  std::optional<OutputFile> file;
  std::optional<FileMatrixOutput> file_output;
  MatrixReport report;
  std::uint64_t bytes = 0;
  try {
    file.emplace(staging->path() / part_name(rank, format));
    file_output.emplace(*file);
    CountedOutput counted(*file_output);
    counted.append(part_header(command, cells.shape(), encoder, share, rank));
    report = runner.run_range(cells, share, encoder, counted, progress);
    bytes = counted.bytes();
  } catch (...) {
    failure = failure_of(std::current_exception());
  }
  agree(communicator, failure);
  try {
    file_output->commit();
  } catch (...) {
    failure = failure_of(std::current_exception());
  }
  agree(communicator, failure);
  const std::vector<std::uint64_t> sizes = communicator.gather(bytes, 0);
  if (rank == 0) {
    try {
      if (std::getenv("DM_TEST_FAIL_MANIFEST") != nullptr) {
        // Tests make the last write fail, to check the previous output survives it.
        throw IoError("cannot write " + quoted(output / manifest_name) + ": failure injected (DM_TEST_FAIL_MANIFEST)");
      }
      OutputFile manifest_file(staging->path() / manifest_name);
      manifest_file.write(manifest(command, cells.shape(), communicator.size(), sizes));
      manifest_file.commit();
    } catch (...) {
      failure = failure_of(std::current_exception());
    }
  }
  agree(communicator, failure);
  try {
    if (staging->owner()) staging->switch_into(output, folder, previous);
  } catch (...) {
    failure = failure_of(std::current_exception());
  }
  agree(communicator, failure);
  return report;
}

}  // namespace dm::cli
