#pragma once
/// @brief Emulation of cub::DeviceScan::ExclusiveSum (pointers to integers) for the host
/// kernel emulation (tests/emulation/cuda_emulation.hpp; not a GPU run). Our own code, with
/// CUB's interface. It checks the temp-storage protocol as device_radix_sort.cuh does,
/// that input and output are device memory of num_items elements (in place is allowed, a
/// partial overlap is not), and that no partial sum overflows the output type.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include "cub/device/device_radix_sort.cuh"  // emulation_detail helpers

namespace cub {

struct DeviceScan {
  template <class InputT, class OutputT, class NumItemsT>
  static cudaError_t ExclusiveSum(void* d_temp_storage, std::size_t& temp_storage_bytes,
                                  InputT* d_in, OutputT* d_out, NumItemsT num_items,
                                  cudaStream_t stream = 0) {
    namespace e = emulation_detail;
    static_assert(std::is_integral_v<std::remove_cv_t<InputT>> && std::is_integral_v<OutputT>,
                  "the emulation scans integers");
    (void)stream;
    if (num_items < 0) e::misuse("ExclusiveSum: negative num_items");
    const auto n = static_cast<std::size_t>(num_items);
    const std::size_t need = 1024 + n / 64;
    if (d_temp_storage == nullptr) {
      temp_storage_bytes = need;
      return cudaSuccess;
    }
    if (temp_storage_bytes < need)
      e::misuse("ExclusiveSum: " + std::to_string(temp_storage_bytes) +
                " bytes of temp storage for " + std::to_string(n) + " items, the size query says " +
                std::to_string(need));
    e::expect_device(d_temp_storage, temp_storage_bytes, "ExclusiveSum temp storage");
    e::expect_device(d_in, n * sizeof(InputT), "ExclusiveSum in");
    e::expect_device(d_out, n * sizeof(OutputT), "ExclusiveSum out");
    if (static_cast<const void*>(d_in) != static_cast<const void*>(d_out) &&
        e::overlap(d_in, n * sizeof(InputT), d_out, n * sizeof(OutputT)))
      e::misuse("ExclusiveSum: input and output overlap partially");
    if (e::overlap(d_temp_storage, temp_storage_bytes, d_in, n * sizeof(InputT)) ||
        e::overlap(d_temp_storage, temp_storage_bytes, d_out, n * sizeof(OutputT)))
      e::misuse("ExclusiveSum: temp storage overlaps the data");
    OutputT sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const auto x = d_in[i];  // read before the write: the scan may run in place
      d_out[i] = sum;
      if (__builtin_add_overflow(sum, x, &sum) && i + 1 < n)
        e::misuse("ExclusiveSum: the partial sum overflows the output type at item " +
                  std::to_string(i + 1));
    }
    std::memset(d_temp_storage, 0xA5, temp_storage_bytes);
    return cudaSuccess;
  }
};

}  // namespace cub
