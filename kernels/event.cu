// The `event` scheme on the GPU: one thread per particle carries its EventParticle from
// one observation time to the next (event_advance, the same function as the CPU backend;
// particles are independent, so this is the CPU's particle-by-particle loop reordered).
#include "sim_impl.cuh"

namespace vswap::cuda {
namespace {

struct EventArgs {
  std::uint64_t seed;
  std::uint32_t first;
  std::int32_t n;
  long long total;
  ContinuousBathView bath;
  double rate, length;
  const double* x0;
  const double* v0;
  EventParticle* p;
  long long* swaps;
};

EventArgs args_of(Simulation::Impl& s, const BatchContext& b) {
  return EventArgs{s.setup.seed, b.first, s.n, b.total, s.continuous, s.setup.rate, s.setup.lattice.length,
                   s.x.data(), s.v.data(), s.event.data(), s.counters.data() + kSwaps};
}

__global__ void begin_kernel(EventArgs a) {
  for (long long g = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; g < a.total;
       g += static_cast<long long>(gridDim.x) * blockDim.x) {
    const long long r = g / a.n;
    const auto i = static_cast<std::uint32_t>(g - r * a.n);
    a.p[g] = event_start(a.x0[g], a.v0[g], StreamKey{a.seed, a.first + static_cast<std::uint32_t>(r)}, i, a.bath,
                         a.rate);
  }
}

__global__ void observe_kernel(EventArgs a, ObsTarget t, double time) {
  unsigned long long swaps = 0;  // swaps done by `time`, summed (the CPU's obs.swaps[o] += e.k)
  for (long long g = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; g < a.total;
       g += static_cast<long long>(gridDim.x) * blockDim.x) {
    const long long r = g / a.n;
    const auto i = static_cast<std::uint32_t>(g - r * a.n);
    EventParticle e = a.p[g];
    event_advance(e, time, StreamKey{a.seed, a.first + static_cast<std::uint32_t>(r)}, i, a.bath, a.rate, a.length);
    a.p[g] = e;
    swaps += e.k;
    t.add(r, event_position(e, time, a.length), e.v, -1);
  }
  add_counter(a.swaps, swaps);
}

}  // namespace

void event_allocate(Simulation::Impl& s) {
  const auto particles = static_cast<std::size_t>(s.max_batch) * static_cast<std::size_t>(s.n);
  s.x.resize(particles);
  s.v.resize(particles);
  s.event.resize(particles);
}

void event_begin(Simulation::Impl& s, const BatchContext& b) {
  begin_kernel<<<blocks_for(b.total, s.sm_count), kThreads>>>(args_of(s, b));
  VSWAP_CUDA_CHECK_LAUNCH();
}

void event_observe(Simulation::Impl& s, const BatchContext& b, int o) {
  // The swap count is a state, not a running sum: it is recounted at each observation.
  VSWAP_CUDA_TRY(cudaMemset(s.counters.data() + kSwaps, 0, sizeof(long long)));
  const double time = s.setup.obs_times[static_cast<std::size_t>(o)];
  observe_kernel<<<blocks_for(b.total, s.sm_count), kThreads>>>(args_of(s, b), s.target(o, b), time);
  VSWAP_CUDA_CHECK_LAUNCH();
}

}  // namespace vswap::cuda
