// The emulated device behind cuda_emulation.hpp (read its header comment: what this
// emulates and what it cannot check; this is not a GPU run). It defines the CUDA runtime
// API functions the backend calls, with the signatures of the toolkit's
// cuda_runtime_api.h; a kernel source that calls one more fails to link here, naming it.
//
// Environment:
//   VSWAP_EMU_SM_COUNT      multiprocessors reported (default 2: the backends' grid-stride
//                           loops then take several turns at the tests' sizes)
//   VSWAP_EMU_DEVICE_BYTES  device memory (default 80 GiB, an H100); cudaMalloc beyond it
//                           fails with cudaErrorMemoryAllocation
//   VSWAP_EMU_ORDER         forward (default) or reverse: the order of blocks and of the
//                           warps in a block (lanes of a warp always run 31 down to 0)
//   VSWAP_EMU_HOST_THREADS  host threads a launch runs on (default 1: one after another in
//                           the calling thread; 4 in the ThreadSanitizer build). With k > 1 the
//                           warps of a launch are dealt round-robin (warp w of the launch to thread
//                           w mod k), the k threads start at the launch and are joined at its end:
//                           under ThreadSanitizer (VSWAP_KERNEL_EMULATION_SANITIZER=thread) every
//                           plain access two GPU threads of a launch make to one byte, one
//                           of them a store, in different host threads, is a data race
#include "cuda_emulation.hpp"
#include "device_memory.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vswap::emulation {
namespace {

constexpr unsigned char kFreshByte = 0xA5;  // device memory is not zeroed

long long env_integer(const char* name, long long fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  const long long x = std::strtoll(v, &end, 10);
  if (*end != '\0' || x <= 0) {
    std::fprintf(stderr, "vswap kernel emulation: %s=%s is not a positive integer\n", name, v);
    std::abort();
  }
  return x;
}

struct Device {
  std::mutex mutex;
  std::map<std::uintptr_t, std::size_t> allocations;  // start -> bytes
  std::size_t allocated = 0;
  std::size_t peak = 0;  // the most of `allocated` since the last reset_device_bytes_peak
  std::size_t capacity =
      static_cast<std::size_t>(env_integer("VSWAP_EMU_DEVICE_BYTES", 80ll << 30));
  int sm_count = static_cast<int>(env_integer("VSWAP_EMU_SM_COUNT", 2));
  bool reverse = [] {
    const char* v = std::getenv("VSWAP_EMU_ORDER");
    if (v == nullptr || *v == '\0' || std::strcmp(v, "forward") == 0) return false;
    if (std::strcmp(v, "reverse") == 0) return true;
    std::fprintf(stderr, "vswap kernel emulation: VSWAP_EMU_ORDER=%s (forward or reverse)\n", v);
    std::abort();
  }();
#ifndef VSWAP_EMU_DEFAULT_HOST_THREADS
#define VSWAP_EMU_DEFAULT_HOST_THREADS 1
#endif
  int host_threads =
      static_cast<int>(env_integer("VSWAP_EMU_HOST_THREADS", VSWAP_EMU_DEFAULT_HOST_THREADS));
  cudaError_t last_error = cudaSuccess;  // sticky until cudaGetLastError
  long long launches = 0;
  /// The allocations as they are during the running launch (sorted by start), read by
  /// every host thread of the launch without a lock: a lock would order the GPU threads
  /// for ThreadSanitizer and hide their races. Kernels cannot allocate.
  std::vector<std::pair<std::uintptr_t, std::size_t>> launch_allocations;
};

Device& device() {
  static Device d;
  return d;
}

/// The allocation holding [p, p + bytes), or allocations.end(). Caller holds the mutex.
std::map<std::uintptr_t, std::size_t>::const_iterator find_allocation(const Device& d,
                                                                      const void* p,
                                                                      std::size_t bytes) {
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  auto it = d.allocations.upper_bound(a);
  if (it == d.allocations.begin()) return d.allocations.end();
  --it;
  if (a + bytes < a || a + bytes > it->first + it->second) return d.allocations.end();
  return it;
}

bool holds_device_memory(const Device& d, const void* p) {
  return find_allocation(d, p, 1) != d.allocations.end();
}

cudaError_t api_error(cudaError_t e, const std::string& what) {
  std::fprintf(stderr, "vswap kernel emulation: %s\n", what.c_str());
  return e;
}

std::string describe(const void* p, std::size_t bytes) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "[%p, +%zu bytes)", p, bytes);
  return buf;
}

