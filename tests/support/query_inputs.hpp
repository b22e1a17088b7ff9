#pragma once

// Inputs for the query tests (--summary, --nearest): the cases where an
// index or a reduction goes wrong first. Names are plain ("p0", "p1", ...)
// so that tests can split rows on commas.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "distance_matrix/kernel/location.hpp"

namespace dm::testing {

struct QueryInput {
  std::string label;
  std::vector<Location> locations;
};

inline std::vector<Location> named(const std::vector<std::pair<double, double>>& points, const std::string& prefix = "p") {
  std::vector<Location> locations;
  for (std::size_t index = 0; index < points.size(); ++index) {
    locations.push_back({prefix + std::to_string(index), points[index].first, points[index].second});
  }
  return locations;
}

/// Seeded, deterministic. Every set has at least a few hundred points
/// except where the case is about exact coincidences.
inline std::vector<QueryInput> query_inputs() {
  std::mt19937_64 random(15);
  std::uniform_real_distribution<double> unit(0, 1);
  // Uniform on the sphere: latitude from asin of a uniform sine.
  auto sphere = [&] {
    return std::pair{std::asin(2 * unit(random) - 1) * 180 / std::numbers::pi, 360 * unit(random) - 180};
  };
  std::vector<QueryInput> inputs;

  std::vector<std::pair<double, double>> points;
  for (int index = 0; index < 300; ++index) points.push_back(sphere());
  inputs.push_back({"random", named(points)});

  // Tight clusters (metres apart) around a few centres: neighbours are all
  // nearly tied, and far clusters are nearly equidistant.
  points.clear();
  for (int index = 0; index < 300; ++index) {
    const double centre_latitude = -60.0 + 30.0 * (index % 5);
    const double centre_longitude = -170.0 + 85.0 * (index % 5);
    points.emplace_back(centre_latitude + 1e-5 * (unit(random) - 0.5), centre_longitude + 1e-5 * (unit(random) - 0.5));
  }
  inputs.push_back({"clustered", named(points)});

  // Exact duplicates and coincident points of different coordinates: ties
  // at distance 0 go by input order.
  points.clear();
  for (int index = 0; index < 60; ++index) {
    switch (index % 6) {
      case 0: points.emplace_back(10.0, 20.0); break;
      case 1: points.emplace_back(0.0, 180.0); break;
      case 2: points.emplace_back(0.0, -180.0); break;
      case 3: points.emplace_back(90.0, 6.0 * index - 180.0); break;  // one pole, many longitudes
      case 4: points.emplace_back(10.0, 20.0 + 1e-9); break;
      default: points.push_back(sphere()); break;
    }
  }
  inputs.push_back({"duplicates", named(points)});

  // Near both poles, every longitude.
  points.clear();
  for (int index = 0; index < 300; ++index) {
    const double latitude = 89.0 + unit(random);
    points.emplace_back(index % 2 == 0 ? latitude : -latitude, 360 * unit(random) - 180);
  }
  inputs.push_back({"polar", named(points)});

  // Both sides of the antimeridian: nearest neighbours across ±180°.
  points.clear();
  for (int index = 0; index < 300; ++index) {
    const double longitude = 180.0 - 0.5 * unit(random);
    points.emplace_back(40 * unit(random) - 20, index % 2 == 0 ? longitude : -longitude);
  }
  inputs.push_back({"antimeridian", named(points)});

  // Pairs of nearly antipodal points: the farthest are nearly tied at half
  // the circumference.
  points.clear();
  for (int index = 0; index < 150; ++index) {
    const auto [latitude, longitude] = sphere();
    points.emplace_back(latitude, longitude);
    const double opposite = longitude > 0 ? longitude - 180 : longitude + 180;
    points.emplace_back(-latitude + 1e-7 * (unit(random) - 0.5), opposite);
  }
  inputs.push_back({"antipodal", named(points)});
  return inputs;
}

}  // namespace dm::testing
