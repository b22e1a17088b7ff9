#include "distance_matrix/queries/summary_sweep.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>

#include <tbb/task_group.h>

#include "distance_matrix/kernel/distance_tally.hpp"
#include "src/executors/fork_join_edges.hpp"
#include "src/executors/worker_arena.hpp"
#include "src/kernel/simd_distance.hpp"

namespace dm {
namespace {

/// Origins a task takes at once: their row tallies (TallyLanes, 1 KiB
/// each) stay in the core's cache while a tile of columns is swept for
/// each of them.
constexpr std::size_t anchors_per_task = 64;
/// Columns swept for every origin of a task before the next. A square's
/// tile of distances, grid steps and squares (anchors_per_task rows, 216
/// KiB) is kept for its column totals, added a vector of columns at a time
/// over all the tile's anchors in registers (simd::tally_triangle_columns);
/// it stays in the core's second-level cache. Measured on 171k cities
/// (AVX-512): 128 and 256 columns alike, 1024 slower.
constexpr std::size_t columns_per_tile = 128;
/// A tile's row of distances, padded for the vector tails.
constexpr std::size_t tile_stride = columns_per_tile + simd::input_padding;
/// Row lanes are moved into exact totals before they can hold more than
/// TallyLanes::lane_capacity distances (one lane may get a whole tile).
constexpr std::size_t tiles_per_fold = TallyLanes::lane_capacity / columns_per_tile;

/// One worker's column totals: seven arrays (four of doubles, three of
/// integers), one value per location, padded by a vector's lanes (a run's
/// tail reads and rewrites whole vectors). Also its own exact totals, once
/// a column could overflow.
class WorkerColumns {
 public:
  explicit WorkerColumns(std::size_t count)
      : count_(count), stride_(count + simd::input_padding), extremes_(4 * stride_), sums_(3 * stride_) {
    double* base = extremes_.data();
    std::uint64_t* sums = sums_.data();
    view_ = ColumnTallies{base, base + stride_, base + 2 * stride_, base + 3 * stride_,
                          sums, sums + stride_, sums + 2 * stride_};
    for (std::size_t column = 0; column < stride_; ++column) clear_column(view_, column);
  }

  [[nodiscard]] const ColumnTallies& view() const noexcept { return view_; }

  /// Call before a task's `origins`: moves the column totals into exact
  /// ones before any column could exceed TallyLanes::lane_capacity distances
  /// (one per origin at most).
  void before_origins(std::size_t origins) {
    if (origins_since_fold_ + origins > TallyLanes::lane_capacity) fold();
    origins_since_fold_ += origins;
  }

  /// Adds column `column`'s totals (double and exact) to `total`.
  void add_to(ExactTally& total, std::size_t column) const noexcept {
    total.add(view_, column);
    if (!folded_.empty()) total.add(folded_[column]);
  }

 private:
  void fold() {
    if (folded_.empty()) folded_.resize(count_);
    for (std::size_t column = 0; column < count_; ++column) {
      folded_[column].add(view_, column);
      clear_column(view_, column);
    }
    origins_since_fold_ = 0;
  }

  std::size_t count_;
  std::size_t stride_;
  std::vector<double> extremes_;
  std::vector<std::uint64_t> sums_;
  ColumnTallies view_;
  std::vector<ExactTally> folded_;
  std::size_t origins_since_fold_ = 0;
};

/// A square's tile of distances with their grid steps and squares, kept
/// for its columns: anchors_per_task rows of tile_stride entries each.
class TileOutput {
 public:
  TileOutput() : distances_(size), steps_(size), squares_(size) {}

  /// Where anchor row `row` writes, from the tile's column `column` on.
  [[nodiscard]] TallyOutput at(std::size_t row, std::size_t column) noexcept {
    const std::size_t offset = row * tile_stride + column;
    return {distances_.data() + offset, steps_.data() + offset, squares_.data() + offset};
  }