// --- the running thread -----------------------------------------------------------------
struct ShuffleCall {
  unsigned mask, delta;
  int width;
  unsigned size;
  std::uint64_t bits;
  bool same_as(const ShuffleCall& o) const {
    return mask == o.mask && delta == o.delta && width == o.width && size == o.size;
  }
};
struct Warp {
  int lanes = 0;                       ///< threads in this warp (32 unless the block ends)
  int lane = 0;                        ///< the running one
  std::vector<ShuffleCall> calls[32];  ///< each lane's shuffles, in order
};
thread_local Warp* running_warp = nullptr;
long long running_launch = 0;  // written before a launch's host threads start

/// threadIdx of the t-th thread of a block of bx x by x ...
void set_thread_idx(long long t, long long bx, long long by) {
  detail::thread_idx = uint3{static_cast<unsigned>(t % bx), static_cast<unsigned>(t / bx % by),
                             static_cast<unsigned>(t / (bx * by))};
}

}  // namespace

void kernel_fault(const char* what) {
  const uint3 t = detail::thread_idx, b = detail::block_idx;
  std::fprintf(stderr,
               "vswap kernel emulation: %s\n  in kernel launch #%lld, block (%u, %u, %u), thread "
               "(%u, %u, %u)\n",
               what, running_launch, b.x, b.y, b.z, t.x, t.y, t.z);
  std::abort();
}

int host_threads() noexcept {
  return device().host_threads;
}

std::size_t device_bytes_peak() noexcept {
  Device& d = device();
  std::lock_guard<std::mutex> lock(d.mutex);
  return d.peak;
}

void reset_device_bytes_peak() noexcept {
  Device& d = device();
  std::lock_guard<std::mutex> lock(d.mutex);
  d.peak = d.allocated;
}

bool is_device_range(const void* p, std::size_t bytes) noexcept {
  Device& d = device();
  std::lock_guard<std::mutex> lock(d.mutex);
  return find_allocation(d, p, bytes) != d.allocations.end();
}

namespace detail {
void check_atomic_slow(const void* p, std::size_t bytes) {
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  if (a % bytes != 0) kernel_fault("misaligned atomic");
  if (running_warp == nullptr) kernel_fault("atomic outside a kernel");
  const auto& ranges = device().launch_allocations;  // fixed while the launch runs
  auto it = std::upper_bound(ranges.begin(), ranges.end(), a,
                             [](std::uintptr_t x, const auto& r) { return x < r.first; });
  if (it == ranges.begin()) kernel_fault("atomic on an address outside device memory");
  --it;
  if (a + bytes < a || a + bytes > it->first + it->second)
    kernel_fault("atomic on an address outside device memory");
  atomic_cache = CachedRange{it->first, it->first + it->second};
}
}  // namespace detail

