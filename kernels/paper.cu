// The `paper` scheme on the GPU. Each step: (1) segregate the particles into the fixed
// cells, members of a cell in increasing index order (a stable radix sort by the key
// realization x M + cell, the counts' exclusive scan giving each cell's range); (2) one
// thread per (realization, cell) calls paper_fermion_cell / paper_classical_cell, the
// functions the CPU backend calls, with the same member order; (3) stream.
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_scan.cuh>

#include <string>

#include "sim_impl.cuh"

namespace vswap::cuda {
namespace {

struct PaperArgs {
  std::uint64_t seed;
  std::uint32_t first;
  std::int32_t n;
  long long total;
  long long cells_total;  ///< batch x M
  PaperParams params;
  double* x;
  double* v;
  std::int32_t* cls;
  std::uint32_t* keys;
  std::int32_t* members_in;
  const std::int32_t* members;
  std::int32_t* cell_count;
  const std::int32_t* cell_start;
  std::uint64_t* bits;
  std::int32_t bits_words;
  long long* counters;
  Fault* fault;
};

PaperArgs args_of(Simulation::Impl& s, const BatchContext& b) {
  PaperArgs a;
  a.seed = s.setup.seed;
  a.first = b.first;
  a.n = s.n;
  a.total = b.total;
  a.cells_total = static_cast<long long>(b.count) * s.setup.lattice.cells;
  a.params.gamma = s.setup.gamma;
  a.params.dt = s.setup.dt;
  a.params.bath_count = s.setup.paper_bath_count;
  a.params.bath_length = s.setup.paper_bath_length;
  a.params.lattice = s.setup.lattice;
  a.params.bath = s.class_alias;
  a.params.continuous = s.continuous;
  a.x = s.x.data();
  a.v = s.v.data();
  a.cls = s.cls.data();
  a.keys = s.keys.data();
  a.members_in = s.members_in.data();
  a.members = s.members.data();
  a.cell_count = s.cell_count.data();
  a.cell_start = s.cell_start.data();
  a.bits = s.bits.data();
  a.bits_words = s.bits_words;
  a.counters = s.counters.data();
  a.fault = s.fault.data();
  return a;
}

__global__ void key_kernel(PaperArgs a) {
  const std::int32_t M = a.params.lattice.cells;
  for (long long g = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; g < a.total;
       g += static_cast<long long>(gridDim.x) * blockDim.x) {
    const long long r = g / a.n;
    const long long key = r * M + cell_of(a.x[g], a.params.lattice);
    a.keys[g] = static_cast<std::uint32_t>(key);
    a.members_in[g] = static_cast<std::int32_t>(g - r * a.n);
    atomicAdd(a.cell_count + key, 1);
  }
}

/// One thread per (realization, cell), grid-stride; thread t owns bits[t * words ..].
__global__ void cell_kernel(PaperArgs a, std::uint32_t s, bool fermi) {
  const std::int32_t M = a.params.lattice.cells;
  const long long tid = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
  std::uint64_t* bits = a.bits + (fermi ? tid * a.bits_words : 0);
  unsigned long long swaps = 0, rescattered = 0, saturated = 0;
  for (long long rc = tid; rc < a.cells_total; rc += static_cast<long long>(gridDim.x) * blockDim.x) {
    const std::int32_t m = a.cell_count[rc];
    if (m == 0) continue;
    const long long r = rc / M;
    const auto c = static_cast<std::uint32_t>(rc - r * M);
    const StreamKey key{a.seed, a.first + static_cast<std::uint32_t>(r)};
    const std::int32_t* members = a.members + a.cell_start[rc];
    const PaperCellCounts k = fermi ? paper_fermion_cell(key, c, s, members, m, a.cls + r * a.n, bits, a.params)
                                    : paper_classical_cell(key, c, s, members, m, a.v + r * a.n, a.params);
    swaps += k.swaps;
    rescattered += k.rescattered;
    saturated += k.saturated;
    if (k.failed) {
      atomicAdd(&a.fault->paper_full, 1ull);
      atomicMax(&a.fault->full_first, ~(static_cast<unsigned long long>(s) << 31 | static_cast<unsigned long long>(rc)));
    }
  }
  add_counter(a.counters + kSwaps, swaps);
  add_counter(a.counters + kRescattered, rescattered);
  add_counter(a.counters + kSaturated, saturated);
}

/// check_every_step, fermions: no fixed cell holds two particles of one class.
__global__ void duplicates_kernel(PaperArgs a) {
  const long long tid = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
  std::uint64_t* bits = a.bits + tid * a.bits_words;
  unsigned long long duplicates = 0;
  for (long long rc = tid; rc < a.cells_total; rc += static_cast<long long>(gridDim.x) * blockDim.x) {
    const std::int32_t m = a.cell_count[rc];
    const std::int32_t* members = a.members + a.cell_start[rc];
    const std::int32_t* cls = a.cls + (rc / a.params.lattice.cells) * a.n;
    for (std::int32_t j = 0; j < m; ++j) {
      const std::int32_t k = cls[members[j]];
      if (vswap::detail::test_bit(bits, k)) ++duplicates;
      vswap::detail::set_bit(bits, k);
    }
    for (std::int32_t j = 0; j < m; ++j) vswap::detail::clear_bit(bits, cls[members[j]]);
  }
  add_counter(reinterpret_cast<long long*>(&a.fault->duplicates), duplicates);
}

__global__ void stream_kernel(PaperArgs a, bool fermi) {
  for (long long g = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; g < a.total;
       g += static_cast<long long>(gridDim.x) * blockDim.x) {
    const double vi = fermi ? class_velocity(a.params.lattice, a.cls[g]) : a.v[g];
    a.x[g] = wrap(a.x[g] + vi * a.params.dt, a.params.lattice.length);
  }
}

__global__ void observe_kernel(PaperArgs a, ObsTarget t, bool fermi) {
  for (long long g = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; g < a.total;
       g += static_cast<long long>(gridDim.x) * blockDim.x) {
    const long long r = g / a.n;
    if (fermi) {
      const std::int32_t k = a.cls[g];
      t.add(r, a.x[g], class_velocity(a.params.lattice, k), k);
    } else {
      t.add(r, a.x[g], a.v[g], -1);
    }
  }
}

std::size_t sort_temp_bytes(int items, int cells, int key_bits) {
  std::size_t sort = 0, scan = 0;
  VSWAP_CUDA_TRY(cub::DeviceRadixSort::SortPairs(nullptr, sort, static_cast<const std::uint32_t*>(nullptr),
                                                 static_cast<std::uint32_t*>(nullptr),
                                                 static_cast<const std::int32_t*>(nullptr),
                                                 static_cast<std::int32_t*>(nullptr), items, 0, key_bits));
  VSWAP_CUDA_TRY(cub::DeviceScan::ExclusiveSum(nullptr, scan, static_cast<const std::int32_t*>(nullptr),
                                               static_cast<std::int32_t*>(nullptr), cells));
  return sort > scan ? sort : scan;
}

}  // namespace

void paper_allocate(Simulation::Impl& s) {
  const auto particles = static_cast<std::size_t>(s.max_batch) * static_cast<std::size_t>(s.n);
  const auto cells = static_cast<std::size_t>(s.max_batch) * static_cast<std::size_t>(s.setup.lattice.cells);
  s.x.resize(particles);
  if (s.fermi) s.cls.resize(particles);
  else s.v.resize(particles);
  s.keys.resize(particles);
  s.keys_sorted.resize(particles);
  s.members_in.resize(particles);
  s.members.resize(particles);
  s.cell_count.resize(cells);
  s.cell_start.resize(cells);
  s.key_bits = 1;
  while (s.key_bits < 32 && (std::size_t{1} << s.key_bits) < cells) ++s.key_bits;
  s.sort_temp_bytes = sort_temp_bytes(static_cast<int>(particles), static_cast<int>(cells), s.key_bits);
  s.sort_temp.resize(s.sort_temp_bytes);
  if (s.fermi) {
    s.bits_words = s.classes / 64 + 1;
    // enough threads to fill the device, at most 256 MiB of bit scratch
    const long long cap = (256ll << 20) / (8ll * s.bits_words);
    const long long want = static_cast<long long>(s.sm_count) * 16 * kThreads;
    s.bits_threads = static_cast<std::int32_t>(want < cap ? want : (cap < kThreads ? kThreads : cap / kThreads * kThreads));
    s.bits.resize(static_cast<std::size_t>(s.bits_threads) * static_cast<std::size_t>(s.bits_words));
    s.bits.fill_bytes(0);  // paper_fermion_cell leaves its scratch zero
  }
}

void paper_advance(Simulation::Impl& s, const BatchContext& b, std::uint32_t from, std::uint32_t to) {
  const PaperArgs a = args_of(s, b);
  const int blocks = blocks_for(b.total, s.sm_count);
  const int cell_blocks = s.fermi ? s.bits_threads / kThreads : blocks_for(a.cells_total, s.sm_count);
  const auto items = static_cast<int>(b.total), cells = static_cast<int>(a.cells_total);
  for (std::uint32_t step = from; step < to; ++step) {
    VSWAP_CUDA_TRY(cudaMemsetAsync(s.cell_count.data(), 0, static_cast<std::size_t>(cells) * sizeof(std::int32_t)));
    key_kernel<<<blocks, kThreads>>>(a);
    VSWAP_CUDA_CHECK_LAUNCH();
    std::size_t temp = s.sort_temp_bytes;
    VSWAP_CUDA_TRY(cub::DeviceScan::ExclusiveSum(s.sort_temp.data(), temp, s.cell_count.data(), s.cell_start.data(), cells));
    temp = s.sort_temp_bytes;
    // stable: within a cell the members stay in increasing index order, as on the CPU
    VSWAP_CUDA_TRY(cub::DeviceRadixSort::SortPairs(s.sort_temp.data(), temp, s.keys.data(), s.keys_sorted.data(),
                                                   s.members_in.data(), s.members.data(), items, 0, s.key_bits));
    cell_kernel<<<cell_blocks, kThreads>>>(a, step, s.fermi);
    VSWAP_CUDA_CHECK_LAUNCH();
    if (s.fermi && s.setup.check_every_step) {
      VSWAP_CUDA_TRY(cudaMemset(reinterpret_cast<char*>(s.fault.data()) + offsetof(Fault, duplicates), 0,
                                sizeof(unsigned long long)));
      duplicates_kernel<<<s.bits_threads / kThreads, kThreads>>>(a);
      VSWAP_CUDA_CHECK_LAUNCH();
      const Fault f = read_fault(s);
      if (f.duplicates != 0)
        invariant_broken(b, step, std::to_string(f.duplicates) + " fermions share a class with another in their fixed cell");
    }
    stream_kernel<<<blocks, kThreads>>>(a, s.fermi);
    VSWAP_CUDA_CHECK_LAUNCH();
  }
}

void paper_observe(Simulation::Impl& s, const BatchContext& b, int o) {
  observe_kernel<<<blocks_for(b.total, s.sm_count), kThreads>>>(args_of(s, b), s.target(o, b), s.fermi);
  VSWAP_CUDA_CHECK_LAUNCH();
}

}  // namespace vswap::cuda
