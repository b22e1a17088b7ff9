// The spatial-index options of issue 15, side by side on one thread: build
// time and the time to find every point's 10 nearest others (11 with
// itself) over the cities table, best of 5. Not part of the CMake build:
// bench/queries/index_options.sh installs S2 and nanoflann and compiles it
// against build/release/src/libdistance_matrix.a.
//
//   index_options [cities.csv]   (default ~/.cache/distance_matrix/bench-queries/cities.csv)
#include <nanoflann.hpp>
#include <s2/s2closest_point_query.h>
#include <s2/s2latlng.h>
#include <s2/s2point_index.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "distance_matrix/input/csv_reader.hpp"
#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/queries/nearest_arrays.hpp"
#include "distance_matrix/queries/neighbour_index.hpp"

namespace {

constexpr std::size_t k = 10;          // neighbours besides the point itself
constexpr std::size_t checked = 1000;  // points whose k-th distance is compared
constexpr int repeats = 5;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct Timing {
  double build = std::numeric_limits<double>::infinity();
  double query = std::numeric_limits<double>::infinity();
};

struct Cloud {
  std::vector<double> xyz;  // unit vectors, 3 per point
  [[nodiscard]] std::size_t kdtree_get_point_count() const { return xyz.size() / 3; }
  [[nodiscard]] double kdtree_get_pt(std::size_t i, std::size_t d) const { return xyz[3 * i + d]; }
  template <class Box>
  bool kdtree_get_bbox(Box&) const { return false; }
};

Cloud unit_vectors(const dm::LocationTable& table) {
  Cloud cloud;
  cloud.xyz.resize(3 * table.size());
  constexpr double rad = std::numbers::pi / 180.0;
  for (std::size_t i = 0; i < table.size(); ++i) {
    const double lat = table.latitude(i) * rad, lng = table.longitude(i) * rad;
    cloud.xyz[3 * i] = std::cos(lat) * std::cos(lng);
    cloud.xyz[3 * i + 1] = std::cos(lat) * std::sin(lng);
    cloud.xyz[3 * i + 2] = std::sin(lat);
  }
  return cloud;
}

double chord_to_angle(double chord) { return 2.0 * std::asin(std::min(1.0, chord / 2.0)); }

// The k-th (excluding self) angle of each checked point, radians.
using KthAngles = std::vector<double>;

std::size_t disagreements(const KthAngles& ours, const KthAngles& other) {
  std::size_t bad = 0;
  for (std::size_t i = 0; i < ours.size(); ++i) {
    if (std::abs(ours[i] - other[i]) > 1e-9 * std::max(ours[i], 1e-300) && std::abs(ours[i] - other[i]) > 1e-15) ++bad;
  }
  return bad;
}

template <std::size_t Leaf>
Timing run_nanoflann(const dm::LocationTable& table, KthAngles& kth) {
  using Tree = nanoflann::KDTreeSingleIndexAdaptor<nanoflann::L2_Simple_Adaptor<double, Cloud>, Cloud, 3, std::size_t>;
  Timing best;
  const std::size_t n = table.size();
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    const Cloud cloud = unit_vectors(table);
    const Tree tree(3, cloud, nanoflann::KDTreeSingleIndexAdaptorParams(Leaf));
    best.build = std::min(best.build, seconds_since(start));
    std::vector<std::size_t> idx(k + 1);
    std::vector<double> d2(k + 1);
    double sink = 0.0;
    start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t found = tree.knnSearch(&cloud.xyz[3 * i], k + 1, idx.data(), d2.data());
      sink += d2[found - 1];
      if (r == 0 && i < checked) kth[i] = chord_to_angle(std::sqrt(d2[found - 1]));
    }
    best.query = std::min(best.query, seconds_since(start));
    if (sink < 0) std::puts("");
  }
  return best;
}

