#include "src/executors/in_order_text.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <string>

#include "distance_matrix/output/matrix_output.hpp"
#include "src/executors/worker_arena.hpp"

namespace dm {
namespace {

/// Piece `piece` of a call: its number, then as many x as the number (so
/// the pieces differ in length, some longer than any before).
std::string piece_text(std::size_t call, std::size_t piece) {
  return std::to_string(call) + ':' + std::to_string(piece) + ' ' + std::string(piece * 37 % 1000, 'x') + '\n';
}

std::string expected_text(std::size_t call, std::size_t pieces) {
  std::string text;
  for (std::size_t piece = 0; piece < pieces; ++piece) text += piece_text(call, piece);
  return text;
}

class InOrderText : public ::testing::TestWithParam<unsigned> {};

TEST_P(InOrderText, AppendsThePiecesInOrderAndCountsTheirRows) {
  const unsigned workers = GetParam();
  WorkerArena arena(workers);
  MemoryMatrixOutput output;
  std::size_t written_pieces = 0;
  const InOrderTextReport report = encode_in_order(
      200, workers, arena, output,
      [](std::size_t piece, std::string& text) {
        text += piece_text(0, piece);
        return piece % 3;
      },
      [&](std::size_t piece) { EXPECT_EQ(piece, written_pieces++); });
  EXPECT_EQ(output.bytes(), expected_text(0, 200));
  EXPECT_EQ(written_pieces, 200u);
  EXPECT_EQ(report.rows, 199u);  // 0 + 1 + 2 + 0 + ... over 200 pieces: 66 threes and 0 + 1
}

// Kept buffers (--within's CSV, one call a window): each call's text is
// its own, whatever the buffers held from the call before, and the
// buffers come back with the room they grew to.
TEST_P(InOrderText, KeptBuffersServeCallAfterCall) {
  const unsigned workers = GetParam();
  WorkerArena arena(workers);
  InOrderTextBuffers kept;
  for (std::size_t call = 0; call < 4; ++call) {
    MemoryMatrixOutput output;
    const std::size_t pieces = 40 - 10 * call;  // fewer pieces than before: old text must not show
    encode_in_order(
        pieces, workers, arena, output,
        [&](std::size_t piece, std::string& text) {
          text += piece_text(call, piece);
          return std::size_t{1};
        },
        [](std::size_t) {}, &kept);
    EXPECT_EQ(output.bytes(), expected_text(call, pieces)) << "call " << call;
    ASSERT_FALSE(kept.texts.empty());
    std::size_t room = 0;
    for (const std::string& text : kept.texts) room += text.capacity();
    EXPECT_GE(room, piece_text(call, 37).size()) << "the buffers came back with their room";
  }
}

INSTANTIATE_TEST_SUITE_P(Workers, InOrderText, ::testing::Values(1u, 2u, 3u));

}  // namespace
}  // namespace dm
