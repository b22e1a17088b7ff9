// distance_matrix/run/encoding_consumer.hpp
//
// EncodingConsumer: a matrix written whole, as a BlockConsumer: each block
// encoded on its worker, appended to the output in cell order.
//
// Thread safety: as BlockConsumer; the encoder is immutable, the output is
// only appended to by finish().
//
// Example:
//   dm::EncodingConsumer consumer(*encoder, output);
//   runner.consume(cells, consumer, progress);   // what runner.run(cells, *encoder, output, progress) does

#pragma once

#include "distance_matrix/output/matrix_encoder.hpp"
#include "distance_matrix/output/matrix_output.hpp"
#include "distance_matrix/run/block_consumer.hpp"

namespace dm {

/// A matrix written whole: each block encoded on its worker, appended to
/// the output in cell order. Blocks may be cut anywhere (an encoder's bytes
/// do not depend on the cut). Both must outlive the consumer.
class EncodingConsumer final : public BlockConsumer {
 public:
  EncodingConsumer(const MatrixEncoder& encoder, MatrixOutput& output) : encoder_(encoder), output_(output) {}

  [[nodiscard]] const MatrixShape& shape() const noexcept override { return encoder_.shape(); }
  [[nodiscard]] std::size_t typical_cell_bytes() const noexcept override { return encoder_.typical_cell_bytes(); }
  void begin() override;
  void consume(CellRange cells, std::span<const double> distances, BlockPartial& partial) const override;
  void finish(CellRange cells, std::span<const double> distances, BlockPartial& partial) override;

 private:
  const MatrixEncoder& encoder_;
  MatrixOutput& output_;
  /// NPY float64: the distances are the bytes; copying them would cost a
  /// fifth of the run at n = 10,000.
  bool native_doubles_ = encoder_.encodes_as_native_doubles();
};

}  // namespace dm
