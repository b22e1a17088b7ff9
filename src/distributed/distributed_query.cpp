#include "distance_matrix/distributed/distributed_query.hpp"

#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "distance_matrix/distributed/distributed_matrix.hpp"
#include "distance_matrix/matrix/chunking.hpp"
#include "distance_matrix/matrix/matrix_cells.hpp"
#include "distance_matrix/output/zip_writer.hpp"
#include "distance_matrix/queries/nearest_arrays.hpp"
#include "distance_matrix/queries/neighbours_csv.hpp"
#include "distance_matrix/queries/summary_consumer.hpp"
#include "distance_matrix/queries/summary_npy.hpp"
#include "src/output/spill_file.hpp"
#include "src/queries/within_pieces.hpp"

namespace dm {
namespace {

using Clock = std::chrono::steady_clock;
using Sink = std::function<void(std::string_view)>;

/// This rank's bytes of one member of an archive, or of the whole file.
struct Piece {
  std::uint64_t size = 0;
  std::uint32_t crc = 0;
  std::function<void(const Sink&)> read;
};

Piece piece_of(SpillFile& spill) {
  return {spill.size(), spill.crc(), [&spill](const Sink& sink) { spill.read_back(sink); }};
}

Piece piece_of(const std::string& bytes) {
  return {bytes.size(), crc32_of(bytes), [&bytes](const Sink& sink) {
            if (!bytes.empty()) sink(bytes);
          }};
}

template <typename Value>
std::string raw(const std::vector<Value>& values) {
  return {reinterpret_cast<const char*>(values.data()), values.size() * sizeof(Value)};
}

void write_piece(SharedFile& file, std::uint64_t offset, const Piece& piece) {
  piece.read([&](std::string_view bytes) {
    file.write_at(offset, bytes);
    offset += bytes.size();
  });
}

/// A member of an .npz: its NPY header (only rank 0's counts) and this rank's rows.
struct Member {
  std::string name;
  std::string descr;
  std::vector<std::size_t> dimensions;
  Piece piece;
};

/// Rank 0's archive headers, written at their offsets of the shared file.
class SharedFileAt final : public MatrixOutput {
 public:
  explicit SharedFileAt(SharedFile& file) : file_(file) {}
  void append(std::string_view /*bytes*/) override { throw std::logic_error("the archive's headers go at offsets"); }
  void write_at(std::uint64_t offset, std::string_view bytes) override { file_.write_at(offset, bytes); }
  void commit() override {}

