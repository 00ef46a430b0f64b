#pragma once
/// @brief Device draws for the CPU-vs-GPU random-number test (tests/test_gpu_rng.cpp).

#include <cstdint>
#include <vector>

#include <vswap/rng.hpp>

namespace vswap::cuda {

/// For each counter c (words: subject, step, realization, purpose << 16 | index), on the
/// device: `via_curand` = rng.hpp's cuRAND mapping (curand_init + curand4), `via_hd` =
/// philox4x32_10 compiled for the device, `via_draw` = streams.hpp's draw() as the kernels
/// call it (realization c.v[2], purpose c.v[3] >> 16, index c.v[3] & 0xffff).
void philox_on_device(std::uint64_t seed, const std::vector<Philox4x32>& counters,
                      std::vector<Philox4x32>& via_curand, std::vector<Philox4x32>& via_hd,
                      std::vector<Philox4x32>& via_draw);

}  // namespace vswap::cuda
