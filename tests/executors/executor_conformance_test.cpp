// What every strategy promises, checked once for each kind through the
// factories a caller uses (make_executor, make_runner) instead of once per
// executor file: each cell holds the distance of its own pair, bit for bit
// the kernel's value for those two locations and within the accuracy
// contract (1e-9 km) of an exact great circle (MPFR, 160 bits); nothing is
// written outside the requested range; every shape and format comes out
// whole. The expected cells are found by walking the documented orders by
// hand (nested loops), not by the library's index arithmetic, and never by
// asking another executor.
#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "distance_matrix/executors/executor.hpp"
#include "distance_matrix/output/matrix_format.hpp"
#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/run/compute_and_write.hpp"
#include "distance_matrix/run/make_runner.hpp"
#include "support/executor_checks.hpp"
#include "support/great_circle_reference.hpp"
#include "support/random_locations.hpp"

namespace dm {
namespace {

using testing::computed_distances;
using testing::GreatCircleReference;
using testing::ranges_of;

/// docs/accuracy.md: every haversine distance within one micrometre of the exact one.
constexpr double contract_km = 1e-9;

/// `count` random locations (poles and antimeridian included) named p0, p1, ...
std::vector<Location> plain_locations(std::size_t count, std::uint64_t seed) {
  std::vector<Location> locations = testing::random_locations(count, seed);
  for (std::size_t index = 0; index < locations.size(); ++index) locations[index].name = "p" + std::to_string(index);
  return locations;
}

/// The kernel's distance of two locations, once checked against the exact
/// great circle: the value a cell of that pair must hold.
class ReferenceDistances {
 public:
  explicit ReferenceDistances(const std::vector<Location>& locations)
      : locations_(locations), kernel_(LocationTable(locations)) {}

  [[nodiscard]] const DistanceKernel& kernel() const noexcept { return kernel_; }

  double operator()(std::size_t a, std::size_t b) {
    const std::pair<std::size_t, std::size_t> key{std::min(a, b), std::max(a, b)};
    if (const auto known = checked_.find(key); known != checked_.end()) return known->second;
    const double value = kernel_.distance(a, b);
    const Location& from = locations_[a];
    const Location& to = locations_[b];
    const double error = GreatCircleReference::error(
        value, exact_.distance(from.latitude, from.longitude, to.latitude, to.longitude, mean_earth_radius_km));
    EXPECT_LE(std::abs(error), contract_km) << "pair " << a << ", " << b;
    checked_.emplace(key, value);
    return value;
  }

  /// The original tool's pairs order, walked by hand: for j = 1 … n-1, for i < j.
  std::vector<double> in_pairs_order() {
    std::vector<double> cells;
    for (std::size_t j = 1; j < locations_.size(); ++j)
      for (std::size_t i = 0; i < j; ++i) cells.push_back((*this)(i, j));
    return cells;
  }

