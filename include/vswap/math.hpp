#pragma once
/// @brief Elementary functions with identical bits on host and device.
///
/// Everything a random draw feeds (waiting times, Gaussian samples) goes through these
/// functions instead of std:: or CUDA's libdevice, whose results differ in the last bit.
/// They are the fdlibm algorithms (Sun Microsystems, freely redistributable): range
/// reduction plus a minimax polynomial, < 1 ulp. Only + - * / and exact bit operations are
/// used, and no expression relies on fused multiply-add: host code is compiled with
/// -ffp-contract=off (CMakeLists.txt passes it: GCC contracts by default in C++ when the target
/// has FMA), device code must be compiled with -fmad=false.

#include <cstdint>
#include <cstring>

#include <vswap/hd.hpp>

namespace vswap::math {

namespace detail {
VSWAP_HD_INLINE std::uint64_t bits(double x) {
#if defined(__CUDA_ARCH__)
  return static_cast<std::uint64_t>(__double_as_longlong(x));
#else
  std::uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
#endif
}
VSWAP_HD_INLINE double from_bits(std::uint64_t u) {
#if defined(__CUDA_ARCH__)
  return __longlong_as_double(static_cast<long long>(u));
#else
  double x;
  std::memcpy(&x, &u, sizeof x);
  return x;
#endif
}
VSWAP_HD_INLINE std::int32_t high_word(double x) { return static_cast<std::int32_t>(bits(x) >> 32); }
VSWAP_HD_INLINE double with_high_word(double x, std::int32_t hi) {
  return from_bits((bits(x) & 0xffffffffULL) | (static_cast<std::uint64_t>(static_cast<std::uint32_t>(hi)) << 32));
}

// fdlibm k_sin.c: sin(x + y) for |x| <= pi/4, y the tail of x (iy = 0: y is zero).
VSWAP_HD_INLINE double kernel_sin(double x, double y, int iy) {
  const double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03,
               S3 = -1.98412698298579493134e-04, S4 = 2.75573137070700676789e-06,
               S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
  const double z = x * x;
  const double v = z * x;
  const double r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  if (iy == 0) return x + v * (S1 + z * r);
  return x - ((z * (0.5 * y - v * r) - y) - v * S1);
}

// fdlibm k_cos.c: cos(x + y) for |x| <= pi/4.
VSWAP_HD_INLINE double kernel_cos(double x, double y) {
  const double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03,
               C3 = 2.48015872894767294178e-05, C4 = -2.75573143513906633035e-07,
               C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
  const std::int32_t ix = high_word(x) & 0x7fffffff;
  if (ix < 0x3e400000) return 1.0;  // |x| < 2^-27
  const double z = x * x;
  const double r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  if (ix < 0x3FD33333) return 1.0 - (0.5 * z - (z * r - x * y));
  const double qx = ix > 0x3fe90000 ? 0.28125 : from_bits(static_cast<std::uint64_t>(ix - 0x00200000) << 32);
  const double hz = 0.5 * z - qx;
  const double a = 1.0 - qx;
  return a - (hz - (z * r - x * y));
}

// fdlibm e_rem_pio2.c, medium arguments only (|x| <= 2^19 pi/2): x = n pi/2 + y0 + y1.
VSWAP_HD_INLINE int rem_pio2_medium(double x, double& y0, double& y1) {
  const double invpio2 = 6.36619772367581382433e-01, pio2_1 = 1.57079632673412561417e+00,
               pio2_1t = 6.07710050650619224932e-11, pio2_2 = 6.07710050630396597660e-11,
               pio2_2t = 2.02226624879595063154e-21, pio2_3 = 2.02226624871116645580e-21,
               pio2_3t = 8.47842766036889956997e-32;
  const std::int32_t hx = high_word(x);
  const std::int32_t ix = hx & 0x7fffffff;
  double t = x < 0 ? -x : x;
  const int n = static_cast<int>(t * invpio2 + 0.5);
  const double fn = static_cast<double>(n);
  double r = t - fn * pio2_1;  // exact: pio2_1 has 33 bits
  double w = fn * pio2_1t;
  const std::int32_t j = ix >> 20;
  y0 = r - w;
  int i = j - ((high_word(y0) >> 20) & 0x7ff);
  if (i > 16) {  // second iteration, good to 118 bits
    t = r;
    w = fn * pio2_2;
    r = t - w;
    w = fn * pio2_2t - ((t - r) - w);
    y0 = r - w;
    i = j - ((high_word(y0) >> 20) & 0x7ff);
    if (i > 49) {  // third iteration, 151 bits
      t = r;
      w = fn * pio2_3;
      r = t - w;
      w = fn * pio2_3t - ((t - r) - w);
      y0 = r - w;
    }
  }
  y1 = (r - y0) - w;
  if (hx < 0) {
    y0 = -y0;
    y1 = -y1;
    return -n;
  }
  return n;
}
}  // namespace detail

/// Natural logarithm (fdlibm e_log.c), < 1 ulp. log(0) = -inf, log(x < 0) = NaN.
VSWAP_HD_INLINE double log(double x) {
  const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10,
               two54 = 1.80143985094819840000e+16, Lg1 = 6.666666666666735130e-01,
               Lg2 = 3.999999999940941908e-01, Lg3 = 2.857142874366239149e-01,
               Lg4 = 2.222219843214978396e-01, Lg5 = 1.818357216161805012e-01,
               Lg6 = 1.531383769920937332e-01, Lg7 = 1.479819860511658591e-01;
  std::int32_t hx = detail::high_word(x);
  const std::uint32_t lx = static_cast<std::uint32_t>(detail::bits(x));
  int k = 0;
  if (hx < 0x00100000) {                                  // x < 2^-1022
    if (((hx & 0x7fffffff) | static_cast<std::int32_t>(lx)) == 0) return -detail::from_bits(0x7ff0000000000000ULL);
    if (hx < 0) return detail::from_bits(0x7ff8000000000000ULL);
    k -= 54;
    x *= two54;  // subnormal: scale up
    hx = detail::high_word(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  std::int32_t i = (hx + 0x95f64) & 0x100000;
  x = detail::with_high_word(x, hx | (i ^ 0x3ff00000));  // normalise x or x/2
  k += (i >> 20);
  const double f = x - 1.0;
  const double dk = static_cast<double>(k);
  if ((0x000fffff & (2 + hx)) < 3) {  // |f| < 2^-20
    if (f == 0.0) return k == 0 ? 0.0 : dk * ln2_hi + dk * ln2_lo;
    const double R = f * f * (0.5 - 0.33333333333333333 * f);
    if (k == 0) return f - R;
    return dk * ln2_hi - ((R - dk * ln2_lo) - f);
  }
  const double s = f / (2.0 + f);
  const double z = s * s;
  i = hx - 0x6147a;
  const double w = z * z;
  const std::int32_t j = 0x6b851 - hx;
  const double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  const double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  i |= j;
  const double R = t2 + t1;
  if (i > 0) {
    const double hfsq = 0.5 * f * f;
    if (k == 0) return f - (hfsq - s * (hfsq + R));
    return dk * ln2_hi - ((hfsq - (s * (hfsq + R) + dk * ln2_lo)) - f);
  }
  if (k == 0) return f - s * (f - R);
  return dk * ln2_hi - ((s * (f - R) - dk * ln2_lo) - f);
}

/// Exponential (fdlibm e_exp.c), < 1 ulp; overflow gives inf, underflow 0.
VSWAP_HD_INLINE double exp(double x) {
  const double o_threshold = 7.09782712893383973096e+02, u_threshold = -7.45133219101941108420e+02,
               ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10,
               invln2 = 1.44269504088896338700e+00, P1 = 1.66666666666666019037e-01,
               P2 = -2.77777777770155933842e-03, P3 = 6.61375632143793436117e-05,
               P4 = -1.65339022054652515390e-06, P5 = 4.13813679705723846039e-08,
               twom1000 = 9.33263618503218878990e-302;
  if (x != x) return x + x;  // NaN
  if (x > o_threshold) return detail::from_bits(0x7ff0000000000000ULL);
  if (x < u_threshold) return 0.0;
  const std::int32_t hx = detail::high_word(x) & 0x7fffffff;
  const int xsb = x < 0 ? 1 : 0;
  double hi = 0, lo = 0;
  int k = 0;
  if (hx > 0x3fd62e42) {   // |x| > 0.5 ln2
    if (hx < 0x3FF0A2B2) {  // and |x| < 1.5 ln2
      hi = xsb ? x + ln2_hi : x - ln2_hi;
      lo = xsb ? -ln2_lo : ln2_lo;
      k = 1 - xsb - xsb;
    } else {
      k = static_cast<int>(invln2 * x + (xsb ? -0.5 : 0.5));
      const double t = static_cast<double>(k);
      hi = x - t * ln2_hi;  // exact: ln2_hi has 32 bits
      lo = t * ln2_lo;
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) {  // |x| < 2^-28
    return 1.0 + x;
  }
  const double t = x * x;
  const double c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const double y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) return detail::with_high_word(y, detail::high_word(y) + (k << 20));
  return detail::with_high_word(y, detail::high_word(y) + ((k + 1000) << 20)) * twom1000;
}

/// sin(x) for |x| <= 2^19 pi/2 (NaN beyond: no simulation needs larger arguments).
VSWAP_HD_INLINE double sin(double x) {
  const std::int32_t ix = detail::high_word(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) return detail::kernel_sin(x, 0.0, 0);
  if (ix > 0x413921fb) return detail::from_bits(0x7ff8000000000000ULL);
  double y0, y1;
  const int n = detail::rem_pio2_medium(x, y0, y1);
  switch (n & 3) {
    case 0: return detail::kernel_sin(y0, y1, 1);
    case 1: return detail::kernel_cos(y0, y1);
    case 2: return -detail::kernel_sin(y0, y1, 1);
    default: return -detail::kernel_cos(y0, y1);
  }
}

/// cos(x) for |x| <= 2^19 pi/2 (NaN beyond).
VSWAP_HD_INLINE double cos(double x) {
  const std::int32_t ix = detail::high_word(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) return detail::kernel_cos(x, 0.0);
  if (ix > 0x413921fb) return detail::from_bits(0x7ff8000000000000ULL);
  double y0, y1;
  const int n = detail::rem_pio2_medium(x, y0, y1);
  switch (n & 3) {
    case 0: return detail::kernel_cos(y0, y1);
    case 1: return -detail::kernel_sin(y0, y1, 1);
    case 2: return -detail::kernel_cos(y0, y1);
    default: return detail::kernel_sin(y0, y1, 1);
  }
}

/// cos(2 pi u) for u in [0, 1], with the reduction done exactly on u (Box-Muller).
VSWAP_HD_INLINE double cos_2pi(double u) {
  const double pio2_hi = 1.57079632679489655800e+00, pio2_lo = 6.12323399573676603587e-17;
  const double b = 4.0 * u;                       // exact
  const int n = static_cast<int>(b + 0.5);        // nearest quadrant, 0..4
  const double f = b - static_cast<double>(n);    // exact, in [-0.5, 0.5]
  const double r = f * pio2_hi;
  const double rt = f * pio2_lo;
  const double y0 = r + rt;
  const double y1 = rt - (y0 - r);
  switch (n & 3) {
    case 0: return detail::kernel_cos(y0, y1);
    case 1: return -detail::kernel_sin(y0, y1, 1);
    case 2: return -detail::kernel_cos(y0, y1);
    default: return detail::kernel_sin(y0, y1, 1);
  }
}

/// Correctly rounded square root (IEEE, identical on host and device).
VSWAP_HD_INLINE double sqrt(double x) {
#if defined(__CUDA_ARCH__)
  return __dsqrt_rn(x);
#else
  return __builtin_sqrt(x);
#endif
}

/// floor, exact on both sides.
VSWAP_HD_INLINE double floor(double x) {
#if defined(__CUDA_ARCH__)
  return ::floor(x);
#else
  return __builtin_floor(x);
#endif
}

}  // namespace vswap::math
