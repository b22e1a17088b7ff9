// Karney's inverse geodesic (2013, "Algorithms for geodesics", as
// GeographicLib's Geodesic::GenInverse computes it) for a vector of pairs at
// once. Included by simd_distance.cpp inside each instruction set's namespace
// (Highway's -inl.h convention: re-included once per target).
//
// Every lane follows GeographicLib's path: the normalisation by sign masks;
// the closed forms for meridional pairs (Δλ = 0 or 180°, or a point at a
// pole; coincident points exactly 0) and equatorial pairs; InverseStart's
// spherical start, or the astroid start for nearly antipodal lanes; and
// Newton's method on α1 with Lambda12's derivative, the order-6 series A1,
// C1, A2, C2 (fixed in ε) and A3, C3 (polynomials in ε whose coefficients
// depend on the third flattening n, computed once per ellipsoid). Each
// branch is computed for the vector only when one of its lanes needs it, and
// blended in by mask. The lanes it does not handle are reported as hard, and
// the caller computes them with GeographicLib itself:
//  - lanes whose Newton step leaves (0, π) or has a non-positive derivative
//    (GeographicLib then bisects), and lanes not converged in
//    geodesic_newton_limit evaluations;
//  - equatorial pairs whose geodesic leaves the equator;
//  - on prolate ellipsoids, the astroid lanes and meridians past σ12 = 1.
// On random pairs these are about one in ten thousand.

#if defined(DM_KERNEL_GEODESIC_LANES_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef DM_KERNEL_GEODESIC_LANES_INL_H_
#undef DM_KERNEL_GEODESIC_LANES_INL_H_
#else
#define DM_KERNEL_GEODESIC_LANES_INL_H_
#endif

#include <hwy/contrib/math/math-inl.h>
#include <hwy/highway.h>

#include <cstddef>
#include <cstdint>

#include "src/kernel/simd_distance.hpp"

