#pragma once

// encode_in_order: text made in pieces on a worker arena and appended to an
// output in the pieces' order, each append overlapping the encoding of the
// pieces after it (oneTBB's parallel_pipeline: a serial cut, parallel
// encoders, a serial writer). Without the overlap the writer's copy into
// the page cache left the other workers idle: a fifth of --within's time.
// The text in memory is a few pieces' worth, whatever the output's size.

#include <tbb/parallel_pipeline.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "distance_matrix/output/matrix_output.hpp"
#include "src/executors/handoff.hpp"
#include "src/executors/worker_arena.hpp"

namespace dm {

struct InOrderTextReport {
  std::size_t rows = 0;                        ///< the encoders' counts, summed
  std::chrono::steady_clock::duration write{};  ///< in the output's append, summed
  std::chrono::steady_clock::duration total{};  ///< the whole call
};

/// The pieces' text buffers, kept from one encode_in_order call to the
/// next by a caller that makes several (--within's CSV, once a window): a
/// later call's encoders write into memory already touched. Made anew for
/// each of the cities' eight windows, the buffers (up to a megabyte each
/// for a dense piece) were a fresh mapping and its page faults every time.
struct InOrderTextBuffers {
  std::vector<std::string> texts;
};

/// Appends to `output` the text `encode(piece, text)` writes into a cleared
/// `text` for pieces 0 … pieces - 1, in that order; encode returns the rows
/// it wrote. `written(piece)` is called after each append, one call at a
/// time, in order (on any of the arena's threads). With workers > 1 the pieces are encoded on `arena` at once and
/// any number of them may run concurrently (encode must allow that); with 1,
/// one after the other on the calling thread. Exceptions propagate (an
/// append's IoError stops the pipeline). `kept`, if given, lends the text
/// buffers and gets them back.
template <class Encode, class Written>
InOrderTextReport encode_in_order(std::size_t pieces, unsigned workers, WorkerArena& arena, MatrixOutput& output,
                                  Encode&& encode, Written&& written, InOrderTextBuffers* kept = nullptr) {
  using Clock = std::chrono::steady_clock;
  InOrderTextReport report;
  const Clock::time_point start = Clock::now();
  const std::size_t slots = workers <= 1 ? 1 : 4 * std::size_t{workers};
  if (kept != nullptr && kept->texts.size() < slots) kept->texts.resize(slots);
  if (workers <= 1) {
    std::string own_text;
    std::string& text = kept != nullptr ? kept->texts[0] : own_text;
    for (std::size_t piece = 0; piece < pieces; ++piece) {
      text.clear();
      report.rows += encode(piece, text);
      const Clock::time_point encoded = Clock::now();
      output.append(text);
      report.write += Clock::now() - encoded;
      written(piece);
    }
    report.total = Clock::now() - start;
    return report;
  }
  // Piece i lives in slot i % slots, free again once piece i - slots is
  // written: the writer is serial and in order, and at most `slots` live.
  struct Slot {
    std::size_t piece = 0;
    std::size_t rows = 0;
    std::string text;
    Handoff handoff;
  };
  std::vector<Slot> slot(slots);
  if (kept != nullptr) {
    for (std::size_t index = 0; index < slots; ++index) slot[index].text.swap(kept->texts[index]);
  }
  std::size_t next_piece = 0;
  Handoff cutter;
  Handoff writer;
  auto cut = [&](tbb::flow_control& control) -> Slot* {
    cutter.enter();
    if (next_piece == pieces) {
      control.stop();
      cutter.leave();
      return nullptr;
    }
    Slot& taken = slot[next_piece % slots];
    taken.handoff.enter();
    taken.piece = next_piece++;
    taken.handoff.leave();
    cutter.leave();
    return &taken;
  };
  auto encode_piece = [&](Slot* taken) -> Slot* {
    taken->handoff.enter();
    taken->text.clear();
    taken->rows = encode(taken->piece, taken->text);
    taken->handoff.leave();
    return taken;
  };
  auto write = [&](Slot* taken) {
    writer.enter();
    taken->handoff.enter();
    const Clock::time_point begin = Clock::now();
    output.append(taken->text);
    report.write += Clock::now() - begin;
    report.rows += taken->rows;
    written(taken->piece);
    taken->handoff.leave();
    writer.leave();
  };
  try {
    arena.execute([&] {
      tbb::parallel_pipeline(slots, tbb::make_filter<void, Slot*>(tbb::filter_mode::serial_in_order, cut) &
                                        tbb::make_filter<Slot*, Slot*>(tbb::filter_mode::parallel, encode_piece) &
                                        tbb::make_filter<Slot*, void>(tbb::filter_mode::serial_in_order, write));
    });
  } catch (...) {
    // A stage's exception (an append's IoError) stops the pipeline: pieces
    // encoded but never written are freed here, so their encoders' writes
    // are acquired first (oneTBB's join, stated where TSan sees it).
    for (const Slot& taken : slot) taken.handoff.enter();
    throw;
  }
  writer.enter();  // the writer's last release makes the report's sums visible here
  if (kept != nullptr) {
    for (std::size_t index = 0; index < slots; ++index) {
      slot[index].handoff.enter();  // the slot's last encoder's writes, acquired
      kept->texts[index].swap(slot[index].text);
    }
  }
  report.total = Clock::now() - start;
  return report;
}

}  // namespace dm
