// --nearest and --within with --metric geodesic through the real tool: the
// rows against a brute force over Python's geographiclib (Karney's own
// Python code, independent of the C++ library the tool uses), and the same
// bytes from every executor and worker count that answers them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/python.hpp"
#include "support/random_locations.hpp"
#include "support/run_tool.hpp"
#include "support/scratch_folder.hpp"

namespace dm {
namespace {

namespace fs = std::filesystem;
using testing::read_whole_file;

class GeodesicQueriesCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Random points with poles (coincident, ties at 0) and the antimeridian,
    // plus a tight cluster on the equator and a few antipodal pairs.
    std::vector<Location> locations = testing::random_locations(100, 21);
    for (int step = 0; step < 12; ++step) {
      locations.push_back({"equator " + std::to_string(step), 0.002 * step - 0.01, 100.0});
    }
    for (int pair = 0; pair < 4; ++pair) {
      locations.push_back({"north " + std::to_string(pair), 10.0 * pair + 5, -170.0 + 20 * pair});
      locations.push_back({"south " + std::to_string(pair), -10.0 * pair - 5, 10.0 + 20 * pair});
    }
    std::ofstream(folder / "in.csv") << "name,latitude,longitude\n" << testing::to_csv(locations);
    std::ofstream(folder / "to.csv") << "name,latitude,longitude\n" << testing::to_csv(testing::random_locations(30, 22));
  }
  std::string path(const std::string& name) const { return (folder / name).string(); }

  testing::ScratchFolder scratch{"geodesic_queries_cli_test"};
  const fs::path& folder = scratch.work();
};

// The tool's rows against every pair measured by geographiclib: the same
// neighbours in the same order (distance, then input order), distances
// within one micrometre; for --within alone, each pair once from its
// earlier location over one input.
constexpr const char* brute_force_check = R"(
import csv, sys
from geographiclib.geodesic import Geodesic
out_path, origins_path, destinations_path, a, invf, k, within = sys.argv[1:8]
def points(path):
    with open(path, newline='') as f:
        return [(row['name'], float(row['latitude']), float(row['longitude'])) for row in csv.DictReader(f)]
origins = points(origins_path)
one_table = destinations_path == '-'
destinations = origins if one_table else points(destinations_path)
geodesic = Geodesic(float(a), 1 / float(invf))
k = int(k) if k != '-' else None
within = float(within) if within != '-' else None
expected = []
for i, (name, lat1, lon1) in enumerate(origins):
    row = []
    for j, (other, lat2, lon2) in enumerate(destinations):
        if one_table and i == j:
            continue
        row.append((geodesic.Inverse(lat1, lon1, lat2, lon2)['s12'] / 1000, j, other))
    if k is not None:
        row.sort(key=lambda t: (t[0], t[1]))
        row = [t for t in row[:k] if within is None or t[0] <= within]
        expected += [(name, other, d, str(rank + 1)) for rank, (d, j, other) in enumerate(row)]
    else:
        expected += [(name, other, d) for d, j, other in row if d <= within and (not one_table or j > i)]
with open(out_path, newline='') as f:
    rows = list(csv.reader(f))[1:]
if len(rows) != len(expected):
    sys.exit(f'{len(rows)} rows, expected {len(expected)}')
for got, want in zip(rows, expected):
    if got[0] != want[0] or got[1] != want[1] or got[3:] != list(want[3:]) or abs(float(got[2]) - want[2]) > 1e-9:
        sys.exit(f'row {got}, expected {want}')
print('ok', len(rows))
)";

TEST_F(GeodesicQueriesCliTest, RowsAreTheBruteForceGeodesicAndEveryExecutorWritesTheSameBytes) {
  struct Figure {
    std::vector<std::string> option;
    const char* a;
    const char* invf;
  };
  struct Case {
    std::vector<std::string> query;
    const char* k;
    const char* within;
  };
  for (const Figure& figure : {Figure{{}, "6378137", "298.257223563"},
                               Figure{{"--ellipsoid", "6378388,297"}, "6378388", "297"}}) {
    for (const Case& query : {Case{{"--nearest", "4"}, "4", "-"}, Case{{"--within", "1500km"}, "-", "1500"},
                              Case{{"--within", "2.5"}, "-", "2.5"},
                              Case{{"--nearest", "4", "--within", "1200km"}, "4", "1200"}}) {
      for (const bool to : {false, true}) {
        std::string expected;
        for (const std::string executor : {"sequential", "parallel"}) {
          for (const std::string workers : {"1", "2", "3"}) {
            if (executor == "sequential" && workers != "1") continue;
            std::vector<std::string> arguments{path("in.csv"), "--metric", "geodesic", "-e", executor,
                                               "--workers", workers, "-q", "-o", path("out.csv")};
            arguments.insert(arguments.end(), figure.option.begin(), figure.option.end());
            arguments.insert(arguments.end(), query.query.begin(), query.query.end());
            if (to) arguments.insert(arguments.end(), {"--to", path("to.csv")});
            const testing::ToolResult result = testing::run_tool(arguments, scratch.path());
            ASSERT_EQ(result.exit_code, 0) << result.err;
            const std::string written = read_whole_file(folder / "out.csv");
            const std::string label = ::testing::PrintToString(arguments);
            if (expected.empty()) {
              expected = written;
              const testing::PythonResult check = testing::run_python(
                  folder, brute_force_check,
                  path("out.csv") + ' ' + path("in.csv") + ' ' + (to ? path("to.csv") : "-") + ' ' + figure.a + ' ' +
                      figure.invf + ' ' + query.k + ' ' + query.within);
              EXPECT_THAT(check.output, ::testing::StartsWith("ok ")) << label;
              EXPECT_NE(check.output, "ok 0\n") << label;
            }
            EXPECT_EQ(written, expected) << label;
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace dm
