// Vectorized distance loops: this file is compiled once per instruction set
// (Highway's foreach_target.h re-includes it), and the best one the CPU
// and OS can run is picked at run time by the table at the end of this file
// (not HWY_DYNAMIC_DISPATCH, which would need libhwy.so).
//
// A run's tail is computed by the same vector code under a mask, never by a
// scalar loop, and every lane does the same operations: the value of a pair
// depends only on its two locations, not on the run, offset or lane.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "src/kernel/simd_distance.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/contrib/math/math-inl.h>
#include <hwy/highway.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "distance_matrix/kernel/distance_tally.hpp"
#include "src/kernel/simd_distance.hpp"

HWY_BEFORE_NAMESPACE();
namespace dm::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using Tag = hn::ScalableTag<double>;
using Vec = hn::Vec<Tag>;

static_assert(HWY_MAX_BYTES / sizeof(double) <= input_padding, "pad the inputs by a whole vector");

constexpr double pi = 3.14159265358979323846264338327950288;

/// The lanes of p[0 .. lanes) under `active`, zero elsewhere. AVX-512 has a
/// true masked load; elsewhere Highway 1.0's MaskedLoad may read the whole
/// vector (and on SSE4 even requires alignment), so the whole vector is read
/// unaligned, which the padded inputs allow, and the inactive lanes cleared.
HWY_INLINE Vec load_active(hn::Mask<Tag> active, Tag d, const double* HWY_RESTRICT p) {
#if HWY_MEM_OPS_MIGHT_FAULT
  return hn::IfThenElseZero(active, hn::LoadU(d, p));
#else
  return hn::MaskedLoad(active, d, p);
#endif
}

/// asin(x) = x + x·t·P(t) with t = x², for |x| <= 0.5 (t <= 1/4). P is the
/// degree-10 polynomial that minimizes the largest relative error of the
/// angle 2·asin(√t) on t in [0, 1/4]: 2.4e-16 (about one ulp; at most 1.6e-12
/// km on the Earth, 600 times inside the contract's 1e-9 km), one coefficient
/// fewer than Highway's hn::Asin. Remez exchange at 60 digits, coefficients
/// rounded to doubles, reproduced by
///   /usr/bin/python3 scripts/fit_asin_polynomial.py 10 0.25
/// Degree 9 measured about 5 % faster still, but its 3.7e-15 relative error
/// (2.5e-11 km) would move the last two digits of every distance written.
/// Horner's rule: measured faster than Estrin's scheme on AVX-512 and on
/// AVX2 (the loop is bound by its operation count more than by this chain's
/// latency), so the FMA targets compute the same bytes.
constexpr std::array asin_coefficients{
    0.1666666666668348,   0.07499999996170069,  0.04464286017084695,  0.030381825349753103,
    0.022374870741253394, 0.01731414972161846,  0.014322142877038995, 0.009381833710595153,
    0.018251523102872126, -0.011700702999081358, 0.03151924090566675};

HWY_INLINE Vec asin_polynomial(Tag d, Vec t) {
  Vec p = hn::Set(d, asin_coefficients.back());
  for (std::size_t k = asin_coefficients.size() - 1; k-- > 0;) p = hn::MulAdd(p, t, hn::Set(d, asin_coefficients[k]));
  return p;
}

