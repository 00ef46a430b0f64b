#pragma once
/// @brief Philox4x32-10, the counter-based generator of Salmon et al. (SC'11), bit for bit
/// as Random123's philox4x32_R(10, ...) and cuRAND's Philox4_32_10.
///
/// A draw is the pure function `philox4x32_10(counter, key)`: no state, so the number a
/// particle sees never depends on thread layout, scheduling or backend.
///
/// Mapping to cuRAND (for the CUDA backend): for a 64-bit `seed` and counter
/// {c0, c1, c2, c3},
///
///     curand_init(seed, /*subsequence=*/ c2 | (uint64)c3 << 32,
///                       /*offset=*/      4 * (c0 | (uint64)c1 << 32), &state);
///     uint4 w = curand4(&state);
///
/// gives w == philox4x32_10({c0, c1, c2, c3}, {seed & 0xffffffff, seed >> 32}):
/// curand_init sets key = (lo32(seed), hi32(seed)), counter = 0, adds the subsequence to
/// counter words (z, w) and offset/4 to words (x, y). The offset must fit in 64 bits, so
/// c1 < 2^30 (streams.hpp puts the step there: at most 2^30 - 1 steps per run).

#include <cstdint>

#include <vswap/hd.hpp>

#if defined(__CUDACC__)
#include <curand_kernel.h>
#endif

namespace vswap {

struct Philox4x32 {
  std::uint32_t v[4];
};

namespace detail {
VSWAP_HD_INLINE std::uint32_t mulhilo32(std::uint32_t a, std::uint32_t b, std::uint32_t& hi) {
  const std::uint64_t p = static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(b);
  hi = static_cast<std::uint32_t>(p >> 32);
  return static_cast<std::uint32_t>(p);
}
}  // namespace detail

/// Philox4x32 with 10 rounds: counter (4 words), key (2 words) -> 4 random words.
VSWAP_HD_INLINE Philox4x32 philox4x32_10(Philox4x32 ctr, std::uint32_t k0, std::uint32_t k1) {
  constexpr std::uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;
  constexpr std::uint32_t W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += W0;
      k1 += W1;
    }
    std::uint32_t hi0, hi1;
    const std::uint32_t lo0 = detail::mulhilo32(M0, ctr.v[0], hi0);
    const std::uint32_t lo1 = detail::mulhilo32(M1, ctr.v[2], hi1);
    ctr = Philox4x32{{hi1 ^ ctr.v[1] ^ k0, lo1, hi0 ^ ctr.v[3] ^ k1, lo0}};
  }
  return ctr;
}

#if defined(__CUDACC__)
/// The same function through cuRAND's Philox4_32_10 device API, with the mapping above.
/// Requires ctr.v[1] < 2^30 (the 64-bit offset); callers beyond that use `philox4x32_10`.
/// curand_init + curand4 inline to one Philox evaluation for this counter (the state is
/// local, so the look-ahead block curand4 computes for the next call is dead code).
__device__ __forceinline__ Philox4x32 curand_philox4x32_10(Philox4x32 ctr, std::uint64_t seed) {
  curandStatePhilox4_32_10_t state;
  curand_init(static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(ctr.v[2]) | (static_cast<unsigned long long>(ctr.v[3]) << 32),
              4ull * (static_cast<unsigned long long>(ctr.v[0]) | (static_cast<unsigned long long>(ctr.v[1]) << 32)),
              &state);
  const uint4 w = curand4(&state);
  return Philox4x32{{w.x, w.y, w.z, w.w}};
}
#endif

/// A uniform double in (0, 1) from one 32-bit word: (w + 1/2) 2^-32; never 0 or 1.
VSWAP_HD_INLINE double uniform_open(std::uint32_t w) {
  return (static_cast<double>(w) + 0.5) * 2.3283064365386962890625e-10;
}

/// A uniform double in (0, 1) with 52 random bits from two words: (m + 1/2) 2^-52, exact;
/// never 0 or 1.
VSWAP_HD_INLINE double uniform52_open(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t m = (static_cast<std::uint64_t>(hi) << 20) ^ (lo >> 12);  // 52 bits
  return (static_cast<double>(m) + 0.5) * 2.220446049250313080847263336181640625e-16;
}

/// An integer uniform in [0, n) from one word (multiply-high; bias <= n 2^-32).
VSWAP_HD_INLINE std::uint32_t uniform_index(std::uint32_t w, std::uint32_t n) {
  return static_cast<std::uint32_t>((static_cast<std::uint64_t>(w) * n) >> 32);
}

}  // namespace vswap
