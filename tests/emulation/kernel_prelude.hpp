#pragma once
/// @brief Force-included (g++ -include) at the top of every kernel source the emulation
/// compiles (build/kernel_emulation/*.cu.cpp), as nvcc implicitly includes cuda_runtime.h.
/// See cuda_emulation.hpp for what the emulation does and cannot check.
///
/// Order matters. First the toolkit's own headers, as host C++ (no __CUDACC__): the runtime
/// API's declarations and types, and cuRAND's device API (curand_init, curand4) with its
/// host branch. Then __CUDACC__ and __CUDA_ARCH__, so that vswap's headers included by the
/// kernel source take the paths nvcc's device pass takes: rng.hpp declares
/// curand_philox4x32_10 (its curand_kernel.h include is now a no-op), streams.hpp draws
/// through it, math.hpp uses the device intrinsics. A toolkit header first included after
/// this point (device-only code) does not compile: such a kernel needs the emulation
/// extended.

#include <cuda_runtime.h>
#include <curand_kernel.h>

#include "cuda_emulation.hpp"

// Shared memory is not emulated (threads run one after another): refuse to compile it.
#undef __shared__
#define __shared__ static_assert(false, "__shared__ memory is not emulated (tests/emulation)");

#define __CUDACC__ 1
#define __CUDA_ARCH__ 900
