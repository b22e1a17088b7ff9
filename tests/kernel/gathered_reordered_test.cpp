// DistanceKernel::compute_gathered, compute_gathered_pairs and reordered()
// against distance(): the same doubles bit for bit, for every metric and
// kernel kind, on the query inputs (duplicates, poles, antimeridian,
// clusters); and the unit vectors of kernels copied, moved and grown.
#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <memory>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "support/query_inputs.hpp"

namespace dm {
namespace {

std::vector<DistanceOptions> every_metric_and_kernel() {
  std::vector<DistanceOptions> all;
  for (const Metric metric : {Metric::haversine, Metric::equirectangular, Metric::geodesic}) {
    for (const KernelKind kind : {KernelKind::simd, KernelKind::scalar}) {
      DistanceOptions options;
      options.metric = metric;
      options.kernel = kind;
      all.push_back(options);
    }
  }
  return all;
}

LocationTable table_of(const std::vector<Location>& locations) {
  LocationTable table;
  for (const Location& location : locations) table.push_back(location);
  return table;
}

TEST(ComputeGathered, GivesEachPairTheDoublesOfDistance) {
  std::mt19937_64 random(15);
  for (const testing::QueryInput& input : testing::query_inputs()) {
    for (const DistanceOptions& options : every_metric_and_kernel()) {
      const DistanceKernel kernel(table_of(input.locations), options);
      // Scattered, repeated, more than one batch of the vector run.
      std::vector<std::size_t> locations(150);
      std::uniform_int_distribution<std::size_t> any(0, kernel.size() - 1);
      for (std::size_t& location : locations) location = any(random);
      for (const std::size_t anchor : {std::size_t{0}, kernel.size() / 2, kernel.size() - 1}) {
        for (const std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{150}}) {
          std::vector<double> out(count, -1.0);
          kernel.compute_gathered(anchor, std::span(locations).first(count), out.data());
          for (std::size_t i = 0; i < count; ++i) {
            ASSERT_EQ(out[i], kernel.distance(anchor, locations[i]))
                << input.label << ", " << to_string(options.metric) << ' ' << to_string(options.kernel) << ", anchor "
                << anchor << ", location " << locations[i];
          }
        }
      }
    }
  }
}

TEST(ComputeGatheredPairs, GivesEachPairTheDoublesOfDistance) {
  std::mt19937_64 random(17);
  for (const testing::QueryInput& input : testing::query_inputs()) {
    for (const DistanceOptions& options : every_metric_and_kernel()) {
      const DistanceKernel kernel(table_of(input.locations), options);
      // Runs of one anchor (a group's queries) and anchors changing at every
      // pair, over more than one batch of the vector run.
      std::uniform_int_distribution<std::size_t> any(0, kernel.size() - 1);
      std::vector<std::size_t> anchors;
      std::vector<std::size_t> locations;
      for (std::size_t run = 0; run < 20; ++run) {
        const std::size_t anchor = any(random);
        for (std::size_t i = 0; i < run % 9; ++i) {
          anchors.push_back(anchor);
          locations.push_back(any(random));
        }
      }
      for (std::size_t i = 0; i < 90; ++i) {
        anchors.push_back(any(random));
        locations.push_back(any(random));
      }
      for (const std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{13}, anchors.size()}) {
        std::vector<double> out(count, -1.0);
        kernel.compute_gathered_pairs(std::span(anchors).first(count), std::span(locations).first(count), out.data());
        for (std::size_t i = 0; i < count; ++i) {
          ASSERT_EQ(out[i], kernel.distance(anchors[i], locations[i]))
              << input.label << ", " << to_string(options.metric) << ' ' << to_string(options.kernel) << ", anchor "
              << anchors[i] << ", location " << locations[i];
        }
      }
    }
  }
}

TEST(Reordered, LocationIIsLocationOrderIOfTheOriginal) {
  std::mt19937_64 random(16);
  for (const testing::QueryInput& input : testing::query_inputs()) {
    for (const DistanceOptions& options : every_metric_and_kernel()) {
      const DistanceKernel kernel(table_of(input.locations), options);
      std::vector<std::size_t> order(kernel.size());
      std::iota(order.begin(), order.end(), std::size_t{0});
      std::shuffle(order.begin(), order.end(), random);
      order.push_back(order.front());  // a location twice
      const DistanceKernel reordered = kernel.reordered(order);
      ASSERT_EQ(reordered.size(), order.size());
      std::vector<double> run(order.size());
      for (std::size_t i = 0; i < order.size(); i += 7) {
        reordered.compute_run(i, 0, order.size(), run.data());
        for (std::size_t j = 0; j < order.size(); ++j) {
          ASSERT_EQ(run[j], kernel.distance(order[i], order[j]))
              << input.label << ", " << to_string(options.metric) << ' ' << to_string(options.kernel);
        }
        EXPECT_EQ(reordered.unit_x()[i], kernel.unit_x()[order[i]]);
        EXPECT_EQ(reordered.unit_z()[i], kernel.unit_z()[order[i]]);
      }
    }
  }
}

// The haversine simd kernel's unit vectors are its metric's own terms (no
// copy beside them): a copy, a move and growth must each read their own.
TEST(UnitVectors, FollowTheKernelThroughCopiesMovesAndGrowth) {
  const std::vector<Location> locations = testing::query_inputs().front().locations;
  for (const DistanceOptions& options : every_metric_and_kernel()) {
    const DistanceKernel whole(table_of(locations), options);
    // Grown one location at a time, then the rest at once.
    DistanceKernel grown(options);
    std::vector<double> latitudes;
    std::vector<double> longitudes;
    for (std::size_t i = 0; i < locations.size(); ++i) {
      if (i < 3) {
        grown.add(locations[i].latitude, locations[i].longitude);
      } else {
        latitudes.push_back(locations[i].latitude);
        longitudes.push_back(locations[i].longitude);
      }
    }
    grown.add_all(latitudes, longitudes, 1);
    auto copy = std::make_unique<DistanceKernel>(grown);
    const DistanceKernel copied(*copy);
    DistanceKernel moved(std::move(*copy));
    copy.reset();  // the copy's columns are gone: `copied` and `moved` must not read them
    DistanceKernel assigned(options);
    assigned = copied;
    const std::array<const DistanceKernel*, 4> kernels{&grown, &copied, &moved, &assigned};
    for (const DistanceKernel* kernel : kernels) {
      ASSERT_EQ(kernel->size(), whole.size());
      for (std::size_t i = 0; i < whole.size(); ++i) {
        ASSERT_EQ(kernel->unit_x()[i], whole.unit_x()[i]) << to_string(options.metric) << ' ' << i;
        ASSERT_EQ(kernel->unit_y()[i], whole.unit_y()[i]) << to_string(options.metric) << ' ' << i;
        ASSERT_EQ(kernel->unit_z()[i], whole.unit_z()[i]) << to_string(options.metric) << ' ' << i;
        ASSERT_EQ(kernel->distance(0, i), whole.distance(0, i)) << to_string(options.metric) << ' ' << i;
      }
    }
  }
}

TEST(Reordered, RefusesALocationOutsideTheKernel) {
  const DistanceKernel kernel(table_of(testing::named({{0.0, 0.0}, {1.0, 1.0}})));
  const std::vector<std::size_t> order{0, 2};
  EXPECT_THROW(static_cast<void>(kernel.reordered(order)), std::invalid_argument);
}

}  // namespace
}  // namespace dm
