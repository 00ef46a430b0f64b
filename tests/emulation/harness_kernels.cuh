#pragma once
// Drivers of harness_kernels.cu: small kernels that show the emulation's checks at work
// (test_emulation_harness.cpp). Plain types only: g++ includes this without the prelude.
#include <cstdint>
#include <vector>

namespace vswap::emulation::harness {

/// Sum of 0 .. n-1 by a grid-stride loop and add_counter's warp reduction (one atomic per
/// warp), as kernels/sim_impl.cuh does it.
unsigned long long warp_sum(long long n, int blocks, int threads);
/// A kernel in which lane 0 of each warp leaves before the warp's shuffles.
void divergent_shuffle();
/// atomicAdd on a host variable.
void atomic_on_host_memory();
/// atomicAdd on int past INT_MAX.
void int_atomic_overflow();
/// A store one element past a device array (AddressSanitizer's to catch).
void store_past_the_end();
/// Whether the kernels of harness_kernels.cu are built with AddressSanitizer.
bool kernels_sanitized();
void racing_stores();
bool kernels_race_checked();  ///< ThreadSanitizer, and launches on several host threads
/// The launch error after `kernel<<<blocks, threads>>>`, and whether the kernel ran.
int launch_error(long long blocks, int threads, bool& ran);
/// The first byte of fresh device memory.
unsigned char fresh_byte();
/// cudaMemcpy's error for a device-to-host copy given as host-to-device.
int wrong_direction_copy();
/// SortPairs of keys below 2^key_bits with values 0 .. n-1 (the sorted values).
std::vector<std::int32_t> sort_pairs(const std::vector<std::uint32_t>& keys, int key_bits);
/// SortPairs given one byte less temp storage than the size query asked for.
void sort_with_too_little_temp_storage();
/// ExclusiveSum of `in` (in place when `in_place`).
std::vector<std::int32_t> exclusive_sum(const std::vector<std::int32_t>& in, bool in_place);

}  // namespace vswap::emulation::harness
