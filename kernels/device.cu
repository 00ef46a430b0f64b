#include "cuda_try.cuh"
#include "device.cuh"

#include <algorithm>
#include <mutex>

namespace vswap::cuda {

namespace {
struct BufferRecord {
  std::mutex mutex;
  std::size_t held = 0;  // bytes the live DeviceBuffers hold
  std::size_t peak = 0;  // the most of `held` since the last reset
};
BufferRecord& buffer_record() {
  static BufferRecord r;
  return r;
}
}  // namespace

void note_buffer_bytes(std::ptrdiff_t bytes) noexcept {
  BufferRecord& r = buffer_record();
  const std::lock_guard<std::mutex> lock(r.mutex);
  r.held = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(r.held) + bytes);
  r.peak = std::max(r.peak, r.held);
}

std::size_t buffer_bytes_peak() noexcept {
  BufferRecord& r = buffer_record();
  const std::lock_guard<std::mutex> lock(r.mutex);
  return r.peak;
}

void reset_buffer_bytes_peak() noexcept {
  BufferRecord& r = buffer_record();
  const std::lock_guard<std::mutex> lock(r.mutex);
  r.peak = r.held;
}

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
