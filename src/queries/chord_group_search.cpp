#include "src/queries/chord_group_search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

// Why the group's candidates are exact (the same contract as
// ChordTree::nearest, so NeighbourIndex's margin argument applies unchanged):
//
//  - For a point p inside a box B and a query q inside the group's box G,
//    exactly, box_to_box(G, B) <= point_to_box(q, B) <= squared_chord(q, p).
//    In doubles the two gaps are monotone under rounding (per axis the
//    rounded gap between G and B is at most the rounded gap between q and B),
//    and the chord may round a few 1e-16 either way (the AVX-512 scan's
//    compiler may fuse it into FMA).
//  - Each query's bound (sqrt(k-th smallest squared chord so far) + margin)²
//    only shrinks, and is +inf until it has seen k points.
//  - A node is left out only when its box-to-box distance exceeds the
//    largest of the queries' bounds; a leaf is skipped for one query only
//    when its point-to-box distance exceeds that query's bound; a point is
//    dropped only when its chord exceeds the bound at that time. So nothing
//    whose chord is within the final bound less a few 1e-16 is ever pruned,
//    and the margin (1e-9, NeighbourIndex's) leaves the kernel's 1.6e-13
//    far inside: every point the kernel can rank among the k nearest is a
//    candidate. The points beyond the final bound are erased at the end.

// x86-64 with GCC or Clang: an AVX-512 scan picked at run time when the CPU has it.
#include "src/queries/avx512_lanes.hpp"

namespace dm::queries {
namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

/// Zero when the boxes touch or overlap.
template <class Box>
inline double squared_box_gap(const Box& box, const double low[3], const double high[3]) noexcept {
  double sum = 0;
  for (int axis = 0; axis < 3; ++axis) {
    const double outside = std::max({box.low[axis] - high[axis], 0.0, low[axis] - box.high[axis]});
    sum += outside * outside;
  }
  return sum;
}

/// The squared chords of a leaf's points from the query, in a loop the
/// compiler vectorises.
inline void leaf_squared_chords(const double* x, const double* y, const double* z, std::uint32_t count,
                                const double query[3], double* out) noexcept {
  const double qx = query[0];
  const double qy = query[1];
  const double qz = query[2];
  for (std::uint32_t point = 0; point < count; ++point) {
    const double dx = x[point] - qx;
    const double dy = y[point] - qy;
    const double dz = z[point] - qz;
    out[point] = dx * dx + dy * dy + dz * dz;
  }
}

inline double squared_reach(double kth_squared, double margin) noexcept {
  const double reach = std::sqrt(kth_squared) + margin;
  return reach * reach;
}

/// The k smallest squared chords so far, ascending, for k up to
/// ChordGroupBuffers::small_k, the rest +inf: inserting v is
/// t[j] = max(min(t[j], v), t[j - 1]) for every j at once (v where it
/// belongs, the larger ones one place on, v past the k-th changing nothing),
/// with no branch; the shift does not wait for v, so a chain of insertions
/// waits for one min and one max each.
inline void insert_small(double* top, double value) noexcept {
  constexpr std::size_t size = ChordGroupBuffers::small_k;
  double shifted[size];
  shifted[0] = -infinity;
  for (std::size_t j = 1; j < size; ++j) shifted[j] = top[j - 1];
  for (std::size_t j = 0; j < size; ++j) top[j] = std::max(std::min(top[j], value), shifted[j]);
}

/// Room for a leaf's candidates after the query's `used` ones.
inline ChordCandidate* candidate_room(ChordGroupBuffers::Query& query) {
  if (query.candidates.size() < query.used + ChordTree::leaf_size) {
    query.candidates.resize(2 * (query.used + ChordTree::leaf_size));
  }
  return query.candidates.data() + query.used;
}

/// Drops the query's candidates past its bound, keeping the order.
inline void compact(ChordGroupBuffers::Query& query) noexcept {
  ChordCandidate* candidates = query.candidates.data();
  const double bound = query.squared_bound;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < query.used; ++i) {
    candidates[kept] = candidates[i];
    kept += candidates[i].squared_chord <= bound ? 1 : 0;
  }
  query.used = kept;
}

