// The queries' NumPy outputs byte for byte: --nearest's and --within's .npz
// (members, their NPY headers spelled out by hand, the values measured by the
// kernel pair by pair, the CRC-32 of every member) and --summary's
// structured .npy; the same bytes whatever the workers, and the CSR arrays
// of find_within (itself checked against brute force) in --within's archive.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "distance_matrix/matrix/matrix_cells.hpp"
#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/output/output_file.hpp"
#include "distance_matrix/output/zip_writer.hpp"
#include "distance_matrix/queries/neighbours_npz.hpp"
#include "distance_matrix/queries/summary_npy.hpp"
#include "distance_matrix/queries/within_arrays.hpp"
#include "distance_matrix/run/streaming_runner.hpp"
#include "src/executors/worker_arena.hpp"
#include "src/queries/nearest_rows.hpp"
#include "src/queries/within_pieces.hpp"
#include "support/query_inputs.hpp"
#include "support/random_locations.hpp"

namespace dm {
namespace {

std::uint64_t read_le(const std::string& data, std::size_t at, std::size_t width) {
  std::uint64_t value = 0;
  for (std::size_t byte = 0; byte < width; ++byte) {
    value |= std::uint64_t{static_cast<unsigned char>(data.at(at + byte))} << (8 * byte);
  }
  return value;
}

/// The members of a stored zip in file order, read from the local headers,
/// each member's CRC-32 checked; the central directory's entry count too.
std::vector<std::pair<std::string, std::string>> members_of(const std::string& zip) {
  std::vector<std::pair<std::string, std::string>> members;
  std::size_t at = 0;
  while (read_le(zip, at, 4) == 0x04034B50u) {
    EXPECT_EQ(read_le(zip, at + 8, 2), 0u) << "stored";
    const auto crc = static_cast<std::uint32_t>(read_le(zip, at + 14, 4));
    const std::size_t size = read_le(zip, at + 22, 4);
    const std::size_t name_length = read_le(zip, at + 26, 2);
    const std::size_t extra_length = read_le(zip, at + 28, 2);
    std::string name = zip.substr(at + 30, name_length);
    std::string content = zip.substr(at + 30 + name_length + extra_length, size);
    EXPECT_EQ(crc32_of(content), crc) << name;
    members.emplace_back(std::move(name), std::move(content));
    at += 30 + name_length + extra_length + size;
  }
  EXPECT_EQ(read_le(zip, at, 4), 0x02014B50u);
  const std::size_t end = zip.size() - 22;
  EXPECT_EQ(read_le(zip, end, 4), 0x06054B50u);
  EXPECT_EQ(read_le(zip, end + 10, 2), members.size());
  return members;
}

/// An NPY 1.0 header around `dictionary`, as NumPy pads it: spaces and a
/// newline up to a multiple of 64 bytes.
std::string npy_header_around(const std::string& dictionary) {
  std::size_t total = 10 + dictionary.size() + 1;
  total += (64 - total % 64) % 64;
  const std::size_t length = total - 10;
  std::string header = "\x93NUMPY\x01";
  header += '\0';
  header += static_cast<char>(length & 0xFF);
  header += static_cast<char>(length >> 8);
  header += dictionary;
  header.append(total - 1 - header.size(), ' ');
  return header + '\n';
}

template <typename Value, typename Allocator>
std::string raw(const std::vector<Value, Allocator>& values) {
  return {reinterpret_cast<const char*>(values.data()), values.size() * sizeof(Value)};
}

/// Three points on the equator at 0°, 1° and 3° east: A's nearest is B then
/// C, B's A then C, C's B then A.
LocationTable equator() {
  LocationTable table;
  table.push_back({"A", 0, 0});
  table.push_back({"B", 0, 1});
  table.push_back({"Zürich", 0, 3});
  return table;
}

TEST(NearestNpz, IsDistancesAndIndicesAsKneighborsReturnsThem) {
  const LocationTable table = equator();
  const DistanceKernel kernel(table, {});
  MemoryMatrixOutput output;
  const MatrixReport report =
      write_nearest_npz(kernel, {.origins = 3, .first_candidate = 0, .k = 3, .within = std::nullopt,
                                 .radius = mean_earth_radius_km, .workers = 1},
                        ValueType::float64, output);
  EXPECT_EQ(report.cell_count, 6u);
  const auto members = members_of(output.bytes());
  ASSERT_EQ(members.size(), 2u);
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(members[0].first, "distances.npy");
  EXPECT_EQ(members[0].second,
            npy_header_around("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 3), }") +
                raw(std::vector<double>{kernel.distance(0, 1), kernel.distance(0, 2), inf,
                                        kernel.distance(1, 0), kernel.distance(1, 2), inf,
                                        kernel.distance(2, 1), kernel.distance(2, 0), inf}));
  EXPECT_EQ(members[1].first, "indices.npy");
  EXPECT_EQ(members[1].second, npy_header_around("{'descr': '<i8', 'fortran_order': False, 'shape': (3, 3), }") +
                                   raw(std::vector<std::int64_t>{1, 2, -1, 0, 2, -1, 1, 0, -1}));
}

TEST(NearestNpz, Float32RoundsEachDistanceOnceAndKeepsInfinity) {
  const LocationTable table = equator();
  const DistanceKernel kernel(table, {});
  MemoryMatrixOutput output;
  // Within 150 km: only 1° apart (111 km) qualifies.
  write_nearest_npz(kernel, {.origins = 3, .first_candidate = 0, .k = 2, .within = 150.0,
                             .radius = mean_earth_radius_km, .workers = 1},
                    ValueType::float32, output);
  const auto members = members_of(output.bytes());
  ASSERT_EQ(members.size(), 2u);
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(members[0].second,
            npy_header_around("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }") +
                raw(std::vector<float>{static_cast<float>(kernel.distance(0, 1)), inf,
                                       static_cast<float>(kernel.distance(1, 0)), inf, inf, inf}));
  EXPECT_EQ(members[1].second, npy_header_around("{'descr': '<i8', 'fortran_order': False, 'shape': (3, 2), }") +
                                   raw(std::vector<std::int64_t>{1, -1, 0, -1, -1, -1}));
}

/// The archive written to a file: there each 1 MiB part is checked and
/// pwritten at its offset by whichever worker takes it, the headers last.
std::string nearest_npz_in_file(const DistanceKernel& kernel, const NeighbourQuery& query, ValueType type) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("query_numpy_test." + std::to_string(::getpid()) + ".npz");
  {
    OutputFile file(path);
    FileMatrixOutput output(file);
    EXPECT_TRUE(output.takes_parts_in_parallel());
    write_nearest_npz(kernel, query, type, output);
    output.commit();
  }
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  return bytes;
}

TEST(NearestNpz, SameBytesInAFileWrittenInPartsAsAppendedInOrderWhateverTheWorkers) {
  // 20,000 × 7 distances are 1.1 MB: two parts of the distances, two of the indices.
  for (const std::size_t count : {std::size_t{1}, std::size_t{3}, std::size_t{300}, std::size_t{20000}}) {
    const LocationTable table(testing::random_locations(count, 7 + count));
    const DistanceKernel kernel(table, {});
    for (const ValueType type : {ValueType::float64, ValueType::float32}) {
      NeighbourQuery query{.origins = count, .first_candidate = 0, .k = 7, .within = std::nullopt,
                           .radius = mean_earth_radius_km, .workers = 1};
      MemoryMatrixOutput in_order;
      write_nearest_npz(kernel, query, type, in_order);
      const auto members = members_of(in_order.bytes());
      ASSERT_EQ(members.size(), 2u);
      EXPECT_EQ(members[0].second.size(), npy_header(npy_descr(type), {count, 7}).size() + count * 7 * size_of(type));
      for (const unsigned workers : {1u, 2u, 3u, 8u}) {
        query.workers = workers;
        MemoryMatrixOutput appended;
        write_nearest_npz(kernel, query, type, appended);
        EXPECT_EQ(appended.bytes(), in_order.bytes()) << count << " workers " << workers;
        EXPECT_EQ(nearest_npz_in_file(kernel, query, type), in_order.bytes()) << count << " workers " << workers;
      }
    }
  }
}

TEST(NearestNpz, SlicedIntoAFileIsTheSameBytesAsWholeArraysAppended) {
  // 60,000 × 12 cells are 11.5 MB, past sliced_from_bytes. Listed by
  // latitude, each slice of the input is a band of the sphere, so the
  // search is cut into slices (checked below); listed at random it is not.
  constexpr std::size_t count = 60000;
  std::vector<Location> banded = testing::random_locations(count, 60);
  std::sort(banded.begin(), banded.end(),
            [](const Location& a, const Location& b) { return a.latitude < b.latitude; });
  // Each variant's whole arrays are appended once, on one worker, and the
  // sliced file written on one and two workers is compared with them: 18
  // searches of 60,000 origins, which under ThreadSanitizer on a slow
  // machine take minutes.
  struct Variant {
    ValueType type;
    std::optional<double> within;  ///< 150 km: rows cut short, index -1 and +inf in every slice
  };
  const Variant variants[] = {{ValueType::float64, std::nullopt},
                              {ValueType::float32, std::nullopt},
                              {ValueType::float64, 150.0}};
  for (const bool sorted : {true, false}) {
    const LocationTable table(sorted ? banded : testing::random_locations(count, 61));
    const DistanceKernel kernel(table, {});
    NeighbourQuery query{.origins = count, .first_candidate = 0, .k = 12, .within = std::nullopt,
                         .radius = mean_earth_radius_km, .workers = 2};
    WorkerArena arena(2);
    const NearestRows rows(kernel, query, arena, count / 8);
    EXPECT_EQ(rows.slice_count(), sorted ? 8u : 1u);
    for (const Variant& variant : variants) {
      query.within = variant.within;
      query.workers = 1;
      MemoryMatrixOutput whole;
      write_nearest_npz(kernel, query, variant.type, whole);
      for (const unsigned workers : {1u, 2u}) {
        query.workers = workers;
        EXPECT_EQ(nearest_npz_in_file(kernel, query, variant.type), whole.bytes())
            << sorted << " workers " << workers << " within " << variant.within.has_value();
      }
    }
  }
}

TEST(WithinNpz, IsScipysSaveNpzLayoutOfTheCsrMatrix) {
  const LocationTable table = equator();
  const DistanceKernel kernel(table, {});
  MemoryMatrixOutput output;
  // 250 km: 1° (111 km) and 2° (222 km) apart are in, 3° (334 km) is not.
  const MatrixReport report = write_within_npz(
      kernel, {.origins = 3, .first_candidate = 0, .k = std::nullopt, .within = 250.0,
               .radius = mean_earth_radius_km, .workers = 1},
      ValueType::float64, output);
  EXPECT_EQ(report.cell_count, 4u);
  const auto members = members_of(output.bytes());
  ASSERT_EQ(members.size(), 5u);
  EXPECT_EQ(members[0].first, "indices.npy");
  EXPECT_EQ(members[0].second, npy_header_around("{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }") +
                                   raw(std::vector<std::int64_t>{1, 0, 2, 1}));
  EXPECT_EQ(members[1].first, "indptr.npy");
  EXPECT_EQ(members[1].second, npy_header_around("{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }") +
                                   raw(std::vector<std::int64_t>{0, 1, 3, 4}));
  EXPECT_EQ(members[2].first, "format.npy");
  EXPECT_EQ(members[2].second, npy_header_around("{'descr': '|S3', 'fortran_order': False, 'shape': (), }") + "csr");
  EXPECT_EQ(members[3].first, "shape.npy");
  EXPECT_EQ(members[3].second, npy_header_around("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }") +
                                   raw(std::vector<std::int64_t>{3, 3}));
  EXPECT_EQ(members[4].first, "data.npy");
  EXPECT_EQ(members[4].second,
            npy_header_around("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }") +
                raw(std::vector<double>{kernel.distance(0, 1), kernel.distance(1, 0), kernel.distance(1, 2),
                                        kernel.distance(2, 1)}));
}

/// --within's .npz in a file (written in parts at offsets when its pieces
/// stay in memory), its pieces spilled past `memory_bytes`.
std::string within_npz_in_file(const DistanceKernel& kernel, const NeighbourQuery& query, ValueType type,
                               std::uint64_t memory_bytes) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("query_numpy_test.within." + std::to_string(::getpid()) + ".npz");
  {
    OutputFile file(path);
    FileMatrixOutput output(file);
    WithinPieces pieces(std::filesystem::temp_directory_path(), memory_bytes);
    write_within_npz_from(kernel, query, type, output, {}, pieces);
    output.commit();
  }
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  return bytes;
}

