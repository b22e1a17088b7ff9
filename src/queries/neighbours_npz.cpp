#include "distance_matrix/queries/neighbours_npz.hpp"

#include <tbb/parallel_for.h>
#include <tbb/task_group.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "distance_matrix/output/zip_writer.hpp"
#include "distance_matrix/queries/neighbour_search.hpp"
#include "src/executors/fork_join_edges.hpp"
#include "src/executors/worker_arena.hpp"
#include "distance_matrix/memory/huge_page_allocator.hpp"
#include "src/output/spill_file.hpp"
#include "src/queries/nearest_rows.hpp"
#include "src/queries/within_pieces.hpp"
#include "src/queries/within_rows.hpp"

namespace dm {
namespace {

using Clock = std::chrono::steady_clock;

static_assert(std::endian::native == std::endian::little, "NPZ members are written by copying values as they are");

template <typename Value>
std::string_view bytes_of(std::span<const Value> values) {
  return {reinterpret_cast<const char*>(values.data()), values.size() * sizeof(Value)};
}

template <typename Value>
std::string_view bytes_of(const std::vector<Value>& values) {
  return bytes_of(std::span<const Value>(values));
}

/// Distances as `type`: the doubles as they are, or each rounded once to float.
void append_distances(std::string& out, const double* distances, std::size_t count, ValueType type) {
  if (type == ValueType::float64) {
    out.append(reinterpret_cast<const char*>(distances), count * sizeof(double));
    return;
  }
  const std::size_t used = out.size();
  out.resize(used + count * sizeof(float));
  for (std::size_t index = 0; index < count; ++index) {
    const auto value = static_cast<float>(distances[index]);
    std::memcpy(out.data() + used + index * sizeof(float), &value, sizeof(float));
  }
}

/// A member "NAME.npy": an NPY header and its data, the data already in memory.
void add_array(ZipWriter& zip, const std::string& name, std::string_view descr,
               const std::vector<std::size_t>& dimensions, std::string_view data) {
  const std::string header = npy_header(descr, dimensions);
  zip.begin({name + ".npy", header.size() + data.size(), crc32_of(data, crc32_of(header))});
  zip.write(header);
  zip.write(data);
}

/// An NPY member whose data is already in memory, written without a copy.
struct ArrayMember {
  std::string name;
  std::string header;     ///< npy_header
  std::string_view data;  ///< the array's bytes
};

/// Each member's data is CRC-checked (and, on an output that takes parts in
/// parallel, written) in parts of this many bytes, one task each: big
/// enough that a task's overhead is nothing, small enough to spread an
/// archive of a few megabytes over the workers.
constexpr std::size_t member_part_bytes = std::size_t{1} << 20;

/// --within's rows are copied into the .npz's pieces in blocks of this
/// many origins, one task each.
constexpr std::size_t within_copy_rows = 4096;

struct MemberPart {
  std::size_t member = 0;
  std::size_t offset = 0;  ///< in the member's data
  std::size_t size = 0;
  std::uint32_t crc = 0;
};

/// The CRC-32 of member `member`: its header's, combined with those of
/// its parts from parts[next] on (sorted by member, then offset), which
/// must cover its `data_size` bytes without a gap; `next` ends past them.
std::uint32_t member_crc(std::string_view header, std::uint64_t data_size, std::size_t member,
                         const std::vector<MemberPart>& parts, std::size_t& next) {
  std::uint32_t crc = crc32_of(header);
  std::uint64_t covered = 0;
  for (; next < parts.size() && parts[next].member == member; ++next) {
    if (parts[next].offset != covered) throw std::logic_error("an NPZ member's data has a gap");
    crc = crc32_combine_of(crc, parts[next].crc, parts[next].size);
    covered += parts[next].size;
  }
  if (covered != data_size) throw std::logic_error("an NPZ member's data is incomplete");
  return crc;
}

/// Runs handle(0) … handle(count - 1) on `arena`'s workers, or in order
/// on the calling thread when there is one worker or one call.
template <class Handle>
void for_each_index(std::size_t count, unsigned workers, WorkerArena& arena, Handle&& handle) {
  if (workers == 1 || count < 2) {
    for (std::size_t index = 0; index < count; ++index) handle(index);
    return;
  }
  ForkJoinEdges edges;
  arena.execute([&] { tbb::parallel_for(std::size_t{0}, count, edges.around(handle)); });
  edges.joined();
}

/// An archive of NPY members whose sizes are all known before their data,
/// on an output that takes parts in parallel: so every member's offset in
/// the archive is known, and its data can be written in any order, in
/// parts that are CRC-checked and written on the workers (the page cache
/// copies them on every worker, and each part's writeback starts at once).
/// finish() writes the local headers, which need the CRCs, then the central
/// directory: byte for byte what ZipWriter::add of each member would write.
class ArchiveAtOffsets {
 public:
  struct Member {
    std::string name;
    std::string header;  ///< npy_header
    std::uint64_t data_size = 0;
  };

