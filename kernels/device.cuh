#pragma once
/// @brief Thin host-callable queries of the CUDA runtime (no CUDA types leak out).

#include <cstddef>
#include <string>

namespace vswap::cuda {

struct DeviceInfo {
  int index = -1;
  std::string name;
  std::size_t total_bytes = 0;
  std::size_t free_bytes = 0;
  int compute_major = 0;
  int compute_minor = 0;
  int multiprocessors = 0;
};

/// Number of usable CUDA devices; 0 when there is no driver or no device (never throws).
int device_count() noexcept;

/// Why no device can be used ("" when one can): "no CUDA device found" when there is no
/// device or no driver; otherwise what is wrong, e.g. a driver older than this build's
/// CUDA runtime (the GPU is there but unusable: say so instead of falling back silently).
std::string device_problem();

/// Why device `index` cannot run this build's kernels ("" when it can): its context cannot
/// be created (e.g. exclusive-process mode, held by another process), or this build has no
/// code for its architecture. Clears the error it meets.
std::string device_unusable(int index);

/// The most device bytes DeviceBuffers held at once since the last reset (every device
/// array of the backend is one, CUB's scratch included): what a run really allocates, for
/// the tests of memory_need. Process-wide; thread-safe.
std::size_t buffer_bytes_peak() noexcept;

/// Restarts buffer_bytes_peak() from what DeviceBuffers hold now.
void reset_buffer_bytes_peak() noexcept;

/// DeviceBuffer's cudaMalloc of `bytes` failed with `error` (a cudaError_t): throws
/// vswap::ResourceError with the size and the memory free now (the run sized its batches by
/// the free memory it measured: another process took some since), or std::runtime_error for
/// an error other than out of memory.
[[noreturn]] void allocation_failed(std::size_t bytes, int error);

/// DeviceBuffer's report of an allocation (bytes > 0) or a release (bytes < 0).
void note_buffer_bytes(std::ptrdiff_t bytes) noexcept;

/// Properties and free memory of device `index` (throws std::runtime_error on failure).
DeviceInfo device_info(int index);

}  // namespace vswap::cuda
