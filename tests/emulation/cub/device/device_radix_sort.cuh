#pragma once
/// @brief Emulation of cub::DeviceRadixSort::SortPairs (the pointer form) for the host
/// kernel emulation (tests/emulation/cuda_emulation.hpp; not a GPU run). Our own code, with
/// CUB's interface: a stable LSD radix sort on the host, 8 bits a pass over
/// [begin_bit, end_bit), which checks what CUB takes on trust:
/// - the temp-storage protocol: a call with d_temp_storage == nullptr returns the bytes
///   needed; the sorting call must pass at least that many (for its num_items) and the
///   storage must be device memory; it is overwritten with 0xA5 afterwards;
/// - keys, values in and out: device memory of num_items elements, not overlapping;
/// - every key fits below end_bit (CUB ignores higher bits and would sort wrongly).
/// The amount of temp storage it asks for is its own, not CUB's.
/// Anything else of CUB is not provided: a kernel source using it does not compile here.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "cuda_emulation.hpp"

namespace cub {

namespace emulation_detail {

[[noreturn]] inline void misuse(const std::string& what) {
  std::fprintf(stderr, "vswap kernel emulation: cub: %s\n", what.c_str());
  std::abort();
}

inline void expect_device(const void* p, std::size_t bytes, const char* what) {
  if (bytes > 0 && !::vswap::emulation::is_device_range(p, bytes))
    misuse(std::string(what) + ": " + std::to_string(bytes) + " bytes at " +
           std::to_string(reinterpret_cast<std::uintptr_t>(p)) +
           " are not inside one device allocation");
}

inline bool overlap(const void* a, std::size_t na, const void* b, std::size_t nb) {
  const auto x = reinterpret_cast<std::uintptr_t>(a), y = reinterpret_cast<std::uintptr_t>(b);
  return na > 0 && nb > 0 && x < y + nb && y < x + na;
}

/// Bytes of temp storage this emulation asks of a sort of n pairs. As the real CUB (CCCL 3.0,
/// sm_90's SingleTilePolicy: 256 threads x 19 items), a sort that fits one tile asks 1 byte;
/// a larger one asks its alternate keys and values and a little more (the real one: its
/// histograms and look-back, a few hundred bytes per 1e4 items).
constexpr std::size_t kSingleTileItems = 256 * 19;
template <class K, class V>
std::size_t sort_temp_bytes(std::size_t n) {
  return n <= kSingleTileItems ? 1 : n * (sizeof(K) + sizeof(V)) + 1024;
}

}  // namespace emulation_detail

struct DeviceRadixSort {
  template <class KeyT, class ValueT, class NumItemsT>
  static cudaError_t SortPairs(void* d_temp_storage, std::size_t& temp_storage_bytes,
                               const KeyT* d_keys_in, KeyT* d_keys_out, const ValueT* d_values_in,
                               ValueT* d_values_out, NumItemsT num_items, int begin_bit = 0,
                               int end_bit = sizeof(KeyT) * 8, cudaStream_t stream = 0) {
    namespace e = emulation_detail;
    static_assert(std::is_unsigned_v<KeyT>, "the emulation sorts unsigned integer keys");
    (void)stream;
    if (num_items < 0) e::misuse("SortPairs: negative num_items");
    const auto n = static_cast<std::size_t>(num_items);
    const std::size_t need = e::sort_temp_bytes<KeyT, ValueT>(n);
    if (d_temp_storage == nullptr) {
      temp_storage_bytes = need;
      return cudaSuccess;
    }
    constexpr int key_bits = static_cast<int>(sizeof(KeyT) * 8);
    if (begin_bit < 0 || end_bit > key_bits || begin_bit >= end_bit)
      e::misuse("SortPairs: bit range [" + std::to_string(begin_bit) + ", " +
                std::to_string(end_bit) + ")");
    if (temp_storage_bytes < need)
      e::misuse("SortPairs: " + std::to_string(temp_storage_bytes) + " bytes of temp storage for " +
                std::to_string(n) + " items, the size query says " + std::to_string(need));
    e::expect_device(d_temp_storage, temp_storage_bytes, "SortPairs temp storage");
    const std::size_t kb = n * sizeof(KeyT), vb = n * sizeof(ValueT);
    e::expect_device(d_keys_in, kb, "SortPairs keys in");
    e::expect_device(d_keys_out, kb, "SortPairs keys out");
    e::expect_device(d_values_in, vb, "SortPairs values in");
    e::expect_device(d_values_out, vb, "SortPairs values out");
    const void* in_ranges[] = {d_keys_in, d_values_in};
    const std::size_t in_bytes[] = {kb, vb};
    const void* out_ranges[] = {d_keys_out, d_values_out, d_temp_storage};
    const std::size_t out_bytes[] = {kb, vb, temp_storage_bytes};
    for (int o = 0; o < 3; ++o) {
      for (int i = 0; i < 2; ++i)
        if (e::overlap(out_ranges[o], out_bytes[o], in_ranges[i], in_bytes[i]))
          e::misuse("SortPairs: buffers overlap");
      for (int p = o + 1; p < 3; ++p)
        if (e::overlap(out_ranges[o], out_bytes[o], out_ranges[p], out_bytes[p]))
          e::misuse("SortPairs: buffers overlap");
    }
    const std::uint64_t high = end_bit >= 64 ? 0 : ~std::uint64_t{0} << end_bit;
    for (std::size_t i = 0; i < n; ++i)
      if ((static_cast<std::uint64_t>(d_keys_in[i]) & high) != 0)
        e::misuse("SortPairs: key " + std::to_string(d_keys_in[i]) + " (item " + std::to_string(i) +
                  ") has bits at or above end_bit " + std::to_string(end_bit) +
                  ", which CUB ignores");
    // Stable LSD radix sort, 8 bits a pass.
    thread_local std::vector<KeyT> keys, keys_next;  // kept: a sort per time step
    thread_local std::vector<ValueT> values, values_next;
    keys.assign(d_keys_in, d_keys_in + n);
    values.assign(d_values_in, d_values_in + n);
    keys_next.resize(n);
    values_next.resize(n);
    for (int shift = begin_bit; shift < end_bit; shift += 8) {
      const int bits = end_bit - shift < 8 ? end_bit - shift : 8;
      const std::size_t radix = std::size_t{1} << bits;
      std::vector<std::size_t> start(radix + 1, 0);
      auto digit = [&](KeyT k) {
        return static_cast<std::size_t>(static_cast<std::uint64_t>(k) >> shift) & (radix - 1);
      };
      for (std::size_t i = 0; i < n; ++i) ++start[digit(keys[i]) + 1];
      for (std::size_t r = 0; r < radix; ++r) start[r + 1] += start[r];
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t to = start[digit(keys[i])]++;
        keys_next[to] = keys[i];
        values_next[to] = values[i];
      }
      keys.swap(keys_next);
      values.swap(values_next);
    }
    if (n > 0) {
      std::memcpy(d_keys_out, keys.data(), kb);
      std::memcpy(d_values_out, values.data(), vb);
    }
    std::memset(d_temp_storage, 0xA5, temp_storage_bytes);
    return cudaSuccess;
  }
};

}  // namespace cub
