#pragma once
/// @brief Internals of the CUDA backend shared by simulation.cu, exact.cu, event.cu and
/// paper.cu (nvcc only): the device state of a batch, launch sizes, warp sums, the
/// observation target and the fault record.

#include <cuda_runtime.h>

#include <cstdint>
#include <string>

#include <vswap/observables.hpp>
#include <vswap/paper_cell.hpp>
#include <vswap/particle_step.hpp>

#include "cuda_try.cuh"
#include "device_buffer.cuh"
#include "simulation.cuh"

namespace vswap::cuda {

inline constexpr int kThreads = 256;  ///< threads per block of every kernel (a multiple of 32)

/// Counter slots (RunSums order).
enum Counter : int { kSwaps = 0, kRejected = 1, kRescattered = 2, kSaturated = 3, kCounters = 4 };

/// What kernels report instead of throwing (read by the host at each observation).
struct Fault {
  unsigned long long paper_full;  ///< paper: cells whose duplicate found no free state
  /// ~(step << 31 | realization in the batch x M + cell) of the first of them: the earliest
  /// step, then the lowest realization, then the lowest cell (an atomicMax, so that the
  /// message does not depend on the order of the threads; 0: none). 32 + 31 bits: the
  /// backend keeps batch x M below 2^31.
  unsigned long long full_first;
  unsigned long long misplaced;   ///< exact fermions: particles not in their Pauli cell
  unsigned long long occupied;    ///< exact fermions: occupied Pauli cells (= batch x N)
  unsigned long long claimed;     ///< exact fermions, between steps: claims left (0)
  unsigned long long duplicates;  ///< paper fermions: two of one class in a fixed cell
};

/// Blocks for a grid-stride loop over n items.
inline int blocks_for(long long n, int sm_count) {
  const long long want = (n + kThreads - 1) / kThreads;
  const long long cap = static_cast<long long>(sm_count) * 16;
  return static_cast<int>(want < 1 ? 1 : (want < cap ? want : cap));
}

/// Adds x over the warp and lets lane 0 add it to *c: one atomic per warp. Every lane of
/// the warp must call it (kernels using it never return early).
__device__ __forceinline__ void add_counter(long long* c, unsigned long long x) {
  for (int o = 16; o > 0; o >>= 1) x += __shfl_down_sync(0xffffffffu, x, o);
  if ((threadIdx.x & 31u) == 0 && x != 0) atomicAdd(reinterpret_cast<unsigned long long*>(c), x);
}

/// Where one observation of a batch goes: per-realization histograms and energy sums
/// (integers: atomics in any order give the same result).
struct ObsTarget {
  int* density = nullptr;    ///< batch x B
  int* velocity = nullptr;   ///< batch x K
  long long* energy = nullptr;  ///< batch: this observation's row
  std::int32_t bins = 0, classes = 0;
  double length = 0, velocity_min = 0, velocity_width = 0;
  double energy_scale = 0;  ///< energy_fixed's units per unit energy
  bool fermi = false;
  /// The CPU backend's Observer::add (cpu_schemes.cpp), per realization r.
  __device__ __forceinline__ void add(long long r, double x, double v, std::int32_t k) const {
    atomicAdd(density + r * bins + density_bin(x, length, bins), 1);
    const std::int32_t vb = fermi ? k : velocity_bin(v, velocity_min, velocity_width, classes);
    if (vb >= 0) atomicAdd(velocity + r * classes + vb, 1);
    atomicAdd(reinterpret_cast<unsigned long long*>(energy + r),
              static_cast<unsigned long long>(energy_fixed(v, energy_scale)));
  }
};

/// One batch in flight.
struct BatchContext {
  std::uint32_t first = 0;  ///< realization of batch entry 0
  std::int32_t count = 0;   ///< realizations in the batch
  long long total = 0;      ///< count x N
};

struct Simulation::Impl {
  SimulationSetup setup;
  int device = 0, sm_count = 1;
  std::int32_t max_batch = 0, n = 0, bins = 0, classes = 0, times = 0;
  bool fermi = false;
  long long table = 0;  ///< K x M Pauli entries per realization (exact fermions)

  // bath tables on the device and views of them
  DeviceBuffer<std::uint32_t> alias_threshold;
  DeviceBuffer<std::int32_t> alias_alias;
  DeviceBuffer<double> bath_a, bath_b;
  AliasView class_alias;
  ContinuousBathView continuous;

