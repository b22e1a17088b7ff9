#include "distance_matrix/kernel/distance_kernel.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <utility>

#include "src/executors/fork_join_edges.hpp"
#include "src/executors/worker_arena.hpp"
#include "src/kernel/metric_strategy.hpp"
#include "src/kernel/metrics/degrees.hpp"
#include "src/kernel/simd_distance.hpp"

namespace dm {

DistanceKernel::DistanceKernel(DistanceOptions options)
    : options_(validate(options)), metric_(make_metric_strategy(options_)) {
  // The instruction set is detected on the first dispatched call; make that
  // call here, on the constructing thread, rather than first in the workers.
  if (options_.kernel == KernelKind::simd) static_cast<void>(simd::target_name());
  find_unit_columns();
}

namespace {

/// A location's unit vector, the terms every metric's spatial index and the
/// haversine simd kernel use.
std::array<double, 3> unit_vector_of(double latitude_degrees, double longitude_degrees) noexcept {
  const metrics::SinCos latitude = metrics::sincos_degrees(latitude_degrees);
  const metrics::SinCos longitude = metrics::sincos_degrees(longitude_degrees);
  return {latitude.cos * longitude.cos, latitude.cos * longitude.sin, latitude.sin};
}

/// Locations below this are prepared on the calling thread: waking the
/// workers costs more than their sines and cosines (about 40 ns each).
constexpr std::size_t parallel_preparation_from = 1 << 14;

}  // namespace

DistanceKernel::DistanceKernel(const LocationTable& locations, DistanceOptions options)
    : DistanceKernel(locations, options, 1) {}

DistanceKernel::DistanceKernel(const LocationTable& locations, DistanceOptions options, unsigned threads)
    : DistanceKernel(options) {
  add_all(locations.latitudes(), locations.longitudes(), threads);
}

DistanceKernel::DistanceKernel(const DistanceKernel& other)
    : options_(other.options_),
      size_(other.size_),
      metric_(other.metric_->clone()),
      unit_x_(other.unit_x_),
      unit_y_(other.unit_y_),
      unit_z_(other.unit_z_) {
  find_unit_columns();
}

DistanceKernel& DistanceKernel::operator=(const DistanceKernel& other) {
  if (this != &other) {
    metric_ = other.metric_->clone();
    options_ = other.options_;
    size_ = other.size_;
    unit_x_ = other.unit_x_;
    unit_y_ = other.unit_y_;
    unit_z_ = other.unit_z_;
    find_unit_columns();
  }
  return *this;
}

// A moved-from kernel holds no strategy: it may only be assigned to or destroyed.
DistanceKernel::DistanceKernel(DistanceKernel&& other) noexcept
    : options_(other.options_),
      size_(std::exchange(other.size_, 0)),
      metric_(std::move(other.metric_)),
      unit_x_(std::move(other.unit_x_)),
      unit_y_(std::move(other.unit_y_)),
      unit_z_(std::move(other.unit_z_)) {
  find_unit_columns();
}

DistanceKernel& DistanceKernel::operator=(DistanceKernel&& other) noexcept {
  options_ = other.options_;
  size_ = std::exchange(other.size_, 0);
  metric_ = std::move(other.metric_);
  unit_x_ = std::move(other.unit_x_);
  unit_y_ = std::move(other.unit_y_);
  unit_z_ = std::move(other.unit_z_);
  find_unit_columns();
  return *this;
}

DistanceKernel::~DistanceKernel() = default;

bool DistanceKernel::metric_keeps_unit_vectors() const noexcept {
  return metric_ != nullptr && metric_->unit_column(0) != nullptr;
}

void DistanceKernel::find_unit_columns() noexcept {
  if (metric_keeps_unit_vectors()) {
    for (std::size_t axis = 0; axis < 3; ++axis) unit_columns_[axis] = metric_->unit_column(axis);
  } else {
    unit_columns_[0] = unit_x_.data();
    unit_columns_[1] = unit_y_.data();
    unit_columns_[2] = unit_z_.data();
  }
}

void DistanceKernel::reserve(std::size_t count) {
  metric_->reserve(count);
  if (metric_keeps_unit_vectors()) return;
  for (UnzeroedLargeVector<double>* column : {&unit_x_, &unit_y_, &unit_z_}) column->reserve(count);
  find_unit_columns();
}

void DistanceKernel::add(double latitude_degrees, double longitude_degrees) {
  const std::array<double, 3> unit = unit_vector_of(latitude_degrees, longitude_degrees);
  metric_->add_with_unit_vector(latitude_degrees, longitude_degrees, unit);
  if (!metric_keeps_unit_vectors()) {
    unit_x_.push_back(unit[0]);
    unit_y_.push_back(unit[1]);
    unit_z_.push_back(unit[2]);
  }
  ++size_;
  find_unit_columns();
}

void DistanceKernel::add_all(std::span<const double> latitudes, std::span<const double> longitudes,
                             unsigned threads) {
  if (latitudes.size() != longitudes.size()) {
    throw std::invalid_argument("add_all needs as many latitudes as longitudes");
  }
  const std::size_t count = latitudes.size();
  reserve(size_ + count);
  const std::size_t first = size_;
  // Written in place: into the metric's own columns when its terms are the
  // unit vectors, else into the kernel's, from which the metric takes its terms after.
  const bool in_metric = metric_keeps_unit_vectors();
  std::array<double*, 3> into = in_metric ? metric_->unit_vector_room(count) : std::array<double*, 3>{};
  if (!in_metric) {
    for (UnzeroedLargeVector<double>* column : {&unit_x_, &unit_y_, &unit_z_}) column->resize(first + count);
    into = {unit_x_.data() + first, unit_y_.data() + first, unit_z_.data() + first};
  }
  auto prepare = [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const std::array<double, 3> unit = unit_vector_of(latitudes[i], longitudes[i]);
      into[0][i] = unit[0];
      into[1][i] = unit[1];
      into[2][i] = unit[2];
    }
  };
  if (threads > 1 && count >= parallel_preparation_from) {
    WorkerArena arena(threads);
    ForkJoinEdges edges;
    auto chunk = [&](const tbb::blocked_range<std::size_t>& range) { prepare(range.begin(), range.end()); };
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, count, parallel_preparation_from / 4), edges.around(chunk));
    });
    edges.joined();
  } else {
    prepare(0, count);
  }
  if (!in_metric) {
    // The metric's own terms in order, from the same unit vectors.
    metric_->add_all_with_unit_vectors(latitudes, longitudes,
                                       {std::span<const double>(into[0], count), std::span<const double>(into[1], count),
                                        std::span<const double>(into[2], count)});
  }
  size_ += count;
  find_unit_columns();
}

