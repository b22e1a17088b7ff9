// The query writers with the kernel handed over (DistanceKernel&&): the same
// bytes as with it lent, and for the haversine the kernel's memory is gone
// by the time rows are written (the index searches its own copy); the
// geodesic search still reads it, so it stays until the writer returns.
#include <gtest/gtest.h>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/queries/neighbours_csv.hpp"
#include "distance_matrix/queries/neighbours_npz.hpp"
#include "support/random_locations.hpp"

namespace dm {
namespace {

enum class Writer { nearest_npz, within_npz, neighbours_csv };

/// The writer's bytes, the kernel lent or handed over; `sizes_seen` gets
/// the kernel's size at each progress call (rows being written).
std::string written(Writer writer, const LocationTable& table, const DistanceOptions& options,
                    const NeighbourQuery& query, bool hand_over, std::vector<std::size_t>& sizes_seen) {
  DistanceKernel kernel(table, options);
  const ProgressCallback progress = [&](std::size_t, std::size_t) { sizes_seen.push_back(kernel.size()); };
  MemoryMatrixOutput output;
  // `lent_or_handed` is a const lvalue or an rvalue: it picks the overload.
  const auto write = [&](auto&& lent_or_handed) {
    using Given = decltype(lent_or_handed);
    switch (writer) {
      case Writer::nearest_npz:
        write_nearest_npz(std::forward<Given>(lent_or_handed), query, ValueType::float64, output, progress);
        break;
      case Writer::within_npz:
        write_within_npz(std::forward<Given>(lent_or_handed), query, ValueType::float64, output, progress);
        break;
      case Writer::neighbours_csv:
        write_neighbours_csv(std::forward<Given>(lent_or_handed), table, query, output, progress);
        break;
    }
  };
  if (hand_over) {
    write(std::move(kernel));
  } else {
    write(std::as_const(kernel));
  }
  return output.bytes();
}

TEST(HandedOverKernel, SameBytesAndTheHaversineKernelIsFreedBeforeRowsAreWritten) {
  constexpr std::size_t count = 3000;
  const LocationTable table(testing::random_locations(count, 15));
  for (const Metric metric : {Metric::haversine, Metric::geodesic}) {
    const DistanceOptions options{.metric = metric};
    for (const Writer writer : {Writer::nearest_npz, Writer::within_npz, Writer::neighbours_csv}) {
      for (const unsigned workers : {1u, 2u}) {
        const bool nearest = writer != Writer::within_npz;
        const NeighbourQuery query{.origins = count, .first_candidate = 0,
                                   .k = nearest ? std::optional<std::size_t>(4) : std::nullopt,
                                   .within = nearest ? std::nullopt : std::optional<double>(300.0),
                                   .radius = mean_earth_radius_km, .workers = workers};
        const auto label = [&] {
          return "metric " + std::to_string(static_cast<int>(metric)) + " writer " +
                 std::to_string(static_cast<int>(writer)) + " workers " + std::to_string(workers);
        };
        std::vector<std::size_t> lent_sizes;
        std::vector<std::size_t> handed_sizes;
        const std::string lent = written(writer, table, options, query, false, lent_sizes);
        const std::string handed = written(writer, table, options, query, true, handed_sizes);
        ASSERT_FALSE(lent.empty()) << label();
        EXPECT_EQ(handed, lent) << label();
        ASSERT_FALSE(handed_sizes.empty()) << label();
        for (const std::size_t size : lent_sizes) EXPECT_EQ(size, count) << label();
        // The geodesic measures with the kernel: it must stay whole.
        const std::size_t expected = metric == Metric::geodesic ? count : 0;
        for (const std::size_t size : handed_sizes) EXPECT_EQ(size, expected) << label();
      }
    }
  }
}

}  // namespace
}  // namespace dm
