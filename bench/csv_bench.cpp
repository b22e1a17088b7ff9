// Input parsing and output formatting: with a fast kernel, writing half a
// million CSV rows is where most of a run goes.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <sstream>
#include <vector>

#include "bench_data.hpp"
#include "distance_matrix/input/csv_reader.hpp"
#include "distance_matrix/kernel/distance_kernel.hpp"
#include "distance_matrix/output/csv_pairs_encoder.hpp"

namespace dm {
namespace {

void BM_ParseLocations(benchmark::State& state) {
  std::ifstream file(std::string(DM_DATA_DIR) + "/1k_locations.csv", std::ios::binary);
  std::stringstream content;
  content << file.rdbuf();
  // 50 copies: 50,000 rows, enough to time the parser rather than setup.
  std::string text;
  for (int copy = 0; copy < 50; ++copy) text += content.str();
  std::size_t rows = 0;
  for (auto _ : state) {
    CsvLocationReader reader(text, "bench.csv");
    rows = read_all(reader).size();
    benchmark::DoNotOptimize(rows);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseLocations)->Unit(benchmark::kMillisecond);

/// A whole location file read as the tool reads it, on one thread or two
/// (the argument): the 171k GeoNames cities of bench/queries/setup, or the
/// file $DM_BENCH_CSV names.
void BM_ReadLocationsFile(benchmark::State& state) {
  const std::optional<std::string> file = bench::large_location_file();
  if (!file) {
    state.SkipWithError(bench::no_large_location_file);
    return;
  }
  const std::string& path = *file;
  const auto threads = static_cast<unsigned>(state.range(0));
  std::size_t rows = 0;
  for (auto _ : state) {
    CsvLocationReader reader = CsvLocationReader::open(path);
    rows = read_all(reader, threads).size();
    benchmark::DoNotOptimize(rows);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * std::filesystem::file_size(path)));
}
BENCHMARK(BM_ReadLocationsFile)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);


}  // namespace
}  // namespace dm

namespace dm {
namespace {

/// The CSV encoder alone, on precomputed distances: rows per second with
/// one and two threads each encoding its own share of blocks, as the
/// streaming pipeline's parallel stage does.
void BM_EncodeCsvPairs(benchmark::State& state) {
  static const LocationTable locations = bench::thousand_locations();
  static const std::vector<double> distances = [] {
    const DistanceKernel kernel(locations);
    std::vector<double> out(kernel.pair_count());
    kernel.compute({0, out.size()}, out);
    return out;
  }();
  const CsvPairsEncoder encoder(locations, MatrixShape::pairs(locations.size()));
  constexpr std::size_t block = std::size_t{1} << 16;
  std::string bytes;
  std::size_t rows = 0;
  for (auto _ : state) {
    for (std::size_t first = static_cast<std::size_t>(state.thread_index()) * block; first < distances.size();
         first += static_cast<std::size_t>(state.threads()) * block) {
      const std::size_t last = std::min(first + block, distances.size());
      bytes.clear();
      encoder.encode({first, last}, std::span<const double>(distances).subspan(first, last - first), bytes);
      benchmark::DoNotOptimize(bytes.data());
      rows += last - first;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(rows));
}
BENCHMARK(BM_EncodeCsvPairs)->Threads(1)->Threads(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace dm
