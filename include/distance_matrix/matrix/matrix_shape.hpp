// distance_matrix/matrix/matrix_shape.hpp
//
// MatrixShape and Layout: which pair of locations each cell of the flat range
// [0, cell_count()) holds, for the pairs, condensed (SciPy's pdist), square
// and rectangle (origins × destinations) layouts.
//
// Thread safety: an immutable value; its functions are const.
//
// Example:
//   const dm::MatrixShape shape = dm::MatrixShape::square(3);
//   shape.cell_count();                 // 9
//   dm::MatrixShape::condensed(4).cell_count();  // 6

#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "distance_matrix/enum_names.hpp"
#include "distance_matrix/matrix/cell_range.hpp"

namespace dm {

/// The order in which the cells of a distance matrix are laid out.
enum class Layout {
  pairs,      ///< the original tool's order: for j = 1 … n-1, for i < j, the pair (i, j)
  condensed,  ///< SciPy's pdist order: for i = 0 … n-2, for j > i, the pair (i, j)
  square,     ///< n × n, row-major, zero diagonal (both triangles: the matrix is symmetric)
  rectangle,  ///< origins × destinations, origin-major, over one combined location table
};

inline constexpr EnumName<Layout> layout_names[] = {{Layout::pairs, "pairs"},
                                                    {Layout::condensed, "condensed"},
                                                    {Layout::square, "square"},
                                                    {Layout::rectangle, "rectangle"}};

[[nodiscard]] std::string_view to_string(Layout layout) noexcept;
/// "pairs", "condensed" or "square" (a rectangle comes from having destinations, not from a name).
[[nodiscard]] std::optional<Layout> parse_layout(std::string_view text) noexcept;

/// Distances from location `anchor` to locations first … last-1: exactly one
/// call of DistanceKernel::compute_run.
struct MatrixRun {
  std::size_t anchor = 0;
  std::size_t first = 0;
  std::size_t last = 0;

  [[nodiscard]] constexpr std::size_t size() const noexcept { return last - first; }
  friend bool operator==(const MatrixRun&, const MatrixRun&) = default;
};

/// The shape of a distance matrix as a value: which pair of locations each
/// cell of the flat range [0, cell_count()) holds. Executors and pipelines
/// schedule flat cell ranges without knowing the shape; the shape turns a
/// range into kernel runs, and encoders turn cells into bytes.
///
/// Locations are indices into the kernel's table. For a rectangle that table
/// holds the origins first, then the destinations: origin r is location r,
/// destination c is location origins + c.
class MatrixShape {
 public:
  /// Throw std::length_error when the cells would not fit in a std::size_t.
  [[nodiscard]] static MatrixShape pairs(std::size_t locations);
  [[nodiscard]] static MatrixShape condensed(std::size_t locations);
  [[nodiscard]] static MatrixShape square(std::size_t locations);
  [[nodiscard]] static MatrixShape rectangle(std::size_t origins, std::size_t destinations);
  /// `layout` over `locations` (not the rectangle, which needs two counts).
  [[nodiscard]] static MatrixShape of(Layout layout, std::size_t locations);

  [[nodiscard]] Layout layout() const noexcept { return layout_; }
  /// Locations the kernel must hold: n, or origins + destinations.
  [[nodiscard]] std::size_t location_count() const noexcept { return rows_ + (layout_ == Layout::rectangle ? columns_ : 0); }
  /// Matrix rows and columns: n × n for the three layouts of one table
  /// (pairs and condensed store one triangle of it), origins × destinations.
  [[nodiscard]] std::size_t rows() const noexcept { return rows_; }
  [[nodiscard]] std::size_t columns() const noexcept { return columns_; }
  /// Number of cells (distances) in the layout.
  [[nodiscard]] std::size_t cell_count() const noexcept { return cells_; }

  /// The longest run that starts at `cell` and holds at most `max_cells`
  /// cells (at least one). Requires cell < cell_count() and max_cells > 0.
  [[nodiscard]] MatrixRun run_at(std::size_t cell, std::size_t max_cells) const noexcept;

  /// Calls visit(run, offset) for consecutive runs covering `cells` in order,
  /// where offset is the run's first cell minus cells.first.
  template <typename Visit>
  void for_each_run(CellRange cells, Visit&& visit) const {
    std::size_t cell = cells.first;
    while (cell < cells.last) {
      const MatrixRun run = run_at(cell, cells.last - cell);
      visit(run, cell - cells.first);
      cell += run.size();
    }
  }

  friend bool operator==(const MatrixShape&, const MatrixShape&) = default;

 private:
  MatrixShape(Layout layout, std::size_t rows, std::size_t columns, std::size_t cells) noexcept
      : layout_(layout), rows_(rows), columns_(columns), cells_(cells) {}

  Layout layout_;
  std::size_t rows_;
  std::size_t columns_;
  std::size_t cells_;
};

}  // namespace dm