  ArchiveAtOffsets(MatrixOutput& output, std::vector<Member> members)
      : zip_(output, ZipWriter::zip32_limit, ZipWriter::Placement::at_offsets), output_(output),
        members_(std::move(members)) {
    std::uint64_t archive_offset = 0;
    for (const Member& member : members_) {
      const std::uint64_t size = member.header.size() + member.data_size;
      data_offsets_.push_back(archive_offset + zip_.local_header({member.name, size, 0}).size() +
                              member.header.size());
      archive_offset = data_offsets_.back() + member.data_size;
    }
  }

  /// Writes `bytes` at `offset` in member `member`'s data.
  void write(std::size_t member, std::uint64_t offset, std::string_view bytes, unsigned workers, WorkerArena& arena) {
    if (member >= members_.size() || offset + bytes.size() > members_[member].data_size) {
      throw std::logic_error("a part outside its NPZ member");
    }
    const std::size_t first = parts_.size();
    for (std::size_t part = 0; part < bytes.size(); part += member_part_bytes) {
      parts_.push_back({member, offset + part, std::min(member_part_bytes, bytes.size() - part), 0});
    }
    for_each_index(parts_.size() - first, workers, arena, [&](std::size_t index) {
      MemberPart& part = parts_[first + index];
      const std::string_view piece = bytes.substr(part.offset - offset, part.size);
      part.crc = crc32_of(piece);
      output_.write_part_at(data_offsets_[part.member] + part.offset, piece);
    });
  }

  /// Every member's data written whole by now (std::logic_error otherwise).
  void finish() {
    std::sort(parts_.begin(), parts_.end(), [](const MemberPart& a, const MemberPart& b) {
      return a.member != b.member ? a.member < b.member : a.offset < b.offset;
    });
    std::size_t next_part = 0;
    for (std::size_t index = 0; index < members_.size(); ++index) {
      const Member& member = members_[index];
      const std::uint32_t crc = member_crc(member.header, member.data_size, index, parts_, next_part);
      zip_.begin({member.name, member.header.size() + member.data_size, crc});
      zip_.write(member.header);
      zip_.skip(member.data_size);
    }
    zip_.finish();
  }

