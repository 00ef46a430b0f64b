// The `exact` scheme on the GPU: one thread per particle, a compare pass over all
// particles each step (next[i] == s: ~rate_dt of them attempt). Fermions settle the step's
// attempts with the outcome cpu_schemes.cpp gives them, one after another in increasing
// particle index (exact_fermion_settle: each attempt sees the table as the earlier ones
// left it, so (40) is stationary at any dt), in three launches:
//   1. propose: every due particle draws its target (exact_fermion_propose; it depends on
//      the particle alone) and counts itself on the target's entry of `claims` (atomicAdd);
//   2. alone: every due particle whose two entries no other attempt of the step touches
//      (exact_fermion_settle_alone: most of them, ~all at small rate dt) settles at once, in
//      parallel; the others set their bit in their realization's mask (atomicOr) and count
//      themselves there;
//   3. deferred: one thread per realization walks that mask, lowest set bit first, i.e. in
//      increasing particle index (through a summary of its non-zero words, so that a few
//      deferred attempts cost a few loads), settling each deferred attempt as the CPU does,
//      and clears the mask and the claims; it stops at the realization's last one.
// Nothing depends on thread scheduling: sums and ORs are commutative, the alone attempts
// touch disjoint entries, and the deferred ones go in a fixed order.
#include <algorithm>
#include <cstddef>
#include <string>

#include "sim_impl.cuh"

namespace vswap::cuda {
namespace {

struct ExactArgs {
  std::uint64_t seed;
  std::uint32_t first;
  std::int32_t n;
  long long total;
  Lattice lattice;
  AliasView bath;
  ContinuousBathView continuous;
  double dt, rate_dt;
  double* y;
  double* v;
  std::int32_t* cls;
  std::uint32_t* next;
  double* prop_y;
  std::int32_t* prop_cls;
  std::uint32_t* prop_next;
  std::uint32_t* due_bits;   ///< batch x words: the step's deferred attempts, bit i = particle i
  std::int32_t words;        ///< (N + 31) / 32
  std::uint32_t* due_words;  ///< batch x summary words: bit w = mask word w is not zero
  std::int32_t summary;      ///< (words + 31) / 32
  std::int32_t* deferred;    ///< batch: how many bits of its mask are set
  std::int32_t* occ;
  std::int32_t* claims;      ///< as occ: the step's attempts on each entry (zero between steps)
  long long table;  ///< K x M
  long long* counters;
  Fault* fault;

