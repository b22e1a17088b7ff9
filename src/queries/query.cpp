#include "distance_matrix/queries/query.hpp"

namespace dm {
namespace {

constexpr RunnerKind block_runners[] = {RunnerKind::sequential, RunnerKind::threads, RunnerKind::pool,
                                        RunnerKind::processes, RunnerKind::parallel};
constexpr RunnerKind index_searchers[] = {RunnerKind::sequential, RunnerKind::parallel};

}  // namespace

std::string_view query_option(const Query& query) noexcept {
  if (query.summary) return "--summary";
  if (query.nearest) return "--nearest";
  if (query.within) return "--within";
  return {};
}

std::span<const RunnerKind> executors_answering(const Query& query) noexcept {
  if (query.nearest || query.within) return index_searchers;
  if (query.summary) return block_runners;
  return all_runner_kinds;
}

}  // namespace dm