/// Central angle between unit vectors a and b, accurate at every separation,
/// from whichever of three well-conditioned forms applies (each needs the
/// arcsine only on [-0.5, 0.5], and at most one square root):
///  - up to 60°, the chord c = |a − b|: θ = 2·asin(c/2);
///  - past 120°, the chord to the antipode of b, s = |a + b|:
///    θ = π − 2·asin(s/2), so nearly antipodal pairs keep every digit;
///  - in between, the dot product a · b = 1 − c²/2 (well conditioned there,
///    with c² in (1, 3)): θ = π/2 − asin(a · b).
/// The polynomial needs only t = x² (c²/4 or (a · b)²), so the square root
/// runs beside it rather than before it, and 2·asin(c/2) = c + c·t·P(t)
/// exactly doubles the arcsine of c/2.
/// Swapping a and b only negates a − b, which squares away, and every sum is
/// evaluated in the same order: d(a,b) == d(b,a) bit for bit.
HWY_INLINE Vec haversine_angle(Tag d, Vec x, Vec y, Vec z, Vec anchor_x, Vec anchor_y, Vec anchor_z) {
  const Vec dx = hn::Sub(x, anchor_x);
  const Vec dy = hn::Sub(y, anchor_y);
  const Vec dz = hn::Sub(z, anchor_z);
  const Vec chord_squared = hn::MulAdd(dz, dz, hn::MulAdd(dy, dy, hn::Mul(dx, dx)));
  const Vec sx = hn::Add(x, anchor_x);
  const Vec sy = hn::Add(y, anchor_y);
  const Vec sz = hn::Add(z, anchor_z);
  const Vec antipode_chord_squared = hn::MulAdd(sz, sz, hn::MulAdd(sy, sy, hn::Mul(sx, sx)));

  const Vec shorter_squared = hn::Min(chord_squared, antipode_chord_squared);
  const auto near_side = hn::Le(chord_squared, antipode_chord_squared);
  const auto middle = hn::Gt(shorter_squared, hn::Set(d, 1.0));  // both chords longer than the radius
  // The arcsine polynomial is odd in its argument, so each form is base +
  // asin(±argument): π/2 + asin(−a · b) in the middle, π + 2·asin(−s/2) on
  // the far side, 0 + 2·asin(c/2) on the near one.
  const Vec minus_dot = hn::MulAdd(chord_squared, hn::Set(d, 0.5), hn::Set(d, -1.0));
  const Vec t = hn::IfThenElse(middle, hn::Mul(minus_dot, minus_dot), hn::Mul(shorter_squared, hn::Set(d, 0.25)));
  const Vec chord = hn::Sqrt(shorter_squared);
  const Vec argument = hn::IfThenElse(middle, minus_dot, hn::IfThenElse(near_side, chord, hn::Neg(chord)));
  const Vec arcsine = hn::MulAdd(hn::Mul(argument, t), asin_polynomial(d, t), argument);
  const Vec base = hn::IfThenElse(middle, hn::Set(d, pi / 2), hn::IfThenZeroElse(near_side, hn::Set(d, pi)));
  return hn::Add(base, arcsine);
}

void HaversineRun(const double* HWY_RESTRICT x, const double* HWY_RESTRICT y, const double* HWY_RESTRICT z,
                  std::size_t count, double anchor_x, double anchor_y, double anchor_z, double radius,
                  double* HWY_RESTRICT out) {
  const Tag d;
  const std::size_t lanes = hn::Lanes(d);
  const Vec ax = hn::Set(d, anchor_x);
  const Vec ay = hn::Set(d, anchor_y);
  const Vec az = hn::Set(d, anchor_z);
  const Vec r = hn::Set(d, radius);
  std::size_t m = 0;
  for (; m + lanes <= count; m += lanes) {
    const Vec angle = haversine_angle(d, hn::LoadU(d, x + m), hn::LoadU(d, y + m), hn::LoadU(d, z + m), ax, ay, az);
    hn::StoreU(hn::Mul(r, angle), d, out + m);
  }
  if (m < count) {
    const auto active = hn::FirstN(d, count - m);
    const Vec angle = haversine_angle(d, load_active(active, d, x + m), load_active(active, d, y + m),
                                      load_active(active, d, z + m), ax, ay, az);
    hn::BlendedStore(hn::Mul(r, angle), active, d, out + m);
  }
}

/// HaversineRun with an anchor a lane: out[m] = radius × the angle between
/// (x[m], y[m], z[m]) and (anchor_x[m], anchor_y[m], anchor_z[m]). The same
/// lane arithmetic as HaversineRun, so the same doubles.
void HaversinePairs(const double* HWY_RESTRICT x, const double* HWY_RESTRICT y, const double* HWY_RESTRICT z,
                    const double* HWY_RESTRICT anchor_x, const double* HWY_RESTRICT anchor_y,
                    const double* HWY_RESTRICT anchor_z, std::size_t count, double radius, double* HWY_RESTRICT out) {
  const Tag d;
  const std::size_t lanes = hn::Lanes(d);
  const Vec r = hn::Set(d, radius);
  std::size_t m = 0;
  for (; m + lanes <= count; m += lanes) {
    const Vec angle = haversine_angle(d, hn::LoadU(d, x + m), hn::LoadU(d, y + m), hn::LoadU(d, z + m),
                                      hn::LoadU(d, anchor_x + m), hn::LoadU(d, anchor_y + m), hn::LoadU(d, anchor_z + m));
    hn::StoreU(hn::Mul(r, angle), d, out + m);
  }
  if (m < count) {
    const auto active = hn::FirstN(d, count - m);
    const Vec angle = haversine_angle(d, load_active(active, d, x + m), load_active(active, d, y + m),
                                      load_active(active, d, z + m), load_active(active, d, anchor_x + m),
                                      load_active(active, d, anchor_y + m), load_active(active, d, anchor_z + m));
    hn::BlendedStore(hn::Mul(r, angle), active, d, out + m);
  }
}