/// One query's scan of one leaf: every point within the query's bound as it
/// stands becomes a candidate (gathered without a branch per point: which
/// points pass is unpredictable), the k smallest chords are updated with
/// them, and the bound shrinks once per leaf. Candidates that end up past
/// the bound are dropped now and then (a few extra entries cost less than
/// filtering at every shrink) and at the end.
inline void scan_leaf(ChordGroupBuffers::Query& query, const double* x, const double* y, const double* z,
                      std::uint32_t begin, std::uint32_t end, std::size_t k, double margin) {
  double squared[ChordTree::leaf_size];
  const std::uint32_t count = end - begin;
  leaf_squared_chords(x + begin, y + begin, z + begin, count, query.point, squared);
  // The query's own point is never a candidate (a NaN passes no test).
  if (query.skip >= begin && query.skip < end) squared[query.skip - begin] = std::numeric_limits<double>::quiet_NaN();
  const double bound = query.squared_bound;
  ChordCandidate* room = candidate_room(query);
  std::uint32_t hits = 0;
  for (std::uint32_t point = 0; point < count; ++point) {
    room[hits] = {begin + point, squared[point]};
    hits += squared[point] <= bound ? 1 : 0;
  }
  query.used += hits;
  if (k <= ChordGroupBuffers::small_k) {
    for (std::uint32_t hit = 0; hit < hits; ++hit) insert_small(query.top, room[hit].squared_chord);
    query.squared_bound = squared_reach(query.top[k - 1], margin);  // +inf until k are seen
  } else {
    // Large k: a max-heap of the k smallest.
    std::vector<double>& heap = query.nearest_squared;
    for (std::uint32_t hit = 0; hit < hits; ++hit) {
      const double squared_chord = room[hit].squared_chord;
      if (heap.size() < k) {
        heap.push_back(squared_chord);
        std::push_heap(heap.begin(), heap.end());
      } else if (squared_chord < heap.front()) {
        std::pop_heap(heap.begin(), heap.end());
        heap.back() = squared_chord;
        std::push_heap(heap.begin(), heap.end());
      }
    }
    if (heap.size() >= k) query.squared_bound = squared_reach(heap.front(), margin);
  }
  if (query.used >= query.compact_at) {
    compact(query);
    query.compact_at = std::max(query.compact_at, 2 * query.used);
  }
}

#if DM_QUERIES_AVX512
// GCC 12 warns inside its own intrinsics' headers (their _mm512_undefined
// operands) once they are inlined here; nothing of ours is uninitialised.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
/// scan_leaf for k <= small_k on AVX-512: the chords eight at a time, the
/// points within the bound compressed out of each vector, and the top-k
/// array held in two vectors, an insertion being two shifts, two max and two
/// min. The chords may round differently from scan_leaf's (the compiler
/// may contract them into FMA): a few 1e-16 apart, which the 1e-9 margin
/// covers, so the final candidates are still a superset of those the
/// kernel can rank among the k nearest and the answers are the same.
///
/// In three steps, so that two queries' scans interleave (scan_two_avx512):
/// the hits, their insertions into the top-k array, then the new bound
/// and the hits kept.
///
/// The hits are compressed in a register and stored as a whole vector,
/// not compressed to memory: on Zen 4 a compressing store is microcoded
/// and costs tens of cycles, the register form two. The arrays have a
/// vector's room past a leaf for the last such store.
struct LeafHits {
  alignas(64) std::uint64_t positions[ChordTree::leaf_size + 8];
  alignas(64) double squared[ChordTree::leaf_size + 8];
  std::uint32_t count;
};