 private:
  SharedFile& file_;
};

/// Collective: every rank's piece at the offset the ranks before it end at.
void write_concatenated(Communicator& communicator, SharedFile& file, const Piece& piece) {
  const std::uint64_t offset = communicator.exclusive_prefix_sum(piece.size);
  std::optional<RankFailure> failure;
  try {
    write_piece(file, offset, piece);
  } catch (...) {
    failure = failure_of(std::current_exception());
  }
  agree(communicator, failure);
}

/// Collective: the .npz of `members`, each the concatenation of the ranks'
/// pieces in rank order. Rank 0 lays the archive out from the gathered
/// sizes and CRC-32s, writes every header, and tells each rank where its
/// pieces go.
void write_npz(Communicator& communicator, SharedFile& file, const std::vector<Member>& members) {
  const unsigned ranks = communicator.size();
  std::vector<std::vector<std::uint64_t>> sizes;
  std::vector<std::vector<std::uint64_t>> crcs;
  for (const Member& member : members) {
    sizes.push_back(communicator.gather(member.piece.size, 0));
    crcs.push_back(communicator.gather(member.piece.crc, 0));
  }
  std::string offsets;
  std::optional<RankFailure> failure;
  if (communicator.rank() == 0) {
    try {
      SharedFileAt output(file);
      ZipWriter zip(output, ZipWriter::zip32_limit, ZipWriter::Placement::at_offsets);
      for (std::size_t index = 0; index < members.size(); ++index) {
        const std::string header = npy_header(members[index].descr, members[index].dimensions);
        std::uint32_t crc = crc32_of(header);
        std::uint64_t total = 0;
        for (unsigned rank = 0; rank < ranks; ++rank) {
          crc = crc32_combine_of(crc, static_cast<std::uint32_t>(crcs[index][rank]), sizes[index][rank]);
          total += sizes[index][rank];
        }
        zip.begin({members[index].name + ".npy", header.size() + total, crc});
        zip.write(header);
        for (unsigned rank = 0; rank < ranks; ++rank) {
          const std::uint64_t offset = zip.offset();
          offsets.append(reinterpret_cast<const char*>(&offset), sizeof offset);
          zip.skip(sizes[index][rank]);
        }
      }
      zip.finish();
    } catch (...) {
      failure = failure_of(std::current_exception());
    }
  }
  agree(communicator, failure);
  communicator.broadcast(offsets, 0);
  try {
    for (std::size_t index = 0; index < members.size(); ++index) {
      std::uint64_t offset = 0;
      std::memcpy(&offset, offsets.data() + (index * ranks + communicator.rank()) * sizeof offset, sizeof offset);
      write_piece(file, offset, members[index].piece);
    }
  } catch (...) {
    failure = failure_of(std::current_exception());
  }
  agree(communicator, failure);
}

}  // namespace

CellRange origin_share(std::size_t origins, unsigned ranks, unsigned rank) noexcept {
  return Chunking::into({0, origins}, ranks).piece(rank);
}

QueryShareReport write_query_share(Communicator& communicator, const DistanceKernel& kernel,
                                   const LocationTable& locations, std::size_t origins, const MatrixJob& job,
                                   StreamingRunner& runner, SharedFile& file,
                                   const std::filesystem::path& spill_folder, const ProgressCallback& progress) {
  QueryShareReport report;
  const bool first_rank = communicator.rank() == 0;
  report.origins = origin_share(origins, communicator.size(), communicator.rank());
  const bool rectangle = origins < kernel.size();
  const Query& query = job.query;
  const bool numpy = job.format.format == Format::npy;
  const ValueType type = job.format.value_type;

  // This rank's answer, put aside: a spill file, or --nearest's arrays.
  std::unique_ptr<SpillFile> spill;
  std::unique_ptr<WithinPieces> within;
  std::string distances;
  std::string indices;
  std::optional<RankFailure> failure;
  try {
    if (query.summary) {
      spill = std::make_unique<SpillFile>(spill_folder);
      SpillOutput output(*spill);
      const MatrixShape shape = rectangle ? MatrixShape::rectangle(origins, kernel.size() - origins)
                                          : MatrixShape::square(origins);
      const TallyGrid grid = TallyGrid::for_largest(largest_distance(job.distance));
      std::unique_ptr<BlockConsumer> consumer;
      if (numpy) {
        consumer = std::make_unique<SummaryNpyConsumer>(locations, shape, type, output, grid);
      } else {
        consumer = std::make_unique<SummaryConsumer>(locations, shape, output, grid);
      }
      if (first_rank) consumer->begin();
      const std::size_t columns = shape.columns();
      report.matrix = runner.consume_range(MatrixCells(kernel, shape),
                                           {report.origins.first * columns, report.origins.last * columns},
                                           *consumer, progress);
    } else {
      const NeighbourQuery neighbours{.origins = report.origins.last,
                                      .first_candidate = rectangle ? origins : 0,
                                      .k = query.nearest,
                                      .within = query.within,
                                      .radius = job.distance.radius_km / kilometers_per(job.distance.unit),
                                      .workers = runner.workers(),
                                      .first_origin = report.origins.first,
                                      .with_header = first_rank};
      if (!numpy) {
        spill = std::make_unique<SpillFile>(spill_folder);
        SpillOutput output(*spill);
        report.matrix = write_neighbours_csv(kernel, locations, neighbours, output, progress);
      } else if (query.nearest) {
        const Clock::time_point start = Clock::now();
        const std::size_t cells = report.origins.size() * *query.nearest;
        std::vector<double> found_distances(cells);
        std::vector<std::int64_t> found_indices(cells);
        find_nearest(kernel, neighbours, found_distances, found_indices);
        if (type == ValueType::float64) {
          distances = raw(found_distances);
        } else {
          std::vector<float> rounded(found_distances.begin(), found_distances.end());
          distances = raw(rounded);
        }
        indices = raw(found_indices);
        report.matrix.calculation = Clock::now() - start;
        report.matrix.cell_count = cells;
        if (progress) progress(report.origins.size(), report.origins.size());
      } else {
        within = std::make_unique<WithinPieces>(spill_folder);
        report.matrix = search_within_pieces(kernel, neighbours, type, *within, progress);
      }
    }
  } catch (...) {
    failure = failure_of(std::current_exception());
  }
  agree(communicator, failure);

  const Clock::time_point writing = Clock::now();
  if (spill) {
    write_concatenated(communicator, file, piece_of(*spill));
    report.bytes = spill->size();
  } else if (query.nearest) {
    const std::vector<std::size_t> dimensions{origins, *query.nearest};
    write_npz(communicator, file,
              {{"distances", std::string(npy_descr(type)), dimensions, piece_of(distances)},
               {"indices", "'<i8'", dimensions, piece_of(indices)}});
    report.bytes = distances.size() + indices.size();
  } else {
    // indptr: the pairs of the ranks before this one, then this rank's rows.
    const std::uint64_t pairs = report.matrix.cell_count;
    const std::uint64_t pairs_before = communicator.exclusive_prefix_sum(pairs);
    const std::vector<std::uint64_t> all_pairs = communicator.gather(pairs, 0);
    std::uint64_t total = 0;
    for (const std::uint64_t count : all_pairs) total += count;
    std::vector<std::int64_t> indptr;
    if (first_rank) indptr.push_back(0);
    auto end = static_cast<std::int64_t>(pairs_before);
    for (const std::int64_t count : within->row_counts) indptr.push_back(end += count);
    const std::string indptr_bytes = raw(indptr);
    const std::string format = first_rank ? "csr" : "";
    const std::string shape =
        first_rank ? raw(std::vector<std::int64_t>{static_cast<std::int64_t>(origins),
                                                   static_cast<std::int64_t>(kernel.size() - (rectangle ? origins : 0))})
                   : std::string();
    write_npz(communicator, file,
              {{"indices", "'<i8'", {static_cast<std::size_t>(total)}, piece_of(within->indices)},
               {"indptr", "'<i8'", {origins + 1}, piece_of(indptr_bytes)},
               {"format", "'|S3'", {}, piece_of(format)},
               {"shape", "'<i8'", {2}, piece_of(shape)},
               {"data", std::string(npy_descr(type)), {static_cast<std::size_t>(total)}, piece_of(within->data)}});
    report.bytes = within->indices.size() + within->data.size() + indptr_bytes.size();
  }
  report.matrix.write += Clock::now() - writing;
  return report;
}

}  // namespace dm
