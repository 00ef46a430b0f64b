#pragma once
/// @brief CPU-only AVX2 versions (4 lanes) of the shared physics' hot functions: Philox4x32-10,
/// fdlibm log, cos(2 pi u), and the draws built on them (rng.hpp, math.hpp, bath_sampler.hpp).
///
/// Each lane performs exactly the IEEE operations of the scalar VSWAP_HD function, in the same
/// order (no FMA: the target is "avx2" only and -std=c++17 means -ffp-contract=off), so each
/// lane's result has the same bits as the scalar function's. The rare branches that the lane
/// code does not replicate (log of |x - 1| < 2^-20, ...) are recomputed by the scalar function.
/// Any change to math.hpp / rng.hpp / bath_sampler.hpp must be mirrored here; the engine's
/// check mode (`check_every_step`, run by the Engine tests) compares every lane with the
/// scalar functions and throws on the first differing bit.
///
/// Callers: only functions compiled with `VSWAP_AVX2_FN` and called after `have_avx2()`.

#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(VSWAP_NO_SIMD)
#define VSWAP_HAVE_AVX2_PATH 1
#include <immintrin.h>

#include <vswap/bath_sampler.hpp>
#include <vswap/math.hpp>
#include <vswap/rng.hpp>

#pragma GCC diagnostic ignored "-Wpsabi"  // vector arguments of target("avx2") functions

#define VSWAP_AVX2_FN __attribute__((target("avx2")))
#define VSWAP_AVX2_INLINE __attribute__((target("avx2"), always_inline)) inline

namespace vswap::engine::simd {

typedef double vd __attribute__((vector_size(32)));
typedef long long vi __attribute__((vector_size(32)));
typedef unsigned long long vu __attribute__((vector_size(32)));

inline bool have_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes;
}

VSWAP_AVX2_INLINE vd splat(double x) { return vd{x, x, x, x}; }
VSWAP_AVX2_INLINE vi splati(long long x) { return vi{x, x, x, x}; }
VSWAP_AVX2_INLINE vu splatu(unsigned long long x) { return vu{x, x, x, x}; }
VSWAP_AVX2_INLINE int any(vi m) { return _mm256_movemask_pd((__m256d)m); }
VSWAP_AVX2_INLINE vd sel(vi m, vd a, vd b) { return (vd)_mm256_blendv_pd((__m256d)b, (__m256d)a, (__m256d)m); }
VSWAP_AVX2_INLINE vi seli(vi m, vi a, vi b) { return (a & m) | (b & ~m); }

/// Exact conversions for |k| < 2^51 (integer in a 64-bit lane -> double) and w < 2^52.
VSWAP_AVX2_INLINE vd to_double(vi k) {
  const vi magic = splati(0x4338000000000000LL);  // 1.5 * 2^52
  return (vd)(magic + k) - splat(6755399441055744.0);
}
VSWAP_AVX2_INLINE vd to_double_u(vu w) {
  return (vd)(w | splatu(0x4330000000000000ULL)) - splat(4503599627370496.0);  // 2^52 + w - 2^52
}
/// static_cast<int>(x) for |x| < 2^31, into 64-bit lanes.
VSWAP_AVX2_INLINE vi trunc_to_int(vd x) {
  return (vi)_mm256_cvtepi32_epi64(_mm256_cvttpd_epi32((__m256d)x));
}
VSWAP_AVX2_INLINE vd floor(vd x) { return (vd)_mm256_floor_pd((__m256d)x); }
VSWAP_AVX2_INLINE vd sqrt(vd x) { return (vd)_mm256_sqrt_pd((__m256d)x); }