double DistanceKernel::distance(std::size_t origin, std::size_t destination) const noexcept {
  double result = 0.0;
  compute_run(destination, origin, origin + 1, &result);
  return result;
}

void DistanceKernel::compute(CellRange range, std::span<double> out) const noexcept {
  if (range.empty()) return;
  Pair pair = pair_at(range.first);
  double* cursor = out.data();
  std::size_t remaining = range.size();
  while (remaining > 0) {
    const std::size_t row_end = std::min(pair.destination, pair.origin + remaining);
    compute_run(pair.destination, pair.origin, row_end, cursor);
    cursor += row_end - pair.origin;
    remaining -= row_end - pair.origin;
    pair = {0, pair.destination + 1};
  }
}

void DistanceKernel::compute_run(std::size_t anchor, std::size_t first, std::size_t last,
                                 double* out) const noexcept {
  if (first >= last) return;
  metric_->run(anchor, first, last, out);
}

bool DistanceKernel::tally_run(std::size_t anchor, std::size_t first, std::size_t last, const TallyGrid& grid,
                               TallyLanes& row, const TallyOutput* out) const noexcept {
  if (first >= last) return true;
  return metric_->tally_run(anchor, first, last, grid, row, out);
}

void DistanceKernel::compute_gathered(std::size_t anchor, std::span<const std::size_t> locations,
                                      double* out) const noexcept {
  if (locations.empty()) return;
  metric_->run_gathered(anchor, locations.data(), locations.size(), out);
}

void DistanceKernel::compute_gathered_pairs(std::span<const std::size_t> anchors,
                                            std::span<const std::size_t> locations, double* out) const noexcept {
  if (locations.empty()) return;
  metric_->run_gathered_pairs(anchors.data(), locations.data(), locations.size(), out);
}

DistanceKernel DistanceKernel::reordered(std::span<const std::size_t> order, bool parallel) const {
  for (const std::size_t location : order) {
    if (location >= size_) throw std::invalid_argument("a reordered kernel's location is outside the kernel");
  }
  DistanceKernel result(options_);
  result.size_ = order.size();
  if (metric_keeps_unit_vectors()) {
    // The metric's terms are the unit vectors alone: gathered straight into
    // a fresh metric's columns, by rows on every thread.
    const std::array<double*, 3> into = result.metric_->unit_vector_room(order.size());
    auto gather = [&](std::size_t begin, std::size_t end) {
      for (std::size_t axis = 0; axis < 3; ++axis) {
        const double* const from = unit_columns_[axis];
        double* const to = into[axis];
        for (std::size_t i = begin; i < end; ++i) to[i] = from[order[i]];
      }
    };
    if (parallel) {
      ForkJoinEdges edges;
      auto chunk = [&](const tbb::blocked_range<std::size_t>& range) { gather(range.begin(), range.end()); };
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, order.size(), parallel_preparation_from / 4),
                        edges.around(chunk));
      edges.joined();
    } else {
      gather(0, order.size());
    }
    result.find_unit_columns();
    return result;
  }
  auto metric_terms = [&] { result.metric_ = metric_->reordered(order); };
  auto unit_vectors = [&] {
    for (auto [from, to] : {std::pair{&unit_x_, &result.unit_x_}, std::pair{&unit_y_, &result.unit_y_},
                            std::pair{&unit_z_, &result.unit_z_}}) {
      to->resize(order.size());
      for (std::size_t i = 0; i < order.size(); ++i) (*to)[i] = (*from)[order[i]];
    }
  };
  if (parallel) {
    ForkJoinEdges edges;
    tbb::parallel_invoke(edges.around(metric_terms), edges.around(unit_vectors));
    edges.joined();
  } else {
    metric_terms();
    unit_vectors();
  }
  result.find_unit_columns();
  return result;
}

std::string DistanceKernel::description() const { return metric_->describe(); }

std::string_view simd_target_name() noexcept { return simd::target_name(); }

std::string describe_kernel(KernelKind kernel) {
  if (kernel == KernelKind::scalar) return std::string(to_string(kernel));
  return std::string(to_string(kernel)) + ' ' + std::string(simd_target_name());
}

std::string describe_kernel(const DistanceOptions& options) { return make_metric_strategy(options)->describe(); }

}  // namespace dm
