// The driver of the CUDA backend: device memory, the batch loop over observations, and
// the reduction of per-realization histograms to the sums RunSums holds (integers: exact,
// order-free). Only the observation results cross PCIe.
#include <algorithm>
#include <stdexcept>
#include <string>

#include <vswap/error.hpp>

#include "sim_impl.cuh"

namespace vswap::cuda {
namespace {

bool is_fermi(SchemeKind k) { return k == SchemeKind::exact_fermi || k == SchemeKind::paper_fermi; }
bool is_paper(SchemeKind k) { return k == SchemeKind::paper_fermi || k == SchemeKind::paper_classical; }
bool is_exact(SchemeKind k) { return k == SchemeKind::exact_fermi || k == SchemeKind::exact_classical; }

/// Sums over the batch of each bin's count and squared count: thread (bin, chunk of 64
/// realizations), two 64-bit atomics per thread.
__global__ void reduce_kernel(const int* hist, std::int32_t bins, std::int32_t count, long long* sum, long long* sum_sq) {
  constexpr int kChunk = 64;
  const long long chunks = (count + kChunk - 1) / kChunk;
  for (long long t = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; t < chunks * bins;
       t += static_cast<long long>(gridDim.x) * blockDim.x) {
    const long long b = t % bins, r0 = t / bins * kChunk;
    const long long r1 = r0 + kChunk < count ? r0 + kChunk : count;
    unsigned long long s = 0, sq = 0;
    for (long long r = r0; r < r1; ++r) {
      const auto h = static_cast<unsigned long long>(hist[r * bins + b]);
      s += h;
      sq += h * h;
    }
    atomicAdd(reinterpret_cast<unsigned long long*>(sum + b), s);
    atomicAdd(reinterpret_cast<unsigned long long*>(sum_sq + b), sq);
  }
}

__global__ void snapshot_kernel(const long long* counters, long long* out) {
  if (threadIdx.x < kCounters) out[threadIdx.x] = counters[threadIdx.x];
}

template <class T>
void download(const DeviceBuffer<T>& d, std::vector<T>& h, std::size_t n) {
  h.resize(n);
  d.download(h.data(), n);
}

}  // namespace

std::size_t particle_bytes(SchemeKind k) {
  switch (k) {
    // y, cls, next + this step's proposal: y', cls', next' (+ a bit of the step's mask)
    case SchemeKind::exact_fermi: return 8 + 4 + 4 + 8 + 4 + 4;
    case SchemeKind::exact_classical: return 8 + 8 + 4;  // y, v, next
    case SchemeKind::event: return 8 + 8 + sizeof(EventParticle);  // initial x, v + state
    // x, cls or v, sort keys in/out, members in/out, radix sort scratch (~ keys + values)
    case SchemeKind::paper_fermi: return 8 + 4 + 4 + 4 + 4 + 4 + 12;
    case SchemeKind::paper_classical: return 8 + 8 + 4 + 4 + 4 + 4 + 12;
  }
  return 0;
}

MemoryNeed memory_need(const SimulationSetup& s) {
  MemoryNeed m;
  const auto N = static_cast<std::size_t>(s.particles), T = s.obs_times.size();
  const auto B = static_cast<std::size_t>(s.density_bins), K = static_cast<std::size_t>(s.velocity_bins);
  const auto KM = static_cast<std::size_t>(s.lattice.classes) * static_cast<std::size_t>(s.lattice.cells);
  m.per_particle = particle_bytes(s.scheme);
  m.per_realization = N * m.per_particle + (B + K) * sizeof(int) + T * sizeof(long long);
  if (s.scheme == SchemeKind::exact_fermi) {
    // occ and the step's claims; the mask of deferred attempts, its summary, their count
    const std::size_t words = (N + 31) / 32;
    m.per_realization += 2 * KM * sizeof(std::int32_t) + (words + (words + 31) / 32) * sizeof(std::uint32_t) +
                         sizeof(std::int32_t);
  }
  if (is_paper(s.scheme)) m.per_realization += 2 * static_cast<std::size_t>(s.lattice.cells) * sizeof(std::int32_t);
  m.fixed = 2 * T * (B + K) * sizeof(long long) + (T + 1) * kCounters * sizeof(long long) + sizeof(Fault) +
            (s.class_alias.n + 2 * (s.continuous.pick.n + 1)) * 16 + (4u << 20);  // tables, sort slack
  if (s.scheme == SchemeKind::paper_fermi) m.fixed += 256u << 20;  // bit scratch (at most)
  return m;
}

std::int64_t max_batch_by_index(const SimulationSetup& s) {
  constexpr std::int64_t limit = 2147483647;
  std::int64_t b = limit / s.particles;
  if (is_paper(s.scheme)) b = std::min<std::int64_t>(b, limit / s.lattice.cells);
  return b < 1 ? 1 : b;
}

Fault read_fault(const Simulation::Impl& s) {
  Fault f{};
  s.fault.download(&f, 1);  // synchronises with the kernels before it
  return f;
}

void invariant_broken(const BatchContext& b, std::int64_t step, const std::string& what) {
  throw std::logic_error("invariant broken in realizations " + std::to_string(b.first) + ".." +
                         std::to_string(static_cast<std::int64_t>(b.first) + b.count - 1) + " at step " +
                         std::to_string(step) + ": " + what);
}

Simulation::Simulation(const SimulationSetup& setup, std::int32_t max_batch, int device)
    : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.setup = setup;
  s.device = device;
  VSWAP_CUDA_TRY(cudaSetDevice(device));
  VSWAP_CUDA_TRY(cudaDeviceGetAttribute(&s.sm_count, cudaDevAttrMultiProcessorCount, device));
  s.max_batch = max_batch;
  s.n = setup.particles;
  s.bins = setup.density_bins;
  s.classes = setup.velocity_bins;
  s.times = static_cast<std::int32_t>(setup.obs_times.size());
  s.fermi = is_fermi(setup.scheme);
  s.table = static_cast<long long>(setup.lattice.classes) * setup.lattice.cells;
  // bath tables: copy the host arrays, point the views at the device copies
  const AliasView& host_alias = s.fermi ? setup.class_alias : setup.continuous.pick;
  s.alias_threshold.resize(host_alias.n);
  s.alias_threshold.upload(host_alias.threshold, host_alias.n);
  s.alias_alias.resize(host_alias.n);
  s.alias_alias.upload(host_alias.alias, host_alias.n);
  const AliasView device_alias{s.alias_threshold.data(), s.alias_alias.data(), host_alias.n};
  if (s.fermi) {
    s.class_alias = device_alias;
  } else {
    const ContinuousBathView& c = setup.continuous;
    const bool mixture = c.kind == ContinuousBathView::mixture;
    const std::size_t len = mixture ? c.pick.n : c.pick.n + 1;
    s.bath_a.resize(len);
    s.bath_a.upload(mixture ? c.mean : c.node, len);
    s.bath_b.resize(len);
    s.bath_b.upload(mixture ? c.sd : c.value, len);
    s.continuous.kind = c.kind;
    s.continuous.pick = device_alias;
    (mixture ? s.continuous.mean : s.continuous.node) = s.bath_a.data();
    (mixture ? s.continuous.sd : s.continuous.value) = s.bath_b.data();
  }
  if (is_exact(setup.scheme)) exact_allocate(s);
  else if (setup.scheme == SchemeKind::event) event_allocate(s);
  else paper_allocate(s);
  const auto T = static_cast<std::size_t>(s.times), B = static_cast<std::size_t>(s.bins),
             K = static_cast<std::size_t>(s.classes), R = static_cast<std::size_t>(max_batch);
  s.hist_density.resize(R * B);
  s.hist_velocity.resize(R * K);
  s.out_density.resize(T * B);
  s.out_density_sq.resize(T * B);
  s.out_velocity.resize(T * K);
  s.out_velocity_sq.resize(T * K);
  s.out_energy.resize(T * R);
  s.counters.resize(kCounters);
  s.out_counters.resize(T * kCounters);
  s.fault.resize(1);
}