Timing run_s2(const dm::LocationTable& table, KthAngles& kth) {
  Timing best;
  const std::size_t n = table.size();
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    std::vector<S2Point> points(n);
    S2PointIndex<int> index;
    for (std::size_t i = 0; i < n; ++i) {
      points[i] = S2LatLng::FromDegrees(table.latitude(i), table.longitude(i)).ToPoint();
      index.Add(points[i], static_cast<int>(i));
    }
    best.build = std::min(best.build, seconds_since(start));
    S2ClosestPointQuery<int> query(&index);
    query.mutable_options()->set_max_results(static_cast<int>(k + 1));
    std::vector<S2ClosestPointQuery<int>::Result> results;
    double sink = 0.0;
    start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < n; ++i) {
      S2ClosestPointQueryPointTarget target(points[i]);
      query.FindClosestPoints(&target, &results);
      sink += results.back().distance().length2();
      if (r == 0 && i < checked) kth[i] = results.back().distance().ToAngle().radians();
    }
    best.query = std::min(best.query, seconds_since(start));
    if (sink < 0) std::puts("");
  }
  return best;
}

Timing run_find_nearest(const dm::LocationTable& table, KthAngles& kth) {
  Timing best;
  const std::size_t n = table.size();
  std::vector<double> distances(n * k);
  std::vector<std::int64_t> indices(n * k);
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    const dm::DistanceKernel kernel(table);
    best.build = std::min(best.build, seconds_since(start));
    start = std::chrono::steady_clock::now();
    dm::find_nearest(kernel,
                     {.origins = n, .first_candidate = 0, .k = k, .within = std::nullopt,
                      .radius = dm::mean_earth_radius_km, .workers = 1},
                     distances, indices);
    best.query = std::min(best.query, seconds_since(start));
    if (r == 0) {
      for (std::size_t i = 0; i < checked; ++i) kth[i] = distances[i * k + k - 1] / dm::mean_earth_radius_km;
    }
  }
  return best;
}

Timing run_neighbour_index(const dm::LocationTable& table, KthAngles& kth) {
  Timing best;
  const std::size_t n = table.size();
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    const dm::DistanceKernel kernel(table);
    const dm::NeighbourIndex index(kernel, 0, n);
    best.build = std::min(best.build, seconds_since(start));
    std::vector<dm::Neighbour> found;
    dm::NeighbourSearchBuffers buffers;
    double sink = 0.0;
    start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < n; ++i) {
      index.nearest(i, k, found, buffers);
      sink += found.back().distance;
      if (r == 0 && i < checked) kth[i] = found.back().distance / dm::mean_earth_radius_km;
    }
    best.query = std::min(best.query, seconds_since(start));
    if (sink < 0) std::puts("");
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : std::string(std::getenv("HOME")) + "/.cache/distance_matrix/bench-queries/cities.csv";
  dm::CsvLocationReader reader = dm::CsvLocationReader::open(path);
  const dm::LocationTable table = dm::read_all(reader);
  const std::size_t n = table.size();
  std::printf("%zu points, k = %zu (+ itself), one thread, best of %d\n\n", n, k, repeats);

  struct Row {
    const char* name;
    std::function<Timing(const dm::LocationTable&, KthAngles&)> run;
  };
  const Row rows[] = {
      {"ours: find_nearest (kernel; index+query)", run_find_nearest},
      {"ours: NeighbourIndex::nearest per point", run_neighbour_index},
      {"nanoflann k-d tree, unit vectors, leaf 10", run_nanoflann<10>},
      {"nanoflann k-d tree, unit vectors, leaf 32", run_nanoflann<32>},
      {"S2PointIndex + S2ClosestPointQuery", run_s2},
  };
  std::printf("%-43s %8s %8s %8s %12s %s\n", "option", "build s", "query s", "total s", "queries/s", "k-th differs");
  KthAngles ours(checked);
  for (std::size_t r = 0; r < std::size(rows); ++r) {
    KthAngles kth(checked);
    const Timing t = rows[r].run(table, kth);
    if (r == 0) ours = kth;
    std::printf("%-43s %8.3f %8.3f %8.3f %12.0f %zu/%zu\n", rows[r].name, t.build, t.query, t.build + t.query,
                static_cast<double>(n) / t.query, disagreements(ours, kth), checked);
    std::fflush(stdout);
  }
}