/// A row's smallest and largest distances and their columns (TallyLanes),
/// one vector each.
struct Totals {
  Vec min, nearest, max, farthest;
};

using TagU = hn::RebindToUnsigned<Tag>;
using VecU = hn::Vec<TagU>;

/// The sums of TallyLanes (Σq, Σq² in two words), one vector each.
struct Sums {
  VecU sum, squares_low, squares_high;
};

/// The rounded distance q (TallyGrid) of `distance` and its square q², as
/// integers: steps + 2^52 rounds steps to the integer q (to even, as
/// dm::grid_steps) and holds it in its low bits, so q is read off the
/// representation (q < 2^32) and q² is one 32 × 32-bit multiply. Exact, so
/// the scalar and vector totals agree bit for bit. Inactive lanes
/// (kMasked) get q = q² = 0.
struct Steps {
  VecU q, square;
};

template <bool kMasked>
HWY_INLINE Steps steps_of(Tag d, Vec distance, hn::Mask<Tag> active, Vec scale) {
  const TagU du;
  const Vec steps = hn::Min(hn::Mul(distance, scale), hn::Set(d, TallyGrid::largest_steps));
  VecU q = hn::And(hn::BitCast(du, hn::Add(steps, hn::Set(d, 4503599627370496.0))), hn::Set(du, 0xFFFFFFFFu));
  if constexpr (kMasked) q = hn::IfThenElseZero(hn::RebindMask(du, active), q);
#if HWY_TARGET == HWY_SCALAR
  const VecU square = hn::Mul(q, q);  // one lane: a 64-bit multiply
#else
  const hn::Repartition<std::uint32_t, TagU> d32;
  const VecU square = hn::MulEven(hn::BitCast(d32, q), hn::BitCast(d32, q));
#endif
  return {q, square};
}

/// Adds q and q² to `sums`: Σq²'s low word counts its carries into the high one.
HWY_INLINE void add_steps(const Steps& steps, Sums& sums) {
  const TagU du;
  sums.sum = hn::Add(sums.sum, steps.q);
  sums.squares_low = hn::Add(sums.squares_low, steps.square);
  const auto carry = hn::Lt(sums.squares_low, steps.square);
  sums.squares_high = hn::IfThenElse(carry, hn::Add(sums.squares_high, hn::Set(du, 1)), sums.squares_high);
}

template <bool kMasked>
HWY_INLINE void add_sums(Tag d, Vec distance, hn::Mask<Tag> active, Vec scale, Sums& sums) {
  add_steps(steps_of<kMasked>(d, distance, active, scale), sums);
}

/// Adds `distance` (of index `index`: a row's columns) to `totals` and
/// `sums`. Strict comparisons keep the first index: a row's columns come in
/// increasing order.
template <bool kMasked>
HWY_INLINE void tally(Tag d, Vec distance, hn::Mask<Tag> active, Vec index, Vec scale, Totals& totals, Sums& sums) {
  const auto smaller = kMasked ? hn::And(active, hn::Lt(distance, totals.min)) : hn::Lt(distance, totals.min);
  totals.min = hn::IfThenElse(smaller, distance, totals.min);
  totals.nearest = hn::IfThenElse(smaller, index, totals.nearest);
  const auto larger = kMasked ? hn::And(active, hn::Gt(distance, totals.max)) : hn::Gt(distance, totals.max);
  totals.max = hn::IfThenElse(larger, distance, totals.max);
  totals.farthest = hn::IfThenElse(larger, index, totals.farthest);
  add_sums<kMasked>(d, distance, active, scale, sums);
}

/// The smallest and largest distances seen by each lane, without their
/// indices: found afterwards, only when they beat the totals so far, in the
/// distances kept (first_index_of), so the loop pays two operations a vector
/// instead of six.
struct Extremes {
  Vec min, max;
};

template <bool kMasked>
HWY_INLINE void add_extremes(Tag d, Vec distance, hn::Mask<Tag> active, Extremes& extremes) {
  if constexpr (kMasked) {
    extremes.min = hn::Min(extremes.min, hn::IfThenElse(active, distance, hn::Set(d, HUGE_VAL)));
    extremes.max = hn::Max(extremes.max, hn::IfThenElse(active, distance, hn::Set(d, -HUGE_VAL)));
  } else {
    extremes.min = hn::Min(extremes.min, distance);
    extremes.max = hn::Max(extremes.max, distance);
  }
}

/// The first i < count with values[i · stride] == value, which the caller
/// knows is there (the extreme of these very values).
inline std::size_t first_index_of(const double* values, std::size_t stride, std::size_t count, double value) {
  std::size_t i = 0;
  while (i + 1 < count && !(values[i * stride] == value)) ++i;
  return i;
}