 private:
  static constexpr std::size_t size = anchors_per_task * tile_stride;
  std::vector<double> distances_;
  std::vector<std::uint64_t> steps_;
  std::vector<std::uint64_t> squares_;
};

/// Distances of `anchor` to locations [first, last) into `row` and, unless
/// `out` is null, into out's arrays (padded by simd::input_padding).
void tally_span(const DistanceKernel& kernel, std::size_t anchor, std::size_t first, std::size_t last,
                const TallyGrid& grid, TallyLanes& row, const TallyOutput* out, std::vector<double>& scratch) {
  if (first >= last) return;
  if (kernel.tally_run(anchor, first, last, grid, row, out)) return;
  double* values = out != nullptr ? out->distances : nullptr;
  if (values == nullptr) {
    scratch.resize(std::max(scratch.size(), last - first));
    values = scratch.data();
  }
  kernel.compute_run(anchor, first, last, values);
  tally_values(values, last - first, first, grid, row, 0, nullptr);
  if (out == nullptr) return;
  for (std::size_t offset = 0; offset < last - first; ++offset) {
    const auto q = static_cast<std::uint64_t>(grid_steps(values[offset], grid));
    out->steps[offset] = q;
    out->squares[offset] = q * q;  // q < 2^32
  }
}

RowSummary summary_of(const ExactTally& total, std::size_t count, std::size_t first_column, const TallyGrid& grid) {
  RowSummary summary;
  summary.count = count;
  if (count == 0) return summary;
  summary.min = total.min;
  summary.nearest = static_cast<std::size_t>(total.nearest) - first_column;
  summary.max = total.max;
  summary.farthest = static_cast<std::size_t>(total.farthest) - first_column;
  summary.mean = total.mean(count, grid);
  summary.sd = total.standard_deviation(count, grid);
  return summary;
}

}  // namespace

std::vector<RowSummary> summarize_rows(const DistanceKernel& kernel, const MatrixShape& shape, unsigned workers,
                                       const SummaryProgress& progress) {
  const bool square = shape.layout() == Layout::square;
  if (!square && shape.layout() != Layout::rectangle) {
    throw std::invalid_argument("a summary reduces the rows of a square or a rectangle");
  }
  if (shape.location_count() != kernel.size()) {
    throw std::invalid_argument("the summary's shape is over another number of locations");
  }
  const std::size_t origins = shape.rows();
  const std::size_t locations = kernel.size();
  const std::size_t first_column = square ? 0 : origins;  // destinations are locations [first_column, locations)
  const TallyGrid grid = TallyGrid::for_largest(largest_distance(kernel.options()));

  std::vector<ExactTally> row_totals(origins);
  const std::size_t tasks = (origins + anchors_per_task - 1) / anchors_per_task;
  std::atomic<std::size_t> next_task{0};
  std::mutex progress_mutex;
  std::size_t origins_done = 0;
  workers = std::max(1u, std::min<unsigned>(workers, static_cast<unsigned>(std::max<std::size_t>(tasks, 1))));
  std::vector<std::unique_ptr<WorkerColumns>> worker_columns(square ? workers : 0);

  // Each worker takes tasks in increasing order, so every column sees its
  // origins in increasing order (the strict comparisons keep the lowest).
  auto work = [&](unsigned worker) {
    WorkerColumns* columns = nullptr;
    if (square) {
      worker_columns[worker] = std::make_unique<WorkerColumns>(locations);
      columns = worker_columns[worker].get();
    }
    std::vector<TallyLanes> rows(anchors_per_task);
    std::vector<double> scratch;
    std::unique_ptr<TileOutput> tile_output = square ? std::make_unique<TileOutput>() : nullptr;
    for (std::size_t task = next_task++; task < tasks; task = next_task++) {
      const std::size_t first_anchor = task * anchors_per_task;
      const std::size_t last_anchor = std::min(origins, first_anchor + anchors_per_task);
      for (TallyLanes& lanes : rows) lanes.clear();
      if (columns != nullptr) columns->before_origins(last_anchor - first_anchor);
      // A square's triangle: origin a against locations after it; a
      // rectangle: every origin against every destination.
      const std::size_t sweep_start = square ? first_anchor + 1 : first_column;
      std::size_t tiles = 0;
      for (std::size_t tile = sweep_start; tile < locations; tile += columns_per_tile) {
        const std::size_t tile_end = std::min(locations, tile + columns_per_tile);
        for (std::size_t anchor = first_anchor; anchor < last_anchor; ++anchor) {
          const std::size_t from = square ? std::max(tile, anchor + 1) : tile;
          if (from >= tile_end) continue;
          if (tile_output != nullptr) {
            const TallyOutput out = tile_output->at(anchor - first_anchor, from - tile);
            tally_span(kernel, anchor, from, tile_end, grid, rows[anchor - first_anchor], &out, scratch);
          } else {
            tally_span(kernel, anchor, from, tile_end, grid, rows[anchor - first_anchor], nullptr, scratch);
          }
        }
        if (columns != nullptr) {
          simd::tally_triangle_columns(tile_output->at(0, 0), tile_stride, first_anchor, last_anchor, tile, tile_end,
                                       columns->view());
        }
        if (++tiles == tiles_per_fold) {
          tiles = 0;
          for (std::size_t anchor = first_anchor; anchor < last_anchor; ++anchor) {
            row_totals[anchor].add(rows[anchor - first_anchor]);
            rows[anchor - first_anchor].clear();
          }
        }
      }
      for (std::size_t anchor = first_anchor; anchor < last_anchor; ++anchor) {
        row_totals[anchor].add(rows[anchor - first_anchor]);
      }
      if (progress) {
        const std::lock_guard lock(progress_mutex);
        origins_done += last_anchor - first_anchor;
        progress(origins_done, origins);
      }
    }
  };

  if (workers == 1) {
    work(0);
  } else {
    WorkerArena arena(workers);
    ForkJoinEdges edges;
    auto task = edges.around(work);
    arena.execute([&] {
      tbb::task_group group;
      for (unsigned worker = 0; worker < workers; ++worker) group.run([&task, worker] { task(worker); });
      group.wait();
    });
    edges.joined();
  }

  const std::size_t count = square ? (locations > 0 ? locations - 1 : 0) : locations - origins;
  std::vector<RowSummary> summaries(origins);
  for (std::size_t origin = 0; origin < origins; ++origin) {
    ExactTally total = row_totals[origin];
    for (const std::unique_ptr<WorkerColumns>& columns : worker_columns) columns->add_to(total, origin);
    summaries[origin] = summary_of(total, count, first_column, grid);
  }
  return summaries;
}

}  // namespace dm
