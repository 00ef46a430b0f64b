#pragma once
/// @brief `VSWAP_CUDA_TRY(call)`: every CUDA runtime call and every launch is checked.

#include <cuda_runtime.h>

#include <cstdlib>
#include <cstring>
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

namespace vswap::cuda::detail {
/// VSWAP_CUDA_SYNC=1 (read once): every launch is followed by cudaDeviceSynchronize, so that
/// a kernel's execution error (an illegal address, say) is reported at its own launch rather
/// than at the next runtime call that synchronises. Off by default (it costs the overlap of
/// launches); debug builds always do it.
inline bool sync_every_launch() {
#ifndef NDEBUG
  return true;
#else
  static const bool on = [] {
    const char* v = std::getenv("VSWAP_CUDA_SYNC");
    return v != nullptr && *v != '\0' && std::strcmp(v, "0") != 0;
  }();
  return on;
#endif
}
}  // namespace vswap::cuda::detail

/// Checks the last kernel launch: its launch error, and with sync_every_launch() its
/// execution error.
#define VSWAP_CUDA_CHECK_LAUNCH()                                                  \
  do {                                                                             \
    VSWAP_CUDA_TRY(cudaGetLastError());                                            \
    if (::vswap::cuda::detail::sync_every_launch()) VSWAP_CUDA_TRY(cudaDeviceSynchronize()); \
  } while (0)
