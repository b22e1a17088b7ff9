// kernel_accuracy [PAIRS] [SEED]: measures the worst error of every kernel
// (scalar, and simd on each instruction set this CPU supports) against a
// 160-bit MPFR reference, on PAIRS random pairs over the whole sphere
// (default 1,000,000) and on PAIRS/10 nearly antipodal pairs, and compares
// with the textbook formula 2R·asin(√a). Prints where the worst error is.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string_view>
#include <vector>

#include "distance_matrix/kernel/distance_kernel.hpp"
#include "support/great_circle_reference.hpp"
#include "support/kernel_variants.hpp"

namespace {

using dm::testing::DoubleDouble;
using dm::testing::GreatCircleReference;

struct Pair {
  double latitude_a, longitude_a, latitude_b, longitude_b;
  DoubleDouble exact;
};

struct Worst {
  double error_km = 0;
  const Pair* pair = nullptr;
};

void consider(Worst& worst, double computed, const Pair& pair) {
  const double error = std::abs(GreatCircleReference::error(computed, pair.exact));
  if (!(error <= worst.error_km)) worst = {error, &pair};
}

void print(const char* kernel, const char* set, const Worst& worst) {
  std::printf("%-18s %-16s %10.3g km   at (%.17g, %.17g) - (%.17g, %.17g)\n", kernel, set, worst.error_km,
              worst.pair->latitude_a, worst.pair->longitude_a, worst.pair->latitude_b, worst.pair->longitude_b);
}

std::size_t parse_count(const char* text, std::size_t fallback) {
  if (text == nullptr) return fallback;
  std::size_t value = 0;
  const std::string_view view(text);
  const auto [end, error] = std::from_chars(view.data(), view.data() + view.size(), value);
  if (error != std::errc{} || end != view.data() + view.size() || value == 0) {
    std::fprintf(stderr, "kernel_accuracy: '%s' is not a positive whole number\n", text);
    std::exit(2);
  }
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t count = parse_count(argc > 1 ? argv[1] : nullptr, 1'000'000);
  const std::size_t seed = parse_count(argc > 2 ? argv[2] : nullptr, 20261124);
  const double radius = dm::mean_earth_radius_km;

  std::mt19937_64 random(seed);
  std::uniform_real_distribution<double> latitude(-90, 90);
  std::uniform_real_distribution<double> longitude(-180, 180);
  std::uniform_real_distribution<double> offset(-1e-6, 1e-6);
  GreatCircleReference reference;
  const auto make = [&](double lat_a, double lon_a, double lat_b, double lon_b) {
    return Pair{lat_a, lon_a, lat_b, lon_b, reference.distance(lat_a, lon_a, lat_b, lon_b, radius)};
  };
  std::vector<Pair> uniform;
  std::vector<Pair> antipodal;
  for (std::size_t index = 0; index < count; ++index) {
    uniform.push_back(make(latitude(random), longitude(random), latitude(random), longitude(random)));
  }
  for (std::size_t index = 0; index < count / 10 + 1; ++index) {
    const double lat = latitude(random);
    const double lon = longitude(random);
    const double antipode_lon = lon + (lon < 0 ? 180 : -180) + offset(random);
    antipodal.push_back(make(lat, lon, std::clamp(-lat + offset(random), -90.0, 90.0), antipode_lon));
  }
  std::printf("%zu random pairs, %zu nearly antipodal pairs (within 1e-6 degrees), seed %zu, R = %.4f km\n",
              uniform.size(), antipodal.size(), seed, radius);
  std::printf("%-18s %-16s %13s\n", "kernel", "pairs", "worst error");

  for (const auto& [set, pairs] : {std::pair{"random", &uniform}, std::pair{"near antipodes", &antipodal}}) {
    Worst textbook;
    for (const Pair& pair : *pairs) {
      consider(textbook, dm::testing::textbook_haversine(pair.latitude_a, pair.longitude_a, pair.latitude_b,
                                                         pair.longitude_b, radius),
               pair);
    }
    print("textbook 2R·asin", set, textbook);
  }
  for (const dm::testing::KernelVariant& variant : dm::testing::kernel_variants()) {
    const dm::testing::DispatchTo dispatch(variant);
    for (const auto& [set, pairs] : {std::pair{"random", &uniform}, std::pair{"near antipodes", &antipodal}}) {
      dm::DistanceKernel kernel(dm::DistanceOptions{.kernel = variant.kind});
      kernel.reserve(2 * pairs->size());
      for (const Pair& pair : *pairs) {
        kernel.add(pair.latitude_a, pair.longitude_a);
        kernel.add(pair.latitude_b, pair.longitude_b);
      }
      Worst worst;
      for (std::size_t index = 0; index < pairs->size(); ++index) {
        double computed = 0;
        kernel.compute_run(2 * index, 2 * index + 1, 2 * index + 2, &computed);
        consider(worst, computed, (*pairs)[index]);
      }
      print(variant.name.c_str(), set, worst);
    }
  }
  return 0;
}