/// HaversineRun's distances reduced into `row`. Without kStore, as they are
/// computed. With kStore, they are written with their grid steps and
/// squares to out's arrays, entries [0, count) (a tail writes its whole
/// vector: the arrays are padded by one), and reduced from there; the
/// row's extremes are kept in lane 0 of min/nearest and max/farthest, their
/// columns looked up in out.distances when a run beats them (rarely: a
/// row's runs come in increasing column order, so only a strictly better
/// value moves them).
template <bool kStore>
void haversine_tally(const double* HWY_RESTRICT x, const double* HWY_RESTRICT y, const double* HWY_RESTRICT z,
                     std::size_t first, std::size_t count, double anchor_x, double anchor_y, double anchor_z,
                     double radius, double scale, TallyLanes& lanes, const TallyOutput& out) {
  const Tag d;
  const std::size_t lanes_per_vector = hn::Lanes(d);
  const Vec ax = hn::Set(d, anchor_x);
  const Vec ay = hn::Set(d, anchor_y);
  const Vec az = hn::Set(d, anchor_z);
  const Vec r = hn::Set(d, radius);
  const Vec grid = hn::Set(d, scale);
  const Vec step = hn::Set(d, static_cast<double>(lanes_per_vector));
  const TagU du;
  Totals row{hn::LoadU(d, lanes.min), hn::LoadU(d, lanes.nearest), hn::LoadU(d, lanes.max),
             hn::LoadU(d, lanes.farthest)};
  Sums sums{hn::LoadU(du, lanes.sum), hn::LoadU(du, lanes.squares_low), hn::LoadU(du, lanes.squares_high)};
  Extremes extremes{hn::Set(d, HUGE_VAL), hn::Set(d, -HUGE_VAL)};
  Vec index = hn::Iota(d, static_cast<double>(first));
  const auto all = hn::FirstN(d, lanes_per_vector);
  std::size_t m = 0;
  for (; m + lanes_per_vector <= count; m += lanes_per_vector) {
    const std::size_t at = first + m;
    const Vec distance =
        hn::Mul(r, haversine_angle(d, hn::LoadU(d, x + at), hn::LoadU(d, y + at), hn::LoadU(d, z + at), ax, ay, az));
    if constexpr (kStore) {
      hn::StoreU(distance, d, out.distances + m);
    } else {
      tally<false>(d, distance, all, index, grid, row, sums);
      index = hn::Add(index, step);
    }
  }
  if (m < count) {
    const std::size_t at = first + m;
    const auto active = hn::FirstN(d, count - m);
    const Vec distance = hn::Mul(r, haversine_angle(d, load_active(active, d, x + at), load_active(active, d, y + at),
                                                    load_active(active, d, z + at), ax, ay, az));
    if constexpr (kStore) {
      hn::StoreU(distance, d, out.distances + m);
    } else {
      tally<true>(d, distance, active, index, grid, row, sums);
    }
  }
  if constexpr (kStore) {
    // The row's totals in a second pass over the distances just stored (in
    // the first-level cache): in the first, every reduction would wait on
    // the long latency of its distance, filling the scheduler and starving
    // the next distances of the out-of-order overlap they need.
    for (m = 0; m + lanes_per_vector <= count; m += lanes_per_vector) {
      const Vec distance = hn::LoadU(d, out.distances + m);
      const Steps steps = steps_of<false>(d, distance, all, grid);
      hn::StoreU(steps.q, du, out.steps + m);
      hn::StoreU(steps.square, du, out.squares + m);
      add_extremes<false>(d, distance, all, extremes);
      add_steps(steps, sums);
    }
    if (m < count) {
      const auto active = hn::FirstN(d, count - m);
      const Vec distance = hn::LoadU(d, out.distances + m);
      const Steps steps = steps_of<true>(d, distance, active, grid);
      hn::StoreU(steps.q, du, out.steps + m);
      hn::StoreU(steps.square, du, out.squares + m);
      add_extremes<true>(d, distance, active, extremes);
      add_steps(steps, sums);
    }
  }
  hn::StoreU(sums.sum, du, lanes.sum);
  hn::StoreU(sums.squares_low, du, lanes.squares_low);
  hn::StoreU(sums.squares_high, du, lanes.squares_high);
  if constexpr (kStore) {
    alignas(64) double smallest[HWY_MAX_BYTES / sizeof(double)];
    alignas(64) double largest[HWY_MAX_BYTES / sizeof(double)];
    hn::Store(extremes.min, d, smallest);
    hn::Store(extremes.max, d, largest);
    double run_min = smallest[0];
    double run_max = largest[0];
    for (std::size_t lane = 1; lane < lanes_per_vector; ++lane) {
      run_min = std::min(run_min, smallest[lane]);
      run_max = std::max(run_max, largest[lane]);
    }
    if (run_min < lanes.min[0]) {
      const std::size_t at = first_index_of(out.distances, 1, count, run_min);
      lanes.min[0] = out.distances[at];
      lanes.nearest[0] = static_cast<double>(first + at);
    }
    if (run_max > lanes.max[0]) {
      const std::size_t at = first_index_of(out.distances, 1, count, run_max);
      lanes.max[0] = out.distances[at];
      lanes.farthest[0] = static_cast<double>(first + at);
    }
  } else {
    hn::StoreU(row.min, d, lanes.min);
    hn::StoreU(row.nearest, d, lanes.nearest);
    hn::StoreU(row.max, d, lanes.max);
    hn::StoreU(row.farthest, d, lanes.farthest);
  }
}

