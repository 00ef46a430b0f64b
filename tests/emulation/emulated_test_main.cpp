// main() of the emulated test binaries (test_*_emulated): the CUDA kernels of kernels/*.cu
// run on the host against the emulated device of tests/emulation/cuda_emulation.hpp.
// This is not a GPU run. By default only the cases that use the CUDA backend run (the
// VSWAP_EMULATED_CASES filter; the CPU cases run in the normal build); --gtest_filter or
// GTEST_FILTER choose others.
#include <gtest/gtest.h>

#include <cstdio>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (::testing::GTEST_FLAG(filter) == "*") ::testing::GTEST_FLAG(filter) = VSWAP_EMULATED_CASES;
  if (!::testing::GTEST_FLAG(list_tests))
    std::printf(
        "vswap kernel emulation: CUDA kernels run sequentially on the host (tests/emulation/); not "
        "a GPU run\n");
  return RUN_ALL_TESTS();
}
