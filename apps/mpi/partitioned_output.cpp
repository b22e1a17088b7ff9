#include "partitioned_output.hpp"

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string_view>
#include <system_error>

#include "distance_matrix/distributed/distributed_matrix.hpp"
#include "distance_matrix/errors.hpp"
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

/// Parts numbered `ranks` or above: left by an earlier run with more ranks.
void remove_stale_parts(const fs::path& folder, unsigned ranks, Format format) {
  const std::string extension = '.' + std::string(to_string(format));
  for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (name.size() != 10 + extension.size() || name.compare(0, 5, "part-") != 0 ||
        name.compare(10, std::string::npos, extension) != 0) {
      continue;
    }
    const std::string digits = name.substr(5, 5);
    if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
    if (std::stoul(digits) >= ranks) fs::remove(entry.path());
  }
}

}  // namespace

std::string part_name(unsigned rank, Format format) {
  char name[32];
  std::snprintf(name, sizeof name, "part-%05u.", rank);
  return name + std::string(to_string(format));
}

MatrixReport write_parts(Communicator& communicator, const CommandLine& command, const MatrixCells& cells,
                         StreamingRunner& runner, const MatrixEncoder& encoder, const ProgressCallback& progress) {
  const fs::path folder = command.output;
  const unsigned rank = communicator.rank();
  const CellRange share = rank_share(cells.shape(), communicator.size(), rank);
  std::optional<RankFailure> failure;
  std::optional<OutputFile> file;
  std::optional<FileMatrixOutput> output;
  MatrixReport report;
  std::uint64_t bytes = 0;
  try {
    // Each node makes the folder for itself: on a file system that is not
    // shared, each holds the parts of its own ranks.
    std::error_code error;
    fs::create_directories(folder, error);
    if (error || !fs::is_directory(folder)) {
      throw IoError("cannot write '" + printable(folder.string()) + "': " +
                    (error ? error.message() : std::string("not a folder (--partitioned writes a folder of parts)")));
    }
    file.emplace(folder / part_name(rank, command.run.format.format));
    output.emplace(*file);
    CountedOutput counted(*output);
    counted.append(part_header(command, cells.shape(), encoder, share, rank));
    report = runner.run_range(cells, share, encoder, counted, progress);
    bytes = counted.bytes();
  } catch (...) {
    failure = failure_of(std::current_exception());
  }
  agree(communicator, failure);
  try {
    output->commit();
  } catch (...) {
    failure = failure_of(std::current_exception());
  }
  agree(communicator, failure);
  const std::vector<std::uint64_t> sizes = communicator.gather(bytes, 0);
  if (rank == 0) {
    try {
      remove_stale_parts(folder, communicator.size(), command.run.format.format);
      OutputFile manifest_file(folder / manifest_name);
      manifest_file.write(manifest(command, cells.shape(), communicator.size(), sizes));
      manifest_file.commit();
    } catch (...) {
      failure = failure_of(std::current_exception());
    }
  }
  agree(communicator, failure);
  return report;
}

}  // namespace dm::cli
