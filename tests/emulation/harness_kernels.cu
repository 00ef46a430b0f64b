// Kernels for the emulation's own test (test_emulation_harness.cpp): compiled like
// kernels/*.cu, launches rewritten by rewrite_launches.py, with the prelude. Not vswap code.
#include <cuda_runtime.h>

#include <cstdlib>
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_scan.cuh>

#include "harness_kernels.cuh"

namespace vswap::emulation::harness {
namespace {

template <class T>
T* device_array(std::size_t n) {
  void* p = nullptr;
  if (cudaMalloc(&p, n * sizeof(T)) != cudaSuccess) std::abort();
  return static_cast<T*>(p);
}

__device__ void add_counter(unsigned long long* c, unsigned long long x) {
  for (int o = 16; o > 0; o >>= 1) x += __shfl_down_sync(0xffffffffu, x, o);
  if ((threadIdx.x & 31u) == 0 && x != 0) atomicAdd(c, x);
}

__global__ void sum_kernel(long long n, unsigned long long* total) {
  unsigned long long s = 0;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<long long>(gridDim.x) * blockDim.x)
    s += static_cast<unsigned long long>(i);
  add_counter(total, s);
}

__global__ void divergent_kernel(unsigned long long* total) {
  if ((threadIdx.x & 31u) == 0) return;
  add_counter(total, 1);
}

__global__ void atomic_kernel(int* p, int v) {
  atomicAdd(p, v);
}

__global__ void store_kernel(int* p, int n) {
  p[n] = 1;
}

__global__ void racing_kernel(int* p) {
  *p = static_cast<int>(threadIdx.x);  // every thread stores to one word, unordered
}

__global__ void flag_kernel(int* ran) {
  *ran = 1;
}

}  // namespace

unsigned long long warp_sum(long long n, int blocks, int threads) {
  auto* total = device_array<unsigned long long>(1);
  cudaMemset(total, 0, sizeof *total);
  sum_kernel<<<blocks, threads>>>(n, total);
  unsigned long long h = 0;
  cudaMemcpy(&h, total, sizeof h, cudaMemcpyDeviceToHost);
  cudaFree(total);
  return h;
}

void divergent_shuffle() {
  auto* total = device_array<unsigned long long>(1);
  divergent_kernel<<<1, 64>>>(total);
}

void atomic_on_host_memory() {
  static int host = 0;
  atomic_kernel<<<1, 1>>>(&host, 1);
}

void int_atomic_overflow() {
  int* p = device_array<int>(1);
  const int big = 2147483647;
  cudaMemcpy(p, &big, sizeof big, cudaMemcpyHostToDevice);
  atomic_kernel<<<1, 1>>>(p, 1);
}

void store_past_the_end() {
  int* p = device_array<int>(10);
  store_kernel<<<1, 1>>>(p, 10);
  cudaFree(p);
}

void racing_stores() {
  int* p = device_array<int>(1);
  racing_kernel<<<1, 64>>>(p);  // two warps
  cudaFree(p);
}

bool kernels_race_checked() {
#if defined(__SANITIZE_THREAD__)
  return host_threads() > 1;
#else
  return false;
#endif
}

bool kernels_sanitized() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#else
  return false;
#endif
}

int launch_error(long long blocks, int threads, bool& ran) {
  int* flag = device_array<int>(1);
  cudaMemset(flag, 0, sizeof(int));
  flag_kernel<<<blocks, threads>>>(flag);
  const cudaError_t e = cudaGetLastError();
  int h = 0;
  cudaMemcpy(&h, flag, sizeof h, cudaMemcpyDeviceToHost);
  cudaFree(flag);
  ran = h != 0;
  return static_cast<int>(e);
}

unsigned char fresh_byte() {
  auto* p = device_array<unsigned char>(16);
  unsigned char h = 0;
  cudaMemcpy(&h, p + 7, 1, cudaMemcpyDeviceToHost);
  cudaFree(p);
  return h;
}

int wrong_direction_copy() {
  int* p = device_array<int>(4);
  int h[4] = {};
  const cudaError_t e = cudaMemcpy(h, p, sizeof h, cudaMemcpyHostToDevice);
  cudaFree(p);
  return static_cast<int>(e);
}

std::vector<std::int32_t> sort_pairs(const std::vector<std::uint32_t>& keys, int key_bits) {
  const std::size_t n = keys.size();
  auto* kin = device_array<std::uint32_t>(n);
  auto* kout = device_array<std::uint32_t>(n);
  auto* vin = device_array<std::int32_t>(n);
  auto* vout = device_array<std::int32_t>(n);
  std::vector<std::int32_t> values(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = static_cast<std::int32_t>(i);
  cudaMemcpy(kin, keys.data(), n * sizeof(std::uint32_t), cudaMemcpyHostToDevice);
  cudaMemcpy(vin, values.data(), n * sizeof(std::int32_t), cudaMemcpyHostToDevice);
  std::size_t bytes = 0;
  cub::DeviceRadixSort::SortPairs(nullptr, bytes, kin, kout, vin, vout, static_cast<int>(n), 0,
                                  key_bits);
  void* temp = device_array<unsigned char>(bytes);
  cub::DeviceRadixSort::SortPairs(temp, bytes, kin, kout, vin, vout, static_cast<int>(n), 0,
                                  key_bits);
  cudaMemcpy(values.data(), vout, n * sizeof(std::int32_t), cudaMemcpyDeviceToHost);
  for (void* p : {static_cast<void*>(kin), static_cast<void*>(kout), static_cast<void*>(vin),
                  static_cast<void*>(vout), temp})
    cudaFree(p);
  return values;
}

void sort_with_too_little_temp_storage() {
  auto* k = device_array<std::uint32_t>(8);
  auto* v = device_array<std::int32_t>(8);
  std::size_t bytes = 0;
  cub::DeviceRadixSort::SortPairs(nullptr, bytes, k, k + 4, v, v + 4, 4);
  void* temp = device_array<unsigned char>(bytes);
  cudaMemset(k, 0, 8 * sizeof(std::uint32_t));
  --bytes;
  cub::DeviceRadixSort::SortPairs(temp, bytes, k, k + 4, v, v + 4, 4);
}

std::vector<std::int32_t> exclusive_sum(const std::vector<std::int32_t>& in, bool in_place) {
  const std::size_t n = in.size();
  auto* a = device_array<std::int32_t>(n);
  auto* b = in_place ? a : device_array<std::int32_t>(n);
  cudaMemcpy(a, in.data(), n * sizeof(std::int32_t), cudaMemcpyHostToDevice);
  std::size_t bytes = 0;
  cub::DeviceScan::ExclusiveSum(nullptr, bytes, a, b, static_cast<int>(n));
  void* temp = device_array<unsigned char>(bytes);
  cub::DeviceScan::ExclusiveSum(temp, bytes, a, b, static_cast<int>(n));
  std::vector<std::int32_t> out(n);
  cudaMemcpy(out.data(), b, n * sizeof(std::int32_t), cudaMemcpyDeviceToHost);
  cudaFree(temp);
  if (!in_place) cudaFree(b);
  cudaFree(a);
  return out;
}

}  // namespace vswap::emulation::harness
