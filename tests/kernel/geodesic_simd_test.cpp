// The vectorized Karney inverse (--kernel simd --metric geodesic) against
// GeographicLib's Geodesic::Inverse, called here directly: more than a
// million pairs in every case that stresses a branch of the algorithm, on
// every instruction set this machine runs, within the contract's 1 µm; the
// same double for (a, b) and (b, a); and whole runs, which put each pair in
// a different lane and vector than a single call does, give the same doubles.
#include <gtest/gtest.h>

#include <GeographicLib/Geodesic.hpp>
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "distance_matrix/kernel/distance_options.hpp"
#include "distance_matrix/kernel/ellipsoid.hpp"
#include "src/kernel/metric_strategy.hpp"
#include "src/kernel/metrics/geodesic_metric.hpp"
#include "src/kernel/simd_distance.hpp"
#include "support/kernel_variants.hpp"

namespace dm {
namespace {

constexpr double contract_m = 1e-6;

struct Location {
  double latitude;
  double longitude;
};

/// Anchors, each with a run of partners chosen for one stress case.
struct StressCase {
  std::string name;
  std::vector<Location> anchors;
  std::vector<std::vector<Location>> partners;  ///< partners[k] go with anchors[k]
  [[nodiscard]] std::size_t pair_count() const {
    std::size_t count = 0;
    for (const auto& run : partners) count += run.size();
    return count;
  }
};

double wrap_longitude(double longitude) {
  while (longitude > 180.0) longitude -= 360.0;
  while (longitude < -180.0) longitude += 360.0;
  return longitude;
}

double clamp_latitude(double latitude) { return std::clamp(latitude, -90.0, 90.0); }

/// Uniform on the sphere.
Location random_location(std::mt19937_64& random) {
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::uniform_real_distribution<double> longitude(-180.0, 180.0);
  return {std::asin(unit(random)) * 180.0 / 3.14159265358979323846, longitude(random)};
}

/// Cases of `runs` anchors with `run_length` partners each.
std::vector<StressCase> stress_cases(std::size_t runs, std::size_t run_length) {
  std::mt19937_64 random(20261204);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_real_distribution<double> longitude(-180.0, 180.0);
  std::vector<StressCase> cases;
  const auto make = [&](const std::string& name, auto anchor_of, auto partner_of) {
    StressCase stress{name, {}, {}};
    for (std::size_t k = 0; k < runs; ++k) {
      const Location anchor = anchor_of();
      stress.anchors.push_back(anchor);
      std::vector<Location> run;
      for (std::size_t m = 0; m < run_length; ++m) run.push_back(partner_of(anchor));
      stress.partners.push_back(std::move(run));
    }
    cases.push_back(std::move(stress));
  };
  const auto any = [&] { return random_location(random); };
  make("random", any, [&](Location) { return random_location(random); });
  const auto polar = [&] {
    const double side = unit(random) < 0.5 ? -1.0 : 1.0;
    return Location{side * (90.0 - 0.1 * unit(random) * unit(random)), longitude(random)};
  };
  make("polar", polar, [&](Location anchor) {
    const double u = unit(random);
    if (u < 0.4) return polar();  // near a pole, either one
    if (u < 0.5) return Location{anchor.latitude < 0 ? -90.0 : 90.0, longitude(random)};  // at the pole
    return random_location(random);
  });
  make("equatorial", [&] { return Location{0.0, longitude(random)}; }, [&](Location) {
    const double u = unit(random);
    if (u < 0.6) return Location{0.0, longitude(random)};
    return Location{(unit(random) - 0.5) * 1e-9, longitude(random)};  // just off the equator
  });
  make("meridional", any, [&](Location anchor) {
    const double u = unit(random);
    const double latitude = std::asin(2 * unit(random) - 1) * 180.0 / 3.14159265358979323846;
    if (u < 0.5) return Location{latitude, anchor.longitude};
    if (u < 0.9) return Location{latitude, wrap_longitude(anchor.longitude + 180.0)};
    return Location{latitude, wrap_longitude(anchor.longitude + (unit(random) - 0.5) * 1e-9)};  // nearly
  });
  make("coincident", any, [&](Location anchor) { return anchor; });
  make("millimetres", any, [&](Location anchor) {
    // About a millimetre (1e-8° of latitude is 1.1 mm), in any direction.
    const double angle = 2 * 3.14159265358979323846 * unit(random);
    const double scale = 1e-8 * (0.1 + 2 * unit(random));
    return Location{clamp_latitude(anchor.latitude + scale * std::sin(angle)),
                    wrap_longitude(anchor.longitude + scale * std::cos(angle))};
  });
  make("short", any, [&](Location anchor) {
    // Metres to kilometres: InverseStart's short-line start.
    const double angle = 2 * 3.14159265358979323846 * unit(random);
    const double scale = std::pow(10.0, -6 + 5 * unit(random));
    return Location{clamp_latitude(anchor.latitude + scale * std::sin(angle)),
                    wrap_longitude(anchor.longitude + scale * std::cos(angle))};
  });
  make("nearly_antipodal", any, [&](Location anchor) {
    // Within a few degrees of the antipode, down to micro-degrees: where the
    // spherical start fails and GeographicLib starts from the astroid.
    const double scale = std::pow(10.0, -7 + 7.5 * unit(random));
    const double angle = 2 * 3.14159265358979323846 * unit(random);
    return Location{clamp_latitude(-anchor.latitude + scale * std::sin(angle)),
                    wrap_longitude(anchor.longitude + 180.0 + scale * std::cos(angle))};
  });
  make("antimeridian", [&] { return Location{std::asin(2 * unit(random) - 1) * 57.29577951308232, 180.0 - unit(random)}; },
       [&](Location anchor) {
         return Location{clamp_latitude(anchor.latitude + (unit(random) - 0.5) * 10), -180.0 + 2 * unit(random)};
       });
  return cases;
}

double reference_meters(const GeographicLib::Geodesic& geodesic, Location a, Location b) {
  double meters = 0.0;
  geodesic.Inverse(a.latitude, a.longitude, b.latitude, b.longitude, meters);
  return meters;
}

/// Every pair of every case through the simd kernel's runs (anchor k
/// against its partners, in one run), against GeographicLib.
void expect_within_contract(const Ellipsoid& ellipsoid, const std::vector<StressCase>& cases,
                            const testing::KernelVariant& variant) {
  const GeographicLib::Geodesic geodesic(ellipsoid.semi_major_axis_m, flattening(ellipsoid));
  DistanceOptions options;
  options.metric = Metric::geodesic;
  options.unit = Unit::meters;
  options.kernel = KernelKind::simd;
  options.ellipsoid = ellipsoid;
  const testing::DispatchTo dispatch(variant);
  for (const StressCase& stress : cases) {
    std::unique_ptr<MetricStrategy> metric = make_metric_strategy(options);
    // Locations: anchor k, then its partners.
    std::vector<std::size_t> anchor_index;
    for (std::size_t k = 0; k < stress.anchors.size(); ++k) {
      anchor_index.push_back(anchor_index.empty() ? 0 : anchor_index.back() + stress.partners[k - 1].size() + 1);
      metric->add(stress.anchors[k].latitude, stress.anchors[k].longitude);
      for (const Location& partner : stress.partners[k]) metric->add(partner.latitude, partner.longitude);
    }
    double worst = 0.0;
    std::size_t failures = 0;
    for (std::size_t k = 0; k < stress.anchors.size(); ++k) {
      const std::vector<Location>& run = stress.partners[k];
      std::vector<double> out(run.size());
      metric->run(anchor_index[k], anchor_index[k] + 1, anchor_index[k] + 1 + run.size(), out.data());
      for (std::size_t m = 0; m < run.size(); ++m) {
        const double error = std::abs(out[m] - reference_meters(geodesic, stress.anchors[k], run[m]));
        worst = std::max(worst, std::isnan(error) ? INFINITY : error);
        if (!(error <= contract_m) && failures++ < 5) {
          ADD_FAILURE() << variant.name << ' ' << stress.name << ' ' << to_string(ellipsoid) << ": ("
                        << stress.anchors[k].latitude << ", " << stress.anchors[k].longitude << ") to ("
                        << run[m].latitude << ", " << run[m].longitude << "): " << out[m] << " m, off by " << error;
        }
        if (stress.name == "coincident") {
          EXPECT_EQ(out[m], 0.0);
        }
      }
    }
    EXPECT_EQ(failures, 0u) << variant.name << ' ' << stress.name;
    std::printf("%-10s %-28s %-17s %9zu pairs, largest difference %.3g m\n", variant.name.c_str(),
                to_string(ellipsoid).c_str(), stress.name.c_str(), stress.pair_count(), worst);
  }
}

std::vector<testing::KernelVariant> simd_variants() {
  std::vector<testing::KernelVariant> variants = testing::kernel_variants();
  variants.erase(variants.begin());  // the scalar kernel is GeographicLib itself
  return variants;
}

TEST(GeodesicSimd, OverAMillionStressPairsOnWgs84AreWithinOneMicrometreOfGeographicLib) {
  // 9 cases × 1,800 runs × 64 partners = 1,036,800 pairs on the best
  // instruction set; a tenth of them on each of the others.
  const std::vector<StressCase> cases = stress_cases(1800, 64);
  std::size_t pairs = 0;
  for (const StressCase& stress : cases) pairs += stress.pair_count();
  ASSERT_GE(pairs, 1'000'000u);
  const std::vector<StressCase> fewer = stress_cases(180, 64);
  bool best = true;
  for (const testing::KernelVariant& variant : simd_variants()) {
    expect_within_contract(wgs84, best ? cases : fewer, variant);
    best = false;
  }
}

TEST(GeodesicSimd, OtherEllipsoidsProlateAndTheSphereIncludedAreWithinOneMicrometre) {
  const std::vector<StressCase> cases = stress_cases(100, 48);
  for (const Ellipsoid ellipsoid : {grs80, Ellipsoid{6378388.0, 297.0}, Ellipsoid{6378137.0, 100.0},
                                    Ellipsoid{6378137.0, -300.0}, Ellipsoid{6378137.0, -100.0},
                                    Ellipsoid{6371008.8, 0.0}}) {
    for (const testing::KernelVariant& variant : simd_variants()) expect_within_contract(ellipsoid, cases, variant);
  }
}

TEST(GeodesicSimd, EveryPairIsTheSameDoubleEitherWayAndInEveryLane) {
  // d(a, b) from a run anchored at a, where b sits in some lane of some
  // vector, equals d(b, a) from a run of one anchored at b.
  const std::vector<StressCase> cases = stress_cases(40, 37);  // 37: runs end in a partial vector
  DistanceOptions options;
  options.metric = Metric::geodesic;
  options.kernel = KernelKind::simd;
  for (const testing::KernelVariant& variant : simd_variants()) {
    const testing::DispatchTo dispatch(variant);
    for (const StressCase& stress : cases) {
      std::unique_ptr<MetricStrategy> metric = make_metric_strategy(options);
      for (std::size_t k = 0; k < stress.anchors.size(); ++k) {
        metric->add(stress.anchors[k].latitude, stress.anchors[k].longitude);
        for (const Location& partner : stress.partners[k]) metric->add(partner.latitude, partner.longitude);
      }
      std::size_t anchor = 0;
      for (std::size_t k = 0; k < stress.anchors.size(); ++k) {
        const std::size_t length = stress.partners[k].size();
        std::vector<double> forward(length);
        metric->run(anchor, anchor + 1, anchor + 1 + length, forward.data());
        for (std::size_t m = 0; m < length; ++m) {
          double backward = 0.0;
          metric->run(anchor + 1 + m, anchor, anchor + 1, &backward);
          ASSERT_EQ(std::bit_cast<std::uint64_t>(forward[m]), std::bit_cast<std::uint64_t>(backward))
              << variant.name << ' ' << stress.name << " run " << k << " partner " << m;
        }
        anchor += 1 + length;
      }
    }
  }
}

TEST(GeodesicSimd, TheVectorizedPathNotGeographicLibComputesAlmostEveryPair) {
  // The lanes left to GeographicLib are the rare ones GeographicLib itself
  // bisects or the vector code does not converge on, and equatorial pairs
  // whose geodesic leaves the equator: under 1 % in every stress case, nearly
  // antipodal, meridional and coincident included. So the tests above check
  // the vectorized code, and the speed comes from it.
  DistanceOptions options;
  options.metric = Metric::geodesic;
  const simd::GeodesicConstants constants = metrics::geodesic_constants(options);
  const std::vector<StressCase> cases = stress_cases(200, 250);
  for (const testing::KernelVariant& variant : simd_variants()) {
    const testing::DispatchTo dispatch(variant);
    for (const StressCase& stress : cases) {
      std::size_t hard = 0;
      std::size_t pairs = 0;
      for (std::size_t k = 0; k < stress.anchors.size(); ++k) {
        std::vector<std::vector<double>> columns(7, std::vector<double>(250 + simd::input_padding, 0.0));
        for (std::size_t m = 0; m < stress.partners[k].size(); ++m) {
          const simd::GeodesicLocation l =
              metrics::geodesic_location(constants, stress.partners[k][m].latitude, stress.partners[k][m].longitude);
          const std::array values{l.latitude, l.longitude, l.sin_beta, l.cos_beta, l.dn, l.sin_longitude, l.cos_longitude};
          for (std::size_t c = 0; c < 7; ++c) columns[c][m] = values[c];
        }
        const simd::GeodesicLocations others{columns[0].data(), columns[1].data(), columns[2].data(), columns[3].data(),
                                             columns[4].data(), columns[5].data(), columns[6].data()};
        std::vector<double> out(250);
        std::vector<std::uint32_t> hard_lanes(simd::geodesic_block);
        hard += simd::geodesic_run(others, 250, metrics::geodesic_location(constants, stress.anchors[k].latitude,
                                                                            stress.anchors[k].longitude),
                                   constants, out.data(), hard_lanes.data());
        pairs += 250;
      }
      const double share = static_cast<double>(hard) / static_cast<double>(pairs);
      std::printf("%-10s %-17s %6.2f %% of pairs left to GeographicLib\n", variant.name.c_str(), stress.name.c_str(),
                  100 * share);
      EXPECT_LT(share, 0.01) << variant.name << ' ' << stress.name;
    }
  }
}

}  // namespace
}  // namespace dm