__attribute__((target("avx512f"))) inline void find_hits_avx512(const ChordGroupBuffers::Query& query,
                                                                 const double* x, const double* y, const double* z,
                                                                 std::uint32_t begin, std::uint32_t end,
                                                                 LeafHits& hits) {
  static_assert(ChordGroupBuffers::small_k == 16 && ChordTree::leaf_size % 8 == 0);
  const std::uint32_t count = end - begin;
  const __m512d qx = _mm512_set1_pd(query.point[0]);
  const __m512d qy = _mm512_set1_pd(query.point[1]);
  const __m512d qz = _mm512_set1_pd(query.point[2]);
  const __m512d bound = _mm512_set1_pd(query.squared_bound);
  hits.count = 0;
  const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
  for (std::uint32_t first = 0; first < count; first += 8) {
    __mmask8 active = avx512::first_lanes(count - first);
    const std::size_t position = std::size_t{begin} + first;
    // The query's own point is never a candidate.
    if (query.skip >= position && query.skip < position + 8) {
      active = static_cast<__mmask8>(active & ~(1u << (query.skip - position)));
    }
    const __m512d squared = avx512::squared_chords(x, y, z, position, active, qx, qy, qz);
    const __mmask8 within = _mm512_mask_cmp_pd_mask(active, squared, bound, _CMP_LE_OQ);
    _mm512_storeu_pd(hits.squared + hits.count, _mm512_maskz_compress_pd(within, squared));
    _mm512_storeu_si512(hits.positions + hits.count,
                        _mm512_maskz_compress_epi64(
                            within, _mm512_add_epi64(lane, _mm512_set1_epi64(static_cast<long long>(position)))));
    hits.count += static_cast<std::uint32_t>(__builtin_popcount(within));
  }
}

/// One insertion into a top-k array held in two vectors:
/// t[j] = max(min(t[j], v), t[j - 1]), t[-1] = -inf (insert_small).
/// Inserting +inf changes nothing.
__attribute__((target("avx512f"))) inline void insert_avx512(__m512d& low, __m512d& high, double value) {
  const __m512d below_all = _mm512_set1_pd(-infinity);
  const __m512d broadcast = _mm512_set1_pd(value);
  const __m512d shifted_low =
      _mm512_castsi512_pd(_mm512_alignr_epi64(_mm512_castpd_si512(low), _mm512_castpd_si512(below_all), 7));
  const __m512d shifted_high =
      _mm512_castsi512_pd(_mm512_alignr_epi64(_mm512_castpd_si512(high), _mm512_castpd_si512(low), 7));
  low = _mm512_max_pd(_mm512_min_pd(low, broadcast), shifted_low);
  high = _mm512_max_pd(_mm512_min_pd(high, broadcast), shifted_high);
}

/// The query's new bound from its top-k array, and its hits within it
/// kept: the others would be dropped by the next compaction anyway (the
/// bound only shrinks), and the first leaf's hits are mostly such.
inline void keep_hits(ChordGroupBuffers::Query& query, const LeafHits& hits, std::size_t k, double margin) {
  query.squared_bound = squared_reach(query.top[k - 1], margin);
  const double bound = query.squared_bound;
  ChordCandidate* room = candidate_room(query);
  std::uint32_t kept = 0;
  for (std::uint32_t hit = 0; hit < hits.count; ++hit) {
    room[kept] = {hits.positions[hit], hits.squared[hit]};
    kept += hits.squared[hit] <= bound ? 1 : 0;
  }
  query.used += kept;
  if (query.used >= query.compact_at) {
    compact(query);
    query.compact_at = std::max(query.compact_at, 2 * query.used);
  }
}

__attribute__((target("avx512f"))) void scan_leaf_avx512(ChordGroupBuffers::Query& query, const double* x,
                                                          const double* y, const double* z, std::uint32_t begin,
                                                          std::uint32_t end, std::size_t k, double margin) {
  LeafHits hits;
  find_hits_avx512(query, x, y, z, begin, end, hits);
  __m512d low = _mm512_loadu_pd(query.top);
  __m512d high = _mm512_loadu_pd(query.top + 8);
  for (std::uint32_t hit = 0; hit < hits.count; ++hit) insert_avx512(low, high, hits.squared[hit]);
  _mm512_storeu_pd(query.top, low);
  _mm512_storeu_pd(query.top + 8, high);
  keep_hits(query, hits, k, margin);
}