void HaversineTally(const double* HWY_RESTRICT x, const double* HWY_RESTRICT y, const double* HWY_RESTRICT z,
                    std::size_t first, std::size_t last, std::size_t anchor, double radius, double scale,
                    TallyLanes& lanes, const TallyOutput* out) {
  if (out != nullptr) {
    haversine_tally<true>(x, y, z, first, last - first, x[anchor], y[anchor], z[anchor], radius, scale, lanes, *out);
  } else {
    haversine_tally<false>(x, y, z, first, last - first, x[anchor], y[anchor], z[anchor], radius, scale, lanes,
                           TallyOutput{});
  }
}

/// The column side of a triangle's tile (simd::tally_triangle_columns): each
/// vector of columns keeps its sums and extremes in registers while the
/// tile's anchors are added, then moves them to `columns` once: two memory
/// operations per vector of distances (the row's store, this load) instead
/// of sixteen. A column's nearest (farthest) anchor is looked up in the tile
/// only when the tile beats its minimum (maximum) so far: the tile's anchors
/// come after those already in `columns`, so only a strictly better value
/// moves it, and the lookup takes the first (lowest) anchor holding it.
/// One vector of columns' totals while a tile's anchors are added.
struct ColumnVector {
  Sums sums;
  Extremes extremes;
};

/// A tile of a square's upper triangle as TallyTriangleColumns reads it.
struct TriangleTile {
  const TallyOutput& output;
  std::size_t stride, first_anchor, last_anchor, first_column;
};

HWY_INLINE ColumnVector load_column_vector(Tag d, const ColumnTallies& columns, std::size_t at) {
  const TagU du;
  return {Sums{hn::LoadU(du, columns.sum + at), hn::LoadU(du, columns.squares_low + at),
               hn::LoadU(du, columns.squares_high + at)},
          Extremes{hn::Set(d, HUGE_VAL), hn::Set(d, -HUGE_VAL)}};
}

/// Adds the distances of anchor row `row` at column offset `offset`, every lane active.
HWY_INLINE void add_unmasked(Tag d, const TriangleTile& tile, std::size_t row, std::size_t offset,
                             ColumnVector& vector) {
  const TagU du;
  const std::size_t at = row * tile.stride + offset;
  const Vec distance = hn::LoadU(d, tile.output.distances + at);
  vector.extremes.min = hn::Min(vector.extremes.min, distance);
  vector.extremes.max = hn::Max(vector.extremes.max, distance);
  add_steps(Steps{hn::LoadU(du, tile.output.steps + at), hn::LoadU(du, tile.output.squares + at)}, vector.sums);
}

