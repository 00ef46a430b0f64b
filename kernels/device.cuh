#pragma once
/// @brief Thin host-callable queries of the CUDA runtime (no CUDA types leak out).

#include <cstddef>
#include <string>

namespace vswap::cuda {

struct DeviceInfo {
  int index = -1;
  std::string name;
  std::size_t total_bytes = 0;
  std::size_t free_bytes = 0;
  int compute_major = 0;
  int compute_minor = 0;
};

/// Number of usable CUDA devices; 0 when there is no driver or no device (never throws).
int device_count() noexcept;

/// Properties and free memory of device `index` (throws std::runtime_error on failure).
DeviceInfo device_info(int index);

}  // namespace vswap::cuda