/// Two queries' scans of one leaf at once: each insertion waits for the
/// previous one of its query (a min and a max), so the two queries'
/// insertions alternate and each fills the other's wait. The shorter list
/// of hits is padded with +inf, which inserts nothing.
__attribute__((target("avx512f"))) void scan_two_avx512(ChordGroupBuffers::Query& first,
                                                         ChordGroupBuffers::Query& second, const double* x,
                                                         const double* y, const double* z, std::uint32_t begin,
                                                         std::uint32_t end, std::size_t k, double margin) {
  LeafHits first_hits;
  LeafHits second_hits;
  find_hits_avx512(first, x, y, z, begin, end, first_hits);
  find_hits_avx512(second, x, y, z, begin, end, second_hits);
  const std::uint32_t inserted = std::max(first_hits.count, second_hits.count);
  for (std::uint32_t hit = first_hits.count; hit < inserted; ++hit) first_hits.squared[hit] = infinity;
  for (std::uint32_t hit = second_hits.count; hit < inserted; ++hit) second_hits.squared[hit] = infinity;
  __m512d first_low = _mm512_loadu_pd(first.top);
  __m512d first_high = _mm512_loadu_pd(first.top + 8);
  __m512d second_low = _mm512_loadu_pd(second.top);
  __m512d second_high = _mm512_loadu_pd(second.top + 8);
  for (std::uint32_t hit = 0; hit < inserted; ++hit) {
    insert_avx512(first_low, first_high, first_hits.squared[hit]);
    insert_avx512(second_low, second_high, second_hits.squared[hit]);
  }
  _mm512_storeu_pd(first.top, first_low);
  _mm512_storeu_pd(first.top + 8, first_high);
  _mm512_storeu_pd(second.top, second_low);
  _mm512_storeu_pd(second.top + 8, second_high);
  keep_hits(first, first_hits, k, margin);
  keep_hits(second, second_hits, k, margin);
}