/// Philox4x32-10 on 4 counters (32-bit words in 64-bit lanes): rng.hpp's philox4x32_10.
struct Words {
  vu v[4];
};
VSWAP_AVX2_INLINE Words philox4x32_10(Words c, std::uint32_t k0, std::uint32_t k1) {
  const vu lo = splatu(0xffffffffULL);
  const __m256i m0 = _mm256_set1_epi64x(0xD2511F53LL), m1 = _mm256_set1_epi64x(0xCD9E8D57LL);
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    const vu p0 = (vu)_mm256_mul_epu32((__m256i)c.v[0], m0);
    const vu p1 = (vu)_mm256_mul_epu32((__m256i)c.v[2], m1);
    c = Words{{(p1 >> 32) ^ c.v[1] ^ splatu(k0), p1 & lo, (p0 >> 32) ^ c.v[3] ^ splatu(k1), p0 & lo}};
  }
  return c;
}
/// streams.hpp's draw() for 4 subjects and 4 steps of one purpose and index.
VSWAP_AVX2_INLINE Words draw(StreamKey key, vu subject, vu step, Purpose purpose, std::uint32_t index = 0) {
  const Words ctr{{subject, step, splatu(key.realization),
                   splatu((static_cast<std::uint32_t>(purpose) << 16) | (index & 0xffffu))}};
  return philox4x32_10(ctr, static_cast<std::uint32_t>(key.seed), static_cast<std::uint32_t>(key.seed >> 32));
}

VSWAP_AVX2_INLINE vd uniform_open(vu w) { return (to_double_u(w) + splat(0.5)) * splat(2.3283064365386962890625e-10); }

/// math::log for positive normal finite x (uniform_open's range); other lanes and the
/// |f| < 2^-20 branch are recomputed with the scalar function.
VSWAP_AVX2_INLINE vd log(vd x) {
  const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10,
               Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01, Lg3 = 2.857142874366239149e-01,
               Lg4 = 2.222219843214978396e-01, Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
               Lg7 = 1.479819860511658591e-01;
  const vd x0 = x;
  const vu b = (vu)x;
  vi hx = (vi)(b >> 32);
  const vi special = (hx < splati(0x00100000)) | (hx >= splati(0x7ff00000));
  vi k = (hx >> 20) - splati(1023);
  hx &= splati(0x000fffff);
  vi i = (hx + splati(0x95f64)) & splati(0x100000);
  x = (vd)((b & splatu(0xffffffffULL)) | ((vu)(hx | (i ^ splati(0x3ff00000))) << 32));
  k += i >> 20;
  const vd f = x - splat(1.0);
  const vd dk = to_double(k);
  const vi tiny = ((splati(2) + hx) & splati(0x000fffff)) < splati(3);
  const vd s = f / (splat(2.0) + f);
  const vd z = s * s;
  i = hx - splati(0x6147a);
  const vd w = z * z;
  const vi j = splati(0x6b851) - hx;
  const vd t1 = w * (splat(Lg2) + w * (splat(Lg4) + w * splat(Lg6)));
  const vd t2 = z * (splat(Lg1) + w * (splat(Lg3) + w * (splat(Lg5) + w * splat(Lg7))));
  i |= j;
  const vd R = t2 + t1;
  const vd hfsq = splat(0.5) * f * f;
  const vd a0 = f - (hfsq - s * (hfsq + R));
  const vd a1 = dk * splat(ln2_hi) - ((hfsq - (s * (hfsq + R) + dk * splat(ln2_lo))) - f);
  const vd b0 = f - s * (f - R);
  const vd b1 = dk * splat(ln2_hi) - ((s * (f - R) - dk * splat(ln2_lo)) - f);
  const vi k0 = k == splati(0);
  vd r = sel(i > splati(0), sel(k0, a0, a1), sel(k0, b0, b1));
  const vi slow = special | tiny;
  if (__builtin_expect(any(slow), 0)) {
    for (int l = 0; l < 4; ++l)
      if (slow[l]) r[l] = math::log(x0[l]);
  }
  return r;
}