/// Adds anchors [from, …) to the vector of `width` columns at `at`, then
/// moves its totals to `columns`, looking up the anchor of any improved
/// minimum or maximum in the tile.
HWY_INLINE void finish_column_vector(Tag d, const TriangleTile& tile, std::size_t at, std::size_t width,
                                     std::size_t from, ColumnVector& vector, const ColumnTallies& columns) {
  const TagU du;
  const std::size_t lanes_per_vector = hn::Lanes(d);
  const std::size_t offset = at - tile.first_column;
  // Anchor a has a distance in this vector when some column at + lane > a;
  // those before every column of the vector (a < at), with the vector
  // whole, need no mask; the rest (the diagonal, the last columns) do.
  const std::size_t anchors_end = std::min(tile.last_anchor, at + width);
  const std::size_t unmasked_end = width == lanes_per_vector ? std::max(from, std::min(anchors_end, at)) : from;
  std::size_t anchor = from;
  for (; anchor < unmasked_end; ++anchor) add_unmasked(d, tile, anchor - tile.first_anchor, offset, vector);
  const Vec column_index = hn::Iota(d, static_cast<double>(at));
  const auto in_range = hn::FirstN(d, width);
  for (; anchor < anchors_end; ++anchor) {
    const auto active = hn::And(in_range, hn::Gt(column_index, hn::Set(d, static_cast<double>(anchor))));
    const std::size_t row = (anchor - tile.first_anchor) * tile.stride + offset;
    add_extremes<true>(d, hn::LoadU(d, tile.output.distances + row), active, vector.extremes);
    const auto active_u = hn::RebindMask(du, active);
    add_steps(Steps{hn::IfThenElseZero(active_u, hn::LoadU(du, tile.output.steps + row)),
                    hn::IfThenElseZero(active_u, hn::LoadU(du, tile.output.squares + row))},
              vector.sums);
  }
  hn::StoreU(vector.sums.sum, du, columns.sum + at);
  hn::StoreU(vector.sums.squares_low, du, columns.squares_low + at);
  hn::StoreU(vector.sums.squares_high, du, columns.squares_high + at);
  const bool new_min = !hn::AllFalse(d, hn::Lt(vector.extremes.min, hn::LoadU(d, columns.min + at)));
  const bool new_max = !hn::AllFalse(d, hn::Gt(vector.extremes.max, hn::LoadU(d, columns.max + at)));
  if (!new_min && !new_max) return;
  alignas(64) double smallest[HWY_MAX_BYTES / sizeof(double)];
  alignas(64) double largest[HWY_MAX_BYTES / sizeof(double)];
  hn::Store(vector.extremes.min, d, smallest);
  hn::Store(vector.extremes.max, d, largest);
  const double* values = tile.output.distances + offset;
  for (std::size_t lane = 0; lane < width; ++lane) {
    const std::size_t column = at + lane;
    const std::size_t count = std::min(anchors_end, column) - tile.first_anchor;  // this column's anchors: a < column
    if (smallest[lane] < columns.min[column]) {
      const std::size_t a = first_index_of(values + lane, tile.stride, count, smallest[lane]);
      columns.min[column] = values[a * tile.stride + lane];
      columns.nearest[column] = static_cast<double>(tile.first_anchor + a);
    }
    if (largest[lane] > columns.max[column]) {
      const std::size_t a = first_index_of(values + lane, tile.stride, count, largest[lane]);
      columns.max[column] = values[a * tile.stride + lane];
      columns.farthest[column] = static_cast<double>(tile.first_anchor + a);
    }
  }
}

/// Two vectors of columns at a time where both are whole: each anchor's
/// row then gives two adjacent lines of each array, twice the loads in
/// flight (the pass waits on the second-level cache, not on arithmetic).
void TallyTriangleColumns(const TallyOutput& output, std::size_t stride, std::size_t first_anchor,
                          std::size_t last_anchor, std::size_t first_column, std::size_t last_column,
                          const ColumnTallies& columns) {
  const Tag d;
  const std::size_t lanes_per_vector = hn::Lanes(d);
  const TriangleTile tile{output, stride, first_anchor, last_anchor, first_column};
  std::size_t at = first_column;
  for (; at + 2 * lanes_per_vector <= last_column; at += 2 * lanes_per_vector) {
    if (first_anchor >= std::min(last_anchor, at + 2 * lanes_per_vector)) continue;
    ColumnVector first = load_column_vector(d, columns, at);
    ColumnVector second = load_column_vector(d, columns, at + lanes_per_vector);
    const std::size_t both_unmasked_end = std::max(first_anchor, std::min(last_anchor, at));
    const std::size_t offset = at - first_column;
    for (std::size_t anchor = first_anchor; anchor < both_unmasked_end; ++anchor) {
      add_unmasked(d, tile, anchor - first_anchor, offset, first);
      add_unmasked(d, tile, anchor - first_anchor, offset + lanes_per_vector, second);
    }
    finish_column_vector(d, tile, at, lanes_per_vector, both_unmasked_end, first, columns);
    finish_column_vector(d, tile, at + lanes_per_vector, lanes_per_vector, both_unmasked_end, second, columns);
  }
  for (; at < last_column; at += lanes_per_vector) {
    const std::size_t width = std::min(lanes_per_vector, last_column - at);
    if (first_anchor >= std::min(last_anchor, at + width)) continue;
    ColumnVector vector = load_column_vector(d, columns, at);
    finish_column_vector(d, tile, at, width, first_anchor, vector, columns);
  }
}

