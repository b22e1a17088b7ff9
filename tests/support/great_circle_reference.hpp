#pragma once

// The exact great-circle angle between two points given in degrees, computed
// with MPFR at 160 bits: an independent reference for the kernels' accuracy
// contract. It shares no code or formula with the kernels: unit vectors from
// correctly rounded sin/cos, then θ = atan2(|a × b|, a · b), well conditioned
// at every separation (at this precision any formula would do).
#include <mpfr.h>

#include <algorithm>
#include <cmath>

namespace dm::testing {

/// A value as the unevaluated sum high + low of two doubles (about 106 bits).
struct DoubleDouble {
  double high = 0;
  double low = 0;
};

class GreatCircleReference {
 public:
  static constexpr mpfr_prec_t precision = 160;

  GreatCircleReference() {
    for (mpfr_ptr value : all()) mpfr_init2(value, precision);
    mpfr_const_pi(radians_per_degree_, MPFR_RNDN);
    mpfr_div_ui(radians_per_degree_, radians_per_degree_, 180, MPFR_RNDN);
  }
  ~GreatCircleReference() {
    for (mpfr_ptr value : all()) mpfr_clear(value);
  }
  GreatCircleReference(const GreatCircleReference&) = delete;
  GreatCircleReference& operator=(const GreatCircleReference&) = delete;

  /// radius × the central angle between (latitude, longitude) a and b.
  DoubleDouble distance(double latitude_a, double longitude_a, double latitude_b, double longitude_b,
                        double radius) {
    unit_vector(latitude_a, longitude_a, a_);
    unit_vector(latitude_b, longitude_b, b_);
    // |a × b|
    mpfr_set_zero(t_, 1);
    for (int axis = 0; axis < 3; ++axis) {
      const int next = (axis + 1) % 3;
      const int last = (axis + 2) % 3;
      mpfr_mul(u_, a_[next], b_[last], MPFR_RNDN);
      mpfr_mul(v_, a_[last], b_[next], MPFR_RNDN);
      mpfr_sub(u_, u_, v_, MPFR_RNDN);
      mpfr_fma(t_, u_, u_, t_, MPFR_RNDN);
    }
    mpfr_sqrt(t_, t_, MPFR_RNDN);
    // a · b
    mpfr_set_zero(u_, 1);
    for (int axis = 0; axis < 3; ++axis) mpfr_fma(u_, a_[axis], b_[axis], u_, MPFR_RNDN);
    mpfr_atan2(t_, t_, u_, MPFR_RNDN);
    mpfr_mul_d(t_, t_, radius, MPFR_RNDN);
    DoubleDouble result;
    result.high = mpfr_get_d(t_, MPFR_RNDN);
    mpfr_sub_d(t_, t_, result.high, MPFR_RNDN);
    result.low = mpfr_get_d(t_, MPFR_RNDN);
    return result;
  }

  /// computed - exact, to about 1e-30 of the distance.
  static double error(double computed, DoubleDouble exact) { return (computed - exact.high) - exact.low; }

 private:
  void unit_vector(double latitude, double longitude, mpfr_t (&out)[3]) {
    mpfr_mul_d(u_, radians_per_degree_, latitude, MPFR_RNDN);
    mpfr_sin_cos(sin_latitude_, cos_latitude_, u_, MPFR_RNDN);
    mpfr_mul_d(u_, radians_per_degree_, longitude, MPFR_RNDN);
    mpfr_sin_cos(v_, t_, u_, MPFR_RNDN);
    mpfr_mul(out[0], cos_latitude_, t_, MPFR_RNDN);
    mpfr_mul(out[1], cos_latitude_, v_, MPFR_RNDN);
    mpfr_set(out[2], sin_latitude_, MPFR_RNDN);
  }

  struct Values {
    mpfr_ptr values[12];
    mpfr_ptr* begin() { return values; }
    mpfr_ptr* end() { return values + 12; }
  };
  Values all() {
    return {{radians_per_degree_, a_[0], a_[1], a_[2], b_[0], b_[1], b_[2], t_, u_, v_, sin_latitude_,
             cos_latitude_}};
  }

  mpfr_t radians_per_degree_;
  mpfr_t a_[3];
  mpfr_t b_[3];
  mpfr_t t_, u_, v_, sin_latitude_, cos_latitude_;
};

/// The textbook haversine, as the original tool, NumPy code and scikit-learn
/// compute it: 2R·asin(√a). Kept here to measure how far it is off.
inline double textbook_haversine(double latitude_a, double longitude_a, double latitude_b, double longitude_b,
                                 double radius) {
  const double radians = 3.14159265358979323846 / 180;
  const double phi_a = latitude_a * radians;
  const double phi_b = latitude_b * radians;
  const double sin_half_dphi = std::sin((phi_b - phi_a) / 2);
  const double sin_half_dlambda = std::sin((longitude_b - longitude_a) * radians / 2);
  const double a = sin_half_dphi * sin_half_dphi + std::cos(phi_a) * std::cos(phi_b) * sin_half_dlambda * sin_half_dlambda;
  return 2 * radius * std::asin(std::sqrt(std::min(a, 1.0)));
}

}  // namespace dm::testing