/// scan_leaf_for_group on AVX-512 for up to a leaf's worth of queries,
/// whose points and bounds are also in `lanes`: the leaf's box is tested
/// against eight queries at once, and those it may hold a candidate for
/// scan it, two at a time, in the queries' order (as scan_leaf_for_group:
/// a scan changes only its own query's bound, so testing them all first
/// tests the same bounds).
__attribute__((target("avx512f"))) double scan_leaf_for_group_avx512(std::span<ChordGroupBuffers::Query> queries,
                                                                     ChordGroupBuffers::Lanes& lanes,
                                                                     const double low[3], const double high[3],
                                                                     std::uint32_t begin, std::uint32_t end,
                                                                     const double* x, const double* y,
                                                                     const double* z, std::size_t k, double margin) {
  const std::size_t count = queries.size();
  ChordGroupBuffers::Query* const first_query = queries.data();
  const auto mirror_bound = [&](const ChordGroupBuffers::Query& query) {
    lanes.bound[&query - first_query] = query.squared_bound;
  };
  ChordGroupBuffers::Query* waiting = nullptr;  // a query to scan with the next one
  const double* const coordinates[3] = {lanes.x, lanes.y, lanes.z};
  for (std::size_t first = 0; first < count; first += 8) {
    const __mmask8 valid = avx512::first_lanes(count - first);
    __m512d gaps[3];
    for (int axis = 0; axis < 3; ++axis) {
      gaps[axis] = avx512::squared_gaps(_mm512_maskz_loadu_pd(valid, coordinates[axis] + first),
                                        _mm512_set1_pd(low[axis]), _mm512_set1_pd(high[axis]));
    }
    const __m512d gap = _mm512_add_pd(_mm512_add_pd(gaps[0], gaps[1]), gaps[2]);
    unsigned reached =
        _mm512_mask_cmp_pd_mask(valid, gap, _mm512_maskz_loadu_pd(valid, lanes.bound + first), _CMP_LE_OQ);
    while (reached != 0) {
      ChordGroupBuffers::Query& query = queries[first + static_cast<std::size_t>(__builtin_ctz(reached))];
      reached &= reached - 1;
      if (waiting == nullptr) {
        waiting = &query;
        continue;
      }
      scan_two_avx512(*waiting, query, x, y, z, begin, end, k, margin);
      mirror_bound(*waiting);
      mirror_bound(query);
      waiting = nullptr;
    }
  }
  if (waiting != nullptr) {
    scan_leaf_avx512(*waiting, x, y, z, begin, end, k, margin);
    mirror_bound(*waiting);
  }
  double largest = 0;
  for (std::size_t i = 0; i < count; ++i) largest = std::max(largest, lanes.bound[i]);
  return largest;
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

bool avx512_allowed = true;

/// Whether this CPU runs scan_leaf_avx512 (asked once) and it is allowed.
bool has_avx512() noexcept { return avx512::cpu_has_avx512f() && avx512_allowed; }
#endif

/// Every query of the group whose bound reaches the leaf scans it; returns
/// the largest of the queries' bounds.
double scan_leaf_for_group(std::span<ChordGroupBuffers::Query> queries, const double low[3], const double high[3],
                           std::uint32_t begin, std::uint32_t end, const double* x, const double* y, const double* z,
                           std::size_t k, double margin) {
#if DM_QUERIES_AVX512
  const bool vector_scan = k <= ChordGroupBuffers::small_k && has_avx512();
  ChordGroupBuffers::Query* waiting = nullptr;  // a query to scan with the next one
#endif
  for (ChordGroupBuffers::Query& query : queries) {
    double gap = 0;  // from the query to the leaf's box
    for (int axis = 0; axis < 3; ++axis) {
      const double outside = std::max({low[axis] - query.point[axis], 0.0, query.point[axis] - high[axis]});
      gap += outside * outside;
    }
    if (!(gap <= query.squared_bound)) continue;
#if DM_QUERIES_AVX512
    if (vector_scan) {
      if (waiting == nullptr) {
        waiting = &query;
      } else {
        scan_two_avx512(*waiting, query, x, y, z, begin, end, k, margin);
        waiting = nullptr;
      }
      continue;
    }
#endif
    scan_leaf(query, x, y, z, begin, end, k, margin);
  }
#if DM_QUERIES_AVX512
  if (waiting != nullptr) scan_leaf_avx512(*waiting, x, y, z, begin, end, k, margin);
#endif
  double largest = 0;
  for (const ChordGroupBuffers::Query& query : queries) largest = std::max(largest, query.squared_bound);
  return largest;
}

}  // namespace

bool ChordGroupSearch::allow_avx512(bool allowed) noexcept {
#if DM_QUERIES_AVX512
  return std::exchange(avx512_allowed, allowed);
#else
  return allowed;
#endif
}