/// x = Δλ·cos φm, y = Δφ, angle = √(x² + y²), with Δλ the short way round,
/// operation for operation as the scalar kernel does it.
HWY_INLINE Vec equirectangular_angle(Tag d, Vec latitude, Vec longitude, Vec anchor_latitude,
                                     Vec anchor_longitude) {
  const Vec radians_per_degree = hn::Set(d, pi / 180.0);
  Vec dlon = hn::Sub(anchor_longitude, longitude);
  dlon = hn::IfThenElse(hn::Gt(dlon, hn::Set(d, 180.0)), hn::Sub(dlon, hn::Set(d, 360.0)), dlon);
  dlon = hn::IfThenElse(hn::Le(dlon, hn::Set(d, -180.0)), hn::Add(dlon, hn::Set(d, 360.0)), dlon);
  const Vec mean_latitude = hn::Mul(hn::Add(latitude, anchor_latitude), hn::Set(d, pi / 360.0));
  const Vec x = hn::Mul(hn::Mul(dlon, radians_per_degree), hn::Cos(d, mean_latitude));
  const Vec y = hn::Mul(hn::Sub(anchor_latitude, latitude), radians_per_degree);
  return hn::Sqrt(hn::MulAdd(x, x, hn::Mul(y, y)));
}

void EquirectangularRun(const double* HWY_RESTRICT latitude, const double* HWY_RESTRICT longitude,
                        std::size_t count, double anchor_latitude, double anchor_longitude, double radius,
                        double* HWY_RESTRICT out) {
  const Tag d;
  const std::size_t lanes = hn::Lanes(d);
  const Vec alat = hn::Set(d, anchor_latitude);
  const Vec alon = hn::Set(d, anchor_longitude);
  const Vec r = hn::Set(d, radius);
  std::size_t m = 0;
  for (; m + lanes <= count; m += lanes) {
    const Vec angle = equirectangular_angle(d, hn::LoadU(d, latitude + m), hn::LoadU(d, longitude + m), alat, alon);
    hn::StoreU(hn::Mul(r, angle), d, out + m);
  }
  if (m < count) {
    const auto active = hn::FirstN(d, count - m);
    const Vec angle = equirectangular_angle(d, load_active(active, d, latitude + m),
                                            load_active(active, d, longitude + m), alat, alon);
    hn::BlendedStore(hn::Mul(r, angle), active, d, out + m);
  }
}

}  // namespace dm::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#include "src/kernel/geodesic_lanes-inl.h"

#if HWY_ONCE
#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>
#include <vector>

#include "src/kernel/instruction_sets.hpp"

