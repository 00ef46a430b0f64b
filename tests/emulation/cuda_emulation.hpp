#pragma once
/// @brief Host emulation of a CUDA device for vswap's kernel tests. NOT A GPU RUN.
///
/// What it is: the kernels of kernels/*.cu, compiled by the host C++ compiler with their
/// launches rewritten at build time (rewrite_launches.py), run on the host one thread after
/// another against this emulated device. The tests then compare them with the CPU backend
/// bit for bit (test_backends) and with theory (test_engine_*), as on a real GPU.
///
/// What it emulates (our own harness code; nothing here is copied from NVIDIA):
/// - the runtime API calls the backend makes (cuda_emulation.cpp, declared by the toolkit's
///   own cuda_runtime_api.h): one device, cudaMalloc / cudaFree / cudaMemcpy / cudaMemset
///   against a registry of allocations (ranges and copy directions checked, fresh memory
///   filled with 0xA5, not zeros), cudaMemGetInfo of an emulated capacity, sticky launch
///   errors for cudaGetLastError, cudaFuncGetAttributes (cudaErrorNoKernelImageForDevice
///   with VSWAP_EMU_NO_KERNEL_IMAGE=1: a build without code for the device); with
///   VSWAP_EMU_FOREIGN_BYTES=B, cudaMalloc fails B bytes short of what cudaMemGetInfo
///   reports free (memory another process took after the query);
/// - launches: grid and block sizes checked as CUDA checks them (an invalid configuration
///   is the launch error cudaGetLastError reports), the arguments converted to the kernel's
///   parameter types once per launch, then every thread of every block in turn
///   (blocks and warps in increasing order, or decreasing with VSWAP_EMU_ORDER=reverse;
///   lanes of a warp from 31 down to 0, see __shfl_down_sync);
/// - threadIdx, blockIdx, blockDim, gridDim, warpSize; atomicAdd / atomicMin / atomicMax /
///   atomicExch / atomicCAS (the address must lie in device memory and be aligned; an int
///   atomicAdd that overflows is reported); __shfl_down_sync with a full-warp mask (lane l
///   gets lane l + delta's value from the same call: lanes run from 31 down, so that value
///   exists; every lane must make the same sequence of shuffles, checked at the warp's end);
///   __double_as_longlong, __longlong_as_double, __dsqrt_rn (IEEE: identical on the device);
/// - cuRAND: NOT emulated. kernel_prelude.hpp includes the toolkit's own curand_kernel.h,
///   compiled as host C++ (its host branch of the Philox multiply), and then defines
///   __CUDACC__ and __CUDA_ARCH__ so that vswap's headers take their device paths
///   (streams.hpp: draws through curand_init + curand4; math.hpp: the device intrinsics);
/// - CUB's DeviceRadixSort::SortPairs and DeviceScan::ExclusiveSum (cub/device/*.cuh):
///   stable LSD radix sort and exclusive scan on the host, which check the temp-storage
///   protocol (size query, then at least that many bytes of device memory), that keys fit
///   in [begin_bit, end_bit), that buffers are device memory and do not overlap, and that
///   the scan does not overflow its output type.
///
/// Races (a build with VSWAP_KERNEL_EMULATION_SANITIZER=thread, VSWAP_EMU_HOST_THREADS > 1, 4
/// by default there):
/// the warps of a launch are dealt round-robin to that many host threads, which start
/// together at the launch and are joined at its end, with no other synchronisation between
/// them; ThreadSanitizer then reports any two GPU threads of one launch, in different host
/// threads, that touch the same byte with at least one plain (non-atomic) store: the data
/// races of the CUDA memory model, on global memory (compute-sanitizer's racecheck sees
/// shared memory only). The atomics are real atomic operations, relaxed (no ordering, as
/// CUDA's atomicAdd etc.), so a value handed from one thread to another through an atomic
/// without a fence is still a race. Lanes of one warp always run in one host thread, so a
/// race between two lanes of one warp is not seen.
///
/// What it cannot check: memory-ordering bugs beyond the races above and races inside a
/// warp; with one host thread (the default) no race at all (results that depend on the
/// order of atomics can be probed with VSWAP_EMU_ORDER=reverse), plain loads and stores
/// (only atomics and API calls are range-checked here; the emulated tests build the kernels
/// with AddressSanitizer, which catches accesses outside any allocation, but not a kernel
/// reading host memory through a host pointer, which a GPU would fault on), shared memory,
/// __syncthreads and other warp/block collectives (not provided: a kernel using them does
/// not compile here), real memory limits and out-of-memory behaviour of the card, timing and
/// performance, the device compiler (nvcc's code generation, -fmad=false, PTX/SASS), the
/// driver, the device's own cuRAND instruction path (__umulhi). Passing here is not a GPU
/// run; the GPU tests still need a device.

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <tuple>
#include <type_traits>
#include <utility>

