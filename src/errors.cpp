#include "distance_matrix/errors.hpp"

#include <utility>

#include "distance_matrix/text/printable.hpp"

namespace dm {
namespace {

std::string summarize(const std::vector<Diagnostic>& diagnostics, std::size_t total_count) {
  std::string text;
  for (const Diagnostic& diagnostic : diagnostics) {
    if (!text.empty()) text += '\n';
    text += diagnostic.to_string();
  }
  if (total_count > diagnostics.size()) {
    if (!text.empty()) text += '\n';
    text += "... and " + std::to_string(total_count - diagnostics.size()) + " more invalid rows";
  }
  return text;
}

}  // namespace

std::string Diagnostic::to_string() const {
  return printable(file) + ':' + std::to_string(line) + ": " + printable(message);
}

InputError::InputError(std::vector<Diagnostic> diagnostics, std::size_t total_count)
    : std::runtime_error(summarize(diagnostics, total_count)),
      diagnostics_(std::move(diagnostics)),
      total_count_(total_count) {}

}  // namespace dm
