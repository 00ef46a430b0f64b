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

std::string device_problem() {
  int n = 0;
  const cudaError_t err = cudaGetDeviceCount(&n);
  cudaGetLastError();
  if (err == cudaSuccess && n > 0) return "";
  int driver = 0, runtime = 0;
  cudaDriverGetVersion(&driver);  // 0: no driver installed
  cudaRuntimeGetVersion(&runtime);
  if (err == cudaSuccess || err == cudaErrorNoDevice || driver == 0) return "no CUDA device found";
  auto version = [](int v) { return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10); };
  if (driver < runtime)
    return "the NVIDIA driver supports CUDA " + version(driver) + " but this build's runtime is CUDA " + version(runtime) +
           " (update the driver or build with an older toolkit)";
  return std::string("CUDA is unavailable: ") + cudaGetErrorName(err) + " (" + cudaGetErrorString(err) + ")";
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