  __device__ StreamKey key(long long r) const { return StreamKey{seed, first + static_cast<std::uint32_t>(r)}; }
  __device__ long long entry(long long r, std::int32_t k, std::int32_t c) const {
    return r * table + static_cast<long long>(k) * lattice.cells + c;
  }
  __device__ PauliTable pauli(long long r) const { return PauliTable{occ + r * table, lattice.classes, lattice.cells}; }
  __device__ PauliTable claimed(long long r) const {
    return PauliTable{claims + r * table, lattice.classes, lattice.cells};
  }
};

ExactArgs args_of(Simulation::Impl& s, const BatchContext& b) {
  ExactArgs a;
  a.seed = s.setup.seed;
  a.first = b.first;
  a.n = s.n;
  a.total = b.total;
  a.lattice = s.setup.lattice;
  a.bath = s.class_alias;
  a.continuous = s.continuous;
  a.dt = s.setup.dt;
  a.rate_dt = s.setup.rate_dt;
  a.y = s.x.data();
  a.v = s.v.data();
  a.cls = s.cls.data();
  a.next = s.next.data();
  a.prop_y = s.prop_y.data();
  a.prop_cls = s.prop_cls.data();
  a.prop_next = s.prop_next.data();
  a.due_bits = s.due_bits.data();
  a.words = (s.n + 31) / 32;
  a.due_words = s.due_words.data();
  a.summary = (a.words + 31) / 32;
  a.deferred = s.deferred.data();
  a.occ = s.occ.data();
  a.claims = s.claims.data();
  a.table = s.table;
  a.counters = s.counters.data();
  a.fault = s.fault.data();
  return a;
}

__global__ void begin_kernel(ExactArgs a, bool fermi) {
  for (long long g = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; g < a.total;
       g += static_cast<long long>(gridDim.x) * blockDim.x) {
    const long long r = g / a.n;
    const auto i = static_cast<std::uint32_t>(g - r * a.n);
    if (fermi) a.occ[a.entry(r, a.cls[g], cell_of(a.y[g], a.lattice))] = static_cast<std::int32_t>(i);
    a.next[g] = first_attempt_step(a.key(r), i, a.rate_dt);
  }
}

__global__ void propose_kernel(ExactArgs a, std::uint32_t s) {
  for (long long g = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; g < a.total;
       g += static_cast<long long>(gridDim.x) * blockDim.x) {
    if (a.next[g] != s) continue;
    const long long r = g / a.n;
    const auto i = static_cast<std::uint32_t>(g - r * a.n);
    const FermionProposal p = exact_fermion_propose(a.key(r), i, s, a.y[g], a.cls[g], a.lattice, a.bath, a.dt, a.rate_dt);
    a.prop_y[g] = p.y;
    a.prop_cls[g] = p.cls;
    a.prop_next[g] = p.next;
    atomicAdd(&a.claimed(r).at(p.cls, p.cell), 1);
  }
}

/// Whether particle k of a realization attempts at step s.
struct DueAt {
  const std::uint32_t* next;
  std::uint32_t s;
  __device__ bool operator()(std::int32_t k) const { return next[k] == s; }
};

__device__ FermionProposal proposal_of(const ExactArgs& a, long long g) {
  FermionProposal p;
  p.cls = a.prop_cls[g];
  p.y = a.prop_y[g];
  p.cell = cell_of(p.y, a.lattice);
  p.next = a.prop_next[g];
  return p;
}

/// Writes back particle g's settled attempt (class and y if it swapped, next either way) and
/// counts it.
__device__ void write_settled(const ExactArgs& a, long long g, bool swapped, std::int32_t cls, double y,
                              std::uint32_t next, unsigned long long& swaps, unsigned long long& rejected) {
  if (swapped) {
    a.cls[g] = cls;
    a.y[g] = y;
    ++swaps;
  } else {
    ++rejected;
  }
  a.next[g] = next;
}

/// Every due particle: settled now if it can be apart from the others (no other attempt
/// reads or writes its entries, so the plain loads and stores below race with nothing),
/// else deferred to settle_kernel.
__global__ void alone_kernel(ExactArgs a, std::uint32_t s) {
  unsigned long long swaps = 0, rejected = 0;
  for (long long g = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; g < a.total;
       g += static_cast<long long>(gridDim.x) * blockDim.x) {
    if (a.next[g] != s) continue;
    const long long r = g / a.n;
    const auto i = static_cast<std::int32_t>(g - r * a.n);
    const FermionProposal p = proposal_of(a, g);
    std::int32_t cls = a.cls[g], cell = cell_of(a.y[g], a.lattice);
    double y = a.y[g];
    const AloneSettle done =
        exact_fermion_settle_alone(a.pauli(r), a.claimed(r), i, p, cls, cell, y, DueAt{a.next + r * a.n, s});
    if (done == AloneSettle::deferred) {
      const std::int32_t w = i >> 5;
      atomicOr(a.due_bits + r * a.words + w, 1u << (i & 31));
      atomicOr(a.due_words + r * a.summary + (w >> 5), 1u << (w & 31));
      atomicAdd(a.deferred + r, 1);
      continue;
    }
    write_settled(a, g, done == AloneSettle::swapped, cls, y, p.next, swaps, rejected);
  }
  add_counter(a.counters + kSwaps, swaps);
  add_counter(a.counters + kRejected, rejected);
}

/// Particle i of realization r, deferred: settled as the CPU does, after the step's
/// attempts of lower index.
__device__ void settle_deferred(const ExactArgs& a, long long r, std::int32_t i, unsigned long long& swaps,
                                unsigned long long& rejected) {
  const long long g = r * a.n + i;
  const FermionProposal p = proposal_of(a, g);
  a.claimed(r).at(p.cls, p.cell) = 0;
  std::int32_t cls = a.cls[g], cell = cell_of(a.y[g], a.lattice);
  double y = a.y[g];
  const bool swapped = exact_fermion_settle(a.pauli(r), i, p, cls, cell, y);
  write_settled(a, g, swapped, cls, y, p.next, swaps, rejected);
}

/// One thread per realization: the step's deferred attempts in increasing particle index,
/// the mask's set bits lowest first, found through its summary's set bits lowest first.
__global__ void settle_kernel(ExactArgs a, long long count) {
  unsigned long long swaps = 0, rejected = 0;
  for (long long r = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; r < count;
       r += static_cast<long long>(gridDim.x) * blockDim.x) {
    std::int32_t left = a.deferred[r];
    if (left == 0) continue;
    a.deferred[r] = 0;
    std::uint32_t* mask = a.due_bits + r * a.words;
    std::uint32_t* summary = a.due_words + r * a.summary;
    for (std::int32_t u = 0; left > 0 && u < a.summary; ++u) {
      std::uint32_t words = summary[u];
      if (words == 0) continue;
      summary[u] = 0;
      for (; words != 0; words &= words - 1) {
        const std::int32_t w = 32 * u + (__ffs(static_cast<int>(words)) - 1);
        std::uint32_t bits = mask[w];
        mask[w] = 0;
        for (; bits != 0; bits &= bits - 1, --left)
          settle_deferred(a, r, 32 * w + (__ffs(static_cast<int>(bits)) - 1), swaps, rejected);
      }
    }
  }
  add_counter(a.counters + kSwaps, swaps);
  add_counter(a.counters + kRejected, rejected);
}

__global__ void classical_step_kernel(ExactArgs a, std::uint32_t s, double length) {
  unsigned long long swaps = 0;
  for (long long g = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; g < a.total;
       g += static_cast<long long>(gridDim.x) * blockDim.x) {
    if (a.next[g] != s) continue;
    const long long r = g / a.n;
    const auto i = static_cast<std::uint32_t>(g - r * a.n);
    double y = a.y[g], v = a.v[g];
    a.next[g] = exact_classical_swap(a.key(r), i, s, y, v, a.continuous, length, a.dt, a.rate_dt);
    a.y[g] = y;
    a.v[g] = v;
    ++swaps;
  }
  add_counter(a.counters + kSwaps, swaps);
}

__global__ void observe_kernel(ExactArgs a, ObsTarget t, double time, bool fermi) {
  for (long long g = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; g < a.total;
       g += static_cast<long long>(gridDim.x) * blockDim.x) {
    const long long r = g / a.n;
    if (fermi) {
      const std::int32_t k = a.cls[g];
      const double v = class_velocity(a.lattice, k);
      t.add(r, comoving_position(a.y[g], v, time, a.lattice.length), v, k);
    } else {
      t.add(r, comoving_position(a.y[g], a.v[g], time, a.lattice.length), a.v[g], -1);
    }
  }
}

__global__ void placed_kernel(ExactArgs a) {
  unsigned long long misplaced = 0;
  for (long long g = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; g < a.total;
       g += static_cast<long long>(gridDim.x) * blockDim.x) {
    const long long r = g / a.n;
    const auto i = static_cast<std::int32_t>(g - r * a.n);
    if (a.occ[a.entry(r, a.cls[g], cell_of(a.y[g], a.lattice))] != i) ++misplaced;
  }
  add_counter(reinterpret_cast<long long*>(&a.fault->misplaced), misplaced);
}

__global__ void occupied_kernel(ExactArgs a, long long entries) {
  unsigned long long occupied = 0, claimed = 0;
  for (long long e = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; e < entries;
       e += static_cast<long long>(gridDim.x) * blockDim.x) {
    occupied += a.occ[e] != kPauliEmpty;
    claimed += a.claims[e] != 0;
  }
  add_counter(reinterpret_cast<long long*>(&a.fault->occupied), occupied);
  add_counter(reinterpret_cast<long long*>(&a.fault->claimed), claimed);
}

}  // namespace

void exact_allocate(Simulation::Impl& s) {
  const auto particles = static_cast<std::size_t>(s.max_batch) * static_cast<std::size_t>(s.n);
  s.x.resize(particles);
  s.next.resize(particles);
  if (s.fermi) {
    s.cls.resize(particles);
    s.prop_y.resize(particles);
    s.prop_cls.resize(particles);
    s.prop_next.resize(particles);
    const auto words = static_cast<std::size_t>((s.n + 31) / 32);
    s.due_bits.resize(static_cast<std::size_t>(s.max_batch) * words);
    s.due_words.resize(static_cast<std::size_t>(s.max_batch) * ((words + 31) / 32));
    s.deferred.resize(static_cast<std::size_t>(s.max_batch));
    s.occ.resize(static_cast<std::size_t>(s.max_batch) * static_cast<std::size_t>(s.table));
    s.claims.resize(static_cast<std::size_t>(s.max_batch) * static_cast<std::size_t>(s.table));
  } else {
    s.v.resize(particles);
  }
}

void exact_begin(Simulation::Impl& s, const BatchContext& b) {
  if (s.fermi) {
    s.occ.fill_bytes(0xff);  // kPauliEmpty
    s.due_bits.fill_bytes(0);
    s.due_words.fill_bytes(0);
    s.deferred.fill_bytes(0);
    s.claims.fill_bytes(0);
  }
  begin_kernel<<<blocks_for(b.total, s.sm_count), kThreads>>>(args_of(s, b), s.fermi);
  VSWAP_CUDA_CHECK_LAUNCH();
}

void exact_advance(Simulation::Impl& s, const BatchContext& b, std::uint32_t from, std::uint32_t to) {
  const ExactArgs a = args_of(s, b);
  const int blocks = blocks_for(b.total, s.sm_count);
  // deferred settle: one thread per realization, a warp per block so that the realizations
  // (each a chain of dependent loads) spread over every multiprocessor
  constexpr int kSettleThreads = 32;
  const int settle_blocks = static_cast<int>(std::min<long long>((b.count + kSettleThreads - 1) / kSettleThreads, 1 << 20));
  for (std::uint32_t step = from; step < to; ++step) {
    if (s.fermi) {
      propose_kernel<<<blocks, kThreads>>>(a, step);
      VSWAP_CUDA_CHECK_LAUNCH();
      alone_kernel<<<blocks, kThreads>>>(a, step);
      VSWAP_CUDA_CHECK_LAUNCH();
      settle_kernel<<<settle_blocks, kSettleThreads>>>(a, b.count);
      VSWAP_CUDA_CHECK_LAUNCH();
      if (s.setup.check_every_step) exact_check_pauli(s, b, step + 1);
    } else {
      classical_step_kernel<<<blocks, kThreads>>>(a, step, s.setup.lattice.length);
      VSWAP_CUDA_CHECK_LAUNCH();
    }
  }
}

void exact_observe(Simulation::Impl& s, const BatchContext& b, int o) {
  const std::uint32_t step = s.setup.obs_steps[static_cast<std::size_t>(o)];
  if (s.fermi) exact_check_pauli(s, b, step);  // as the CPU backend: at every observation
  const double time = static_cast<double>(step) * s.setup.dt;  // as cpu_schemes.cpp
  observe_kernel<<<blocks_for(b.total, s.sm_count), kThreads>>>(args_of(s, b), s.target(o, b), time, s.fermi);
  VSWAP_CUDA_CHECK_LAUNCH();
}

void exact_check_pauli(Simulation::Impl& s, const BatchContext& b, std::uint32_t step) {
  VSWAP_CUDA_TRY(cudaMemset(reinterpret_cast<char*>(s.fault.data()) + offsetof(Fault, misplaced), 0,
                            3 * sizeof(unsigned long long)));  // misplaced, occupied, claimed
  const ExactArgs a = args_of(s, b);
  placed_kernel<<<blocks_for(b.total, s.sm_count), kThreads>>>(a);
  VSWAP_CUDA_CHECK_LAUNCH();
  const long long entries = static_cast<long long>(b.count) * s.table;
  occupied_kernel<<<blocks_for(entries, s.sm_count), kThreads>>>(a, entries);
  VSWAP_CUDA_CHECK_LAUNCH();
  const Fault f = read_fault(s);
  if (f.misplaced != 0)
    invariant_broken(b, step, std::to_string(f.misplaced) + " particles are not in their Pauli cell");
  if (f.claimed != 0)
    invariant_broken(b, step, std::to_string(f.claimed) + " Pauli entries keep a claim between steps");
  if (f.occupied != static_cast<unsigned long long>(b.total))
    invariant_broken(b, step, std::to_string(f.occupied) + " occupied Pauli cells for " + std::to_string(b.total) +
                                  " particles");
}

}  // namespace vswap::cuda