TEST(WithinNpz, SameBytesInMemoryOrSpilledInAFileOrAppendedWhateverTheWorkers) {
  // 20,000 random locations within 300 km: some 2 MB of indices, two parts
  // at least of each piece when written in parallel.
  for (const std::size_t count : {std::size_t{1}, std::size_t{300}, std::size_t{20000}}) {
    const LocationTable table(testing::random_locations(count, 11 + count));
    const DistanceKernel kernel(table, {});
    for (const ValueType type : {ValueType::float64, ValueType::float32}) {
      NeighbourQuery query{.origins = count, .first_candidate = 0, .k = std::nullopt, .within = 300.0,
                           .radius = mean_earth_radius_km, .workers = 1};
      MemoryMatrixOutput reference;
      {
        WithinPieces spilled(std::filesystem::temp_directory_path(), 0);
        write_within_npz_from(kernel, query, type, reference, {}, spilled);
        EXPECT_FALSE(count > 1 && spilled.indices.in_memory().has_value());
      }
      MemoryMatrixOutput appended;
      write_within_npz(kernel, query, type, appended);
      EXPECT_EQ(appended.bytes(), reference.bytes()) << count;
      // Every worker count and every memory budget, each budget with one
      // worker and with several (not every product: this test is the
      // slowest under the sanitizers).
      const std::pair<unsigned, std::uint64_t> runs[] = {
          {1u, 0}, {1u, 5000}, {1u, SpillFile::default_memory_bytes}, {2u, 5000}, {3u, 0},
          {8u, SpillFile::default_memory_bytes}};
      for (const auto& [workers, memory_bytes] : runs) {
        query.workers = workers;
        EXPECT_EQ(within_npz_in_file(kernel, query, type, memory_bytes), reference.bytes())
            << count << " workers " << workers << " memory " << memory_bytes;
      }
    }
  }
}