 private:
  std::vector<Location> locations_;
  DistanceKernel kernel_;
  GreatCircleReference exact_;
  std::map<std::pair<std::size_t, std::size_t>, double> checked_;
};

std::vector<double> slice(const std::vector<double>& all, CellRange range) {
  return {all.begin() + static_cast<std::ptrdiff_t>(range.first),
          all.begin() + static_cast<std::ptrdiff_t>(range.last)};
}

template <typename Kind>
std::string kind_name(const ::testing::TestParamInfo<Kind>& info) {
  return std::string(to_string(info.param));
}

class ExecutorConformance : public ::testing::TestWithParam<ExecutorKind> {};

TEST_P(ExecutorConformance, FillsEachCellOfEveryRangeWithItsPairsDistance) {
  const ExecutorKind kind = GetParam();
  for (const std::size_t location_count : {0, 1, 2, 3, 50, 300}) {
    ReferenceDistances reference(plain_locations(location_count, 2024));
    const std::vector<double> all = reference.in_pairs_order();
    ASSERT_EQ(all.size(), location_count < 2 ? 0 : location_count * (location_count - 1) / 2);
    for (const CellRange range : ranges_of(reference.kernel())) {
      const std::vector<double> expected = slice(all, range);
      for (const std::size_t chunk_size : {std::size_t{1}, std::size_t{7}, std::size_t{0}, range.size() + 10}) {
        // A thread per pair is the workshop's slow lesson: only on small ranges.
        if (kind == ExecutorKind::threads && chunk_size <= 1 && range.size() > 2000) continue;
        for (const unsigned workers : {1u, 2u, 5u}) {
          SCOPED_TRACE(std::to_string(location_count) + " locations, cells [" + std::to_string(range.first) + ", " +
                       std::to_string(range.last) + "), chunk " + std::to_string(chunk_size) + ", " +
                       std::to_string(workers) + " workers");
          const std::unique_ptr<Executor> executor = make_executor(kind, {workers, chunk_size});
          EXPECT_EQ(computed_distances(*executor, reference.kernel(), range), expected);
        }
      }
    }
  }
}

TEST_P(ExecutorConformance, KeepsEachCellAcrossTheWindowsOfARun) {
  ReferenceDistances reference(plain_locations(40, 3));  // 780 pairs
  const std::vector<double> all = reference.in_pairs_order();
  const std::unique_ptr<Executor> executor = make_executor(GetParam(), {2, 5});
  const ExecutorRun run(*executor, reference.kernel());
  for (const CellRange window : {CellRange{0, 97}, CellRange{97, 194}, CellRange{194, 780}, CellRange{780, 780}}) {
    EXPECT_EQ(computed_distances(*executor, reference.kernel(), window), slice(all, window))
        << "window [" << window.first << ", " << window.last << ")";
  }
}

TEST_P(ExecutorConformance, FillsTheWindowMemoryOfARunInPlace) {
  ReferenceDistances reference(plain_locations(40, 4));  // 780 pairs
  const std::vector<double> all = reference.in_pairs_order();
  const std::unique_ptr<Executor> executor = make_executor(GetParam(), {2, 5});
  const ExecutorRun run(*executor, reference.kernel());
  // As BatchRunner does: the executor's window memory if it has some
  // (processes: its shared mapping), else memory of the caller's own, and
  // each window at its start, the last one shorter.
  std::vector<double> own;
  std::span<double> memory = executor->window_memory(300);
  EXPECT_TRUE(memory.empty() || memory.size() == 300u) << "window memory of exactly the cells asked for, or none";
  if (memory.empty()) {
    own.resize(300);
    memory = own;
  }
  for (const CellRange window : {CellRange{0, 300}, CellRange{300, 600}, CellRange{600, 780}}) {
    const std::span<double> out = memory.first(window.size());
    std::fill(out.begin(), out.end(), -1.0);
    executor->compute(reference.kernel(), window, out);
    EXPECT_EQ(std::vector<double>(out.begin(), out.end()), slice(all, window))
        << "window [" << window.first << ", " << window.last << ")";
  }
}

TEST_P(ExecutorConformance, ReportsItsKindAndTheWorkersAsked) {
  const ExecutorKind kind = GetParam();
  const std::unique_ptr<Executor> executor = make_executor(kind, {3, 16});
  ASSERT_NE(executor, nullptr);
  EXPECT_EQ(executor->kind(), kind);
  // The sequential baseline is one loop on the caller's thread, whatever was asked.
  EXPECT_EQ(executor->workers(), kind == ExecutorKind::sequential ? 1u : 3u);
}

INSTANTIATE_TEST_SUITE_P(EveryKind, ExecutorConformance, ::testing::ValuesIn(all_executor_kinds),
                         kind_name<ExecutorKind>);

/// An NPY 1.0 file: the header's text (after the 10-byte preamble) and the values.
struct NpyFile {
  std::string header;
  std::string data;
};

NpyFile split_npy(const std::string& bytes) {
  NpyFile file;
  if (bytes.size() < 10 || bytes.compare(0, 8, std::string("\x93NUMPY\x01\x00", 8)) != 0) {
    ADD_FAILURE() << "not an NPY 1.0 file";
    return file;
  }
  const std::size_t header_length =
      static_cast<unsigned char>(bytes[8]) + 256u * static_cast<unsigned char>(bytes[9]);
  file.header = bytes.substr(10, header_length);
  file.data = bytes.substr(10 + header_length);
  return file;
}

/// Little-endian values of type Value (the machine's order: x86-64), widened to double.
template <typename Value>
std::vector<double> values_of(const std::string& data) {
  EXPECT_EQ(data.size() % sizeof(Value), 0u);
  std::vector<double> values(data.size() / sizeof(Value));
  for (std::size_t index = 0; index < values.size(); ++index) {
    Value value;
    std::memcpy(&value, data.data() + index * sizeof(Value), sizeof(Value));
    values[index] = value;
  }
  return values;
}

std::string shortest(double value) {
  char text[32];
  return {text, std::to_chars(text, text + sizeof text, value).ptr};
}

class RunnerConformance : public ::testing::TestWithParam<RunnerKind> {
 protected:
  static constexpr std::size_t location_count = 23;
  static constexpr std::size_t origins = 15;  // the rectangle: 15 origins × 8 destinations
  std::vector<Location> locations = plain_locations(location_count, 77);
  LocationTable table{locations};
  ReferenceDistances reference{locations};

