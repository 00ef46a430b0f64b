#pragma once
/// @brief The named random streams: every draw of the simulation is
/// `philox4x32_10(counter = {subject, step, realization, purpose << 16 | index}, key = seed)`.
///
/// `subject` is the particle index (or the fixed cell for the `paper` scheme's per-cell
/// draws), `step` the time step (or, for the `event` scheme, the particle's swap count),
/// `index` < 2^16 distinguishes several draws of one purpose in one step. A draw is a pure
/// function of (seed, realization, subject, step, purpose, index): identical for any thread
/// count, on the CPU and (via the cuRAND mapping in rng.hpp) on the GPU.

#include <cstdint>

#include <vswap/hd.hpp>
#include <vswap/rng.hpp>

namespace vswap {

/// What a draw is for. Each purpose owns its counter space; never reuse one for another use.
enum class Purpose : std::uint32_t {
  init_position = 1,  ///< subject = particle, step 0, index = redraw count
  init_velocity = 2,  ///< subject = particle, step 0, index = redraw count
  attempt = 3,        ///< exact: w0 target class/velocity, w1..w3 (Gaussian) target, next-gap
  target = 4,         ///< exact, classical continuous target velocity (w0..w3)
  event_time = 5,     ///< event: step = swap count; w0 waiting time, w1..w3 new velocity
  paper_cell = 6,     ///< paper: subject = cell; w0 swap decision, w1 particle, w2 bath pick
  paper_bath = 7,     ///< paper: subject = cell; the explicit bath sample, index = block
  rescatter = 8,      ///< paper: subject = cell; duplicate re-scattering, index = try
  init_stationary = 9, ///< initial `stationary` fermions: subject = spatial cell
  init_count = 10,      ///< initial `stationary` fermions: subject = cell / 4, step = try
  rescatter_clear = 11  ///< paper: subject = cell; a duplicate drawn among the free states
                        ///< once the tries ran out, index = its member position
};

/// The largest step a stream can address (rng.hpp: cuRAND offset fits in 64 bits).
inline constexpr std::uint32_t kMaxStreamStep = (1u << 30) - 1;

/// The 64-bit seed and the realization: what all streams of one realization share.
struct StreamKey {
  std::uint64_t seed;
  std::uint32_t realization;
};

/// Four random words for (subject, step, purpose, index) of one realization.
VSWAP_HD_INLINE Philox4x32 draw(StreamKey key, std::uint32_t subject, std::uint32_t step,
                                Purpose purpose, std::uint32_t index = 0) {
  const Philox4x32 ctr{{subject, step, key.realization,
                        (static_cast<std::uint32_t>(purpose) << 16) | (index & 0xffffu)}};
#if defined(__CUDA_ARCH__)
  // Device: cuRAND's Philox4_32_10 (rng.hpp gives the mapping; the test test_gpu_rng
  // compares it with the host Philox). Steps beyond the 64-bit offset never occur in a
  // run (kMaxStreamStep), but keep the draw exact anyway.
  if (step <= kMaxStreamStep) return curand_philox4x32_10(ctr, key.seed);
#endif
  return philox4x32_10(ctr, static_cast<std::uint32_t>(key.seed),
                       static_cast<std::uint32_t>(key.seed >> 32));
}

}  // namespace vswap