  // particle state, realization-major (entry r * N + i)
  DeviceBuffer<double> x;           ///< exact: comoving y; paper, event (initial): x
  DeviceBuffer<double> v;           ///< classical velocities
  DeviceBuffer<std::int32_t> cls;   ///< fermion classes
  DeviceBuffer<std::uint32_t> next; ///< exact: step of the next attempt
  DeviceBuffer<EventParticle> event;
  // exact fermions: this step's proposals, each realization's mask, its summary and count of
  // the deferred ones, the Pauli table and the step's claims on it (batch x K x M each)
  DeviceBuffer<double> prop_y;
  DeviceBuffer<std::int32_t> prop_cls;
  DeviceBuffer<std::uint32_t> prop_next;
  DeviceBuffer<std::uint32_t> due_bits;
  DeviceBuffer<std::uint32_t> due_words;  ///< the mask's summary: bit w = word w has a bit set
  DeviceBuffer<std::int32_t> deferred;
  DeviceBuffer<std::int32_t> occ;
  DeviceBuffer<std::int32_t> claims;
  // paper: segregation into fixed cells
  DeviceBuffer<std::uint32_t> keys, keys_sorted;
  DeviceBuffer<std::int32_t> members_in, members, cell_count, cell_start;
  DeviceBuffer<unsigned char> sort_temp;
  std::size_t sort_temp_bytes = 0;
  int key_bits = 1;
  DeviceBuffer<std::uint64_t> bits;  ///< paper fermions: K bits per cell thread
  std::int32_t bits_words = 0, bits_threads = 0;

  // observations
  DeviceBuffer<int> hist_density, hist_velocity;  ///< batch x B, batch x K
  DeviceBuffer<long long> out_density, out_density_sq, out_velocity, out_velocity_sq;  ///< T x B, T x K
  DeviceBuffer<long long> out_energy;    ///< T x batch
  DeviceBuffer<long long> counters;      ///< kCounters, running within the batch
  DeviceBuffer<long long> out_counters;  ///< T x kCounters
  DeviceBuffer<Fault> fault;

  ObsTarget target(int o, const BatchContext& b) const {
    ObsTarget t;
    t.density = hist_density.data();
    t.velocity = hist_velocity.data();
    t.energy = out_energy.data() + static_cast<long long>(o) * b.count;
    t.bins = bins;
    t.classes = classes;
    t.length = setup.lattice.length;
    t.velocity_min = setup.velocity_min;
    t.velocity_width = setup.velocity_width;
    t.fermi = fermi;
    t.energy_scale = setup.energy_scale;
    return t;
  }
};

// Per scheme (exact.cu, event.cu, paper.cu): allocate, start a batch from the uploaded
// initial state, advance to step `to`, observe into target(o).
void exact_allocate(Simulation::Impl& s);
void exact_begin(Simulation::Impl& s, const BatchContext& b);
void exact_advance(Simulation::Impl& s, const BatchContext& b, std::uint32_t from, std::uint32_t to);
void exact_observe(Simulation::Impl& s, const BatchContext& b, int o);
/// Exact fermions: every particle sits in its Pauli cell and no other cell is occupied
/// (std::logic_error otherwise; synchronises).
void exact_check_pauli(Simulation::Impl& s, const BatchContext& b, std::uint32_t step);
/// Throws std::logic_error("invariant broken in realizations [..] at step ..: what").
[[noreturn]] void invariant_broken(const BatchContext& b, std::int64_t step, const std::string& what);
/// The fault record as the kernels left it (synchronises).
Fault read_fault(const Simulation::Impl& s);

void event_allocate(Simulation::Impl& s);
void event_begin(Simulation::Impl& s, const BatchContext& b);
void event_observe(Simulation::Impl& s, const BatchContext& b, int o);

void paper_allocate(Simulation::Impl& s);
void paper_advance(Simulation::Impl& s, const BatchContext& b, std::uint32_t from, std::uint32_t to);
void paper_observe(Simulation::Impl& s, const BatchContext& b, int o);

/// Bytes per particle of each scheme's state (memory_need and docs/ARCHITECTURE.md).
std::size_t particle_bytes(SchemeKind scheme);

}  // namespace vswap::cuda