void run_grid(const LaunchConfig& c, void (*thread)(void*), void* context) {
  Device& d = device();
  static std::mutex one_launch_at_a_time;  // the default stream runs one kernel at a time
  std::lock_guard<std::mutex> lock(one_launch_at_a_time);
  const long long gx = c.grid[0], gy = c.grid[1], gz = c.grid[2];
  const long long bx = c.block[0], by = c.block[1], bz = c.block[2];
  // The limits of every CUDA device since compute capability 3.0.
  const bool valid = gx >= 1 && gx <= 2147483647ll && gy >= 1 && gy <= 65535 && gz >= 1 &&
                     gz <= 65535 && bx >= 1 && bx <= 1024 && by >= 1 && by <= 1024 && bz >= 1 &&
                     bz <= 64 && bx * by * bz <= 1024;
  if (!valid) {
    std::fprintf(
        stderr,
        "vswap kernel emulation: invalid launch <<<(%lld, %lld, %lld), (%lld, %lld, %lld)>>>\n", gx,
        gy, gz, bx, by, bz);
    d.last_error = cudaErrorInvalidConfiguration;
    return;
  }
  if (c.shared_bytes != 0) {
    std::fprintf(stderr, "vswap kernel emulation: dynamic shared memory is not emulated\n");
    d.last_error = cudaErrorNotSupported;
    return;
  }
  running_launch = ++d.launches;
  {
    std::lock_guard<std::mutex> hold(d.mutex);
    d.launch_allocations.assign(d.allocations.begin(), d.allocations.end());
  }
  const dim3 grid(static_cast<unsigned>(gx), static_cast<unsigned>(gy), static_cast<unsigned>(gz));
  const dim3 block(static_cast<unsigned>(bx), static_cast<unsigned>(by), static_cast<unsigned>(bz));
  const long long blocks = gx * gy * gz, threads = bx * by * bz, warps = (threads + 31) / 32;
  const long long units = blocks * warps;  // (block, warp) pairs, in launch order
  // Runs units first, first + stride, ... of the launch (in reverse with VSWAP_EMU_ORDER).
  auto run_units = [&](long long first, long long stride) {
    detail::grid_dim = grid;
    detail::block_dim = block;
    Warp warp;
    running_warp = &warp;
    for (long long ui = first; ui < units; ui += stride) {
      const long long u = d.reverse ? units - 1 - ui : ui;
      const long long b = u / warps, w = u % warps;
      detail::block_idx = uint3{static_cast<unsigned>(b % gx), static_cast<unsigned>(b / gx % gy),
                                static_cast<unsigned>(b / (gx * gy))};
      warp.lanes = static_cast<int>(std::min<long long>(32, threads - 32 * w));
      for (auto& calls : warp.calls) calls.clear();
      // Lanes from the highest down: a lane's __shfl_down_sync reads a higher lane's value,
      // which that lane has given already.
      for (int lane = warp.lanes - 1; lane >= 0; --lane) {
        warp.lane = lane;
        set_thread_idx(32 * w + lane, bx, by);
        thread(context);
      }
      for (int lane = 1; lane < warp.lanes; ++lane) {
        bool same = warp.calls[lane].size() == warp.calls[0].size();
        for (std::size_t k = 0; same && k < warp.calls[0].size(); ++k)
          same = warp.calls[lane][k].same_as(warp.calls[0][k]);
        if (!same) {
          set_thread_idx(32 * w + lane, bx, by);
          kernel_fault(
              "the lanes of a warp made different __shfl_down_sync calls (a full-warp mask "
              "requires every lane to make the same ones)");
        }
      }
    }
    running_warp = nullptr;
  };
  const long long k = std::min<long long>(d.host_threads, units);
  if (k <= 1) {
    run_units(0, 1);
  } else {
    // Started here and joined below: ordered with the host code around the launch, and
    // not with each other.
    std::vector<std::thread> pool;
    pool.reserve(static_cast<std::size_t>(k));
    for (long long h = 0; h < k; ++h) pool.emplace_back(run_units, h, k);
    for (auto& t : pool) t.join();
  }
  d.launch_allocations.clear();
}

std::uint64_t shuffle_down(unsigned mask, std::uint64_t bits, unsigned delta, int width,
                           unsigned size) {
  if (running_warp == nullptr) kernel_fault("__shfl_down_sync outside a kernel");
  Warp& w = *running_warp;
  if (mask != 0xffffffffu)
    kernel_fault("only full-warp __shfl_down_sync (mask 0xffffffff) is emulated");
  if (w.lanes != 32) kernel_fault("full-warp __shfl_down_sync in a warp of fewer than 32 threads");
  if (width < 1 || width > 32 || (width & (width - 1)) != 0)
    kernel_fault("__shfl_down_sync width not a power of 2 <= 32");
  const int lane = w.lane;
  const ShuffleCall mine{mask, delta, width, size, bits};
  const std::size_t k = w.calls[lane].size();
  w.calls[lane].push_back(mine);
  const long long source = static_cast<long long>(lane) + delta;
  if (source >= (lane & ~(width - 1)) + width) return bits;  // beyond the segment: own value
  const auto& theirs = w.calls[source];
  if (theirs.size() <= k || !theirs[k].same_as(mine))
    kernel_fault("__shfl_down_sync reads a lane that did not make the same call (divergent warp)");
  return theirs[k].bits;
}

}  // namespace vswap::emulation

// The sanitizers' settings in every emulated test binary (read only when the kernels are
// built with them; the environment may add more): only the kernels are instrumented, so
// std::vector's container annotations would report false overflows; leak checks need
// ptrace, which CI containers may refuse.
extern "C" const char* __asan_default_options() {
  return "detect_leaks=0:detect_container_overflow=0";
}
// A data race ends the run (exit code 66): the case fails.
extern "C" const char* __tsan_default_options() {
  return "halt_on_error=1:second_deadlock_stack=1";
}
extern "C" const char* __ubsan_default_options() {
  return "print_stacktrace=1";
}

// --- the CUDA runtime API, as declared by cuda_runtime_api.h ------------------------------
using vswap::emulation::api_error;
using vswap::emulation::describe;
using vswap::emulation::device;
using vswap::emulation::Device;

cudaError_t cudaGetDeviceCount(int* count) {
  *count = 1;
  return cudaSuccess;
}

cudaError_t cudaSetDevice(int dev) {
  return dev == 0 ? cudaSuccess
                  : api_error(cudaErrorInvalidDevice, "cudaSetDevice(" + std::to_string(dev) + ")");
}