HWY_BEFORE_NAMESPACE();
namespace dm::simd::HWY_NAMESPACE::geodesic_lanes {
namespace hn = hwy::HWY_NAMESPACE;

using D = hn::ScalableTag<double>;
using V = hn::Vec<D>;
using M = hn::Mask<D>;

constexpr double pi = 3.14159265358979323846264338327950288;
constexpr double epsilon = 0x1p-52;  // GeographicLib's tol0_
constexpr double geodesic_tiny = 0x1p-511;  // GeographicLib's tiny_, √(smallest normal double)

/// atan2(y, x) for every quadrant (atan2(±0, −x) = ±π, atan2(0, 0) = 0),
/// from the polynomial of Highway's Atan (3 ulp) on a ratio in [0, 1]
/// (hn::Atan itself would divide once more, for arguments above 1).
HWY_INLINE V atan2(D d, V y, V x) {
  const V ax = hn::Abs(x);
  const V ay = hn::Abs(y);
  const M steep = hn::Gt(ay, ax);
  const V numerator = hn::IfThenElse(steep, ax, ay);
  const V denominator = hn::IfThenElse(steep, ay, ax);
  const M zero = hn::Eq(denominator, hn::Zero(d));
  const V ratio = hn::IfThenZeroElse(zero, hn::Div(numerator, hn::IfThenElse(zero, hn::Set(d, 1.0), denominator)));
  hn::impl::AtanImpl<double> atan_polynomial;
  V angle = atan_polynomial.AtanPoly(d, ratio);
  angle = hn::IfThenElse(steep, hn::Sub(hn::Set(d, pi / 2), angle), angle);
  const M negative_x = hn::Lt(hn::CopySign(hn::Set(d, 1.0), x), hn::Zero(d));  // sign bit, −0 included
  angle = hn::IfThenElse(negative_x, hn::Sub(hn::Set(d, pi), angle), angle);
  return hn::CopySign(angle, y);
}

/// (s, c) scaled to the unit circle; one division.
HWY_INLINE void normalize(D d, V& s, V& c) {
  const V inverse = hn::Div(hn::Set(d, 1.0), hn::Sqrt(hn::MulAdd(s, s, hn::Mul(c, c))));
  s = hn::Mul(s, inverse);
  c = hn::Mul(c, inverse);
}

HWY_INLINE V hypot(V s, V c) { return hn::Sqrt(hn::MulAdd(s, s, hn::Mul(c, c))); }

/// Σ c[k]·sin(2kσ), k = 1 .. N (c[0] holds c_1), at σ1 and σ2 at once
/// (Clenshaw's recurrence, as GeographicLib's SinCosSeries), returning the
/// difference S(σ2) − S(σ1).
template <std::size_t N>
HWY_INLINE V sin_series_difference(D d, const V (&c)[N], V s1, V c1, V s2, V c2) {
  const V two = hn::Set(d, 2.0);
  const V ar1 = hn::Mul(two, hn::Mul(hn::Sub(c1, s1), hn::Add(c1, s1)));  // 2 cos 2σ
  const V ar2 = hn::Mul(two, hn::Mul(hn::Sub(c2, s2), hn::Add(c2, s2)));
  V b1_1 = hn::Zero(d), b2_1 = hn::Zero(d);  // b_{k+1}, b_{k+2} at σ1
  V b1_2 = hn::Zero(d), b2_2 = hn::Zero(d);  // at σ2
  for (std::size_t k = N; k-- > 0;) {
    const V next1 = hn::Add(hn::MulSub(ar1, b1_1, b2_1), c[k]);
    const V next2 = hn::Add(hn::MulSub(ar2, b1_2, b2_2), c[k]);
    b2_1 = b1_1;
    b1_1 = next1;
    b2_2 = b1_2;
    b1_2 = next2;
  }
  const V sum1 = hn::Mul(hn::Mul(two, hn::Mul(s1, c1)), b1_1);
  const V sum2 = hn::Mul(hn::Mul(two, hn::Mul(s2, c2)), b1_2);
  return hn::Sub(sum2, sum1);
}

/// A1 − 1 (Karney 2013, eq. 17).
HWY_INLINE V a1_minus_1(D d, V eps, V eps2) {
  const V t = hn::Mul(hn::Mul(eps2, hn::MulAdd(eps2, hn::Add(eps2, hn::Set(d, 4.0)), hn::Set(d, 64.0))),
                      hn::Set(d, 1.0 / 256));
  return hn::Div(hn::Add(t, eps), hn::Sub(hn::Set(d, 1.0), eps));
}

/// C1[1..6] (eq. 18).
HWY_INLINE void c1_coefficients(D d, V eps, V eps2, V (&c)[6]) {
  const V e1 = eps;
  const V e2 = hn::Mul(e1, eps);
  const V e3 = hn::Mul(e2, eps);
  const V e4 = hn::Mul(e3, eps);
  const V e5 = hn::Mul(e4, eps);
  const V e6 = hn::Mul(e5, eps);
  c[0] = hn::Mul(e1, hn::Mul(hn::MulAdd(hn::MulAdd(hn::Set(d, -1.0), eps2, hn::Set(d, 6.0)), eps2, hn::Set(d, -16.0)),
                             hn::Set(d, 1.0 / 32)));
  c[1] = hn::Mul(e2, hn::Mul(hn::MulAdd(hn::MulAdd(hn::Set(d, -9.0), eps2, hn::Set(d, 64.0)), eps2, hn::Set(d, -128.0)),
                             hn::Set(d, 1.0 / 2048)));
  c[2] = hn::Mul(e3, hn::Mul(hn::MulAdd(hn::Set(d, 9.0), eps2, hn::Set(d, -16.0)), hn::Set(d, 1.0 / 768)));
  c[3] = hn::Mul(e4, hn::Mul(hn::MulAdd(hn::Set(d, 3.0), eps2, hn::Set(d, -5.0)), hn::Set(d, 1.0 / 512)));
  c[4] = hn::Mul(e5, hn::Set(d, -7.0 / 1280));
  c[5] = hn::Mul(e6, hn::Set(d, -7.0 / 2048));
}

/// C2[1..6] (eq. 43).
HWY_INLINE void c2_coefficients(D d, V eps, V eps2, V (&c)[6]) {
  const V e1 = eps;
  const V e2 = hn::Mul(e1, eps);
  const V e3 = hn::Mul(e2, eps);
  const V e4 = hn::Mul(e3, eps);
  const V e5 = hn::Mul(e4, eps);
  const V e6 = hn::Mul(e5, eps);
  c[0] = hn::Mul(e1, hn::Mul(hn::MulAdd(hn::Add(eps2, hn::Set(d, 2.0)), eps2, hn::Set(d, 16.0)), hn::Set(d, 1.0 / 32)));
  c[1] = hn::Mul(e2, hn::Mul(hn::MulAdd(hn::MulAdd(hn::Set(d, 35.0), eps2, hn::Set(d, 64.0)), eps2, hn::Set(d, 384.0)),
                             hn::Set(d, 1.0 / 2048)));
  c[2] = hn::Mul(e3, hn::Mul(hn::MulAdd(hn::Set(d, 15.0), eps2, hn::Set(d, 80.0)), hn::Set(d, 1.0 / 768)));
  c[3] = hn::Mul(e4, hn::Mul(hn::MulAdd(hn::Set(d, 7.0), eps2, hn::Set(d, 35.0)), hn::Set(d, 1.0 / 512)));
  c[4] = hn::Mul(e5, hn::Set(d, 63.0 / 1280));
  c[5] = hn::Mul(e6, hn::Set(d, 77.0 / 2048));
}

/// Horner in eps over coefficients[first .. first + count), highest first.
HWY_INLINE V polynomial(D d, const double* coefficients, std::size_t count, V eps) {
  V y = hn::Set(d, coefficients[0]);
  for (std::size_t k = 1; k < count; ++k) y = hn::MulAdd(y, eps, hn::Set(d, coefficients[k]));
  return y;
}

/// C3[1..5] (eq. 25), from the ellipsoid's coefficients (polynomials in n).
HWY_INLINE void c3_coefficients(D d, const GeodesicConstants& constants, V eps, V (&c)[5]) {
  const double* x = constants.c3.data();
  V power = eps;
  std::size_t offset = 0;
  for (std::size_t l = 1; l <= 5; ++l) {
    const std::size_t terms = 6 - l;
    c[l - 1] = hn::Mul(power, polynomial(d, x + offset, terms, eps));
    offset += terms;
    power = hn::Mul(power, eps);
  }
}

/// sin and cos of small angles (|x| <= 1/4): Taylor to x⁷ and x⁸, relative
/// error below 1e-11; only Newton's step uses them, and Newton corrects it.
HWY_INLINE void sincos_small(D d, V x, V& s, V& c) {
  const V x2 = hn::Mul(x, x);
  const V one = hn::Set(d, 1.0);
  const V sp = hn::NegMulAdd(hn::Mul(x2, hn::Set(d, 1.0 / 6)),
                             hn::NegMulAdd(hn::Mul(x2, hn::Set(d, 1.0 / 20)),
                                           hn::NegMulAdd(x2, hn::Set(d, 1.0 / 42), one), one),
                             one);
  s = hn::Mul(x, sp);
  c = hn::NegMulAdd(hn::Mul(x2, hn::Set(d, 0.5)),
                    hn::NegMulAdd(hn::Mul(x2, hn::Set(d, 1.0 / 12)),
                                  hn::NegMulAdd(hn::Mul(x2, hn::Set(d, 1.0 / 30)),
                                                hn::NegMulAdd(x2, hn::Set(d, 1.0 / 56), one), one),
                                  one),
                    one);
}

/// Real cube root: exp(log|x| / 3) with the sign, polished by one Newton
/// step (the astroid's start value only needs a few digits, Newton on α1
/// gives the rest); 0 for 0.
HWY_INLINE V cube_root(D d, V x) {
  const V magnitude = hn::Abs(x);
  const M zero = hn::Eq(magnitude, hn::Zero(d));
  const V safe = hn::IfThenElse(zero, hn::Set(d, 1.0), magnitude);
  V t = hn::Exp(d, hn::Mul(hn::Log(d, safe), hn::Set(d, 1.0 / 3)));
  const V t2 = hn::Mul(t, t);
  t = hn::Sub(t, hn::Div(hn::MulSub(t2, t, safe), hn::Mul(hn::Set(d, 3.0), t2)));
  return hn::IfThenZeroElse(zero, hn::CopySign(t, x));
}

/// GeographicLib's Astroid: the positive root k of
/// k⁴ + 2k³ − (x² + y² − 1)k² − 2y²k − y² = 0 (Karney 2013, eq. 55).
HWY_INLINE V astroid(D d, V x, V y) {
  const V zero = hn::Zero(d);
  const V p = hn::Mul(x, x);
  const V q = hn::Mul(y, y);
  const V r = hn::Mul(hn::Sub(hn::Add(p, q), hn::Set(d, 1.0)), hn::Set(d, 1.0 / 6));
  const M degenerate = hn::And(hn::Eq(q, zero), hn::Le(r, zero));
  const V big_s = hn::Mul(hn::Mul(p, q), hn::Set(d, 0.25));
  const V r2 = hn::Mul(r, r);
  const V r3 = hn::Mul(r, r2);
  const V disc = hn::Mul(big_s, hn::MulAdd(hn::Set(d, 2.0), r3, big_s));
  const M real_t = hn::Ge(disc, zero);
  V t3 = hn::Add(big_s, r3);
  t3 = hn::Add(t3, hn::CopySign(hn::Sqrt(hn::Max(disc, zero)), t3));
  const V t = cube_root(d, t3);
  const M t_zero = hn::Eq(t, zero);
  const V u_real = hn::Add(r, hn::Add(t, hn::IfThenZeroElse(t_zero, hn::Div(r2, hn::IfThenElse(t_zero, hn::Set(d, 1.0), t)))));
  const V angle = atan2(d, hn::Sqrt(hn::Max(hn::Neg(disc), zero)), hn::Neg(hn::Add(big_s, r3)));
  const V u_complex = hn::MulAdd(hn::Mul(hn::Set(d, 2.0), r), hn::Cos(d, hn::Mul(angle, hn::Set(d, 1.0 / 3))), r);
  const V u = hn::IfThenElse(real_t, u_real, u_complex);
  const V v = hn::Sqrt(hn::MulAdd(u, u, q));
  const V uv = hn::IfThenElse(hn::Lt(u, zero), hn::Div(q, hn::Sub(v, u)), hn::Add(u, v));
  const V w = hn::Div(hn::Sub(uv, q), hn::Mul(hn::Set(d, 2.0), v));
  const V k = hn::Div(uv, hn::Add(hn::Sqrt(hn::MulAdd(w, w, uv)), w));
  return hn::IfThenZeroElse(degenerate, k);
}

/// One pair per lane in GeographicLib's normalised frame (0 < λ12 < 180°,
/// lat1 <= 0, lat1 <= lat2 <= −lat1).
struct Frame {
  V sbet1, cbet1, dn1, sbet2, cbet2, dn2;
  V slam12, clam12, lam12;
  V inverse_cbet2;  ///< 1 / cos β2, once per pair rather than per Newton step
};

/// The Newton state that Lengths needs once the iteration has converged.
struct Arc {
  V sig12, ssig1, csig1, ssig2, csig2, eps;
};

/// GeographicLib's Lambda12 with its derivative: the longitude difference
/// reached by the geodesic leaving point 1 at azimuth α1, minus λ12 (η is
/// taken against λ12's sine and cosine directly). The derivative is returned
/// as a fraction, dlam12_numerator / dlam12_denominator, so that Newton's
/// step divides once.
HWY_INLINE V lambda12(D d, const GeodesicConstants& k, const Frame& p, V salp1, V calp1, Arc& arc,
                      V& dlam12_numerator, V& dlam12_denominator) {
  const V zero = hn::Zero(d);
  const V salp0 = hn::Mul(salp1, p.cbet1);
  const V calp0 = hypot(calp1, hn::Mul(salp1, p.sbet1));

  V ssig1 = p.sbet1;
  const V somg1 = hn::Mul(salp0, p.sbet1);
  V csig1 = hn::Mul(calp1, p.cbet1);
  const V comg1 = csig1;
  normalize(d, ssig1, csig1);

  const M same_cbet = hn::Eq(p.cbet2, p.cbet1);
  const M mirrored = hn::And(same_cbet, hn::Eq(hn::Abs(p.sbet2), hn::Neg(p.sbet1)));
  const M use_cos = hn::Lt(p.cbet1, hn::Neg(p.sbet1));
  const V difference = hn::IfThenElse(use_cos, hn::Mul(hn::Sub(p.cbet2, p.cbet1), hn::Add(p.cbet1, p.cbet2)),
                                      hn::Mul(hn::Sub(p.sbet1, p.sbet2), hn::Add(p.sbet1, p.sbet2)));
  const V calp1_cbet1 = hn::Mul(calp1, p.cbet1);
  const V calp2_general = hn::Mul(hn::Sqrt(hn::MulAdd(calp1_cbet1, calp1_cbet1, difference)), p.inverse_cbet2);
  const V calp2 = hn::IfThenElse(mirrored, hn::Abs(calp1), calp2_general);

  V ssig2 = p.sbet2;
  const V somg2 = hn::Mul(salp0, p.sbet2);
  V csig2 = hn::Mul(calp2, p.cbet2);
  const V comg2 = csig2;
  normalize(d, ssig2, csig2);

  const V sig12 = atan2(d, hn::Max(zero, hn::Sub(hn::Mul(csig1, ssig2), hn::Mul(ssig1, csig2))),
                        hn::MulAdd(csig1, csig2, hn::Mul(ssig1, ssig2)));
  const V somg12 = hn::Max(zero, hn::Sub(hn::Mul(comg1, somg2), hn::Mul(somg1, comg2)));
  const V comg12 = hn::MulAdd(comg1, comg2, hn::Mul(somg1, somg2));
  const V eta = atan2(d, hn::Sub(hn::Mul(somg12, p.clam12), hn::Mul(comg12, p.slam12)),
                      hn::MulAdd(comg12, p.clam12, hn::Mul(somg12, p.slam12)));

  const V k2 = hn::Mul(hn::Mul(calp0, calp0), hn::Set(d, k.ep2));
  const V eps = hn::Div(k2, hn::MulAdd(hn::Set(d, 2.0), hn::Add(hn::Set(d, 1.0), hn::Sqrt(hn::Add(hn::Set(d, 1.0), k2))), k2));
  V c3[5];
  c3_coefficients(d, k, eps, c3);
  const V b312 = sin_series_difference(d, c3, ssig1, csig1, ssig2, csig2);
  const V a3 = polynomial(d, k.a3.data(), 6, eps);
  const V domg12 = hn::Mul(hn::Mul(hn::Set(d, -k.f), hn::Mul(a3, salp0)), hn::Add(sig12, b312));
  const V lambda_error = hn::Add(eta, domg12);

  // The derivative: the reduced length m12 (Lengths with REDUCEDLENGTH).
  // A1 and A2 by their series times 1/(1 ∓ ε) to ε⁴ (a relative error below
  // ε⁵ < 1e-11 in the slope, which Newton's next step corrects).
  const V eps2 = hn::Mul(eps, eps);
  const V one = hn::Set(d, 1.0);
  const V geometric_sum = hn::MulAdd(eps2, hn::Add(one, eps2), hn::Add(one, hn::Mul(eps, hn::Add(one, eps2))));
  const V alternating_sum = hn::MulAdd(eps2, hn::Add(one, eps2), hn::Sub(one, hn::Mul(eps, hn::Add(one, eps2))));
  const V a1m1 = hn::Mul(hn::MulAdd(hn::Mul(eps2, hn::MulAdd(eps2, hn::Add(eps2, hn::Set(d, 4.0)), hn::Set(d, 64.0))),
                                    hn::Set(d, 1.0 / 256), eps),
                         geometric_sum);
  const V a2m1 = hn::Mul(
      hn::Sub(hn::Mul(hn::Mul(eps2, hn::MulAdd(hn::MulAdd(hn::Set(d, -11.0), eps2, hn::Set(d, -28.0)), eps2,
                                                hn::Set(d, -192.0))),
                      hn::Set(d, 1.0 / 256)),
              eps),
      alternating_sum);
  V c1[6];
  V c2[6];
  c1_coefficients(d, eps, eps2, c1);
  c2_coefficients(d, eps, eps2, c2);
  const V a1 = hn::Add(one, a1m1);
  const V a2 = hn::Add(one, a2m1);
  V cb[6];
  for (std::size_t l = 0; l < 6; ++l) cb[l] = hn::Sub(hn::Mul(a1, c1[l]), hn::Mul(a2, c2[l]));
  const V j12 = hn::MulAdd(hn::Sub(a1m1, a2m1), sig12, sin_series_difference(d, cb, ssig1, csig1, ssig2, csig2));
  const V m12b = hn::Sub(hn::Sub(hn::Mul(p.dn2, hn::Mul(csig1, ssig2)), hn::Mul(p.dn1, hn::Mul(ssig1, csig2))),
                         hn::Mul(hn::Mul(csig1, csig2), j12));
  const V f1 = hn::Set(d, k.f1);
  const M calp2_zero = hn::Eq(calp2, zero);
  const V denominator = hn::IfThenElse(calp2_zero, p.sbet1, hn::Mul(calp2, p.cbet2));
  const V numerator = hn::IfThenElse(calp2_zero, hn::Mul(hn::Set(d, -2.0), p.dn1), m12b);
  dlam12_numerator = hn::Mul(numerator, f1);
  dlam12_denominator = denominator;

  arc = Arc{sig12, ssig1, csig1, ssig2, csig2, eps};
  return lambda_error;
}

HWY_INLINE void blend(M mask, const Arc& from, Arc& to) {
  to.sig12 = hn::IfThenElse(mask, from.sig12, to.sig12);
  to.ssig1 = hn::IfThenElse(mask, from.ssig1, to.ssig1);
  to.csig1 = hn::IfThenElse(mask, from.csig1, to.csig1);
  to.ssig2 = hn::IfThenElse(mask, from.ssig2, to.ssig2);
  to.csig2 = hn::IfThenElse(mask, from.csig2, to.csig2);
  to.eps = hn::IfThenElse(mask, from.eps, to.eps);
}

/// One location per lane, as GeodesicMetric prepared it.
struct Point {
  V latitude, longitude, sbet, cbet, dn, slon, clon;
};

HWY_INLINE Point select(M mask, const Point& yes, const Point& no) {
  return Point{hn::IfThenElse(mask, yes.latitude, no.latitude), hn::IfThenElse(mask, yes.longitude, no.longitude),
               hn::IfThenElse(mask, yes.sbet, no.sbet),         hn::IfThenElse(mask, yes.cbet, no.cbet),
               hn::IfThenElse(mask, yes.dn, no.dn),             hn::IfThenElse(mask, yes.slon, no.slon),
               hn::IfThenElse(mask, yes.clon, no.clon)};
}

/// Metres between `other` and `anchor` in every lane; `hard` gets the lanes
/// left to GeographicLib (their value is meaningless).
HWY_INLINE V inverse(D d, const GeodesicConstants& k, const Point& other, const Point& anchor, M& hard) {
  const V zero = hn::Zero(d);
  const V one = hn::Set(d, 1.0);
  // Canonical order first, by (latitude, longitude) as the scalar kernel:
  // everything below is a function of the ordered pair, so d(a, b) and
  // d(b, a) are the same double.
  const M anchor_first = hn::Or(hn::Lt(anchor.latitude, other.latitude),
                                hn::And(hn::Eq(anchor.latitude, other.latitude), hn::Lt(anchor.longitude, other.longitude)));
  const Point first = select(anchor_first, anchor, other);
  const Point second = select(anchor_first, other, anchor);

  // λ12 in degrees, the short way round, made positive.
  V lon12 = hn::Sub(second.longitude, first.longitude);
  lon12 = hn::IfThenElse(hn::Gt(lon12, hn::Set(d, 180.0)), hn::Sub(lon12, hn::Set(d, 360.0)), lon12);
  lon12 = hn::IfThenElse(hn::Le(lon12, hn::Set(d, -180.0)), hn::Add(lon12, hn::Set(d, 360.0)), lon12);
  lon12 = hn::Abs(lon12);
  // Exact on a meridian (Δλ = 0 or 180°), as GeographicLib's sincosd is, so
  // that coincident points are exactly 0 apart.
  const M same_meridian = hn::Eq(lon12, zero);
  const M opposite_meridian = hn::Eq(lon12, hn::Set(d, 180.0));
  const V slam12 = hn::IfThenZeroElse(
      hn::Or(same_meridian, opposite_meridian),
      hn::Abs(hn::Sub(hn::Mul(second.slon, first.clon), hn::Mul(second.clon, first.slon))));
  const V clam12 =
      hn::IfThenElse(same_meridian, one,
                     hn::IfThenElse(opposite_meridian, hn::Neg(one),
                                    hn::Add(hn::Mul(second.clon, first.clon), hn::Mul(second.slon, first.slon))));
  const V lam12 = hn::Mul(lon12, hn::Set(d, pi / 180));

  // Point 1 has the larger |latitude|, and latitude 1 <= 0.
  const M swap = hn::Lt(hn::Abs(first.latitude), hn::Abs(second.latitude));
  const Point p1 = select(swap, second, first);
  const Point p2 = select(swap, first, second);
  const M flip = hn::Not(hn::Lt(hn::CopySign(one, p1.latitude), zero));  // latitude 1 is +0 or above
  Frame p{hn::IfThenElse(flip, hn::Neg(p1.sbet), p1.sbet),
          p1.cbet,
          p1.dn,
          hn::IfThenElse(flip, hn::Neg(p2.sbet), p2.sbet),
          p2.cbet,
          p2.dn,
          slam12,
          clam12,
          lam12,
          zero};
  // |β2| = |β1| made exact, as GeographicLib does, for Lambda12's symmetric case.
  const M use_cos = hn::Lt(p.cbet1, hn::Neg(p.sbet1));
  p.sbet2 = hn::IfThenElse(hn::And(use_cos, hn::Eq(p.cbet2, p.cbet1)), hn::CopySign(p.sbet1, p.sbet2), p.sbet2);
  p.cbet2 = hn::IfThenElse(hn::AndNot(use_cos, hn::Eq(hn::Abs(p.sbet2), hn::Neg(p.sbet1))), p.cbet1, p.cbet2);
  p.inverse_cbet2 = hn::Div(one, p.cbet2);

  const M meridian = hn::Or(hn::Or(hn::Eq(hn::Abs(p1.latitude), hn::Set(d, 90.0)), hn::Eq(slam12, zero)),
                            hn::Or(hn::Eq(lon12, zero), hn::Eq(lon12, hn::Set(d, 180.0))));
  // Along the equator (both latitudes 0) unless the far side of the
  // equator is shorter: s12 = a·λ12 (GeographicLib's condition).
  const M equatorial = hn::AndNot(meridian, hn::Eq(p.sbet1, zero));
  const M equator_closed =
      hn::And(equatorial, hn::Or(hn::Le(hn::Set(d, k.f), zero),
                                 hn::Ge(hn::Sub(hn::Set(d, 180.0), lon12), hn::Set(d, k.f * 180.0))));
  hard = hn::AndNot(equator_closed, equatorial);
  const M closed = hn::Or(meridian, equator_closed);

  // On a meridian: GeographicLib's closed form, σ12 from the reduced
  // latitudes and s12 = b·A1·(σ12 + B1) with ε = n; coincident points give 0.
  V meridian_meters = zero;
  if (!hn::AllFalse(d, meridian)) {
    const V csig1 = hn::Mul(clam12, p.cbet1);
    const V sig12 = atan2(d, hn::Max(zero, hn::Sub(hn::Mul(csig1, p.sbet2), hn::Mul(p.sbet1, p.cbet2))),
                          hn::MulAdd(csig1, p.cbet2, hn::Mul(p.sbet1, p.sbet2)));
    const V n = hn::Set(d, k.n);
    const V n2 = hn::Mul(n, n);
    V c1[6];
    c1_coefficients(d, n, n2, c1);
    const V b1 = sin_series_difference(d, c1, p.sbet1, csig1, p.sbet2, p.cbet2);
    const V s12b = hn::Mul(hn::Add(one, a1_minus_1(d, n, n2)), hn::Add(sig12, b1));
    const M zero_length = hn::Or(hn::Lt(sig12, hn::Set(d, 3 * geodesic_tiny)),
                                 hn::And(hn::Lt(sig12, hn::Set(d, epsilon)), hn::Lt(s12b, zero)));
    // The same point (or the same pole) is exactly 0 apart even where the
    // compiler fuses cos β1·sin β2 − sin β1·cos β2 into one FMA, which
    // leaves it a rounding error away from 0.
    const M same_point = hn::And(hn::Eq(first.latitude, second.latitude),
                                 hn::Or(same_meridian, hn::Eq(hn::Abs(first.latitude), hn::Set(d, 90.0))));
    meridian_meters = hn::IfThenZeroElse(hn::Or(zero_length, same_point), hn::Mul(hn::Set(d, k.b), s12b));
    // Prolate: a meridian past σ12 = 1 may not be shortest (GeographicLib
    // then checks m12 < 0 and solves the general problem): left to it.
    if (k.f < 0) hard = hn::Or(hard, hn::And(meridian, hn::Ge(sig12, one)));
  }

  // InverseStart: the spherical estimate of α1.
  const V sbet12 = hn::Sub(hn::Mul(p.sbet2, p.cbet1), hn::Mul(p.cbet2, p.sbet1));
  const V cbet12 = hn::MulAdd(p.cbet2, p.cbet1, hn::Mul(p.sbet2, p.sbet1));
  const V sbet12a = hn::MulAdd(p.sbet2, p.cbet1, hn::Mul(p.cbet2, p.sbet1));
  const V half = hn::Set(d, 0.5);
  const M shortline =
      hn::And(hn::And(hn::Ge(cbet12, zero), hn::Lt(sbet12, half)), hn::Lt(hn::Mul(p.cbet2, lam12), half));
  V somg12 = slam12;
  V comg12 = clam12;
  V dnm = one;
  if (!hn::AllFalse(d, shortline)) {
    const V sum_s = hn::Add(p.sbet1, p.sbet2);
    const V sum_c = hn::Add(p.cbet1, p.cbet2);
    const V s2 = hn::Mul(sum_s, sum_s);
    const V sbetm2 = hn::Div(s2, hn::MulAdd(sum_c, sum_c, s2));
    dnm = hn::IfThenElse(shortline, hn::Sqrt(hn::MulAdd(hn::Set(d, k.ep2), sbetm2, one)), one);
    const V omg12 = hn::Div(lam12, hn::Mul(hn::Set(d, k.f1), dnm));
    somg12 = hn::IfThenElse(shortline, hn::Sin(d, omg12), somg12);
    comg12 = hn::IfThenElse(shortline, hn::Cos(d, omg12), comg12);
  }
  V salp1 = hn::Mul(p.cbet2, somg12);
  const V cross = hn::Mul(hn::Mul(p.cbet2, p.sbet1), hn::Mul(somg12, somg12));
  const M forward = hn::Ge(comg12, zero);
  V calp1 = hn::IfThenElse(forward, hn::Add(sbet12, hn::Div(cross, hn::Add(one, comg12))),
                           hn::Sub(sbet12a, hn::Div(cross, hn::Sub(one, comg12))));
  const V ssig12 = hypot(salp1, calp1);
  const V csig12 = hn::MulAdd(hn::Mul(p.cbet1, p.cbet2), comg12, hn::Mul(p.sbet1, p.sbet2));
  const M really_short = hn::And(shortline, hn::Lt(ssig12, hn::Set(d, k.etol2)));
  const V n = hn::Set(d, k.n);
  const M astroid_start = hn::AndNot(
      really_short, hn::And(hn::Lt(hn::Abs(n), hn::Set(d, 0.1)),
                            hn::And(hn::Lt(csig12, zero), hn::Lt(ssig12, hn::Mul(hn::Mul(hn::Set(d, 6.0 * pi), hn::Abs(n)),
                                                                                   hn::Mul(p.cbet1, p.cbet1))))));
  const M astroid_lanes = hn::AndNot(closed, astroid_start);
  if (k.f < 0) {
    hard = hn::Or(hard, astroid_lanes);  // prolate: GeographicLib's own start
  } else if (!hn::AllFalse(d, astroid_lanes)) {
    // Nearly antipodal: GeographicLib's astroid start (Karney 2013, §5), in
    // the frame where the antipode is the origin and the cut ends at x = −1.
    const V lam12x = atan2(d, hn::Neg(slam12), hn::Neg(clam12));
    const V k2 = hn::Mul(hn::Mul(p.sbet1, p.sbet1), hn::Set(d, k.ep2));
    const V eps = hn::Div(k2, hn::MulAdd(hn::Set(d, 2.0), hn::Add(one, hn::Sqrt(hn::Add(one, k2))), k2));
    const V lamscale = hn::Mul(hn::Mul(hn::Set(d, k.f * pi), p.cbet1), polynomial(d, k.a3.data(), 6, eps));
    const V betscale = hn::Mul(lamscale, p.cbet1);
    const V x = hn::Div(lam12x, lamscale);
    const V y = hn::Div(sbet12a, betscale);
    const M near_cut = hn::And(hn::Gt(y, hn::Set(d, -200 * epsilon)),
                               hn::Gt(x, hn::Set(d, -1 - 1000 * 1.4901161193847656e-08)));
    const V salp1_cut = hn::Min(one, hn::Neg(x));
    const V calp1_cut = hn::Neg(hn::Sqrt(hn::NegMulAdd(salp1_cut, salp1_cut, one)));
    const V root = astroid(d, x, y);
    const V omg12a = hn::Mul(lamscale, hn::Div(hn::Mul(hn::Neg(x), root), hn::Add(one, root)));
    const V somg12a = hn::Sin(d, omg12a);
    const V comg12a = hn::Neg(hn::Cos(d, omg12a));
    const V salp1_astroid = hn::Mul(p.cbet2, somg12a);
    const V calp1_astroid = hn::Sub(sbet12a, hn::Div(hn::Mul(hn::Mul(p.cbet2, p.sbet1), hn::Mul(somg12a, somg12a)),
                                                     hn::Sub(one, comg12a)));
    salp1 = hn::IfThenElse(astroid_lanes, hn::IfThenElse(near_cut, salp1_cut, salp1_astroid), salp1);
    calp1 = hn::IfThenElse(astroid_lanes, hn::IfThenElse(near_cut, calp1_cut, calp1_astroid), calp1);
  }
  const M sane = hn::Not(hn::Le(salp1, zero));
  normalize(d, salp1, calp1);
  salp1 = hn::IfThenElse(sane, salp1, one);
  calp1 = hn::IfThenElseZero(sane, calp1);

  // Newton on α1, every lane at once; a lane stops at its own convergence.
  Arc arc{zero, zero, one, zero, one, zero};
  M active = hn::Not(hn::Or(hn::Or(hard, really_short), closed));
  V tripn = zero;  // GeographicLib's tripn: 8·tol0 suffices after a near step
  for (int evaluation = 0; evaluation < geodesic_newton_limit && !hn::AllFalse(d, active); ++evaluation) {
    Arc next;
    V dv_numerator;
    V dv_denominator;
    const V v_error = lambda12(d, k, p, salp1, calp1, next, dv_numerator, dv_denominator);  // λ(α1) − λ12
    blend(active, next, arc);
    const V tolerance = hn::Mul(hn::Add(one, hn::Mul(tripn, hn::Set(d, 7.0))), hn::Set(d, epsilon));
    const M converged = hn::Not(hn::Ge(hn::Abs(v_error), tolerance));
    active = hn::AndNot(converged, active);
    if (hn::AllFalse(d, active)) break;
    const V dalp1 = hn::Neg(hn::Div(hn::Mul(v_error, dv_denominator), dv_numerator));
    M step_ok = hn::And(hn::Gt(hn::Mul(dv_numerator, dv_denominator), zero), hn::Lt(hn::Abs(dalp1), hn::Set(d, pi)));
    V sdalp1;
    V cdalp1;
    const M small = hn::Le(hn::Abs(dalp1), hn::Set(d, 0.25));
    if (hn::AllFalse(d, hn::AndNot(small, active))) {
      sincos_small(d, dalp1, sdalp1, cdalp1);
    } else {
      sdalp1 = hn::Sin(d, dalp1);
      cdalp1 = hn::Cos(d, dalp1);
    }
    const V nsalp1 = hn::MulAdd(salp1, cdalp1, hn::Mul(calp1, sdalp1));
    step_ok = hn::And(step_ok, hn::Gt(nsalp1, zero));
    V ncalp1 = hn::Sub(hn::Mul(calp1, cdalp1), hn::Mul(salp1, sdalp1));
    V new_salp1 = nsalp1;
    normalize(d, new_salp1, ncalp1);
    const M update = hn::And(active, step_ok);
    salp1 = hn::IfThenElse(update, new_salp1, salp1);
    calp1 = hn::IfThenElse(update, ncalp1, calp1);
    tripn = hn::IfThenElse(update, hn::IfThenElseZero(hn::Le(hn::Abs(v_error), hn::Set(d, 16 * epsilon)), one), tripn);
    // GeographicLib bisects here; those lanes go to it.
    hard = hn::Or(hard, hn::AndNot(step_ok, active));
    active = update;
  }
  hard = hn::Or(hard, active);

  // The distance: s12 = b·A1·(σ12 + B1(σ2) − B1(σ1)).
  const V eps2 = hn::Mul(arc.eps, arc.eps);
  V c1[6];
  c1_coefficients(d, arc.eps, eps2, c1);
  const V b1 = sin_series_difference(d, c1, arc.ssig1, arc.csig1, arc.ssig2, arc.csig2);
  const V a1 = hn::Add(one, a1_minus_1(d, arc.eps, eps2));
  const V newton_meters = hn::Mul(hn::Set(d, k.b), hn::Mul(a1, hn::Add(arc.sig12, b1)));
  const V short_meters = hn::Mul(hn::Mul(atan2(d, ssig12, csig12), hn::Set(d, k.b)), dnm);
  const V equator_meters = hn::Mul(hn::Set(d, k.a), lam12);
  return hn::IfThenElse(meridian, meridian_meters,
                        hn::IfThenElse(equator_closed, equator_meters,
                                       hn::IfThenElse(really_short, short_meters, newton_meters)));
}

HWY_INLINE Point load_point(D d, const GeodesicLocations& from, std::size_t m) {
  return Point{hn::LoadU(d, from.latitude + m), hn::LoadU(d, from.longitude + m), hn::LoadU(d, from.sin_beta + m),
               hn::LoadU(d, from.cos_beta + m), hn::LoadU(d, from.dn + m), hn::LoadU(d, from.sin_longitude + m),
               hn::LoadU(d, from.cos_longitude + m)};
}

}  // namespace dm::simd::HWY_NAMESPACE::geodesic_lanes