/// math::detail::kernel_cos(x, y) and kernel_sin(x, y, 1) for |x| <= pi/4.
VSWAP_AVX2_INLINE vd kernel_cos(vd x, vd y) {
  const double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03,
               C3 = 2.48015872894767294178e-05, C4 = -2.75573143513906633035e-07,
               C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
  const vi ix = (vi)((vu)x >> 32) & splati(0x7fffffff);
  const vd z = x * x;
  const vd r = z * (splat(C1) + z * (splat(C2) + z * (splat(C3) + z * (splat(C4) + z * (splat(C5) + z * splat(C6))))));
  const vd mid = splat(1.0) - (splat(0.5) * z - (z * r - x * y));
  const vd qx = sel(ix > splati(0x3fe90000), splat(0.28125), (vd)((ix - splati(0x00200000)) << 32));
  const vd hz = splat(0.5) * z - qx;
  const vd a = splat(1.0) - qx;
  const vd big = a - (hz - (z * r - x * y));
  return sel(ix < splati(0x3e400000), splat(1.0), sel(ix < splati(0x3FD33333), mid, big));
}
VSWAP_AVX2_INLINE vd kernel_sin1(vd x, vd y) {
  const double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03,
               S3 = -1.98412698298579493134e-04, S4 = 2.75573137070700676789e-06,
               S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
  const vd z = x * x;
  const vd v = z * x;
  const vd r = splat(S2) + z * (splat(S3) + z * (splat(S4) + z * (splat(S5) + z * splat(S6))));
  return x - ((z * (splat(0.5) * y - v * r) - y) - v * splat(S1));
}
/// math::cos_2pi(u) for u in [0, 1].
VSWAP_AVX2_INLINE vd cos_2pi(vd u) {
  const double pio2_hi = 1.57079632679489655800e+00, pio2_lo = 6.12323399573676603587e-17;
  const vd b = splat(4.0) * u;
  const vi n = trunc_to_int(b + splat(0.5));
  const vd f = b - to_double(n);
  const vd r = f * splat(pio2_hi);
  const vd rt = f * splat(pio2_lo);
  const vd y0 = r + rt;
  const vd y1 = rt - (y0 - r);
  const vd c = kernel_cos(y0, y1), s = kernel_sin1(y0, y1);
  const vi q = n & splati(3);
  const vd cs = sel((q & splati(1)) != splati(0), s, c);                        // 0: c, 1: s, 2: c, 3: s
  const vi neg = (q == splati(1)) | (q == splati(2));                            // 1: -s, 2: -c
  return sel(neg, -cs, cs);
}

/// standard_normal(w1, w2): Box-Muller, cosine branch.
VSWAP_AVX2_INLINE vd standard_normal(vu w1, vu w2) {
  const vd r = sqrt(splat(-2.0) * log(uniform_open(w1)));
  return r * cos_2pi(uniform_open(w2));
}

/// alias_sample on each lane (table look-ups are scalar).
VSWAP_AVX2_INLINE vi alias_sample(const AliasView& t, vu w) {
  vi out;
  for (int l = 0; l < 4; ++l) out[l] = vswap::alias_sample(t, static_cast<std::uint32_t>(w[l]));
  return out;
}

/// sample_continuous for a Gaussian mixture bath (b.kind == mixture).
VSWAP_AVX2_INLINE vd sample_mixture(const ContinuousBathView& b, vu w_pick, vu w1, vu w2) {
  const vi c = alias_sample(b.pick, w_pick);
  vd mean, sd;
  for (int l = 0; l < 4; ++l) {
    mean[l] = b.mean[c[l]];
    sd[l] = b.sd[c[l]];
  }
  return mean + sd * standard_normal(w1, w2);
}

/// pauli.hpp's wrap(x, length).
VSWAP_AVX2_INLINE vd wrap(vd x, double length) {
  const vd L = splat(length);
  vd y = x - L * floor(x / L);
  y = sel(y >= L, y - L, y);
  y = sel(y < splat(0.0), y + L, y);
  return y;
}

}  // namespace vswap::engine::simd
#endif