void ChordGroupSearch::nearest(const ChordTree& tree, std::span<const double> x, std::span<const double> y,
                               std::span<const double> z, std::span<const std::size_t> skip, std::size_t k,
                               double margin, ChordGroupBuffers& buffers) {
  const std::size_t count = skip.size();
  if (buffers.queries.size() < count) buffers.queries.resize(count);
  double low[3] = {infinity, infinity, infinity};
  double high[3] = {-infinity, -infinity, -infinity};
  for (std::size_t i = 0; i < count; ++i) {
    ChordGroupBuffers::Query& query = buffers.queries[i];
    query.point[0] = x[i];
    query.point[1] = y[i];
    query.point[2] = z[i];
    query.skip = skip[i];
    query.squared_bound = infinity;
    std::fill(std::begin(query.top), std::end(query.top), infinity);
    query.nearest_squared.clear();
    query.used = 0;
    query.compact_at = 4 * k + 64;
    for (int axis = 0; axis < 3; ++axis) {
      low[axis] = std::min(low[axis], query.point[axis]);
      high[axis] = std::max(high[axis], query.point[axis]);
    }
  }
  if (tree.nodes_.empty() || k == 0 || count == 0) {
    for (std::size_t i = 0; i < count; ++i) buffers.queries[i].candidates.clear();
    return;
  }
  const std::span<ChordGroupBuffers::Query> queries(buffers.queries.data(), count);
#if DM_QUERIES_AVX512
  const bool in_lanes = k <= ChordGroupBuffers::small_k && count <= ChordTree::leaf_size && has_avx512();
  if (in_lanes) {
    ChordGroupBuffers::Lanes& lanes = buffers.lanes;
    for (std::size_t i = 0; i < count; ++i) {
      lanes.x[i] = queries[i].point[0];
      lanes.y[i] = queries[i].point[1];
      lanes.z[i] = queries[i].point[2];
      lanes.bound[i] = infinity;
    }
  }
#else
  constexpr bool in_lanes = false;
#endif
  // The leaf's scans by every query that its box may hold a candidate for;
  // returns the largest of the queries' bounds after them.
  const auto scan_for_group = [&](const ChordTree::Node& leaf) {
#if DM_QUERIES_AVX512
    if (in_lanes) {
      return scan_leaf_for_group_avx512(queries, buffers.lanes, leaf.low, leaf.high, leaf.begin, leaf.end, tree.x_,
                                        tree.y_, tree.z_, k, margin);
    }
#endif
    return scan_leaf_for_group(queries, leaf.low, leaf.high, leaf.begin, leaf.end, tree.x_, tree.y_, tree.z_, k,
                               margin);
  };

  // Depth-first over the nodes, the nearer child (to the group's box)
  // first: the leaves nearest the group come early, so the bounds shrink
  // early and most of the farther nodes are never opened. After the first
  // leaf (below) a best-first order reaches a few fewer leaves (9.8 against
  // 10.6 a group on 171k cities, the same scans a query), and its heap cost
  // more than they did (docs/queries.md, branch nearest2).
  auto& pending = buffers.pending;
  pending.clear();
  double group_bound = infinity;  // the largest of the queries' bounds
  // A group of one leaf's points (the self-search's) scans that leaf first:
  // each query's own neighbourhood sets a tight first bound.
  constexpr std::uint32_t no_leaf = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t first_leaf = no_leaf;
  if (skip[0] < tree.size()) {
    first_leaf = tree.leaf_of_[skip[0]];
    for (std::size_t i = 1; i < count && first_leaf != no_leaf; ++i) {
      if (skip[i] >= tree.size() || tree.leaf_of_[skip[i]] != first_leaf) first_leaf = no_leaf;
    }
  }
  if (first_leaf != no_leaf) {
    group_bound = scan_for_group(tree.nodes_[first_leaf]);
  }
  pending.emplace_back(squared_box_gap(tree.nodes_[0], low, high), 0);
  while (!pending.empty()) {
    const auto [gap, id] = pending.back();
    pending.pop_back();
    if (gap > group_bound) continue;  // out of every query's reach (the bound may have shrunk since)
    const ChordTree::Node& node = tree.nodes_[id];
    if (node.right != 0) {
      const double first_gap = squared_box_gap(tree.nodes_[id + 1], low, high);
      const double second_gap = squared_box_gap(tree.nodes_[node.right], low, high);
      // The nearer child goes on top, so it is opened first.
      const bool second_nearer = second_gap < first_gap;
      const std::pair<double, std::uint32_t> nearer(second_nearer ? second_gap : first_gap,
                                                    second_nearer ? node.right : id + 1);
      const std::pair<double, std::uint32_t> farther(second_nearer ? first_gap : second_gap,
                                                     second_nearer ? id + 1 : node.right);
      if (farther.first <= group_bound) pending.push_back(farther);
      if (nearer.first <= group_bound) pending.push_back(nearer);
      continue;
    }
    if (id == first_leaf) continue;  // scanned first
    group_bound = scan_for_group(node);
  }
  for (ChordGroupBuffers::Query& query : queries) {
    compact(query);
    query.candidates.resize(query.used);
  }
}

}  // namespace dm::queries
