#include "cuda_try.cuh"
#include "device.cuh"

#include <vswap/error.hpp>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>

#ifndef VSWAP_CUDA_ARCHITECTURES  // set by CMake for vswap_cuda (the PTX audit needs none)
#define VSWAP_CUDA_ARCHITECTURES "(not recorded)"
#endif

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
/// A kernel of this library, for cudaFuncGetAttributes: it has code for the device exactly
/// when every kernel here has (one target, one list of architectures).
__global__ void probe_kernel() {}
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

void allocation_failed(std::size_t bytes, int error) {
  const auto err = static_cast<cudaError_t>(error);
  cudaGetLastError();
  const auto gib = [](std::size_t b) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f GiB", static_cast<double>(b) / 1073741824.0);
    return std::string(text);
  };
  std::string what = std::string("CUDA error ") + cudaGetErrorName(err) + " (" + cudaGetErrorString(err) +
                     ") allocating " + gib(bytes) + " (" + std::to_string(bytes) + " bytes) on the device";
  if (err != cudaErrorMemoryAllocation) throw std::runtime_error(what);
  std::size_t free_bytes = 0, total_bytes = 0;
  if (cudaMemGetInfo(&free_bytes, &total_bytes) == cudaSuccess) what += ", " + gib(free_bytes) + " free now";
  cudaGetLastError();
  throw ResourceError(what + ": the run sized its batches by the memory free when it started, and another "
                             "process took some since (run it when the device is free, or with "
                             "VSWAP_CUDA_MAX_BATCH=R to take at most R realizations at a time)");
}

std::string device_unusable(int index) {
  const auto failed = [index](const char* what, cudaError_t err) {
    cudaGetLastError();
    return "CUDA device " + std::to_string(index) + " " + what + ": " + cudaGetErrorName(err) + " (" +
           cudaGetErrorString(err) + ")";
  };
  cudaError_t err = cudaSetDevice(index);
  if (err == cudaSuccess) err = cudaFree(nullptr);  // creates the context
  if (err != cudaSuccess) return failed("cannot be used", err);
  cudaFuncAttributes attributes{};
  err = cudaFuncGetAttributes(&attributes, reinterpret_cast<const void*>(&probe_kernel));
  if (err == cudaSuccess) return "";
  if (err == cudaErrorNoKernelImageForDevice || err == cudaErrorInvalidDeviceFunction) {
    cudaGetLastError();
    cudaDeviceProp prop{};
    const bool named = cudaGetDeviceProperties(&prop, index) == cudaSuccess;
    return "CUDA device " + std::to_string(index) +
           (named ? " (" + std::string(prop.name) + ", compute " + std::to_string(prop.major) + "." +
                        std::to_string(prop.minor) + ")"
                  : std::string()) +
           " cannot run this build's kernels, built for CMAKE_CUDA_ARCHITECTURES " VSWAP_CUDA_ARCHITECTURES
           " (rebuild with the device's architecture)";
  }
  return failed("cannot run kernels", err);
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
  info.multiprocessors = prop.multiProcessorCount;
  return info;
}

}  // namespace vswap::cuda
