#include "src/run/simulated_latency.hpp"

#include <thread>
#include <utility>

namespace dm {
namespace {

void block_for(std::chrono::nanoseconds latency) {
  if (latency > std::chrono::nanoseconds::zero()) std::this_thread::sleep_for(latency);
}

}  // namespace

std::optional<Location> SlowLocationReader::next() {
  std::optional<Location> location = reader_.next();
  if (location) block_for(latency_);
  return location;
}

void SlowMatrixOutput::append(std::string_view bytes) {
  if (bytes.empty()) return;
  block_for(latency_);
  inner_.append(bytes);
}

void SlowMatrixOutput::write_at(std::uint64_t offset, std::string_view bytes) {
  if (bytes.empty()) return;
  block_for(latency_);
  inner_.write_at(offset, bytes);
}

}  // namespace dm