 private:
  ZipWriter zip_;
  MatrixOutput& output_;
  std::vector<Member> members_;
  std::vector<std::uint64_t> data_offsets_;  ///< in the archive
  std::vector<MemberPart> parts_;            ///< written so far
};

/// The archive of `members`, byte for byte what ZipWriter::add of each
/// would write. The CRC-32 over every part runs on `workers` threads,
/// joined with crc32_combine; where the output takes parts in parallel,
/// the parts are written by the same tasks (ArchiveAtOffsets).
void write_array_members(MatrixOutput& output, const std::vector<ArrayMember>& members, unsigned workers,
                         WorkerArena& arena) {
  if (output.takes_parts_in_parallel()) {
    std::vector<ArchiveAtOffsets::Member> layout;
    for (const ArrayMember& member : members) layout.push_back({member.name, member.header, member.data.size()});
    ArchiveAtOffsets archive(output, std::move(layout));
    for (std::size_t index = 0; index < members.size(); ++index) {
      archive.write(index, 0, members[index].data, workers, arena);
    }
    archive.finish();
    return;
  }
  std::vector<MemberPart> parts;
  for (std::size_t index = 0; index < members.size(); ++index) {
    for (std::size_t offset = 0; offset < members[index].data.size(); offset += member_part_bytes) {
      parts.push_back({index, offset, std::min(member_part_bytes, members[index].data.size() - offset), 0});
    }
  }
  for_each_index(parts.size(), workers, arena, [&](std::size_t index) {
    MemberPart& part = parts[index];
    part.crc = crc32_of(members[part.member].data.substr(part.offset, part.size));
  });
  ZipWriter zip(output);
  std::size_t next_part = 0;
  for (std::size_t index = 0; index < members.size(); ++index) {
    const ArrayMember& member = members[index];
    const std::uint32_t crc = member_crc(member.header, member.data.size(), index, parts, next_part);
    zip.begin({member.name, member.header.size() + member.data.size(), crc});
    zip.write(member.header);
    zip.write(member.data);
  }
  zip.finish();
}

/// Distances as `type`: the doubles' own bytes, or each rounded once to float into `narrowed`.
std::string_view distance_bytes(std::span<const double> distances, ValueType type, std::string& narrowed) {
  if (type == ValueType::float64) return bytes_of(distances);
  narrowed.clear();
  append_distances(narrowed, distances.data(), distances.size(), type);
  return narrowed;
}

/// Slices of the sliced .npz: so many that the disk writes
/// all but the last during the search, so few that each slice's origins
/// still lie close enough together to share the tree's walks.
constexpr std::size_t nearest_slices = 8;
/// Below this many bytes of arrays the whole search is one slice.
constexpr std::size_t sliced_from_bytes = std::size_t{8} << 20;

/// The cells that hold a neighbour (the others are index -1).
std::size_t found_cells(std::span<const std::int64_t> indices) {
  return static_cast<std::size_t>(
      std::count_if(indices.begin(), indices.end(), [](std::int64_t index) { return index >= 0; }));
}

/// --nearest's arrays whole in memory, then written (a pipe, or too small to slice).
void write_nearest_whole(NearestRows& search, std::size_t k, ValueType type, MatrixOutput& output, unsigned workers,
                         WorkerArena& arena, MatrixReport& report) {
  const std::size_t rows = search.row_count(0);
  const std::size_t cells = rows * k;
  // Not zeroed first: the search writes every cell, on the workers, whose
  // writes are the pages' first touch too (a serial memset of the 16 bytes
  // a cell cost more than the search's own writes).
  LargeArray<double> distance_cells(cells);
  LargeArray<std::int64_t> index_cells(cells);
  const std::span<double> distances(distance_cells.data(), cells);
  const std::span<std::int64_t> indices(index_cells.data(), cells);
  const Clock::time_point searching = Clock::now();
  search.fill(0, distances, indices);
  report.cell_count = found_cells(indices);
  const Clock::time_point writing = Clock::now();
  report.calculation += writing - searching;
  std::string narrowed;
  const std::vector<std::size_t> dimensions{rows, k};
  const std::vector<ArrayMember> members{
      {"distances.npy", npy_header(npy_descr(type), dimensions), distance_bytes(distances, type, narrowed)},
      {"indices.npy", npy_header("'<i8'", dimensions), bytes_of(std::span<const std::int64_t>(indices))}};
  write_array_members(output, members, workers, arena);
  report.write += Clock::now() - writing;
}

/// --nearest's arrays a slice of rows at a time into an archive written at
/// offsets: while the workers search a slice into one pair of buffers, a
/// task writes the slice before from the other pair, and the disk writes
/// it back meanwhile; commit's fsync then finds only the last slice left.
void write_nearest_sliced(NearestRows& search, std::size_t rows, std::size_t k, ValueType type, MatrixOutput& output,
                          WorkerArena& arena, const ProgressCallback& progress, MatrixReport& report) {
  const std::size_t cells = rows * k;
  const std::vector<std::size_t> dimensions{rows, k};
  ArchiveAtOffsets archive(output, {{"distances.npy", npy_header(npy_descr(type), dimensions), cells * size_of(type)},
                                    {"indices.npy", npy_header("'<i8'", dimensions), cells * sizeof(std::int64_t)}});
  struct Buffers {
    explicit Buffers(std::size_t cells) : distances(cells), indices(cells) {}
    LargeArray<double> distances;
    LargeArray<std::int64_t> indices;
    std::string narrowed;  ///< float32 distances
  };
  const std::size_t slice_cells = search.row_count(0) * k;
  Buffers buffers[2]{Buffers(slice_cells), Buffers(slice_cells)};

  std::size_t pending = 0;  ///< the slice the writing task writes
  std::exception_ptr failed;
  auto write_slice = [&] {
    // One thread writes the slice: pwrite holds the file's lock, so two
    // would only wait for each other.
    Buffers& from = buffers[pending % 2];
    const std::size_t count = search.row_count(pending) * k;
    const std::size_t first_cell = search.first_row(pending) * k;
    try {
      const std::span<const double> distances(from.distances.data(), count);
      archive.write(0, first_cell * size_of(type), distance_bytes(distances, type, from.narrowed), 1, arena);
      archive.write(1, first_cell * sizeof(std::int64_t),
                    bytes_of(std::span<const std::int64_t>(from.indices.data(), count)), 1, arena);
    } catch (...) {
      failed = std::current_exception();
    }
  };
  tbb::task_group writing;
  std::optional<ForkJoinEdges> edges;
  bool in_flight = false;
  auto wait_for_write = [&] {
    if (!in_flight) return;
    const Clock::time_point waiting = Clock::now();
    arena.execute([&] { writing.wait(); });
    edges->joined();
    in_flight = false;
    report.write += Clock::now() - waiting;
    if (failed) std::rethrow_exception(failed);
  };
  try {
    for (std::size_t slice = 0; slice < search.slice_count(); ++slice) {
      Buffers& into = buffers[slice % 2];
      const std::size_t count = search.row_count(slice) * k;
      const std::span<double> distances(into.distances.data(), count);
      const std::span<std::int64_t> indices(into.indices.data(), count);
      const Clock::time_point searching = Clock::now();
      search.fill(slice, distances, indices);
      report.cell_count += found_cells(indices);
      report.calculation += Clock::now() - searching;
      wait_for_write();  // the slice before, whose buffers the next fill takes
      pending = slice;
      edges.emplace();
      in_flight = true;
      arena.execute([&] { writing.run(edges->around(write_slice)); });
      if (progress) progress(search.first_row(slice) + count / k, rows);
    }
    wait_for_write();
  } catch (...) {
    if (in_flight) arena.execute([&] { writing.wait(); });
    throw;
  }
  const Clock::time_point finishing = Clock::now();
  archive.finish();
  report.write += Clock::now() - finishing;
}

/// write_nearest_npz, the kernel lent (`handed_over` null) or handed over.
MatrixReport nearest_npz(const DistanceKernel& kernel, DistanceKernel* handed_over, const NeighbourQuery& query,
                         ValueType type, MatrixOutput& output, const ProgressCallback& progress) {
  if (!query.k) throw std::invalid_argument("write_nearest_npz needs k");
  const Clock::time_point start = Clock::now();
  MatrixReport report;
  const std::size_t k = *query.k;
  const std::size_t rows = query.origins - std::min(query.first_origin, query.origins);
  const unsigned workers = std::max(query.workers, 1u);
  WorkerArena arena(workers);
  // Sliced where the rows can be written at their offsets and there are
  // enough of them; elsewhere (a pipe) the CRCs must precede the data, so
  // the arrays are filled whole first.
  const bool sliced = output.takes_parts_in_parallel() && k > 0 &&
                      rows * k * (sizeof(double) + sizeof(std::int64_t)) >= sliced_from_bytes;
  NearestRows search(kernel, query, arena, sliced ? (rows + nearest_slices - 1) / nearest_slices : rows,
                     handed_over);
  report.calculation = Clock::now() - start;
  if (search.slice_count() > 1) {
    write_nearest_sliced(search, rows, k, type, output, arena, progress, report);
  } else {
    write_nearest_whole(search, k, type, output, workers, arena, report);
    if (progress) progress(rows, rows);
  }
  report.total = Clock::now() - start;
  return report;
}

}  // namespace

MatrixReport write_nearest_npz(const DistanceKernel& kernel, const NeighbourQuery& query, ValueType type,
                               MatrixOutput& output, const ProgressCallback& progress) {
  return nearest_npz(kernel, nullptr, query, type, output, progress);
}

MatrixReport write_nearest_npz(DistanceKernel&& kernel, const NeighbourQuery& query, ValueType type,
                               MatrixOutput& output, const ProgressCallback& progress) {
  return nearest_npz(kernel, &kernel, query, type, output, progress);
}

MatrixReport search_within_pieces(const DistanceKernel& kernel, const NeighbourQuery& query, ValueType type,
                                  WithinPieces& pieces, const ProgressCallback& progress,
                                  DistanceKernel* handed_over) {
  if (!query.within || query.origins > kernel.size() || query.first_candidate > kernel.size() ||
      query.first_origin > query.origins) {
    throw std::invalid_argument("--within's search needs a distance and origins and candidates among the kernel's "
                                "locations");
  }
  const Clock::time_point start = Clock::now();
  MatrixReport report;
  WorkerArena arena(std::max(query.workers, 1u));
  const std::unique_ptr<NeighbourSearch> index = neighbour_search_for(kernel, query, arena);
  release_handed_over(*index, handed_over);  // `kernel` may be empty from here on
  const std::size_t origin_count = query.origins - query.first_origin;
  pieces.row_counts.reserve(pieces.row_counts.size() + origin_count);
  report.calculation += Clock::now() - start;

  WithinRows rows;
  std::vector<std::size_t> row_starts;  // in the window's pairs
  // Windows of origins in input order, each searched in groups of origins
  // near each other (both directions of each pair: every row whole).
  for (std::size_t first = query.first_origin; first < query.origins;) {
    // From a sample of the origins' rows at the first window, from the rows so far after.
    const double pairs_per_origin = within_pairs_per_origin(*index, query, first, report.cell_count, false);
    if (first == query.first_origin) {
      // The pieces' memory reserved for every pair expected, with a quarter
      // to spare (address space until written), instead of grown by doubling.
      // (SpillFile::reserve keeps to its memory budget.)
      const std::uint64_t room = within_pairs_room(expected_within_pairs(pairs_per_origin, origin_count));
      const std::uint64_t most = std::numeric_limits<std::uint64_t>::max() / sizeof(std::int64_t);
      pieces.indices.reserve(std::min(room, most) * sizeof(std::int64_t));
      pieces.data.reserve(std::min(room, most) * size_of(type));
    }
    const std::size_t last = std::min(query.origins, first + within_window_origins(pairs_per_origin));
    const Clock::time_point searching = Clock::now();
    search_within_rows(*index, query, first, last, false, expected_within_pairs(pairs_per_origin, last - first),
                       arena, rows);
    const Clock::time_point searched = Clock::now();
    report.calculation += searched - searching;
    row_starts.assign(1, 0);
    for (const std::span<const Neighbour> row : rows.rows) {
      pieces.row_counts.push_back(static_cast<std::int64_t>(row.size()));
      row_starts.push_back(row_starts.back() + row.size());
    }
    // The rows' indices and distances written where they go, rows in
    // blocks on the workers.
    auto in_blocks = [&](const std::function<void(std::size_t, std::size_t)>& copy_rows) {
      const std::size_t row_count = rows.rows.size();
      const std::size_t blocks = (row_count + within_copy_rows - 1) / within_copy_rows;
      auto copy_block = [&](std::size_t block) {
        copy_rows(block * within_copy_rows, std::min(row_count, (block + 1) * within_copy_rows));
      };
      if (query.workers <= 1 || blocks < 2) {
        for (std::size_t block = 0; block < blocks; ++block) copy_block(block);
      } else {
        ForkJoinEdges edges;
        arena.execute([&] { tbb::parallel_for(std::size_t{0}, blocks, edges.around(copy_block)); });
        edges.joined();
      }
    };
    const auto first_candidate = static_cast<std::int64_t>(query.first_candidate);
    pieces.indices.append_filled(rows.pairs * sizeof(std::int64_t), [&](char* out) {
      in_blocks([&](std::size_t from, std::size_t to) {
        char* at = out + row_starts[from] * sizeof(std::int64_t);
        for (std::size_t row = from; row < to; ++row) {
          for (const Neighbour& neighbour : rows.rows[row]) {
            const std::int64_t value = static_cast<std::int64_t>(neighbour.index) - first_candidate;
            std::memcpy(at, &value, sizeof value);
            at += sizeof value;
          }
        }
      });
    });
    pieces.data.append_filled(rows.pairs * size_of(type), [&](char* out) {
      in_blocks([&](std::size_t from, std::size_t to) {
        char* at = out + row_starts[from] * size_of(type);
        for (std::size_t row = from; row < to; ++row) {
          for (const Neighbour& neighbour : rows.rows[row]) {
            if (type == ValueType::float64) {
              std::memcpy(at, &neighbour.distance, sizeof(double));
              at += sizeof(double);
            } else {
              const auto value = static_cast<float>(neighbour.distance);
              std::memcpy(at, &value, sizeof value);
              at += sizeof value;
            }
          }
        }
      });
    });
    report.cell_count += rows.pairs;
    report.write += Clock::now() - searched;
    first = last;
    if (progress) progress(first - query.first_origin, origin_count);
  }
  report.total = Clock::now() - start;
  return report;
}

MatrixReport write_within_npz(const DistanceKernel& kernel, const NeighbourQuery& query, ValueType type,
                              MatrixOutput& output, const ProgressCallback& progress,
                              const std::filesystem::path& spill_folder) {
  WithinPieces pieces(spill_folder);
  return write_within_npz_from(kernel, query, type, output, progress, pieces);
}

MatrixReport write_within_npz(DistanceKernel&& kernel, const NeighbourQuery& query, ValueType type,
                              MatrixOutput& output, const ProgressCallback& progress,
                              const std::filesystem::path& spill_folder) {
  WithinPieces pieces(spill_folder);
  return write_within_npz_from(kernel, query, type, output, progress, pieces, &kernel);
}

MatrixReport write_within_npz_from(const DistanceKernel& kernel, const NeighbourQuery& query, ValueType type,
                                   MatrixOutput& output, const ProgressCallback& progress, WithinPieces& pieces,
                                   DistanceKernel* handed_over) {
  const Clock::time_point start = Clock::now();
  const std::size_t kernel_size = kernel.size();  // a kernel handed over is empty after the search
  MatrixReport report = search_within_pieces(kernel, query, type, pieces, progress, handed_over);
  std::vector<std::int64_t> indptr;
  indptr.reserve(pieces.row_counts.size() + 1);
  indptr.push_back(0);
  for (const std::int64_t count : pieces.row_counts) indptr.push_back(indptr.back() + count);
  pieces.row_counts = std::vector<std::int64_t>();

  const Clock::time_point assembling = Clock::now();
  const std::size_t pairs = report.cell_count;
  const std::size_t columns = kernel_size - query.first_candidate;
  const std::size_t rows = query.origins - query.first_origin;
  const std::vector<std::int64_t> shape{static_cast<std::int64_t>(rows), static_cast<std::int64_t>(columns)};
  const std::optional<std::string_view> indices = pieces.indices.in_memory();
  const std::optional<std::string_view> data = pieces.data.in_memory();
  if (indices && data) {
    // Everything in memory: written like --nearest's arrays, CRCs and
    // writes in parallel parts, without a copy.
    // The members in scipy.sparse.save_npz's order.
    const std::vector<ArrayMember> members{{"indices.npy", npy_header("'<i8'", {pairs}), *indices},
                                           {"indptr.npy", npy_header("'<i8'", {indptr.size()}), bytes_of(indptr)},
                                           {"format.npy", npy_header("'|S3'", {}), "csr"},
                                           {"shape.npy", npy_header("'<i8'", {2}), bytes_of(shape)},
                                           {"data.npy", npy_header(npy_descr(type), {pairs}), *data}};
    const unsigned workers = std::max(query.workers, 1u);
    WorkerArena arena(workers);
    write_array_members(output, members, workers, arena);
  } else {
    ZipWriter zip(output);
    auto add_spilled = [&](const std::string& name, std::string_view descr, SpillFile& spill) {
      const std::string header = npy_header(descr, {pairs});
      const std::uint32_t crc = crc32_combine_of(crc32_of(header), spill.crc(), spill.size());
      zip.begin({name + ".npy", header.size() + spill.size(), crc});
      zip.write(header);
      spill.read_back([&](std::string_view piece) { zip.write(piece); });
    };
    // The members in scipy.sparse.save_npz's order.
    add_spilled("indices", "'<i8'", pieces.indices);
    add_array(zip, "indptr", "'<i8'", {indptr.size()}, bytes_of(indptr));
    add_array(zip, "format", "'|S3'", {}, "csr");
    add_array(zip, "shape", "'<i8'", {2}, bytes_of(shape));
    add_spilled("data", npy_descr(type), pieces.data);
    zip.finish();
  }
  report.write += Clock::now() - assembling;
  report.total = Clock::now() - start;
  return report;
}

}  // namespace dm
