// main() of the emulated test binaries (test_*_emulated): the CUDA kernels of kernels/*.cu
// run on the host against the emulated device of tests/emulation/cuda_emulation.hpp.
// This is not a GPU run. By default only the cases that use the CUDA backend run (the
// VSWAP_EMULATED_CASES filter; the CPU cases run in the normal build); --gtest_filter or
// GTEST_FILTER choose others.
#include <gtest/gtest.h>

#include <cstdio>

#if defined(VSWAP_EMU_RACE_CHECK)
#include <omp.h>
#endif

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
#if defined(VSWAP_EMU_RACE_CHECK)
  // The kernels run on several host threads under ThreadSanitizer; the CPU backend, the
  // reference, on one: libgomp is not instrumented, and its barriers, which ThreadSanitizer
  // cannot see, would read as races in the host code.
  omp_set_num_threads(1);
#endif
  if (::testing::GTEST_FLAG(filter) == "*") ::testing::GTEST_FLAG(filter) = VSWAP_EMULATED_CASES;
  if (!::testing::GTEST_FLAG(list_tests))
    std::printf(
        "vswap kernel emulation: CUDA kernels run on the host (tests/emulation/); not "
        "a GPU run\n");
  return RUN_ALL_TESTS();
}
