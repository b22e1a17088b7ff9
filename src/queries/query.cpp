#include "distance_matrix/queries/query.hpp"

namespace dm {
namespace {

constexpr ExecutorKind block_runners[] = {ExecutorKind::sequential, ExecutorKind::threads, ExecutorKind::pool,
                                          ExecutorKind::processes, ExecutorKind::parallel};
constexpr ExecutorKind index_searchers[] = {ExecutorKind::sequential, ExecutorKind::parallel};

}  // namespace

std::string_view query_option(const Query& query) noexcept {
  if (query.summary) return "--summary";
  if (query.nearest) return "--nearest";
  if (query.within) return "--within";
  return {};
}

std::span<const ExecutorKind> executors_answering(const Query& query) noexcept {
  if (query.nearest || query.within) return index_searchers;
  if (query.summary) return block_runners;
  return all_executor_kinds;
}

}  // namespace dm
