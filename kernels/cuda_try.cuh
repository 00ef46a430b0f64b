#pragma once
/// @brief `VSWAP_CUDA_TRY(call)`: every CUDA runtime call and every launch is checked.

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace vswap::cuda::detail {
[[noreturn]] inline void cuda_failed(cudaError_t err, const char* call, const char* file,
                                     int line) {
  throw std::runtime_error(std::string("CUDA error ") + cudaGetErrorName(err) + " (" +
                           cudaGetErrorString(err) + ") in `" + call + "` at " + file + ":" +
                           std::to_string(line));
}
}  // namespace vswap::cuda::detail

#define VSWAP_CUDA_TRY(call)                                                           \
  do {                                                                                 \
    cudaError_t vswap_cuda_err_ = (call);                                              \
    if (vswap_cuda_err_ != cudaSuccess)                                                \
      ::vswap::cuda::detail::cuda_failed(vswap_cuda_err_, #call, __FILE__, __LINE__); \
  } while (0)

/// Checks the last kernel launch (launch errors and, in debug builds, execution errors).
#define VSWAP_CUDA_CHECK_LAUNCH() VSWAP_CUDA_TRY(cudaGetLastError())
