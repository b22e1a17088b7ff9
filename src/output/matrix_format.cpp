#include "distance_matrix/output/matrix_format.hpp"

#include <stdexcept>
#include <string>

#include "distance_matrix/output/csv_pairs_encoder.hpp"
#include "distance_matrix/output/csv_table_encoder.hpp"

namespace dm {

std::string_view to_string(Format format) noexcept { return name_in(format_names, format); }

std::optional<Format> parse_format(std::string_view text) noexcept { return value_in(format_names, text); }

Layout resolve_layout(const MatrixFormat& format, bool has_destinations) noexcept {
  if (has_destinations) return Layout::rectangle;
  if (format.layout) return *format.layout;
  return format.format == Format::csv ? Layout::pairs : Layout::square;
}

std::optional<std::string> format_problem(const MatrixFormat& format, bool has_destinations) {
  if (has_destinations && format.format == Format::npy && format.layout == Layout::pairs) {
    return "--layout pairs is for CSV; with --to, NPY writes the origins × destinations array";
  }
  if (has_destinations && format.layout && format.layout != Layout::pairs) {
    return "--layout " + std::string(to_string(*format.layout)) + " cannot be combined with --to: origins × "
           "destinations is a rectangle, written as a table, or with --layout pairs as CSV "
           "origin,destination,distance rows";
  }
  if (format.format == Format::csv && format.layout == Layout::condensed) {
    return "--layout condensed is for NPY (SciPy's vector); CSV writes pairs (the same pairs, one per row) "
           "or square";
  }
  if (format.format == Format::npy && format.layout == Layout::pairs) {
    return "--layout pairs is for CSV; NPY writes square or condensed (SciPy's pdist order)";
  }
  if (format.format == Format::csv && format.value_type != ValueType::float64) {
    return "--dtype is for NPY; CSV writes each distance as the shortest decimal that reads back as the "
           "same double";
  }
  return std::nullopt;
}

std::unique_ptr<MatrixEncoder> make_encoder(const MatrixFormat& format, const MatrixShape& shape,
                                            const LocationTable& locations) {
  if (format.format == Format::npy) return std::make_unique<NpyEncoder>(shape, format.value_type);
  const bool rows = shape.layout() == Layout::pairs ||
                    (shape.layout() == Layout::rectangle && format.layout == Layout::pairs);
  if (rows) return std::make_unique<CsvPairsEncoder>(locations, shape);
  return std::make_unique<CsvTableEncoder>(locations, shape);
}

}  // namespace dm