// A build without code for the device, on demand (VSWAP_EMU_NO_KERNEL_IMAGE=1, read at
// each call): what a GPU answers when none of the build's architectures is its own.
cudaError_t cudaFuncGetAttributes(cudaFuncAttributes* attr, const void* func) {
  if (func == nullptr) return api_error(cudaErrorInvalidDeviceFunction, "cudaFuncGetAttributes(nullptr)");
  const char* v = std::getenv("VSWAP_EMU_NO_KERNEL_IMAGE");
  if (v != nullptr && std::strcmp(v, "1") == 0) return cudaErrorNoKernelImageForDevice;
  std::memset(attr, 0, sizeof *attr);
  attr->maxThreadsPerBlock = 1024;
  attr->binaryVersion = attr->ptxVersion = 90;
  return cudaSuccess;
}

cudaError_t cudaDriverGetVersion(int* version) {
  *version = CUDART_VERSION;
  return cudaSuccess;
}

cudaError_t cudaRuntimeGetVersion(int* version) {
  *version = CUDART_VERSION;
  return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int dev) {
  if (dev != 0)
    return api_error(cudaErrorInvalidDevice,
                     "cudaGetDeviceProperties on device " + std::to_string(dev));
  Device& d = device();
  std::memset(prop, 0, sizeof *prop);
  std::snprintf(prop->name, sizeof prop->name,
                "vswap kernel emulation (host, sequential; not a GPU)");
  prop->totalGlobalMem = d.capacity;
  prop->warpSize = 32;
  prop->maxThreadsPerBlock = 1024;
  prop->maxThreadsDim[0] = prop->maxThreadsDim[1] = 1024;
  prop->maxThreadsDim[2] = 64;
  prop->maxGridSize[0] = 2147483647;
  prop->maxGridSize[1] = prop->maxGridSize[2] = 65535;
  prop->major = 9;
  prop->minor = 0;
  prop->multiProcessorCount = d.sm_count;
  return cudaSuccess;
}

cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int dev) {
  if (dev != 0)
    return api_error(cudaErrorInvalidDevice,
                     "cudaDeviceGetAttribute on device " + std::to_string(dev));
  switch (attr) {
    case cudaDevAttrMultiProcessorCount:
      *value = device().sm_count;
      return cudaSuccess;
    case cudaDevAttrWarpSize:
      *value = 32;
      return cudaSuccess;
    case cudaDevAttrMaxThreadsPerBlock:
      *value = 1024;
      return cudaSuccess;
    default:
      return api_error(cudaErrorNotSupported, "cudaDeviceGetAttribute: attribute " +
                                                  std::to_string(static_cast<int>(attr)) +
                                                  " is not emulated");
  }
}

cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes) {
  Device& d = device();
  std::lock_guard<std::mutex> lock(d.mutex);
  *total_bytes = d.capacity;
  *free_bytes = d.capacity - d.allocated;
  return cudaSuccess;
}

cudaError_t cudaMalloc(void** dev_ptr, size_t size) {
  Device& d = device();
  std::lock_guard<std::mutex> lock(d.mutex);
  *dev_ptr = nullptr;
  if (size == 0) return cudaSuccess;
  // VSWAP_EMU_FOREIGN_BYTES (read at each call): memory another process took after the
  // run's cudaMemGetInfo, which that query did not see
  const auto foreign = static_cast<std::size_t>(vswap::emulation::env_integer("VSWAP_EMU_FOREIGN_BYTES", 0));
  if (size > d.capacity - d.allocated || size + foreign > d.capacity - d.allocated)
    return api_error(cudaErrorMemoryAllocation,
                     "cudaMalloc(" + std::to_string(size) + "): " + std::to_string(d.capacity - d.allocated) +
                         " bytes free" +
                         (foreign > 0 ? ", " + std::to_string(foreign) + " of them taken by another process" : ""));
  void* p = std::malloc(size);
  if (p == nullptr) return api_error(cudaErrorMemoryAllocation, "cudaMalloc: host malloc failed");
  std::memset(p, vswap::emulation::kFreshByte, size);
  d.allocations[reinterpret_cast<std::uintptr_t>(p)] = size;
  d.allocated += size;
  d.peak = std::max(d.peak, d.allocated);
  *dev_ptr = p;
  return cudaSuccess;
}