TEST(WithinNpz, HoldsFindWithinsArraysWhateverTheWorkers) {
  for (const testing::QueryInput& input : testing::query_inputs()) {
    LocationTable table;
    for (const Location& location : input.locations) table.push_back(location);
    const DistanceKernel kernel(table, {});
    for (const std::size_t first_candidate : {std::size_t{0}, kernel.size() / 3}) {
      const std::size_t origins = first_candidate == 0 ? kernel.size() : first_candidate;
      NeighbourQuery query{.origins = origins, .first_candidate = first_candidate, .k = std::nullopt,
                           .within = 800.0, .radius = mean_earth_radius_km, .workers = 1};
      const WithinArrays expected = find_within(kernel, query);
      MemoryMatrixOutput one;
      write_within_npz(kernel, query, ValueType::float64, one);
      query.workers = 2;
      MemoryMatrixOutput two;
      write_within_npz(kernel, query, ValueType::float64, two);
      EXPECT_EQ(one.bytes(), two.bytes()) << input.label;
      const auto members = members_of(two.bytes());
      ASSERT_EQ(members.size(), 5u);
      const std::size_t pairs = expected.indices.size();
      const std::string vector_of_pairs = "'shape': (" + std::to_string(pairs) + ",), }";
      EXPECT_EQ(members[0].second,
                npy_header_around("{'descr': '<i8', 'fortran_order': False, " + vector_of_pairs) + raw(expected.indices))
          << input.label;
      EXPECT_EQ(members[1].second.substr(members[1].second.size() - 8 * (origins + 1)), raw(expected.indptr));
      EXPECT_EQ(members[4].second,
                npy_header_around("{'descr': '<f8', 'fortran_order': False, " + vector_of_pairs) +
                    raw(expected.distances))
          << input.label;
    }
  }
}

