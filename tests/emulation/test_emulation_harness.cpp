// The kernel emulation's own checks (tests/emulation/cuda_emulation.hpp), on small kernels
// (harness_kernels.cu, rewritten and compiled like kernels/*.cu): what it computes and what
// it refuses. Not a GPU test and not vswap code.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "harness_kernels.cuh"

namespace h = vswap::emulation::harness;

TEST(EmulationHarness, WarpShuffleSumsOverGridStrideLoops) {
  for (long long n : {0ll, 1ll, 31ll, 1000ll, 100000ll})
    for (int blocks : {1, 3})
      for (int threads : {32, 256})
        EXPECT_EQ(h::warp_sum(n, blocks, threads), static_cast<unsigned long long>(n * (n - 1) / 2))
            << n << " items, " << blocks << " x " << threads;
}

TEST(EmulationHarness, InvalidLaunchIsTheLaunchErrorAndRunsNothing) {
  bool ran = false;
  EXPECT_EQ(h::launch_error(1, 32, ran), 0);
  EXPECT_TRUE(ran);
  for (auto [blocks, threads] :
       {std::pair{0ll, 32}, {-1ll, 32}, {1ll, 2048}, {1ll, 0}, {1ll << 31, 32}}) {
    EXPECT_EQ(h::launch_error(blocks, threads, ran), 9)
        << blocks << " x " << threads;  // cudaErrorInvalidConfiguration
    EXPECT_FALSE(ran);
  }
}

TEST(EmulationHarness, DeviceMemoryIsNotZeroedAndCopiesAreChecked) {
  EXPECT_EQ(h::fresh_byte(), 0xA5);
  EXPECT_EQ(h::wrong_direction_copy(), 1);  // cudaErrorInvalidValue
}

TEST(EmulationHarness, SortIsStableOverTheKeyBits) {
  std::vector<std::uint32_t> keys(5000);
  std::uint32_t x = 12345;
  for (auto& k : keys) k = (x = x * 1664525u + 1013904223u) >> 21;  // 11 bits
  std::vector<std::int32_t> want(keys.size());
  std::iota(want.begin(), want.end(), 0);
  std::stable_sort(want.begin(), want.end(), [&](int a, int b) { return keys[a] < keys[b]; });
  EXPECT_EQ(h::sort_pairs(keys, 11), want);
}

TEST(EmulationHarness, ExclusiveSumInPlaceAndNot) {
  const std::vector<std::int32_t> in{3, 0, 5, 1, 7};
  const std::vector<std::int32_t> want{0, 3, 3, 8, 9};
  EXPECT_EQ(h::exclusive_sum(in, false), want);
  EXPECT_EQ(h::exclusive_sum(in, true), want);
}

using EmulationHarnessDeathTest = ::testing::Test;

TEST(EmulationHarnessDeathTest, RefusesWhatAGpuWouldGetWrong) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(h::divergent_shuffle(), "different __shfl_down_sync calls");
  EXPECT_DEATH(h::atomic_on_host_memory(), "atomic on an address outside device memory");
  EXPECT_DEATH(h::int_atomic_overflow(), "atomicAdd on int overflows");
  EXPECT_DEATH(h::sort_with_too_little_temp_storage(), "bytes of temp storage");
  EXPECT_DEATH(h::sort_pairs({1u, 4096u}, 12), "at or above end_bit 12");
  if (h::kernels_sanitized()) {
    EXPECT_DEATH(h::store_past_the_end(), "heap-buffer-overflow");
  }
  if (h::kernels_race_checked()) {
    EXPECT_DEATH(h::racing_stores(), "ThreadSanitizer: data race");
  }
}

// Atomics from every warp of a launch, and warp sums over several host threads: no race
// reported (the kernels above, under ThreadSanitizer: a report would end this test).
TEST(EmulationHarness, AtomicsFromManyHostThreadsAreNoRace) {
  EXPECT_EQ(h::warp_sum(100000, 8, 256), 100000ull * 99999ull / 2);
}
