#include "distance_matrix/run/encoding_consumer.hpp"

#include <string_view>

namespace dm {

void EncodingConsumer::begin() { output_.append(encoder_.header()); }

void EncodingConsumer::consume(CellRange cells, std::span<const double> distances, BlockPartial& partial) const {
  if (!native_doubles_) encoder_.encode(cells, distances, partial.bytes);
}

void EncodingConsumer::finish(CellRange /*cells*/, std::span<const double> distances, BlockPartial& partial) {
  output_.append(native_doubles_ ? std::string_view(reinterpret_cast<const char*>(distances.data()),
                                                    distances.size() * sizeof(double))
                                 : std::string_view(partial.bytes));
}

}  // namespace dm
