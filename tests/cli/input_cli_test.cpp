// End-to-end tests of what the tool does with hostile or broken input
// (issue 5, cases 4, 6 and 10): the real binary, its exit code, its standard
// error line by line, and the files it leaves behind.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "distance_matrix/text/printable.hpp"
#include "support/run_tool.hpp"
#include "support/compress.hpp"
#include "support/files.hpp"
#include "support/random_locations.hpp"

namespace dm {
namespace {

namespace fs = std::filesystem;
using testing::write_file;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    lines.emplace_back(text.substr(0, end));
    text.remove_prefix(std::min(text.size(), end + 1));
  }
  return lines;
}

/// No byte that a terminal would obey: C0 controls (but the line ends), DEL, C1 controls in UTF-8.
bool has_raw_control_bytes(std::string_view text) {
  for (std::size_t index = 0; index < text.size(); ++index) {
    const auto byte = static_cast<unsigned char>(text[index]);
    if ((byte < 0x20 && byte != '\n') || byte == 0x7F) return true;
    if (byte == 0xC2 && index + 1 < text.size() && static_cast<unsigned char>(text[index + 1]) < 0xA0) return true;
  }
  return false;
}

class InputCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "input_cli_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    folder_ = pattern;
    work_ = folder_ / "work";
    fs::create_directory(work_);
  }
  void TearDown() override { fs::remove_all(folder_); }

  testing::ToolResult run(const std::vector<std::string>& arguments, const fs::path& stdin_path = "/dev/null") {
    return testing::run_tool(arguments, folder_, stdin_path);
  }

  std::vector<std::string> work_entries() const {
    std::vector<std::string> names;
    for (const fs::directory_entry& entry : fs::directory_iterator(work_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path folder_;
  fs::path work_;
};

// ---------------------------------------------------------------- case 10: forged lines

TEST_F(InputCliTest, AFileNameWithALineBreakAndAnEscapeSequenceCannotForgeAMessage) {
  const std::string name = "evil\nforged.csv:1: all good\x1b[2J\x1b[31m.csv";
  const fs::path input = work_ / name;
  write_file(input, "a,1,2\nb,91,0\nc,1\n");
  const testing::ToolResult result = run({input.string(), "-o", "-"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_FALSE(has_raw_control_bytes(result.err)) << printable(result.err);
  const std::string shown = (work_ / "evil\\nforged.csv:1: all good\\e[2J\\e[31m.csv").string();
  EXPECT_THAT(lines_of(result.err),
              ElementsAre(shown + ":2: latitude 91 is outside [-90, 90]",
                          shown + ":3: expected 3 fields (name,latitude,longitude), found 2"));
  EXPECT_THAT(result.out, IsEmpty());
}

TEST_F(InputCliTest, AMissingInputWithControlCharactersIsOneEscapedLine) {
  const fs::path input = work_ / "missing\r\n\x07\x1b]0;title\x07.csv";
  const testing::ToolResult result = run({input.string()});
  EXPECT_EQ(result.exit_code, 4);
  EXPECT_FALSE(has_raw_control_bytes(result.err)) << printable(result.err);
  EXPECT_THAT(lines_of(result.err),
              ElementsAre("distance_matrix: cannot read '" + (work_ / "missing\\r\\n\\x07\\e]0;title\\x07.csv").string() +
                          "': No such file or directory"));
}

TEST_F(InputCliTest, AnOutputPathWithControlCharactersIsEscapedInTheTimings) {
  const fs::path input = work_ / "in.csv";
  write_file(input, "a,1,2\nb,3,4\n");
  const testing::ToolResult result = run({input.string(), "-o", (work_ / "out\n\x1b[1m.csv").string()});
  EXPECT_EQ(result.exit_code, 0) << printable(result.err);
  EXPECT_FALSE(has_raw_control_bytes(result.err)) << printable(result.err);
  EXPECT_THAT(result.err, HasSubstr("out\\n\\e[1m.csv"));
}

TEST_F(InputCliTest, AUsageErrorQuotingAnArgumentWithControlCharactersIsEscaped) {
  const testing::ToolResult result = run({"in.csv", "-e", "pool\n\x1b[2Jfake: error"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_FALSE(has_raw_control_bytes(result.err)) << printable(result.err);
  const std::vector<std::string> lines = lines_of(result.err);
  ASSERT_EQ(lines.size(), 2u) << printable(result.err);
  EXPECT_THAT(lines[0], HasSubstr("pool\\n\\e[2Jfake: error"));
  EXPECT_EQ(lines[1], "Run with --help for more information.");
}

// ---------------------------------------------------------------- case 6: endless or huge input

TEST_F(InputCliTest, DevZeroIsRefusedAtItsFirstByte) {
  write_file(work_ / "output.csv", "previous\n");
  const testing::ToolResult result = run({"/dev/zero", "-o", (work_ / "output.csv").string()});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.err, "/dev/zero:1: NUL byte in name: NUL bytes are not allowed (save UTF-16 files as UTF-8)\n");
  EXPECT_EQ(testing::read_whole_file(work_ / "output.csv"), "previous\n");
  EXPECT_THAT(work_entries(), ElementsAre("output.csv"));
}

TEST_F(InputCliTest, DevZeroOnStandardInputIsRefusedToo) {
  const testing::ToolResult result = run({"-", "-e", "async"}, "/dev/zero");
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.err, "<stdin>:1: NUL byte in name: NUL bytes are not allowed (save UTF-16 files as UTF-8)\n");
  EXPECT_THAT(result.out, IsEmpty());
}

TEST_F(InputCliTest, ARowLongerThan64KibIsRefusedWithTheLimitNamed) {
  const fs::path input = work_ / "long.csv";
  write_file(input, "a,1,2\nb,3,4\n" + std::string(100'000, 'x') + "\nc,5,6\n");
  for (const char* executor : {"sequential", "async"}) {
    const testing::ToolResult result = run({"-", "-e", executor, "-o", "-"}, input);
    EXPECT_EQ(result.exit_code, 3) << executor;
    EXPECT_EQ(result.err,
              "<stdin>:3: row longer than 65536 bytes, the limit for one row: reading stopped here (a quote "
              "never closed? not a CSV file?)\n")
        << executor;
  }
}

TEST_F(InputCliTest, AFifoIsStreamed) {
  const fs::path fifo = work_ / "rows.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const pid_t child = testing::start_tool({fifo.string(), "-o", "-", "--quiet", "-e", "async"}, "/dev/null", folder_);
  ASSERT_GT(child, 0);
  {
    std::ofstream writer(fifo, std::ios::binary);  // opens once the tool opened its end
    for (int row = 0; row < 500; ++row) writer << "p" << row << ',' << (row % 90) << ",0\n";
  }
  const testing::ToolResult result = testing::finish_tool(child, folder_);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, StartsWith("p0,p1,"));
  EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 500LL * 499 / 2);
}

// ---------------------------------------------------------------- cases 4 and the UTF-8 decision

TEST_F(InputCliTest, AFirstRowWithDigitsIsDataNotAHeader) {
  const fs::path input = work_ / "paris.csv";
  write_file(input, "Paris,48.85N,2.35E\nLondon,51.5074,-0.1278\nBerlin,52.52,13.405\n");
  const testing::ToolResult result = run({input.string(), "-o", "-"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.err, input.string() + ":1: latitude \"48.85N\" is not a number\n");
  EXPECT_THAT(result.out, IsEmpty());
}

TEST_F(InputCliTest, ColumnTitlesAreAHeader) {
  const fs::path input = work_ / "titled.csv";
  write_file(input, "name,latitude,longitude\nLondon,51.5074,-0.1278\nBerlin,52.52,13.405\n");
  const testing::ToolResult result = run({input.string(), "-o", "-", "--quiet"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, StartsWith("London,Berlin,"));
  EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 1);
}

TEST_F(InputCliTest, Latin1NamesAreRefusedWithAConversionHint) {
  const fs::path input = work_ / "latin1.csv";
  write_file(input, "Z\xFCrich,47.37,8.54\nS\xC3\xA3o Paulo,-23.55,-46.63\n");
  const testing::ToolResult result = run({input.string(), "-o", "-"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.err, input.string() +
                            ":1: name is not valid UTF-8: byte 0xFC at column 2 (byte offset in the line); "
                            "convert the file to UTF-8, e.g. iconv -f latin1 -t utf-8\n");
}

// ---------------------------------------------------------------- issue 17: real-world files

/// The same three locations as plain name,latitude,longitude rows: the reference each form must reproduce.
constexpr std::string_view plain_locations =
    "Paris,48.8566,2.3522\nboston,42.364758,-71.067421\nZ\xC3\xBCrich,47.3769,8.5417\n";

class RealWorldInputTest : public InputCliTest {
 protected:
  /// The tool's output for `arguments` (INPUT first), or a failure.
  std::string output_of(std::vector<std::string> arguments) {
    arguments.insert(arguments.end(), {"-o", "-", "--quiet"});
    const testing::ToolResult result = run(arguments);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_THAT(result.err, IsEmpty());
    return result.out;
  }
  std::string reference() {
    const fs::path plain = work_ / "plain.csv";
    write_file(plain, plain_locations);
    return output_of({plain.string()});
  }
};

TEST_F(RealWorldInputTest, AHeaderWithExtraColumnsPicksTheNamedOnes) {
  const std::string expected = reference();
  ASSERT_EQ(std::count(expected.begin(), expected.end(), '\n'), 3);
  const fs::path input = work_ / "geonames.csv";
  write_file(input,
             "geonameid,name,country,latitude,longitude,population\n"
             "2988507,Paris,FR,48.8566,2.3522,2138551\n"
             "4930956,boston,US,42.364758,-71.067421,675647\n"
             "2657896,Z\xC3\xBCrich,CH,47.3769,8.5417,341730\n");
  EXPECT_EQ(output_of({input.string()}), expected);
  const fs::path reordered = work_ / "reordered.csv";
  write_file(reordered, "Lng,City,Lat\n2.3522,Paris,48.8566\n-71.067421,boston,42.364758\n8.5417,Z\xC3\xBCrich,47.3769\n");
  EXPECT_EQ(output_of({reordered.string()}), expected);
}

TEST_F(RealWorldInputTest, ColumnsChosenOnTheCommandLineApplyToInputAndDestinations) {
  const std::string expected = reference();
  const fs::path input = work_ / "custom.csv";
  write_file(input, "code,town,deg_n,deg_e\nA,Paris,48.8566,2.3522\nB,boston,42.364758,-71.067421\nC,Z\xC3\xBCrich,47.3769,8.5417\n");
  EXPECT_EQ(output_of({input.string(), "--columns", "town,deg_n,deg_e"}), expected);
  EXPECT_EQ(output_of({input.string(), "--columns", "2,3,4"}), expected);

  const fs::path plain = work_ / "plain.csv";
  const std::string rectangle = output_of({plain.string(), "--to", plain.string()});
  EXPECT_EQ(output_of({input.string(), "--columns", "town,deg_n,deg_e", "--to", input.string()}), rectangle);
}

TEST_F(RealWorldInputTest, RowNumbersAsNames) {
  const fs::path input = work_ / "points.csv";
  write_file(input, "48.8566,2.3522\n42.364758,-71.067421\n");
  const std::string out = output_of({input.string(), "--columns", "-,1,2"});
  EXPECT_THAT(out, StartsWith("1,2,"));
}

TEST_F(RealWorldInputTest, AMissingColumnIsAnInputErrorListingTheColumnsFound) {
  const fs::path input = work_ / "custom.csv";
  write_file(input, "code,town,deg_n,deg_e\nA,Paris,48.8566,2.3522\n");
  const testing::ToolResult result = run({input.string(), "-o", "-", "--columns", "name,deg_n,deg_e"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.err, input.string() +
                            ":1: column \"name\" is not in the header: the columns found are code, town, deg_n, deg_e\n");
  EXPECT_THAT(result.out, IsEmpty());
}

TEST_F(RealWorldInputTest, AMalformedColumnsOptionIsAUsageError) {
  const fs::path input = work_ / "plain.csv";
  write_file(input, plain_locations);
  for (const char* wrong : {"name,lat", "a,-,c", "a,b,c,d"}) {
    const testing::ToolResult result = run({input.string(), "-o", "-", "--columns", wrong});
    EXPECT_EQ(result.exit_code, 2) << wrong;
    EXPECT_THAT(result.err, HasSubstr("is not NAME,LAT,LON")) << wrong;
  }
}

TEST_F(RealWorldInputTest, SemicolonsAndTabsAreDetectedOrChosen) {
  const std::string expected = reference();
  const fs::path semicolons = work_ / "semicolons.csv";
  write_file(semicolons, "Name;Lat;Lon\nParis;48.8566;2.3522\nboston;42.364758;-71.067421\nZ\xC3\xBCrich;47.3769;8.5417\n");
  EXPECT_EQ(output_of({semicolons.string()}), expected);
  EXPECT_EQ(output_of({semicolons.string(), "--delimiter", ";"}), expected);
  const fs::path tabs = work_ / "tabs.tsv";
  write_file(tabs, "Paris\t48.8566\t2.3522\nboston\t42.364758\t-71.067421\nZ\xC3\xBCrich\t47.3769\t8.5417\n");
  EXPECT_EQ(output_of({tabs.string(), "--delimiter", "tab"}), expected);
  EXPECT_EQ(output_of({tabs.string()}), expected);
}

TEST_F(RealWorldInputTest, DecimalCommasAreAnInputError) {
  const fs::path input = work_ / "excel.csv";
  write_file(input, "name;lat;lon\nParis;48,8566;2,3522\n");
  const testing::ToolResult result = run({input.string(), "-o", "-"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.err, input.string() +
                            ":2: latitude \"48,8566\" has a decimal comma: only a decimal point is allowed (48.8566)\n");
  const testing::ToolResult wrong = run({input.string(), "-o", "-", "--delimiter", "|"});
  EXPECT_EQ(wrong.exit_code, 2);
}

TEST_F(RealWorldInputTest, CompressedFilesAreRecognizedByContent) {
  const std::string expected = reference();
  const fs::path gzip = work_ / "cities.csv.gz";
  write_file(gzip, testing::gzip_compress(plain_locations));
  EXPECT_EQ(output_of({gzip.string()}), expected);
  const fs::path zstd = work_ / "cities.zst";
  write_file(zstd, testing::zstd_compress("Name;Lat;Lon\nParis;48.8566;2.3522\nboston;42.364758;-71.067421\n"
                                          "Z\xC3\xBCrich;47.3769;8.5417\n"));
  EXPECT_EQ(output_of({zstd.string()}), expected);
  const fs::path xz = work_ / "cities";  // no extension: the content decides
  write_file(xz, testing::xz_compress("geonameid,name,latitude,longitude\n1,Paris,48.8566,2.3522\n2,boston,"
                                      "42.364758,-71.067421\n3,Z\xC3\xBCrich,47.3769,8.5417\n"));
  EXPECT_EQ(output_of({xz.string()}), expected);

  const fs::path plain = work_ / "plain.csv";
  const std::string rectangle = output_of({plain.string(), "--to", plain.string()});
  EXPECT_EQ(output_of({gzip.string(), "--to", xz.string()}), rectangle);

  write_file(zstd, testing::zstd_compress(plain_locations));
  const testing::ToolResult piped = run({"-", "-o", "-", "--quiet"}, zstd);
  EXPECT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.out, expected) << "standard input is recognized too";
}

TEST_F(RealWorldInputTest, ATruncatedArchiveIsAnInputErrorNamingTheFile) {
  const std::string text = testing::to_csv(testing::random_locations(20000, 11));
  const std::string compressed = testing::gzip_compress(text);
  const fs::path input = work_ / "cut.csv.gz";
  write_file(input, compressed.substr(0, compressed.size() / 2));
  for (const char* executor : {"sequential", "async"}) {
    const fs::path output = work_ / "out.csv";
    const testing::ToolResult result = run({input.string(), "-o", output.string(), "-e", executor});
    EXPECT_EQ(result.exit_code, 3) << executor;
    EXPECT_THAT(result.err, StartsWith(input.string() + ":"));
    EXPECT_THAT(result.err, HasSubstr(": the gzip data is truncated: the file ends inside the compressed stream"));
    EXPECT_FALSE(fs::exists(output)) << executor;
  }
}

TEST_F(RealWorldInputTest, GeoJsonPointsAreRead) {
  const std::string expected = reference();
  const std::string features[] = {
      R"({"type": "Feature", "properties": {"name": "Paris"}, "geometry": {"type": "Point", "coordinates": [2.3522, 48.8566]}})",
      R"({"type": "Feature", "properties": {"name": "boston"}, "geometry": {"type": "Point", "coordinates": [-71.067421, 42.364758]}})",
      "{\"type\": \"Feature\", \"properties\": {\"name\": \"Z\xC3\xBCrich\"}, \"geometry\": {\"type\": \"Point\", "
      "\"coordinates\": [8.5417, 47.3769]}}"};
  const fs::path collection = work_ / "qgis.geojson";
  write_file(collection, "{\"type\": \"FeatureCollection\", \"features\": [\n" + features[0] + ",\n" + features[1] +
                             ",\n" + features[2] + "\n]}\n");
  EXPECT_EQ(output_of({collection.string()}), expected);
  const fs::path lines = work_ / "points.geojsonl.gz";
  write_file(lines, testing::gzip_compress(features[0] + "\n" + features[1] + "\n" + features[2] + "\n"));
  EXPECT_EQ(output_of({lines.string()}), expected);

  const fs::path plain = work_ / "plain.csv";
  EXPECT_EQ(output_of({plain.string(), "--to", collection.string()}), output_of({plain.string(), "--to", plain.string()}));
}

TEST_F(RealWorldInputTest, GeoJsonErrorsNameTheFeature) {
  const fs::path input = work_ / "mixed.geojson";
  write_file(input,
             "{\"type\": \"FeatureCollection\", \"features\": [\n"
             R"({"type": "Feature", "properties": {"name": "road"}, "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}},)"
             "\n"
             R"({"type": "Feature", "properties": {"title": "x"}, "geometry": {"type": "Point", "coordinates": [0, 0]}})"
             "\n]}\n");
  const testing::ToolResult result = run({input.string(), "-o", "-"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.err, input.string() + ":2: feature 0 is a LineString: only Point geometries are read\n" +
                            input.string() +
                            ":3: feature 1 has no \"name\" property (a string or a number): choose another with "
                            "--name-property\n");
  const testing::ToolResult named = run({input.string(), "-o", "-", "--name-property", "title"});
  EXPECT_EQ(named.exit_code, 3);
  EXPECT_THAT(named.err, Not(HasSubstr("feature 1")));
}

// ---------------------------------------------------------------- issue 17: the workshop's -r pandas and -r dask

TEST_F(RealWorldInputTest, RunnerPandasIsTheSimdKernelInOneProcess) {
  const fs::path input = fs::path(DM_DATA_DIR) / "five_locations.csv";
  const std::string expected = output_of({input.string(), "-e", "sequential", "--kernel", "simd"});
  const testing::ToolResult result = run({input.string(), "-r", "pandas", "-o", "-"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, expected);
  EXPECT_THAT(result.err, HasSubstr("(sequential, 1 worker, chunk auto, simd "));
  EXPECT_EQ(run({input.string(), "-r", "pandas", "-e", "sequential", "-o", "-", "-q"}).exit_code, 0);
  const testing::ToolResult combined = run({input.string(), "-r", "pandas", "-e", "pool", "-o", "-"});
  EXPECT_EQ(combined.exit_code, 2);
  EXPECT_THAT(combined.err, HasSubstr("pandas runs the vectorized kernel in one process"));
}

TEST_F(RealWorldInputTest, RunnerDaskIsAUsageErrorPointingToThePythonToolAndMpi) {
  const fs::path input = fs::path(DM_DATA_DIR) / "five_locations.csv";
  const fs::path output = work_ / "out.csv";
  const testing::ToolResult result = run({input.string(), "-r", "dask", "-o", output.string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("python -m distance_matrix INPUT -r dask"));
  EXPECT_THAT(result.err, HasSubstr("-e mpi"));
  EXPECT_FALSE(fs::exists(output));
}

}  // namespace
}  // namespace dm
