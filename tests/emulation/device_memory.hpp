#pragma once
/// @brief What the emulated device has allocated (cuda_emulation.cpp): for tests that check
/// the CUDA backend's memory model (kernels' memory_need) against what a run allocates.
/// Plain declarations, no CUDA header: a test source includes it directly.
#include <cstddef>

namespace vswap::emulation {

/// The most bytes allocated at once (cudaMalloc, not yet cudaFree'd) since the last reset.
std::size_t device_bytes_peak() noexcept;

/// Restarts device_bytes_peak() from what is allocated now.
void reset_device_bytes_peak() noexcept;

}  // namespace vswap::emulation
