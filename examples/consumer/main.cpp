// Uses the installed distance_matrix library: the workshop's three sample
// locations through the oneTBB executor, checked against the reference
// distances in the README (exact values from a 60-digit computation).
// Exits 0 when every distance and the version match, 1 otherwise.

#include <cmath>
#include <cstdio>
#include <distance_matrix/kernel/distance_kernel.hpp>
#include <distance_matrix/executors/executor.hpp>
#include <distance_matrix/kernel/location.hpp>
#include <distance_matrix/version.hpp>
#include <string_view>
#include <vector>

int main() {
  const dm::LocationTable locations({
      {"ann arbor", 42.279594, -83.732124},
      {"pleasant grove", 40.364118, -111.738540},
      {"boston", 42.364758, -71.067421},
  });
  // Pairs in the tool's order: (0,1), (0,2), (1,2).
  const double reference_km[] = {2337.868086809025, 1040.300088008328, 3369.022250836994};
  // One ulp of a few thousand km is 4.5e-13 km; the README promises 5e-13.
  constexpr double tolerance_km = 5e-13;

  const dm::DistanceKernel kernel(locations);
  std::vector<double> distances(kernel.pair_count());
  dm::make_executor(dm::ExecutorKind::parallel, {})->compute(kernel, {0, kernel.pair_count()}, distances);

  int failures = 0;
  for (std::size_t pair = 0; pair < distances.size(); ++pair) {
    const double error = std::abs(distances[pair] - reference_km[pair]);
    std::printf("pair %zu: %.17g km (reference %.16g, off by %.1e)\n", pair, distances[pair],
                reference_km[pair], error);
    if (!(error <= tolerance_km)) ++failures;
  }
  if (std::string_view(dm::version) != DM_EXPECTED_VERSION) {
    std::printf("version.hpp says %s, the package %s\n", dm::version, DM_EXPECTED_VERSION);
    ++failures;
  }
  return failures == 0 ? 0 : 1;
}
