// distance_matrix/queries/query.hpp
//
// Query: what a run answers instead of the whole matrix (--summary,
// --nearest K, --within DISTANCE), and which executors answer each.
//
// Thread safety: plain values and pure functions.
//
// Example:
//   dm::MatrixJob job;
//   job.query.nearest = 10;             // the 10 nearest of every location
//   job.executor = dm::RunnerKind::parallel;

#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "distance_matrix/run/runner_kind.hpp"

namespace dm {

/// What a run answers instead of the whole matrix (issue 15). The default,
/// no query, is the matrix itself.
struct Query {
  /// --summary: one row per origin over all the others (or all destinations).
  bool summary = false;
  /// --nearest K: the K nearest other locations (or destinations) of every origin.
  std::optional<std::size_t> nearest;
  /// --within DISTANCE, in the job's unit: every pair at most that far
  /// apart; with nearest, at most K per origin within it.
  std::optional<double> within;

  [[nodiscard]] bool is_matrix() const noexcept { return !summary && !nearest && !within; }
};

/// The option that asked for `query` ("--summary", "--nearest", "--within";
/// "--nearest" when with --within), for messages; empty for the matrix.
[[nodiscard]] std::string_view query_option(const Query& query) noexcept;

/// The executors that answer `query`: the summary is a reduction over
/// computed blocks, so every block runner does (not async, whose stages are
/// read/compute/write coroutines); nearest and within search a spatial index, on one
/// thread (sequential) or on every core (parallel).
[[nodiscard]] std::span<const RunnerKind> executors_answering(const Query& query) noexcept;

}  // namespace dm