Simulation::~Simulation() = default;

void Simulation::upload_initial(std::int32_t offset, std::int32_t count, const double* x, const double* v,
                                const std::int32_t* cls) {
  Impl& s = *impl_;
  VSWAP_EXPECTS(offset >= 0 && count >= 0 && offset + count <= s.max_batch, "initial state beyond the batch");
  const auto at = static_cast<std::size_t>(offset) * static_cast<std::size_t>(s.n);
  const auto len = static_cast<std::size_t>(count) * static_cast<std::size_t>(s.n);
  s.x.upload(x, len, at);
  if (s.fermi) s.cls.upload(cls, len, at);
  else s.v.upload(v, len, at);
}

void Simulation::run(std::uint32_t first, std::int32_t count, BatchSums& out,
                     const std::function<void(double)>& progress) {
  Impl& s = *impl_;
  VSWAP_EXPECTS(count >= 1 && count <= s.max_batch, "batch larger than allocated");
  VSWAP_CUDA_TRY(cudaSetDevice(s.device));
  const BatchContext b{first, count, static_cast<long long>(count) * s.n};
  for (auto* d : {&s.out_density, &s.out_density_sq, &s.out_velocity, &s.out_velocity_sq, &s.out_energy,
                  &s.counters, &s.out_counters})
    d->fill_bytes(0);
  s.fault.fill_bytes(0);
  const SchemeKind scheme = s.setup.scheme;
  if (is_exact(scheme)) exact_begin(s, b);
  else if (scheme == SchemeKind::event) event_begin(s, b);
  std::uint32_t step = 0;
  for (int o = 0; o < s.times; ++o) {
    const std::uint32_t to = scheme == SchemeKind::event ? 0 : s.setup.obs_steps[static_cast<std::size_t>(o)];
    s.hist_density.fill_bytes(0);
    s.hist_velocity.fill_bytes(0);
    if (is_exact(scheme)) {
      exact_advance(s, b, step, to);
      exact_observe(s, b, o);
    } else if (scheme == SchemeKind::event) {
      event_observe(s, b, o);
    } else {
      paper_advance(s, b, step, to);
      paper_observe(s, b, o);
    }
    step = to > step ? to : step;
    const auto uo = static_cast<std::size_t>(o);
    reduce_kernel<<<blocks_for(static_cast<long long>(s.bins) * ((count + 63) / 64), s.sm_count), kThreads>>>(
        s.hist_density.data(), s.bins, count, s.out_density.data() + uo * s.bins, s.out_density_sq.data() + uo * s.bins);
    VSWAP_CUDA_CHECK_LAUNCH();
    reduce_kernel<<<blocks_for(static_cast<long long>(s.classes) * ((count + 63) / 64), s.sm_count), kThreads>>>(
        s.hist_velocity.data(), s.classes, count, s.out_velocity.data() + uo * s.classes,
        s.out_velocity_sq.data() + uo * s.classes);
    VSWAP_CUDA_CHECK_LAUNCH();
    snapshot_kernel<<<1, 32>>>(s.counters.data(), s.out_counters.data() + uo * kCounters);
    VSWAP_CUDA_CHECK_LAUNCH();
    const Fault f = read_fault(s);
    if (f.paper_full != 0) {
      const unsigned long long first_full = ~f.full_first, rc = first_full & 0x7fffffffull;
      const auto M = static_cast<unsigned long long>(s.setup.lattice.cells);
      throw InputError("system.particles", "paper scheme: cell " + std::to_string(rc % M) +
                                               " is full (a fermion in every bath state of some weight: a duplicate has none to go to) in realization " +
                                               std::to_string(first + rc / M) + " at step " +
                                               std::to_string(first_full >> 31));
    }
    if (progress) progress(static_cast<double>(o + 1) / s.times);
  }
  const auto T = static_cast<std::size_t>(s.times), B = static_cast<std::size_t>(s.bins),
             K = static_cast<std::size_t>(s.classes);
  std::vector<long long> h;
  auto fetch = [&](const DeviceBuffer<long long>& d, std::vector<std::int64_t>& dst, std::size_t n) {
    download(d, h, n);
    dst.assign(h.begin(), h.end());
  };
  fetch(s.out_density, out.density_count, T * B);
  fetch(s.out_density_sq, out.density_count_sq, T * B);
  fetch(s.out_velocity, out.velocity_count, T * K);
  fetch(s.out_velocity_sq, out.velocity_count_sq, T * K);
  fetch(s.out_energy, out.energy, T * static_cast<std::size_t>(count));
  download(s.out_counters, h, T * kCounters);
  for (auto* v : {&out.swaps, &out.rejected, &out.rescattered, &out.saturated}) v->assign(T, 0);
  for (std::size_t o = 0; o < T; ++o) {
    out.swaps[o] = h[o * kCounters + kSwaps];
    out.rejected[o] = h[o * kCounters + kRejected];
    out.rescattered[o] = h[o * kCounters + kRescattered];
    out.saturated[o] = h[o * kCounters + kSaturated];
  }
}

}  // namespace vswap::cuda
