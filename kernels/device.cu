#include "cuda_try.cuh"
#include "device.cuh"

namespace vswap::cuda {

int device_count() noexcept {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no driver" error
    return 0;
  }
  return n;
}

DeviceInfo device_info(int index) {
  DeviceInfo info;
  cudaDeviceProp prop{};
  VSWAP_CUDA_TRY(cudaGetDeviceProperties(&prop, index));
  VSWAP_CUDA_TRY(cudaSetDevice(index));
  VSWAP_CUDA_TRY(cudaMemGetInfo(&info.free_bytes, &info.total_bytes));
  info.index = index;
  info.name = prop.name;
  info.compute_major = prop.major;
  info.compute_minor = prop.minor;
  return info;
}

}  // namespace vswap::cuda
