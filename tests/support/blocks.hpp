#pragma once

// Encodes a matrix block by block, the way a pipeline would, for encoder tests.
#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "distance_matrix/output/matrix_encoder.hpp"

namespace dm::testing {

/// header() then every cell, in blocks of `block_size` cells.
inline std::string encode_in_blocks(const MatrixEncoder& encoder, const std::vector<double>& cells,
                                    std::size_t block_size) {
  std::string bytes = encoder.header();
  for (std::size_t first = 0; first < cells.size(); first += block_size) {
    const std::size_t size = std::min(block_size, cells.size() - first);
    encoder.encode({first, first + size}, std::span<const double>(cells).subspan(first, size), bytes);
  }
  return bytes;
}

}  // namespace dm::testing
