#pragma once
/// @brief CPU-only AVX2 (4 lanes) and AVX-512 (8 lanes) versions of the shared physics' hot functions: Philox4x32-10,
/// fdlibm log, cos(2 pi u), and the draws built on them (rng.hpp, math.hpp, bath_sampler.hpp).
///
/// Each lane performs exactly the IEEE operations of the scalar VSWAP_HD function, in the same
/// order (no FMA: CMake compiles every C++ file with -ffp-contract=off), so each
/// lane's result has the same bits as the scalar function's. The rare branches that the lane
/// code does not replicate (log of |x - 1| < 2^-20, ...) are recomputed by the scalar function.
/// Any change to math.hpp / rng.hpp / bath_sampler.hpp must be mirrored here; the engine's
/// check mode (`check_every_step`, run by the Engine tests) compares every lane with the
/// scalar functions and throws on the first differing bit.
///
/// Callers: only functions compiled with `VSWAP_AVX2_FN` and called after `have_avx2()`.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

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

inline bool have_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes;
}

}  // namespace vswap::engine::simd

/// The same code on 4 lanes (AVX2, namespace simd) and on 8 lanes (AVX-512, namespace
/// simd512): one text, cpu_simd_lanes.inc.
namespace vswap::engine::simd {
#define VSWAP_LANES 4
#define VSWAP_LANES_INLINE VSWAP_AVX2_INLINE
#include "cpu_simd_lanes.inc"
#undef VSWAP_LANES
#undef VSWAP_LANES_INLINE
}  // namespace vswap::engine::simd

#define VSWAP_AVX512_TARGET "avx2,avx512f,avx512dq"
#define VSWAP_AVX512_FN __attribute__((target(VSWAP_AVX512_TARGET)))
#define VSWAP_AVX512_INLINE __attribute__((target(VSWAP_AVX512_TARGET), always_inline)) inline

namespace vswap::engine::simd512 {
#define VSWAP_LANES 8
#define VSWAP_LANES_INLINE VSWAP_AVX512_INLINE
#include "cpu_simd_lanes.inc"
#undef VSWAP_LANES
#undef VSWAP_LANES_INLINE
}  // namespace vswap::engine::simd512

namespace vswap::engine::simd {
/// The widest lane code this CPU runs, capped by the environment variable VSWAP_SIMD
/// ("avx2": not AVX-512; "none": scalar only), read at each call: 0 scalar, 4 or 8 lanes.
inline int lanes_available() {
  static const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
  const char* cap = std::getenv("VSWAP_SIMD");
  const std::string want = cap ? cap : "";
  if (want == "none" || !have_avx2()) return 0;
  if (want == "avx2" || !avx512) return 4;
  return 8;
}
}  // namespace vswap::engine::simd
#endif