TEST(SummaryNpy, IsOneFixedSizeRecordPerOrigin) {
  const LocationTable table = equator();
  const DistanceKernel kernel(table, {});
  const MatrixShape shape = MatrixShape::square(3);
  MemoryMatrixOutput output;
  const TallyGrid grid = TallyGrid::for_largest(largest_distance(DistanceOptions{}));
  SummaryNpyConsumer consumer(table, shape, ValueType::float64, output, grid);
  // "Zürich" is 6 code points: every name is '<U6', 24 bytes of UTF-32.
  EXPECT_EQ(consumer.record_bytes(), 24u + 3 * 8 + 4 * 8);
  StreamingRunner(ExecutionOptions{2, 0}).consume(MatrixCells(kernel, shape), consumer, {});
  const std::string header = npy_header_around(
      "{'descr': [('name', '<U6'), ('count', '<i8'), ('min', '<f8'), ('nearest', '<i8'), ('max', '<f8'), "
      "('farthest', '<i8'), ('mean', '<f8'), ('sd', '<f8')], 'fortran_order': False, 'shape': (3,), }");
  ASSERT_EQ(output.bytes().size(), header.size() + 3 * consumer.record_bytes());
  EXPECT_EQ(consumer.file_bytes(), output.bytes().size());
  EXPECT_EQ(output.bytes().substr(0, header.size()), header);

  auto name = [](std::u32string text) {
    text.resize(6, U'\0');
    return std::string(reinterpret_cast<const char*>(text.data()), 24);
  };
  const double ab = kernel.distance(0, 1);
  const double ac = kernel.distance(0, 2);
  const double bc = kernel.distance(1, 2);
  const std::string body = output.bytes().substr(header.size());
  const std::size_t size = consumer.record_bytes();
  EXPECT_EQ(body.substr(0, 24), name(U"A"));
  EXPECT_EQ(body.substr(size, 24), name(U"B"));
  EXPECT_EQ(body.substr(2 * size, 24), name(U"Z\u00FCrich"));
  for (std::size_t origin = 0; origin < 3; ++origin) {
    EXPECT_EQ(read_le(body, origin * size + 24, 8), 2u);  // count
    double values[4];
    std::memcpy(&values[0], body.data() + origin * size + 24 + 8, 8);
    std::memcpy(&values[1], body.data() + origin * size + 24 + 24, 8);
    std::memcpy(&values[2], body.data() + origin * size + 24 + 40, 8);
    std::memcpy(&values[3], body.data() + origin * size + 24 + 48, 8);
    const double x = origin == 0 ? ab : origin == 1 ? ab : bc;
    const double y = origin == 0 ? ac : origin == 1 ? bc : ac;
    // Two distances each: the mean and the population sd of {x, y} are (x + y) / 2 and |x - y| / 2.
    EXPECT_EQ(values[0], std::min(x, y));
    EXPECT_EQ(values[1], std::max(x, y));
    // Mean and sd are exact for the distances rounded to the grid: within half a step.
    EXPECT_NEAR(values[2], (x + y) / 2, grid.step() / 2);
    EXPECT_NEAR(values[3], std::abs(x - y) / 2, grid.step() / 2);
  }
  // nearest and farthest: A's are B (1) and Zürich (2), B's A (0) and Zürich, Zürich's B and A.
  const std::uint64_t columns[3][2] = {{1, 2}, {0, 2}, {1, 0}};
  for (std::size_t origin = 0; origin < 3; ++origin) {
    EXPECT_EQ(read_le(body, origin * size + 24 + 16, 8), columns[origin][0]);
    EXPECT_EQ(read_le(body, origin * size + 24 + 32, 8), columns[origin][1]);
  }
}

}  // namespace
}  // namespace dm
