#include "distance_matrix/matrix/matrix_shape.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace dm {
namespace {

std::size_t checked_product(std::size_t rows, std::size_t columns) {
  if (columns != 0 && rows > std::numeric_limits<std::size_t>::max() / columns) {
    throw std::length_error("a matrix of " + std::to_string(rows) + " × " + std::to_string(columns) +
                            " cells is too large");
  }
  return rows * columns;
}

}  // namespace

std::string_view to_string(Layout layout) noexcept { return name_in(layout_names, layout); }

std::optional<Layout> parse_layout(std::string_view text) noexcept {
  const std::optional<Layout> layout = value_in(layout_names, text);
  if (layout == Layout::rectangle) return std::nullopt;
  return layout;
}

MatrixShape MatrixShape::pairs(std::size_t locations) {
  checked_product(locations, locations);
  return {Layout::pairs, locations, locations, pair_count(locations)};
}

MatrixShape MatrixShape::condensed(std::size_t locations) {
  checked_product(locations, locations);
  return {Layout::condensed, locations, locations, pair_count(locations)};
}

MatrixShape MatrixShape::square(std::size_t locations) {
  return {Layout::square, locations, locations, checked_product(locations, locations)};
}

MatrixShape MatrixShape::rectangle(std::size_t origins, std::size_t destinations) {
  if (origins > std::numeric_limits<std::size_t>::max() - destinations) {
    throw std::length_error("too many locations");
  }
  return {Layout::rectangle, origins, destinations, checked_product(origins, destinations)};
}

MatrixShape MatrixShape::of(Layout layout, std::size_t locations) {
  switch (layout) {
    case Layout::pairs: return pairs(locations);
    case Layout::condensed: return condensed(locations);
    case Layout::square: return square(locations);
    case Layout::rectangle: break;
  }
  throw std::invalid_argument("a rectangle needs origins and destinations");
}

MatrixRun MatrixShape::run_at(std::size_t cell, std::size_t max_cells) const noexcept {
  switch (layout_) {
    case Layout::pairs: {
      // Row j holds the pairs (0, j) … (j-1, j): anchor j against origins i.
      const Pair pair = pair_at(cell);
      return {pair.destination, pair.origin, pair.origin + std::min(max_cells, pair.destination - pair.origin)};
    }
    case Layout::condensed: {
      // Read backwards, condensed order is the pairs order of the reversed
      // rows: row i (n-1-i cells) is row n-1-i of the triangle counted from
      // the end. pair_at on the distance from the end finds the row exactly.
      const Pair mirrored = pair_at(cells_ - 1 - cell);
      const std::size_t origin = rows_ - 1 - mirrored.destination;
      const std::size_t position = mirrored.destination - 1 - mirrored.origin;
      const std::size_t first = origin + 1 + position;
      return {origin, first, first + std::min(max_cells, rows_ - first)};
    }
    case Layout::square: {
      const std::size_t row = cell / columns_;
      const std::size_t column = cell % columns_;
      return {row, column, column + std::min(max_cells, columns_ - column)};
    }
    case Layout::rectangle: {
      const std::size_t row = cell / columns_;
      const std::size_t column = cell % columns_;
      const std::size_t first = rows_ + column;
      return {row, first, first + std::min(max_cells, columns_ - column)};
    }
  }
  return {};
}

}  // namespace dm