namespace dm::simd::HWY_NAMESPACE {

/// out[m] for m in [0, count), count <= geodesic_block; the indices of the
/// lanes left to GeographicLib go to hard[] (out[] unwritten there), and
/// their number is returned. Inputs are read a whole vector past count (the
/// padded columns allow it); lanes past count are never written nor reported.
std::size_t GeodesicRun(const GeodesicLocations& others, std::size_t count, const GeodesicLocation& anchor_location,
                        const GeodesicConstants& constants, double* HWY_RESTRICT out,
                        std::uint32_t* HWY_RESTRICT hard) {
  namespace gl = geodesic_lanes;
  const gl::D d;
  const std::size_t lanes = hn::Lanes(d);
  const gl::Point anchor{hn::Set(d, anchor_location.latitude), hn::Set(d, anchor_location.longitude),
                         hn::Set(d, anchor_location.sin_beta),  hn::Set(d, anchor_location.cos_beta),
                         hn::Set(d, anchor_location.dn),        hn::Set(d, anchor_location.sin_longitude),
                         hn::Set(d, anchor_location.cos_longitude)};
  const gl::V unit = hn::Set(d, constants.meters_per_unit);
  std::size_t hard_count = 0;
  for (std::size_t m = 0; m < count; m += lanes) {
    const auto valid = hn::FirstN(d, count - m);
    gl::M hard_lanes;
    const gl::V meters = gl::inverse(d, constants, gl::load_point(d, others, m), anchor, hard_lanes);
    hn::BlendedStore(hn::Div(meters, unit), valid, d, out + m);
    hard_lanes = hn::And(hard_lanes, valid);
    if (!hn::AllFalse(d, hard_lanes)) {
      alignas(64) std::uint8_t bits[8] = {};
      hn::StoreMaskBits(d, hard_lanes, bits);
      for (std::size_t lane = 0; lane < lanes; ++lane) {
        if ((bits[lane / 8] >> (lane % 8)) & 1U) hard[hard_count++] = static_cast<std::uint32_t>(m + lane);
      }
    }
  }
  return hard_count;
}

}  // namespace dm::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // DM_KERNEL_GEODESIC_LANES_INL_H_