cudaError_t cudaFree(void* dev_ptr) {
  if (dev_ptr == nullptr) return cudaSuccess;
  Device& d = device();
  std::lock_guard<std::mutex> lock(d.mutex);
  const auto it = d.allocations.find(reinterpret_cast<std::uintptr_t>(dev_ptr));
  if (it == d.allocations.end())
    return api_error(cudaErrorInvalidValue, "cudaFree of a pointer cudaMalloc did not return");
  std::memset(dev_ptr, vswap::emulation::kFreshByte, it->second);
  d.allocated -= it->second;
  d.allocations.erase(it);
  vswap::emulation::detail::atomic_cache = {};
  std::free(dev_ptr);
  return cudaSuccess;
}

cudaError_t cudaMemcpy(void* dst, const void* src, size_t count, cudaMemcpyKind kind) {
  if (count == 0) return cudaSuccess;
  Device& d = device();
  std::lock_guard<std::mutex> lock(d.mutex);
  const bool dst_dev = vswap::emulation::find_allocation(d, dst, count) != d.allocations.end();
  const bool src_dev = vswap::emulation::find_allocation(d, src, count) != d.allocations.end();
  // A host pointer must not point into device memory (it would on a GPU only by accident).
  const bool dst_host = !vswap::emulation::holds_device_memory(d, dst);
  const bool src_host = !vswap::emulation::holds_device_memory(d, src);
  bool ok = false;
  switch (kind) {
    case cudaMemcpyHostToDevice:
      ok = dst_dev && src_host;
      break;
    case cudaMemcpyDeviceToHost:
      ok = src_dev && dst_host;
      break;
    case cudaMemcpyDeviceToDevice:
      ok = src_dev && dst_dev;
      break;
    case cudaMemcpyHostToHost:
      ok = src_host && dst_host;
      break;
    case cudaMemcpyDefault:
      ok = (src_dev || src_host) && (dst_dev || dst_host);
      break;
  }
  if (!ok)
    return api_error(cudaErrorInvalidValue,
                     "cudaMemcpy kind " + std::to_string(static_cast<int>(kind)) + " from " +
                         describe(src, count) + (src_dev ? " (device)" : "") + " to " +
                         describe(dst, count) + (dst_dev ? " (device)" : "") +
                         ": a range outside its allocation, or the wrong direction");
  std::memcpy(dst, src, count);
  return cudaSuccess;
}

cudaError_t cudaMemset(void* dev_ptr, int value, size_t count) {
  if (count == 0) return cudaSuccess;
  Device& d = device();
  std::lock_guard<std::mutex> lock(d.mutex);
  if (vswap::emulation::find_allocation(d, dev_ptr, count) == d.allocations.end())
    return api_error(cudaErrorInvalidValue,
                     "cudaMemset of " + describe(dev_ptr, count) + ": not inside one allocation");
  std::memset(dev_ptr, value, count);
  return cudaSuccess;
}

cudaError_t cudaMemsetAsync(void* dev_ptr, int value, size_t count, cudaStream_t) {
  return cudaMemset(dev_ptr, value, count);
}

cudaError_t cudaDeviceSynchronize() {
  return cudaSuccess;
}

cudaError_t cudaGetLastError() {
  Device& d = device();
  const cudaError_t e = d.last_error;
  d.last_error = cudaSuccess;
  return e;
}

cudaError_t cudaPeekAtLastError() {
  return device().last_error;
}

const char* cudaGetErrorName(cudaError_t error) {
  switch (error) {
    case cudaSuccess:
      return "cudaSuccess";
    case cudaErrorInvalidValue:
      return "cudaErrorInvalidValue";
    case cudaErrorMemoryAllocation:
      return "cudaErrorMemoryAllocation";
    case cudaErrorInvalidConfiguration:
      return "cudaErrorInvalidConfiguration";
    case cudaErrorInvalidDevice:
      return "cudaErrorInvalidDevice";
    case cudaErrorNoDevice:
      return "cudaErrorNoDevice";
    case cudaErrorNotSupported:
      return "cudaErrorNotSupported";
    default:
      return "cudaError (not produced by the emulation)";
  }
}

const char* cudaGetErrorString(cudaError_t error) {
  switch (error) {
    case cudaSuccess:
      return "no error";
    case cudaErrorInvalidValue:
      return "invalid argument (emulated device)";
    case cudaErrorMemoryAllocation:
      return "out of memory (emulated device)";
    case cudaErrorInvalidConfiguration:
      return "invalid configuration argument (emulated device)";
    case cudaErrorInvalidDevice:
      return "invalid device ordinal (emulated device)";
    case cudaErrorNoDevice:
      return "no CUDA-capable device is detected (emulated device)";
    case cudaErrorNotSupported:
      return "operation not supported by the emulation";
    default:
      return "unknown error (emulated device)";
  }
}