namespace dm::simd {
namespace {

/// One instruction set's run function for each metric that has a vectorized
/// kernel: the metric strategies (src/kernel/metrics/) call them through
/// the dispatch functions below. A new vectorized metric adds its entry here
/// and in DM_SIMD_TARGET.
struct RunFunctions {
  decltype(&HWY_NAMESPACE::HaversineRun) haversine = nullptr;
  decltype(&HWY_NAMESPACE::HaversinePairs) haversine_pairs = nullptr;
  decltype(&HWY_NAMESPACE::EquirectangularRun) equirectangular = nullptr;
  decltype(&HWY_NAMESPACE::GeodesicRun) geodesic = nullptr;
  decltype(&HWY_NAMESPACE::HaversineTally) haversine_tally = nullptr;
  decltype(&HWY_NAMESPACE::TallyTriangleColumns) tally_triangle_columns = nullptr;
};

/// The code compiled for one instruction set.
struct Target {
  std::int64_t highway_target = 0;  ///< HWY_AVX3, ...
  RunFunctions run;
};

#define DM_SIMD_TARGET(NAMESPACE, HIGHWAY_TARGET) \
  Target {                                                                                                         \
    HIGHWAY_TARGET, RunFunctions{&NAMESPACE::HaversineRun, &NAMESPACE::HaversinePairs,                              \
                                 &NAMESPACE::EquirectangularRun, &NAMESPACE::GeodesicRun,                          \
                                 &NAMESPACE::HaversineTally, &NAMESPACE::TallyTriangleColumns},                    \
  }

/// Every instruction set foreach_target.h compiled this file for, best first.
/// The static target (what the compiler flags alone allow: SCALAR or EMU128
/// by default) comes last and runs everywhere this binary runs.
constexpr std::array compiled_targets{
#if (HWY_TARGETS & HWY_AVX3_DL) && HWY_STATIC_TARGET != HWY_AVX3_DL
    DM_SIMD_TARGET(N_AVX3_DL, HWY_AVX3_DL),
#endif
#if (HWY_TARGETS & HWY_AVX3) && HWY_STATIC_TARGET != HWY_AVX3
    DM_SIMD_TARGET(N_AVX3, HWY_AVX3),
#endif
#if (HWY_TARGETS & HWY_AVX2) && HWY_STATIC_TARGET != HWY_AVX2
    DM_SIMD_TARGET(N_AVX2, HWY_AVX2),
#endif
#if (HWY_TARGETS & HWY_SSE4) && HWY_STATIC_TARGET != HWY_SSE4
    DM_SIMD_TARGET(N_SSE4, HWY_SSE4),
#endif
#if (HWY_TARGETS & HWY_SSSE3) && HWY_STATIC_TARGET != HWY_SSSE3
    DM_SIMD_TARGET(N_SSSE3, HWY_SSSE3),
#endif
    DM_SIMD_TARGET(HWY_NAMESPACE, HWY_STATIC_TARGET),
};
#undef DM_SIMD_TARGET

bool runnable(const Target& target) {
  return target.highway_target == HWY_STATIC_TARGET || (runnable_highway_targets() & target.highway_target) != 0;
}

/// The best runnable target, chosen on first use (thread-safe static).
const Target& best_target() noexcept {
  static const Target* const best = [] {
    for (const Target& target : compiled_targets) {
      if (runnable(target)) return &target;
    }
    return &compiled_targets.back();
  }();
  return *best;
}

/// Set only by use_target(), for tests and benchmarks.
std::atomic<const Target*> forced_target{nullptr};

const Target& target_in_force() noexcept {
  const Target* forced = forced_target.load(std::memory_order_acquire);
  return forced != nullptr ? *forced : best_target();
}

}  // namespace

void haversine_run(const double* x, const double* y, const double* z, std::size_t count, double anchor_x,
                   double anchor_y, double anchor_z, double radius, double* out) noexcept {
  target_in_force().run.haversine(x, y, z, count, anchor_x, anchor_y, anchor_z, radius, out);
}

void haversine_pairs(const double* x, const double* y, const double* z, const double* anchor_x,
                     const double* anchor_y, const double* anchor_z, std::size_t count, double radius,
                     double* out) noexcept {
  target_in_force().run.haversine_pairs(x, y, z, anchor_x, anchor_y, anchor_z, count, radius, out);
}

void equirectangular_run(const double* latitude, const double* longitude, std::size_t count,
                         double anchor_latitude, double anchor_longitude, double radius, double* out) noexcept {
  target_in_force().run.equirectangular(latitude, longitude, count, anchor_latitude, anchor_longitude, radius, out);
}

std::size_t geodesic_run(const GeodesicLocations& others, std::size_t count, const GeodesicLocation& anchor,
                         const GeodesicConstants& constants, double* out, std::uint32_t* hard) noexcept {
  return target_in_force().run.geodesic(others, count, anchor, constants, out, hard);
}

void haversine_tally(const double* x, const double* y, const double* z, std::size_t first, std::size_t last,
                     std::size_t anchor, double radius, double scale, TallyLanes& lanes,
                     const TallyOutput* out) noexcept {
  target_in_force().run.haversine_tally(x, y, z, first, last, anchor, radius, scale, lanes, out);
}

void tally_triangle_columns(const TallyOutput& tile, std::size_t stride, std::size_t first_anchor,
                            std::size_t last_anchor, std::size_t first_column, std::size_t last_column,
                            const ColumnTallies& columns) noexcept {
  target_in_force().run.tally_triangle_columns(tile, stride, first_anchor, last_anchor, first_column, last_column,
                                               columns);
}

std::string_view target_name() noexcept {
  const std::string_view name = hwy::TargetName(target_in_force().highway_target);
  // Highway calls AVX-512 (F, VL, DQ, BW) "AVX3"; users know it as avx512.
  if (name == "AVX3") return "avx512";
  if (name == "AVX3_DL") return "avx512_dl";
  if (name == "AVX2") return "avx2";
  if (name == "SSE4") return "sse4";
  if (name == "SSSE3") return "ssse3";
  if (name == "EMU128") return "generic";  // Highway's portable code (Clang)
  if (name == "SCALAR") return "generic";  // Highway's portable one-lane code (GCC)
  return name;
}

std::vector<std::string_view> runnable_targets() {
  std::vector<std::string_view> names;
  for (const Target& target : compiled_targets) {
    if (runnable(target)) names.emplace_back(hwy::TargetName(target.highway_target));
  }
  return names;
}

bool use_target(std::string_view highway_name) noexcept {
  if (highway_name.empty()) {
    forced_target.store(nullptr, std::memory_order_release);
    return true;
  }
  for (const Target& target : compiled_targets) {
    if (runnable(target) && highway_name == hwy::TargetName(target.highway_target)) {
      forced_target.store(&target, std::memory_order_release);
      return true;
    }
  }
  return false;
}

}  // namespace dm::simd
#endif  // HWY_ONCE