namespace vswap::emulation {

namespace detail {
// The built-in variables of the running GPU thread (set by run_grid, in the host thread
// that runs it).
inline thread_local uint3 thread_idx, block_idx;
inline thread_local dim3 block_dim, grid_dim;
}  // namespace detail

/// Reports a fault found while a kernel runs (where: launch number, kernel block and
/// thread) on stderr and aborts: a GPU would corrupt memory, trap or hang instead.
[[noreturn]] void kernel_fault(const char* what);

/// How many host threads each launch runs on (VSWAP_EMU_HOST_THREADS).
int host_threads() noexcept;

/// Whether [p, p + bytes) lies inside one live device allocation.
bool is_device_range(const void* p, std::size_t bytes) noexcept;

namespace detail {
/// The allocation the last atomic of this host thread hit: most atomics of a kernel hit the
/// same one.
struct CachedRange {
  std::uintptr_t lo = 0, hi = 0;
};
inline thread_local CachedRange atomic_cache;
void check_atomic_slow(const void* p, std::size_t bytes);
}  // namespace detail

/// Atomics and device intrinsics: the address must be device memory, aligned to the size.
inline void check_atomic(const void* p, std::size_t bytes) {
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  if (a >= detail::atomic_cache.lo && a + bytes <= detail::atomic_cache.hi && a % bytes == 0)
    return;
  detail::check_atomic_slow(p, bytes);
}

/// A launch configuration as `<<<grid, block, shared_bytes, stream>>>` gives it.
struct LaunchConfig {
  long long grid[3] = {1, 1, 1};
  long long block[3] = {1, 1, 1};
  std::size_t shared_bytes = 0;
  cudaStream_t stream = nullptr;
};

namespace detail {
template <class T>
void dims(const T& v, long long (&out)[3]) {
  if constexpr (std::is_integral_v<T> || std::is_enum_v<T>) {
    out[0] = static_cast<long long>(v);  // a negative count is kept, and refused by run_grid()
    out[1] = out[2] = 1;
  } else {  // dim3 or uint3
    out[0] = v.x;
    out[1] = v.y;
    out[2] = v.z;
  }
}
}  // namespace detail

/// The rewritten `<<<...>>>`: config(grid, block [, shared_bytes [, stream]]).
template <class G, class B>
LaunchConfig config(const G& grid, const B& block, std::size_t shared_bytes = 0,
                    cudaStream_t stream = nullptr) {
  LaunchConfig c;
  detail::dims(grid, c.grid);
  detail::dims(block, c.block);
  c.shared_bytes = shared_bytes;
  c.stream = stream;
  return c;
}

/// Runs `thread(context)` for every thread of the launch (cuda_emulation.cpp); an invalid
/// configuration sets the launch error cudaGetLastError returns and runs nothing.
void run_grid(const LaunchConfig& c, void (*thread)(void*), void* context);

/// The rewritten `kernel<<<c>>>(args...)`: the arguments are converted to the kernel's
/// parameter types once, as the launch copies them; every thread gets its own copy.
template <class... P, class... A>
void launch(const LaunchConfig& c, void (*kernel)(P...), A&&... args) {
  static_assert(sizeof...(P) == sizeof...(A), "kernel launched with the wrong number of arguments");
  struct Context {
    void (*kernel)(P...);
    std::tuple<std::decay_t<P>...> params;
  } context{kernel, std::tuple<std::decay_t<P>...>(std::forward<A>(args)...)};
  run_grid(
      c,
      [](void* p) {
        auto* k = static_cast<Context*>(p);
        std::apply(k->kernel, k->params);
      },
      &context);
}

/// __shfl_down_sync on the raw bits of a 4- or 8-byte value (cuda_emulation.cpp).
std::uint64_t shuffle_down(unsigned mask, std::uint64_t bits, unsigned delta, int width,
                           unsigned size);

namespace detail {
// Real atomic read-modify-writes, relaxed as CUDA's: with several host threads (race
// checks) they are atomic for ThreadSanitizer too, and order nothing else.
template <class T>
T atomic_load(const T* address) {
  return __atomic_load_n(address, __ATOMIC_RELAXED);
}
template <class T>
bool atomic_replace(T* address, T& expected, T desired) {
  return __atomic_compare_exchange_n(address, &expected, desired, false, __ATOMIC_RELAXED,
                                     __ATOMIC_RELAXED);
}
template <class T>
T atomic_add(T* address, T val) {
  check_atomic(address, sizeof *address);
  return __atomic_fetch_add(address, val, __ATOMIC_RELAXED);
}
template <class T>
T atomic_min(T* address, T val) {
  check_atomic(address, sizeof *address);
  T old = atomic_load(address);
  while (val < old && !atomic_replace(address, old, val)) {
  }
  return old;
}
template <class T>
T atomic_max(T* address, T val) {
  check_atomic(address, sizeof *address);
  T old = atomic_load(address);
  while (val > old && !atomic_replace(address, old, val)) {
  }
  return old;
}
template <class T>
T atomic_exch(T* address, T val) {
  check_atomic(address, sizeof *address);
  return __atomic_exchange_n(address, val, __ATOMIC_RELAXED);
}
template <class T>
T atomic_cas(T* address, T compare, T val) {
  check_atomic(address, sizeof *address);
  atomic_replace(address, compare, val);  // on failure, compare holds the value found
  return compare;
}
}  // namespace detail

}  // namespace vswap::emulation

