// --metric geodesic end to end: the values of the tool against Python's
// geographiclib (Karney's own Python implementation, independent of the C++
// library the tool uses), the same bytes from every executor, format and
// layout, and the usage errors of --radius and --ellipsoid.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "support/python.hpp"
#include "support/random_locations.hpp"
#include "support/run_tool.hpp"
#include "support/scratch_folder.hpp"

namespace dm {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::read_whole_file;

class GeodesicCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(folder / "in.csv") << "name,latitude,longitude\n" << testing::to_csv(testing::random_locations(40, 16));
    std::ofstream(folder / "to.csv") << "name,latitude,longitude\n" << testing::to_csv(testing::random_locations(6, 17));
  }
  testing::ToolResult run(std::vector<std::string> arguments) {
    return testing::run_tool(arguments, scratch.path());
  }
  std::string path(const std::string& name) const { return (folder / name).string(); }

  testing::ScratchFolder scratch{"geodesic_cli_test"};
  const fs::path& folder = scratch.work();
};

// Every cell of the square NPY matrix (and of the --to rectangle), against
// geographiclib.geodesic.Geodesic(a, f).Inverse.
constexpr const char* compare_with_geographiclib = R"(
import csv, sys
import numpy as np
from geographiclib.geodesic import Geodesic
matrix_path, origins_path, destinations_path, a, invf = sys.argv[1:6]
def points(path):
    with open(path, newline='') as f:
        return [(float(row['latitude']), float(row['longitude'])) for row in csv.DictReader(f)]
origins = points(origins_path)
destinations = points(destinations_path) if destinations_path != '-' else origins
geodesic = Geodesic(float(a), 1 / float(invf))
matrix = np.load(matrix_path)
assert matrix.shape == (len(origins), len(destinations)), matrix.shape
worst = 0.0
for i, (lat1, lon1) in enumerate(origins):
    for j, (lat2, lon2) in enumerate(destinations):
        worst = max(worst, abs(matrix[i, j] - geodesic.Inverse(lat1, lon1, lat2, lon2)['s12']))
print('ok' if worst <= 1e-6 else f'worst {worst} m')
)";

TEST_F(GeodesicCliTest, TheMatrixIsGeographiclibsWithinOneMicrometreOnEachEllipsoid) {
  struct Figure {
    std::vector<std::string> option;
    const char* a;
    const char* invf;
  };
  for (const Figure& figure : {Figure{{}, "6378137", "298.257223563"},
                               Figure{{"--ellipsoid", "grs80"}, "6378137", "298.257222101"},
                               Figure{{"--ellipsoid", "6378388,297"}, "6378388", "297"}}) {
    for (const bool rectangle : {false, true}) {
      std::vector<std::string> arguments{path("in.csv"), "--metric", "geodesic", "--unit", "m", "--format", "npy",
                                         "-q", "-o", path("out.npy")};
      arguments.insert(arguments.end(), figure.option.begin(), figure.option.end());
      if (rectangle) arguments.insert(arguments.end(), {"--to", path("to.csv")});
      const testing::ToolResult result = run(arguments);
      ASSERT_EQ(result.exit_code, 0) << result.err;
      const testing::PythonResult check = testing::run_python(
          folder, compare_with_geographiclib,
          path("out.npy") + ' ' + path("in.csv") + ' ' + (rectangle ? path("to.csv") : "-") + ' ' + figure.a + ' ' +
              figure.invf);
      EXPECT_EQ(check.output, "ok\n") << figure.a << ',' << figure.invf << (rectangle ? " --to" : "");
    }
  }
}

TEST_F(GeodesicCliTest, EveryExecutorWritesTheSameBytesForEachKernel) {
  for (const std::vector<std::string>& options :
       {std::vector<std::string>{}, std::vector<std::string>{"--layout", "square"},
        std::vector<std::string>{"--format", "npy", "--layout", "condensed", "--dtype", "float32"},
        std::vector<std::string>{"--to", path("to.csv")}}) {
    // The two kernels agree within the contract, not to the bit (simd is
    // the vectorized inverse): each kernel is compared with itself.
    std::map<std::string, std::string> expected;
    for (const std::string executor : {"sequential", "threads", "pool", "processes", "async", "parallel"}) {
      for (const std::string kernel : {"scalar", "simd"}) {
        std::vector<std::string> arguments{path("in.csv"), "--metric", "geodesic", "-e", executor, "--kernel", kernel,
                                           "--chunk-size", "7", "-q", "-o", path("out")};
        arguments.insert(arguments.end(), options.begin(), options.end());
        const testing::ToolResult result = run(arguments);
        ASSERT_EQ(result.exit_code, 0) << result.err;
        const std::string bytes = read_whole_file(folder / "out");
        if (expected[kernel].empty()) expected[kernel] = bytes;
        EXPECT_TRUE(bytes == expected[kernel]) << executor << ' ' << kernel << ' ' << (options.empty() ? "" : options.back());
      }
    }
  }
}

TEST_F(GeodesicCliTest, TheReportSaysWhichCodeComputes) {
  for (const auto& [kernel, named] : {std::pair<std::string, std::string>{"scalar", "scalar (GeographicLib)"},
                                      {"simd", "(Karney inverse; hard pairs by GeographicLib"}}) {
    const testing::ToolResult result =
        run({path("in.csv"), "--metric", "geodesic", "--kernel", kernel, "-e", "sequential", "-o", path("out.csv")});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_THAT(result.err, HasSubstr(named + ")")) << kernel;
  }
}

TEST_F(GeodesicCliTest, RadiusAndEllipsoidEachBelongToTheirMetric) {
  struct Refused {
    std::vector<std::string> options;
    const char* says;
  };
  for (const Refused& refused :
       {Refused{{"--metric", "geodesic", "--radius", "6371"}, "--radius: is the sphere's radius and cannot be combined"},
        Refused{{"--ellipsoid", "grs80"}, "--ellipsoid: applies to --metric geodesic only"},
        Refused{{"--metric", "equirectangular", "--ellipsoid", "wgs84"}, "--ellipsoid: applies to --metric geodesic"},
        Refused{{"--metric", "geodesic", "--ellipsoid", "clarke1866"}, "is not wgs84, grs80, or A,INVF"},
        Refused{{"--metric", "geodesic", "--ellipsoid", "6378137"}, "is not wgs84, grs80, or A,INVF"},
        Refused{{"--metric", "geodesic", "--ellipsoid", "6378137,1"}, "inverse flattening 1 is not allowed"},
        Refused{{"--metric", "geodesic", "--ellipsoid", "-6378137,298"}, "is not a positive finite number"},
        Refused{{"--metric", "geodesic", "--ellipsoid", "1e308,298", "--unit", "m"}, "too large for a double"},
        // The queries' index orders by great circle, which equirectangular distances do not follow
        // (the geodesic searches it with a margin: docs/geodesic.md).
        Refused{{"--metric", "equirectangular", "--nearest", "2"}, "--nearest needs --metric haversine or geodesic"}}) {
    std::vector<std::string> arguments{path("in.csv"), "-o", path("out.csv")};
    arguments.insert(arguments.end(), refused.options.begin(), refused.options.end());
    const testing::ToolResult result = run(arguments);
    EXPECT_EQ(result.exit_code, 2) << refused.says;
    EXPECT_THAT(result.err, HasSubstr(refused.says));
    EXPECT_FALSE(fs::exists(folder / "out.csv"));
  }
}

}  // namespace
}  // namespace dm
