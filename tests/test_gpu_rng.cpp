// cuRAND's Philox4_32_10 on the device, through the mapping of rng.hpp, against the host
// Philox4x32-10 (itself KAT-tested in test_rng.cpp): every word equal, on counters that
// cover every word's range, the step limit 2^30 - 1, and the draws the engine makes.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include <vswap/rng.hpp>
#include <vswap/streams.hpp>

#include "backend_helpers.hpp"

#if defined(VSWAP_WITH_CUDA)
#include "rng_check.cuh"
#endif

using namespace vswap;

TEST(GpuRng, CurandPhiloxEqualsHostPhiloxOnEveryCounter) {
  if (!test::have_cuda_device()) GTEST_SKIP() << test::no_device_reason();
#if defined(VSWAP_WITH_CUDA)
  std::mt19937_64 gen(12345);
  std::vector<Philox4x32> ctr;
  const std::uint32_t edges[] = {0u, 1u, 2u, 3u, 0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu};
  for (std::uint32_t a : edges)
    for (std::uint32_t b : {0u, 1u, kMaxStreamStep - 1, kMaxStreamStep})
      for (std::uint32_t c : edges)
        for (std::uint32_t d : edges) ctr.push_back(Philox4x32{{a, b, c, d}});
  for (int j = 0; j < 200000; ++j) {
    const auto w = gen();
    const auto u = gen();
    ctr.push_back(Philox4x32{{static_cast<std::uint32_t>(w), static_cast<std::uint32_t>(w >> 34),  // step < 2^30
                              static_cast<std::uint32_t>(u), static_cast<std::uint32_t>(u >> 32)}});
  }
  for (std::uint64_t seed : {0ull, 1ull, 0xffffffffull, 0x123456789abcdef0ull, ~0ull}) {
    std::vector<Philox4x32> via_curand, via_hd, via_draw;
    cuda::philox_on_device(seed, ctr, via_curand, via_hd, via_draw);
    std::size_t bad = 0;
    for (std::size_t j = 0; j < ctr.size(); ++j) {
      const Philox4x32 host = philox4x32_10(ctr[j], static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32));
      const StreamKey key{seed, ctr[j].v[2]};
      const Philox4x32 host_draw = draw(key, ctr[j].v[0], ctr[j].v[1], static_cast<Purpose>(ctr[j].v[3] >> 16), ctr[j].v[3]);
      for (int k = 0; k < 4; ++k) {
        bad += via_curand[j].v[k] != host.v[k];
        bad += via_hd[j].v[k] != host.v[k];
        bad += via_draw[j].v[k] != host_draw.v[k];
      }
      if (bad > 0 && bad < 4)
        ADD_FAILURE() << "seed " << seed << " counter {" << ctr[j].v[0] << ", " << ctr[j].v[1] << ", " << ctr[j].v[2]
                      << ", " << ctr[j].v[3] << "}: device " << via_curand[j].v[0] << " host " << host.v[0];
    }
    EXPECT_EQ(bad, 0u) << "seed " << seed;
  }
#endif
}
