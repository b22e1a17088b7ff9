#include "distance_matrix/queries/neighbours_csv.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_invoke.h>
#include <tbb/task_group.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "distance_matrix/output/csv_field_table.hpp"
#include "distance_matrix/queries/neighbour_search.hpp"
#include "src/executors/fork_join_edges.hpp"
#include "src/executors/in_order_text.hpp"
#include "src/executors/worker_arena.hpp"
#include "src/output/shortest_double.hpp"
#include "src/queries/nearest_rows.hpp"
#include "src/queries/within_rows.hpp"

namespace dm {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view ranked_header = "origin,destination,distance,rank\n";
constexpr std::string_view pairs_header = "origin,destination,distance\n";
/// --within's CSV is searched in at least this many windows where it has
/// workers and at least pipelined_from_pairs pairs are expected, so that
/// searching one overlaps writing the one before. (With few pairs there is
/// little to write, and smaller windows of origins spread over the sphere
/// make sparser groups: 1 M random points within 2 km, 12,531 pairs,
/// searched 0.30 s in one window, 0.35 s in eight.)
constexpr std::size_t pipelined_windows = 8;
constexpr std::size_t pipelined_from_pairs = std::size_t{1} << 18;

constexpr std::size_t origins_per_chunk = nearest_origins_per_task;

/// --nearest with --within: those beyond the distance are a tail (nearest first).
void within_only(const NeighbourQuery& query, std::vector<Neighbour>& out) {
  if (!query.within) return;
  const double within = *query.within;
  out.erase(std::find_if(out.begin(), out.end(), [within](const Neighbour& n) { return n.distance > within; }),
            out.end());
}

/// --within's neighbours of `origin`, in the order written.
void within_of(const NeighbourSearch& index, const NeighbourQuery& query, std::size_t origin,
               std::vector<Neighbour>& out, NeighbourSearchBuffers& buffers) {
  // Over one table, each unordered pair once: from its earlier location.
  index.within(origin, *query.within, query.radius, out, buffers, query.first_candidate == 0 ? origin + 1 : 0);
}

/// A chunk's working memory, one per thread, reused from chunk to chunk.
struct ChunkBuffers {
  NearestGroupBuffers group;
  std::vector<Neighbour> neighbours;  ///< the row being written
  std::vector<std::size_t> origins;
};

/// The rows of origins [first, last) into `out`; returns how many.
std::size_t encode_chunk(const NeighbourSearch& index, const NeighbourQuery& query,
                         const CsvFieldTable& fields, std::size_t first, std::size_t last,
                         std::string& out, ChunkBuffers& mine) {
  std::size_t rows = 0;
  std::vector<Neighbour>& neighbours = mine.neighbours;
  NeighbourSearchBuffers& buffers = mine.group.search;
  char number[shortest_double_room];
  // --nearest: the chunk's origins searched together (nearest_group:
  // neighbouring origins of the input share a walk of the tree).
  std::vector<Neighbour>& group_rows = mine.group.rows;
  std::vector<std::size_t>& row_ends = mine.group.row_ends;
  if (query.k) {
    std::vector<std::size_t>& origins = mine.origins;
    origins.resize(last - first);
    for (std::size_t origin = first; origin < last; ++origin) origins[origin - first] = origin;
    index.nearest_group(origins, *query.k, group_rows, row_ends, buffers);
  }
  for (std::size_t origin = first; origin < last; ++origin) {
    if (query.k) {
      const std::size_t row_begin = origin == first ? 0 : row_ends[origin - first - 1];
      neighbours.assign(group_rows.begin() + static_cast<std::ptrdiff_t>(row_begin),
                        group_rows.begin() + static_cast<std::ptrdiff_t>(row_ends[origin - first]));
      within_only(query, neighbours);
    } else {
      within_of(index, query, origin, neighbours, buffers);
    }
    for (std::size_t rank = 0; rank < neighbours.size(); ++rank) {
      out += fields[origin];
      out += ',';
      out += fields[neighbours[rank].index];
      out += ',';
      out.append(number, write_shortest(number, neighbours[rank].distance));
      if (query.k) {
        out += ',';
        out.append(number, std::to_chars(number, number + sizeof number, rank + 1).ptr);
      }
      out += '\n';
    }
    rows += neighbours.size();
  }
  return rows;
}

/// The lines "origin,neighbour,distance" of one --within row appended to
/// `out`: room for the whole row made once, then each line copied in
/// place, instead of five appends (each checking for room) per line.
void append_within_row(std::string& out, std::size_t origin, std::span<const Neighbour> row,
                       const CsvFieldTable& fields) {
  if (row.empty()) return;
  // Each line's room past its names (the separators and a number's
  // shortest_double_room) also holds what put() writes past a name's end.
  static_assert(shortest_double_room + 2 >= CsvFieldTable::padding);
  std::size_t room = row.size() * (fields.field_size(origin) + 3 + shortest_double_room);
  for (const Neighbour& neighbour : row) room += fields.field_size(neighbour.index);
  const std::size_t used = out.size();
  out.resize(used + room);
  char* const start = out.data() + used;
  char* at = start;
  for (const Neighbour& neighbour : row) {
    at = fields.put(at, origin);
    *at++ = ',';
    at = fields.put(at, neighbour.index);
    *at++ = ',';
    at = write_shortest(at, neighbour.distance);
    *at++ = '\n';
  }
  out.resize(used + static_cast<std::size_t>(at - start));
}

/// --within alone: windows of origins in input order, each searched in
/// groups of origins near each other (search_within_rows), then its rows
/// encoded in tasks of origins and written in input order while the next
/// window is searched. Over one table each unordered pair once, from its
/// earlier location.
void write_within_csv(const NeighbourSearch& index, const NeighbourQuery& query,
                      const CsvFieldTable& fields, MatrixOutput& output, WorkerArena& arena,
                      const ProgressCallback& progress, MatrixReport& report) {
  const std::size_t origin_count = query.origins - query.first_origin;
  const unsigned workers = std::max(query.workers, 1u);
  const bool later_only = query.first_candidate == 0;
  // With workers, at least pipelined_windows windows: each one's search
  // overlaps the encoding and writing of the one before (the write calls'
  // copy into the page cache is a third of the run: the cities' 42.6 MB).
  // From a sample of the origins' rows; after the first window, from the rows so far.
  const double first_pairs_per_origin =
      origin_count > 0 ? within_pairs_per_origin(index, query, query.first_origin, 0, later_only) : 0.0;
  const auto pairs_per_origin = [&](std::size_t first) {
    return first == query.first_origin ? first_pairs_per_origin
                                       : within_pairs_per_origin(index, query, first, report.cell_count, later_only);
  };
  const bool pipelined = workers > 1 && expected_within_pairs(first_pairs_per_origin, origin_count) >= pipelined_from_pairs;
  const std::size_t most_origins =
      pipelined ? std::max<std::size_t>(1, (origin_count + pipelined_windows - 1) / pipelined_windows) : origin_count;
  // A window's end and the pairs expected in it, estimated on the calling
  // thread: the next window's search runs beside the code that counts the pairs.
  struct Window {
    std::size_t last;
    std::size_t expected_pairs;
  };
  auto window_from = [&](std::size_t first) -> Window {
    if (first >= query.origins) return {first, 0};
    const double per_origin = pairs_per_origin(first);
    std::size_t origins = within_window_origins(per_origin);
    // Two windows' rows live at once when pipelined: each half as large,
    // so the memory of the rows stays what one window alone would hold.
    if (pipelined) origins = std::max<std::size_t>(1, origins / 2);
    const std::size_t last = std::min(query.origins, first + std::min(origins, most_origins));
    return {last, expected_within_pairs(per_origin, last - first)};
  };
  WithinRows rows[2];
  InOrderTextBuffers texts;
  auto search = [&](std::size_t first, const Window& window, WithinRows& into) {
    search_within_rows(index, query, first, window.last, later_only, window.expected_pairs, arena, into);
  };
  std::size_t first = query.first_origin;
  const Window first_window = window_from(first);
  std::size_t last = first_window.last;
  if (first < last) {
    const Clock::time_point searching = Clock::now();
    search(first, first_window, rows[0]);
    report.calculation += Clock::now() - searching;
    report.cell_count += rows[0].pairs;
  }
  for (std::size_t window = 0; first < query.origins; ++window) {
    const WithinRows& current = rows[window % 2];
    WithinRows& following = rows[(window + 1) % 2];
    const std::size_t next_first = last;
    const Window next_window = window_from(next_first);
    const std::size_t next_last = next_window.last;
    // The next window searched on the arena meanwhile.
    tbb::task_group searching;
    std::optional<ForkJoinEdges> edges;
    auto search_next = [&] { search(next_first, next_window, following); };
    if (workers > 1 && next_first < next_last) {
      edges.emplace();
      arena.execute([&] { searching.run(edges->around(search_next)); });
    }
    auto join_search = [&] {
      if (!edges) return;
      arena.execute([&] { searching.wait(); });
      edges->joined();
    };
    // Encoded a chunk of origins at a time into strings that are reused, so
    // the text in memory stays a few megabytes whatever the window.
    const std::size_t chunk_count = (last - first + origins_per_chunk - 1) / origins_per_chunk;
    auto encode = [&](std::size_t chunk, std::string& out) -> std::size_t {
      const std::size_t begin = chunk * origins_per_chunk;
      for (std::size_t row = begin; row < std::min(begin + origins_per_chunk, last - first); ++row) {
        append_within_row(out, first + row, current.rows[row], fields);
      }
      return 0;  // the pairs are counted by the search
    };
    InOrderTextReport written;
    try {
      written = encode_in_order(chunk_count, workers, arena, output, encode, [](std::size_t) {}, &texts);
    } catch (...) {
      join_search();  // the search beside must end before its rows go
      throw;
    }
    const Clock::time_point waiting = Clock::now();
    if (edges) {
      join_search();
    } else if (next_first < next_last) {
      search_next();
    }
    report.calculation += written.total - written.write + (Clock::now() - waiting);
    report.write += written.write;
    if (next_first < next_last) report.cell_count += following.pairs;
    first = next_first;
    last = next_last;
    if (progress) progress(first - query.first_origin, origin_count);
  }
}

/// write_neighbours_csv, the kernel lent (`handed_over` null) or handed over.
MatrixReport neighbours_csv(const DistanceKernel& kernel, DistanceKernel* handed_over, const LocationTable& locations,
                            const NeighbourQuery& query, MatrixOutput& output, const ProgressCallback& progress) {
  if (locations.size() != kernel.size() || query.origins > kernel.size() || query.first_candidate > kernel.size() ||
      query.first_origin > query.origins) {
    throw std::invalid_argument("the neighbour query is outside the kernel's locations");
  }
  if (!query.k && !query.within) throw std::invalid_argument("a neighbour query needs k, a distance or both");
  const Clock::time_point start = Clock::now();
  MatrixReport report;
  const unsigned workers = std::max(query.workers, 1u);
  WorkerArena arena(workers);
  std::unique_ptr<NeighbourSearch> search;
  CsvFieldTable fields;
  auto quote_fields = [&] { fields.add(locations); };
  if (workers == 1) {
    search = neighbour_search_for(kernel, query, arena);
    quote_fields();
  } else {
    // The tree (itself on the arena's threads) and the names at once.
    auto build = [&] { search = neighbour_search_for(kernel, query, arena); };
    ForkJoinEdges edges;
    arena.execute([&] { tbb::parallel_invoke(edges.around(build), edges.around(quote_fields)); });
    edges.joined();
  }
  const NeighbourSearch& index = *search;
  release_handed_over(index, handed_over);  // `kernel` may be empty from here on
  report.calculation += Clock::now() - start;

  if (query.with_header) output.append(query.k ? ranked_header : pairs_header);
  if (!query.k) {
    write_within_csv(index, query, fields, output, arena, progress, report);
    report.total = Clock::now() - start;
    return report;
  }
  const std::size_t origin_count = query.origins - query.first_origin;
  const std::size_t chunk_count = (origin_count + origins_per_chunk - 1) / origins_per_chunk;
  tbb::enumerable_thread_specific<ChunkBuffers> chunk_buffers;
  auto encode = [&](std::size_t chunk, std::string& bytes) {
    const std::size_t first = query.first_origin + chunk * origins_per_chunk;
    return encode_chunk(index, query, fields, first, std::min(query.origins, first + origins_per_chunk), bytes,
                        chunk_buffers.local());
  };
  auto written = [&](std::size_t chunk) {
    if (progress) progress(std::min(origin_count, (chunk + 1) * origins_per_chunk), origin_count);
  };
  const InOrderTextReport encoded = encode_in_order(chunk_count, workers, arena, output, encode, written);
  report.cell_count += encoded.rows;
  report.calculation += encoded.total - encoded.write;
  report.write += encoded.write;
  report.total = Clock::now() - start;
  return report;
}

}  // namespace

MatrixReport write_neighbours_csv(const DistanceKernel& kernel, const LocationTable& locations,
                                  const NeighbourQuery& query, MatrixOutput& output,
                                  const ProgressCallback& progress) {
  return neighbours_csv(kernel, nullptr, locations, query, output, progress);
}

MatrixReport write_neighbours_csv(DistanceKernel&& kernel, const LocationTable& locations,
                                  const NeighbourQuery& query, MatrixOutput& output,
                                  const ProgressCallback& progress) {
  return neighbours_csv(kernel, &kernel, locations, query, output, progress);
}

}  // namespace dm
