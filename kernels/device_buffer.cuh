#pragma once
/// @brief `DeviceBuffer<T>`: the one owning device-array type of the CUDA backend (RAII
/// around cudaMalloc/cudaFree; move-only). Every buffer reports what it holds to
/// device.cuh's allocation record (buffer_bytes_peak). nvcc only.

#include <cuda_runtime.h>

#include <cstddef>
#include <utility>
#include <vector>

#include "cuda_try.cuh"
#include "device.cuh"

namespace vswap::cuda {

template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t n) { resize(n); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& o) noexcept : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    if (this != &o) {
      release();
      p_ = std::exchange(o.p_, nullptr);
      n_ = std::exchange(o.n_, 0);
    }
    return *this;
  }
  ~DeviceBuffer() { release(); }

  /// Discards the contents; n == 0 frees.
  void resize(std::size_t n) {
    release();
    if (n > 0) {
      const cudaError_t err = cudaMalloc(reinterpret_cast<void**>(&p_), n * sizeof(T));
      if (err != cudaSuccess) {
        p_ = nullptr;
        allocation_failed(n * sizeof(T), static_cast<int>(err));
      }
      note_buffer_bytes(static_cast<std::ptrdiff_t>(n * sizeof(T)));
    }
    n_ = n;
  }
  void upload(const T* host, std::size_t n, std::size_t offset = 0) {
    if (n > 0) VSWAP_CUDA_TRY(cudaMemcpy(p_ + offset, host, n * sizeof(T), cudaMemcpyHostToDevice));
  }
  void upload(const std::vector<T>& host) {
    resize(host.size());
    upload(host.data(), host.size());
  }
  void download(T* host, std::size_t n, std::size_t offset = 0) const {
    if (n > 0) VSWAP_CUDA_TRY(cudaMemcpy(host, p_ + offset, n * sizeof(T), cudaMemcpyDeviceToHost));
  }
  /// Sets every byte to `byte` (0: zeros, 0xff: -1 for signed integers).
  void fill_bytes(int byte) {
    if (n_ > 0) VSWAP_CUDA_TRY(cudaMemset(p_, byte, n_ * sizeof(T)));
  }
  T* data() const { return p_; }
  std::size_t size() const { return n_; }

 private:
  void release() noexcept {
    if (p_) {
      cudaFree(p_);
      note_buffer_bytes(-static_cast<std::ptrdiff_t>(n_ * sizeof(T)));
    }
    p_ = nullptr;
    n_ = 0;
  }
  T* p_ = nullptr;
  std::size_t n_ = 0;
};

}  // namespace vswap::cuda
