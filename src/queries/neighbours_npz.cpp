#include "distance_matrix/queries/neighbours_npz.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "distance_matrix/output/zip_writer.hpp"
#include "distance_matrix/queries/nearest_arrays.hpp"
#include "distance_matrix/queries/neighbour_search.hpp"
#include "src/executors/fork_join_edges.hpp"
#include "src/executors/worker_arena.hpp"
#include "distance_matrix/memory/huge_page_allocator.hpp"
#include "src/output/spill_file.hpp"
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

/// The archive of `members`, byte for byte what ZipWriter::add of each
/// would write. The CRC-32 over every part runs on `workers` threads,
/// joined with crc32_combine. When the output takes parts in parallel,
/// each task also writes its part at the offset it will have in the
/// archive (every size is known beforehand, so every offset is), while
/// the page cache copies them on every worker; the local headers, which
/// need the CRCs, are written last, then the central directory.
void write_array_members(MatrixOutput& output, const std::vector<ArrayMember>& members, unsigned workers) {
  const bool in_parallel = output.takes_parts_in_parallel();
  ZipWriter zip(output, ZipWriter::zip32_limit,
                in_parallel ? ZipWriter::Placement::at_offsets : ZipWriter::Placement::append);
  std::vector<std::uint64_t> data_offsets;  // in the archive
  std::uint64_t archive_offset = 0;
  std::vector<MemberPart> parts;
  for (std::size_t index = 0; index < members.size(); ++index) {
    const ArrayMember& member = members[index];
    const std::uint64_t size = member.header.size() + member.data.size();
    data_offsets.push_back(archive_offset + zip.local_header({member.name, size, 0}).size() + member.header.size());
    archive_offset = data_offsets.back() + member.data.size();
    for (std::size_t offset = 0; offset < member.data.size(); offset += member_part_bytes) {
      parts.push_back({index, offset, std::min(member_part_bytes, member.data.size() - offset), 0});
    }
  }
  auto handle = [&](std::size_t index) {
    MemberPart& part = parts[index];
    const std::string_view bytes = members[part.member].data.substr(part.offset, part.size);
    part.crc = crc32_of(bytes);
    if (in_parallel) output.write_part_at(data_offsets[part.member] + part.offset, bytes);
  };
  if (workers == 1 || parts.size() < 2) {
    for (std::size_t index = 0; index < parts.size(); ++index) handle(index);
  } else {
    WorkerArena arena(workers);
    ForkJoinEdges edges;
    arena.execute([&] { tbb::parallel_for(std::size_t{0}, parts.size(), edges.around(handle)); });
    edges.joined();
  }
  std::size_t next_part = 0;
  for (std::size_t index = 0; index < members.size(); ++index) {
    const ArrayMember& member = members[index];
    std::uint32_t crc = crc32_of(member.header);
    for (; next_part < parts.size() && parts[next_part].member == index; ++next_part) {
      crc = crc32_combine_of(crc, parts[next_part].crc, parts[next_part].size);
    }
    zip.begin({member.name, member.header.size() + member.data.size(), crc});
    zip.write(member.header);
    if (in_parallel) {
      zip.skip(member.data.size());
    } else {
      zip.write(member.data);
    }
  }
  zip.finish();
}

}  // namespace

MatrixReport write_nearest_npz(const DistanceKernel& kernel, const NeighbourQuery& query, ValueType type,
                               MatrixOutput& output, const ProgressCallback& progress) {
  if (!query.k) throw std::invalid_argument("write_nearest_npz needs k");
  const Clock::time_point start = Clock::now();
  MatrixReport report;
  const std::size_t k = *query.k;
  // Not zeroed first: find_nearest writes every cell, on the workers, whose
  // writes are the pages' first touch too (a serial memset of the 16 bytes
  // a cell cost more than the search's own writes).
  const std::size_t cells = query.origins * k;
  LargeArray<double> distance_cells(cells);
  LargeArray<std::int64_t> index_cells(cells);
  const std::span<double> distances(distance_cells.data(), cells);
  const std::span<std::int64_t> indices(index_cells.data(), cells);
  find_nearest(kernel, query, distances, indices);
  report.calculation = Clock::now() - start;
  report.cell_count = static_cast<std::size_t>(
      std::count_if(indices.begin(), indices.end(), [](std::int64_t index) { return index >= 0; }));

  const Clock::time_point writing = Clock::now();
  // float64 is written straight from the search's array; only float32 needs its own bytes.
  std::string narrowed;
  if (type != ValueType::float64) {
    narrowed.reserve(distances.size() * size_of(type));
    append_distances(narrowed, distances.data(), distances.size(), type);
  }
  const std::vector<std::size_t> dimensions{query.origins, k};
  const std::vector<ArrayMember> members{
      {"distances.npy", npy_header(npy_descr(type), dimensions),
       type == ValueType::float64 ? bytes_of(std::span<const double>(distances)) : std::string_view(narrowed)},
      {"indices.npy", npy_header("'<i8'", dimensions), bytes_of(std::span<const std::int64_t>(indices))}};
  write_array_members(output, members, std::max(query.workers, 1u));
  report.write = Clock::now() - writing;
  if (progress) progress(query.origins, query.origins);
  report.total = Clock::now() - start;
  return report;
}

MatrixReport search_within_pieces(const DistanceKernel& kernel, const NeighbourQuery& query, ValueType type,
                                  WithinPieces& pieces, const ProgressCallback& progress) {
  if (!query.within || query.origins > kernel.size() || query.first_candidate > kernel.size() ||
      query.first_origin > query.origins) {
    throw std::invalid_argument("--within's search needs a distance and origins and candidates among the kernel's "
                                "locations");
  }
  const Clock::time_point start = Clock::now();
  MatrixReport report;
  WorkerArena arena(std::max(query.workers, 1u));
  const std::unique_ptr<NeighbourSearch> index = neighbour_search_for(kernel, query, arena);
  const std::size_t origin_count = query.origins - query.first_origin;
  pieces.row_counts.reserve(pieces.row_counts.size() + origin_count);
  report.calculation += Clock::now() - start;

  WithinRows rows;
  std::vector<std::size_t> row_starts;  // in the window's pairs
  // Windows of origins in input order, each searched in groups of origins
  // near each other (both directions of each pair: every row whole).
  for (std::size_t first = query.first_origin; first < query.origins;) {
    const std::size_t last =
        std::min(query.origins, first + next_within_window(*index, query, first, report.cell_count, false));
    const Clock::time_point searching = Clock::now();
    search_within_rows(*index, query, first, last, false, arena, rows);
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

MatrixReport write_within_npz_from(const DistanceKernel& kernel, const NeighbourQuery& query, ValueType type,
                                   MatrixOutput& output, const ProgressCallback& progress, WithinPieces& pieces) {
  const Clock::time_point start = Clock::now();
  MatrixReport report = search_within_pieces(kernel, query, type, pieces, progress);
  std::vector<std::int64_t> indptr;
  indptr.reserve(pieces.row_counts.size() + 1);
  indptr.push_back(0);
  for (const std::int64_t count : pieces.row_counts) indptr.push_back(indptr.back() + count);
  pieces.row_counts = std::vector<std::int64_t>();

  const Clock::time_point assembling = Clock::now();
  const std::size_t pairs = report.cell_count;
  const std::size_t columns = kernel.size() - query.first_candidate;
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
    write_array_members(output, members, std::max(query.workers, 1u));
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