// --- built-in variables: read-only in a kernel, as on the device ------------------------
// Macros, because curand_kernel.h declares `extern const uint3 threadIdx` (and blockDim)
// for its host build: include it before this header (kernel_prelude.hpp does).
// Functions, not references bound once: the variables are per host thread.
namespace vswap::emulation::detail {
inline const uint3& thread_idx_view() {
  return thread_idx;
}
inline const uint3& block_idx_view() {
  return block_idx;
}
inline const dim3& block_dim_view() {
  return block_dim;
}
inline const dim3& grid_dim_view() {
  return grid_dim;
}
}  // namespace vswap::emulation::detail
#define threadIdx (::vswap::emulation::detail::thread_idx_view())
#define blockIdx (::vswap::emulation::detail::block_idx_view())
#define blockDim (::vswap::emulation::detail::block_dim_view())
#define gridDim (::vswap::emulation::detail::grid_dim_view())
inline constexpr int warpSize = 32;

// --- device functions ------------------------------------------------------------------
template <class T>
T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = warpSize) {
  static_assert(std::is_trivially_copyable_v<T> && (sizeof(T) == 4 || sizeof(T) == 8),
                "the emulation shuffles 4- and 8-byte values");
  std::uint64_t bits = 0;
  std::memcpy(&bits, &var, sizeof(T));
  bits = ::vswap::emulation::shuffle_down(mask, bits, delta, width, sizeof(T));
  T out;
  std::memcpy(&out, &bits, sizeof(T));
  return out;
}

