#pragma once
/// @brief The CUDA backend behind the Engine interface (kernels/simulation.cuh drives the
/// device). Realizations run in batches that fit the device's free memory; the sums are
/// exact, so batches merge to the bits one batch would give.

#include <memory>

#include "engine/engine.hpp"

namespace vswap::engine {

/// The CUDA backend on `device`, shared by `sharing` processes (MPI ranks on one node: each
/// uses at most 1/sharing of the device memory). Without CUDA in the build:
/// InputError("numerics.backend"). Env `VSWAP_CUDA_MAX_BATCH` caps the realizations per
/// batch (tests, benchmarks).
std::unique_ptr<Engine> make_cuda_engine(int device = 0, int sharing = 1);

}  // namespace vswap::engine
