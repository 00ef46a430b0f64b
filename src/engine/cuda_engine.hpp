#pragma once
/// @brief The CUDA backend behind the Engine interface (kernels/simulation.cuh drives the
/// device). Realizations run in batches that fit the device's free memory; the sums are
/// exact, so batches merge to the bits one batch would give.

#include <cstddef>
#include <cstdint>
#include <memory>

#include <vswap/config.hpp>

#include "engine/engine.hpp"

namespace vswap::engine {

/// Device bytes a run needs on the CUDA backend (docs/ARCHITECTURE.md, "CUDA backend:
/// memory"): `fixed + per_realization x realizations` for a batch. The backend sizes its
/// batches by it and refuses a configuration of which one realization does not fit.
struct DeviceMemoryNeed {
  std::size_t fixed = 0;
  std::size_t per_realization = 0;
  std::size_t per_particle = 0;  ///< the particle state's part of per_realization, per particle
  std::size_t bytes(std::int64_t realizations) const {
    return fixed + per_realization * static_cast<std::size_t>(realizations);
  }
};

/// The model of `config` (host arithmetic only: no device needed). Without CUDA in the
/// build: InputError("numerics.backend").
DeviceMemoryNeed cuda_memory_need(const Config& config);

/// The most device bytes the CUDA backend held at once since the last reset: all its device
/// arrays, CUB's scratch included (tests compare it with cuda_memory_need). Process-wide.
/// 0 without CUDA in the build.
std::size_t cuda_bytes_peak() noexcept;

/// Restarts cuda_bytes_peak() from what the backend holds now (nothing between runs).
void reset_cuda_bytes_peak() noexcept;

/// The CUDA backend on `device`, shared by `sharing` processes (MPI ranks on one node: each
/// uses at most 1/sharing of the device memory). Without CUDA in the build:
/// InputError("numerics.backend"). Env `VSWAP_CUDA_MAX_BATCH` caps the realizations per
/// batch (tests, benchmarks).
std::unique_ptr<Engine> make_cuda_engine(int device = 0, int sharing = 1);

}  // namespace vswap::engine