  /// What make_runner's runner for this kind writes; the batch runners take
  /// windows of 33 cells, so a matrix takes several.
  std::string write(const MatrixFormat& format, const MatrixShape& shape) {
    const std::unique_ptr<MatrixRunner> runner = make_runner(GetParam(), {2, 0}, {250, 33});
    EXPECT_EQ(runner->kind(), GetParam());
    const std::unique_ptr<MatrixEncoder> encoder = make_encoder(format, shape, table);
    MemoryMatrixOutput output;
    const MatrixReport report = compute_and_write(reference.kernel(), shape, *runner, *encoder, output);
    EXPECT_EQ(report.cell_count, shape.cell_count());
    return output.bytes();
  }
};

TEST_P(RunnerConformance, WritesTheOriginalToolsRowsInCsvPairs) {
  std::string expected;
  for (std::size_t j = 1; j < location_count; ++j)
    for (std::size_t i = 0; i < j; ++i)
      expected += locations[i].name + ',' + locations[j].name + ',' + shortest(reference(i, j)) + '\n';
  EXPECT_EQ(write({Format::csv, Layout::pairs, ValueType::float64}, MatrixShape::pairs(location_count)), expected);
}

TEST_P(RunnerConformance, WritesEveryCellOfASquareNpyMatrix) {
  const NpyFile file =
      split_npy(write({Format::npy, Layout::square, ValueType::float64}, MatrixShape::square(location_count)));
  EXPECT_NE(file.header.find("'descr': '<f8'"), std::string::npos) << file.header;
  EXPECT_NE(file.header.find("'shape': (23, 23)"), std::string::npos) << file.header;
  std::vector<double> expected;
  for (std::size_t row = 0; row < location_count; ++row)
    for (std::size_t column = 0; column < location_count; ++column)
      expected.push_back(row == column ? 0.0 : reference(row, column));
  EXPECT_EQ(values_of<double>(file.data), expected);
}

TEST_P(RunnerConformance, WritesSciPysCondensedOrderInFloat32) {
  const NpyFile file =
      split_npy(write({Format::npy, Layout::condensed, ValueType::float32}, MatrixShape::condensed(location_count)));
  EXPECT_NE(file.header.find("'descr': '<f4'"), std::string::npos) << file.header;
  EXPECT_NE(file.header.find("'shape': (253,)"), std::string::npos) << file.header;
  // scipy.spatial.distance.pdist's order: for i < j, row by row; each value rounded once to float.
  std::vector<double> expected;
  for (std::size_t i = 0; i < location_count; ++i)
    for (std::size_t j = i + 1; j < location_count; ++j) expected.push_back(static_cast<float>(reference(i, j)));
  EXPECT_EQ(values_of<float>(file.data), expected);
}

TEST_P(RunnerConformance, WritesOriginsByDestinationsForARectangle) {
  const std::size_t destinations = location_count - origins;
  const NpyFile file = split_npy(
      write({Format::npy, std::nullopt, ValueType::float64}, MatrixShape::rectangle(origins, destinations)));
  EXPECT_NE(file.header.find("'shape': (15, 8)"), std::string::npos) << file.header;
  std::vector<double> expected;
  for (std::size_t origin = 0; origin < origins; ++origin)
    for (std::size_t destination = origins; destination < location_count; ++destination)
      expected.push_back(reference(origin, destination));
  EXPECT_EQ(values_of<double>(file.data), expected);
}

TEST_P(RunnerConformance, WritesOriginDestinationRowsForARectangleInCsvPairs) {
  std::string expected;
  for (std::size_t origin = 0; origin < origins; ++origin)
    for (std::size_t destination = origins; destination < location_count; ++destination)
      expected += locations[origin].name + ',' + locations[destination].name + ',' +
                  shortest(reference(origin, destination)) + '\n';
  EXPECT_EQ(write({Format::csv, Layout::pairs, ValueType::float64},
                  MatrixShape::rectangle(origins, location_count - origins)),
            expected);
}

INSTANTIATE_TEST_SUITE_P(EveryKind, RunnerConformance, ::testing::ValuesIn(all_runner_kinds), kind_name<RunnerKind>);

}  // namespace
}  // namespace dm