inline int atomicAdd(int* address, int val) {
  // Added as unsigned (wraps, as the GPU does), then the overflow is reported.
  const int old = static_cast<int>(::vswap::emulation::detail::atomic_add(
      reinterpret_cast<unsigned*>(address), static_cast<unsigned>(val)));
  if ((val > 0 && old > std::numeric_limits<int>::max() - val) ||
      (val < 0 && old < std::numeric_limits<int>::min() - val))
    ::vswap::emulation::kernel_fault("atomicAdd on int overflows (the GPU would wrap around)");
  return old;
}
inline unsigned atomicAdd(unsigned* address, unsigned val) {
  return ::vswap::emulation::detail::atomic_add(address, val);
}
inline unsigned long long atomicAdd(unsigned long long* address, unsigned long long val) {
  // modular, as on the device (signed sums travel as two's complement)
  return ::vswap::emulation::detail::atomic_add(address, val);
}
inline double atomicAdd(double* address, double val) {
  ::vswap::emulation::check_atomic(address, sizeof *address);
  auto* bits = reinterpret_cast<unsigned long long*>(address);
  unsigned long long old = ::vswap::emulation::detail::atomic_load(bits);
  while (!::vswap::emulation::detail::atomic_replace(
      bits, old, __builtin_bit_cast(unsigned long long, __builtin_bit_cast(double, old) + val))) {
  }
  return __builtin_bit_cast(double, old);
}
inline int atomicMin(int* a, int v) {
  return ::vswap::emulation::detail::atomic_min(a, v);
}
inline unsigned atomicMin(unsigned* a, unsigned v) {
  return ::vswap::emulation::detail::atomic_min(a, v);
}
inline long long atomicMin(long long* a, long long v) {
  return ::vswap::emulation::detail::atomic_min(a, v);
}
inline unsigned long long atomicMin(unsigned long long* a, unsigned long long v) {
  return ::vswap::emulation::detail::atomic_min(a, v);
}
inline int atomicMax(int* a, int v) {
  return ::vswap::emulation::detail::atomic_max(a, v);
}
inline unsigned atomicMax(unsigned* a, unsigned v) {
  return ::vswap::emulation::detail::atomic_max(a, v);
}
inline long long atomicMax(long long* a, long long v) {
  return ::vswap::emulation::detail::atomic_max(a, v);
}
inline unsigned long long atomicMax(unsigned long long* a, unsigned long long v) {
  return ::vswap::emulation::detail::atomic_max(a, v);
}
inline unsigned atomicOr(unsigned* a, unsigned v) {
  ::vswap::emulation::check_atomic(a, sizeof *a);
  return __atomic_fetch_or(a, v, __ATOMIC_RELAXED);
}
inline int atomicExch(int* a, int v) {
  return ::vswap::emulation::detail::atomic_exch(a, v);
}
inline unsigned atomicExch(unsigned* a, unsigned v) {
  return ::vswap::emulation::detail::atomic_exch(a, v);
}
inline unsigned long long atomicExch(unsigned long long* a, unsigned long long v) {
  return ::vswap::emulation::detail::atomic_exch(a, v);
}
inline int atomicCAS(int* a, int c, int v) {
  return ::vswap::emulation::detail::atomic_cas(a, c, v);
}
inline unsigned atomicCAS(unsigned* a, unsigned c, unsigned v) {
  return ::vswap::emulation::detail::atomic_cas(a, c, v);
}
inline unsigned long long atomicCAS(unsigned long long* a, unsigned long long c,
                                    unsigned long long v) {
  return ::vswap::emulation::detail::atomic_cas(a, c, v);
}

inline long long __double_as_longlong(double x) {
  long long u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}
inline double __longlong_as_double(long long u) {
  double x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}
inline int __ffs(int x) {
  return __builtin_ffs(x);
}  // 1 + the index of the lowest set bit, 0 for 0, as on the device
inline double __dsqrt_rn(double x) {
  return __builtin_sqrt(x);
}  // IEEE, correctly rounded
