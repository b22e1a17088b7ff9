#include "distance_matrix/queries/neighbours_npz.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "distance_matrix/output/zip_writer.hpp"
#include "distance_matrix/queries/nearest_arrays.hpp"
#include "distance_matrix/queries/neighbour_search.hpp"
#include "src/executors/worker_arena.hpp"
#include "src/output/spill_file.hpp"
#include "src/queries/within_pieces.hpp"
#include "src/queries/within_rows.hpp"

namespace dm {
namespace {

using Clock = std::chrono::steady_clock;

static_assert(std::endian::native == std::endian::little, "NPZ members are written by copying values as they are");

template <typename Value>
std::string_view bytes_of(const std::vector<Value>& values) {
  return {reinterpret_cast<const char*>(values.data()), values.size() * sizeof(Value)};
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

}  // namespace

MatrixReport write_nearest_npz(const DistanceKernel& kernel, const NeighbourQuery& query, ValueType type,
                               MatrixOutput& output, const ProgressCallback& progress) {
  if (!query.k) throw std::invalid_argument("write_nearest_npz needs k");
  const Clock::time_point start = Clock::now();
  MatrixReport report;
  const std::size_t k = *query.k;
  std::vector<double> distances(query.origins * k);
  std::vector<std::int64_t> indices(query.origins * k);
  find_nearest(kernel, query, distances, indices);
  report.calculation = Clock::now() - start;
  report.cell_count = static_cast<std::size_t>(
      std::count_if(indices.begin(), indices.end(), [](std::int64_t index) { return index >= 0; }));

  const Clock::time_point writing = Clock::now();
  std::string distance_bytes;
  distance_bytes.reserve(distances.size() * size_of(type));
  append_distances(distance_bytes, distances.data(), distances.size(), type);
  distances = std::vector<double>();
  ZipWriter zip(output);
  add_array(zip, "distances", npy_descr(type), {query.origins, k}, distance_bytes);
  add_array(zip, "indices", "'<i8'", {query.origins, k}, bytes_of(indices));
  zip.finish();
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
  std::vector<std::int64_t> indices;
  std::vector<double> distances;
  std::string bytes;
  // Windows of origins in input order, each searched in groups of origins
  // near each other (both directions of each pair: every row whole).
  for (std::size_t first = query.first_origin; first < query.origins;) {
    const std::size_t last =
        std::min(query.origins, first + next_within_window(*index, query, first, report.cell_count, false));
    const Clock::time_point searching = Clock::now();
    search_within_rows(*index, query, first, last, false, arena, rows);
    const Clock::time_point searched = Clock::now();
    report.calculation += searched - searching;
    indices.clear();
    distances.clear();
    for (const std::span<const Neighbour> row : rows.rows) {
      pieces.row_counts.push_back(static_cast<std::int64_t>(row.size()));
      for (const Neighbour& neighbour : row) {
        indices.push_back(static_cast<std::int64_t>(neighbour.index - query.first_candidate));
        distances.push_back(neighbour.distance);
      }
    }
    pieces.indices.append(bytes_of(indices));
    bytes.clear();
    append_distances(bytes, distances.data(), distances.size(), type);
    pieces.data.append(bytes);
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
  const Clock::time_point start = Clock::now();
  WithinPieces pieces(spill_folder);
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
  const std::vector<std::int64_t> shape{static_cast<std::int64_t>(rows), static_cast<std::int64_t>(columns)};
  add_array(zip, "shape", "'<i8'", {2}, bytes_of(shape));
  add_spilled("data", npy_descr(type), pieces.data);
  zip.finish();
  report.write += Clock::now() - assembling;
  report.total = Clock::now() - start;
  return report;
}

}  // namespace dm
