#include "distance_matrix/output/npy_encoder.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <vector>

#include "distance_matrix/matrix/matrix_cells.hpp"
#include "support/blocks.hpp"
#include "support/python.hpp"
#include "support/random_locations.hpp"

namespace dm {
namespace {

namespace fs = std::filesystem;
using testing::encode_in_blocks;

TEST(NpyHeader, IsVersionOneWithTheDictionaryPaddedTo64Bytes) {
  // Format 1.0: magic, major 1, minor 0, header length as little-endian
  // uint16, the dictionary, spaces, '\n'. 10 + 59 + 1 = 70 bytes pad to 128,
  // so the length field says 118 = 'v'.
  const std::string dictionary = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 3), }";
  const std::string expected = std::string("\x93NUMPY\x01\x00v\x00", 10) + dictionary + std::string(58, ' ') + '\n';
  EXPECT_EQ(npy_header(ValueType::float64, {3, 3}), expected);

  // One dimension takes a trailing comma; float32 is '<f4'.
  const std::string vector_header = npy_header(ValueType::float32, {45});
  EXPECT_EQ(vector_header.size(), 128u);
  EXPECT_NE(vector_header.find("{'descr': '<f4', 'fortran_order': False, 'shape': (45,), }"), std::string::npos);
  EXPECT_EQ(vector_header.back(), '\n');
}

TEST(NpyEncoder, WritesLittleEndianDoublesAndFloatsRoundedOnce) {
  const NpyEncoder doubles(MatrixShape::condensed(2), ValueType::float64);
  std::string bytes;
  const double value = 0.1;
  doubles.encode({0, 1}, {&value, 1}, bytes);
  // 0.1 = 0x3FB999999999999A, least significant byte first.
  EXPECT_EQ(bytes, std::string("\x9A\x99\x99\x99\x99\x99\xB9\x3F", 8));

  const NpyEncoder floats(MatrixShape::condensed(2), ValueType::float32);
  bytes.clear();
  floats.encode({0, 1}, {&value, 1}, bytes);
  // 0.1 rounded to the nearest float is 0x3DCCCCCD.
  EXPECT_EQ(bytes, std::string("\xCD\xCC\xCC\x3D", 4));
  EXPECT_EQ(floats.fixed_cell_bytes(), 4u);
  EXPECT_EQ(doubles.fixed_cell_bytes(), 8u);
  // The streaming runner writes float64 distances without encoding them:
  // only where the bytes above are the double's own bytes.
  EXPECT_TRUE(doubles.encodes_as_native_doubles());
  EXPECT_FALSE(floats.encodes_as_native_doubles());
}

TEST(NpyEncoder, RefusesThePairsLayout) {
  EXPECT_THROW(NpyEncoder(MatrixShape::pairs(3), ValueType::float64), std::invalid_argument);
}

TEST(NpyEncoder, KnowsWhenFloat32CannotHoldTheDistances) {
  DistanceOptions options;
  EXPECT_TRUE(can_hold(ValueType::float32, options));
  options.radius_km = 1e36;  // π·1e36 km is 3.1e39 m, past the largest float (3.4e38)
  options.unit = Unit::meters;
  EXPECT_FALSE(can_hold(ValueType::float32, options));
  EXPECT_TRUE(can_hold(ValueType::float64, options));
  options.unit = Unit::kilometers;
  options.radius_km = 2e38;
  EXPECT_FALSE(can_hold(ValueType::float32, options));
  options.radius_km = 1e38;  // π·r = 3.14e38 fits, π√2·r = 4.44e38 does not
  EXPECT_TRUE(can_hold(ValueType::float32, options));
  options.metric = Metric::equirectangular;
  EXPECT_FALSE(can_hold(ValueType::float32, options));
}

/// NumPy reads our files back: dtype, shape, C order, memory mapping, and
/// the values (exactly, against the kernel's doubles written raw). SciPy's
/// squareform turns the condensed vector into the same square matrix.
constexpr const char* numpy_check = R"(
import sys, io
import numpy as np
from scipy.spatial.distance import squareform
path, expected_path, layout, dtype, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
square = np.fromfile(expected_path, dtype='<f8').reshape(n, n).astype(dtype)
array = np.load(path, mmap_mode='r')
assert isinstance(array, np.memmap), type(array)
assert array.dtype == np.dtype(dtype), array.dtype
assert array.flags['C_CONTIGUOUS']
reference = io.BytesIO()
np.save(reference, np.zeros(array.shape, dtype=dtype))
with open(path, 'rb') as file:
    header = file.read(len(reference.getvalue()) - array.nbytes)
assert header == reference.getvalue()[:len(header)], (header, reference.getvalue()[:len(header)])
if layout == 'square':
    assert array.shape == (n, n), array.shape
    assert np.array_equal(array, square)
    assert np.array_equal(array, array.T)
else:
    assert array.shape == (n * (n - 1) // 2,), array.shape
    assert np.array_equal(squareform(array, checks=False), square)
print('ok')
)";

class NpyFileTest : public ::testing::TestWithParam<std::tuple<Layout, ValueType>> {
 protected:
  void SetUp() override {
    folder = fs::temp_directory_path() / ("npy_encoder_test." + std::to_string(::getpid()));
    fs::create_directories(folder);
  }
  void TearDown() override { fs::remove_all(folder); }
  fs::path folder;
};

TEST_P(NpyFileTest, LoadsInNumpyWithTheKernelsValues) {
  const auto [layout, type] = GetParam();
  const LocationTable locations(testing::random_locations(37, 11));
  const std::size_t n = locations.size();
  const DistanceKernel kernel(locations);
  const MatrixShape shape = MatrixShape::of(layout, n);
  const MatrixCells cells(kernel, shape);
  std::vector<double> distances(cells.cell_count());
  cells.compute({0, distances.size()}, distances);
  const NpyEncoder encoder(shape, type);
  std::ofstream(folder / "matrix.npy", std::ios::binary) << encode_in_blocks(encoder, distances, 100);

  // The expected square, built pair by pair from the kernel itself.
  std::vector<double> square(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      if (i != j) square[i * n + j] = kernel.distance(i, j);
  std::ofstream(folder / "expected.f64", std::ios::binary)
      .write(reinterpret_cast<const char*>(square.data()), static_cast<std::streamsize>(square.size() * 8));

  const testing::PythonResult result = testing::run_python(
      folder, numpy_check,
      (folder / "matrix.npy").string() + ' ' + (folder / "expected.f64").string() + ' ' +
          std::string(to_string(layout)) + ' ' + std::string(to_string(type)) + ' ' + std::to_string(n));
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(result.output, "ok\n");
}

INSTANTIATE_TEST_SUITE_P(EveryLayoutAndType, NpyFileTest,
                         ::testing::Combine(::testing::Values(Layout::square, Layout::condensed),
                                            ::testing::Values(ValueType::float64, ValueType::float32)));

}  // namespace
}  // namespace dm
