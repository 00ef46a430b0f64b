// The CUDA backend: the Plan and the initial states are built on the host by the same code
// as the CPU backend (initial_state(), OpenMP over realizations), uploaded, and simulated
// by kernels/ in batches of realizations; only observation results come back.
#include "engine/cuda_engine.hpp"

#include <vswap/error.hpp>

#if defined(VSWAP_WITH_CUDA)
#include <omp.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <exception>

#include <vswap/observables.hpp>

#include "device.cuh"
#include "engine/initial_state.hpp"
#include "engine/plan.hpp"
#include "simulation.cuh"
#endif

namespace vswap::engine {

#if defined(VSWAP_WITH_CUDA)
namespace {

constexpr double kGiB = 1073741824.0;

cuda::SimulationSetup simulation_setup(const Plan& p, bool check) {
  cuda::SimulationSetup s;
  switch (p.scheme) {
    case Scheme::exact: s.scheme = p.fermi ? cuda::SchemeKind::exact_fermi : cuda::SchemeKind::exact_classical; break;
    case Scheme::event: s.scheme = cuda::SchemeKind::event; break;
    case Scheme::paper: s.scheme = p.fermi ? cuda::SchemeKind::paper_fermi : cuda::SchemeKind::paper_classical; break;
  }
  s.particles = p.particles;
  s.lattice = p.lattice;
  s.rate = p.rate;
  s.dt = p.dt;
  s.rate_dt = p.rate_dt;
  s.gamma = p.config.collisions.gamma;
  s.paper_bath_count = p.paper_bath_count;
  s.paper_bath_length = p.paper_bath_length;
  if (p.fermi) s.class_alias = p.class_alias.view();
  else s.continuous = p.continuous.view();
  s.obs_steps = p.obs_steps;
  s.obs_times = p.obs_times;
  s.density_bins = p.density_bins;
  s.velocity_bins = p.velocity_bins;
  s.velocity_min = p.velocity_min;
  s.velocity_width = p.velocity_width;
  s.seed = p.config.numerics.seed;
  s.energy_scale = p.energy_scale;
  s.check_every_step = check;
  return s;
}

/// Adds a batch's sums: counts directly, energies per realization exactly as the CPU
/// backend's accumulate() (cpu_engine.cpp) does, so the ExactSums agree to the bit.
void accumulate(RunSums& total, const cuda::BatchSums& b, std::int64_t count, std::int64_t particles,
                double energy_scale) {
  auto add = [](std::vector<std::int64_t>& a, const std::vector<std::int64_t>& x) {
    for (std::size_t i = 0; i < a.size(); ++i) a[i] += x[i];
  };
  add(total.density_count, b.density_count);
  add(total.density_count_sq, b.density_count_sq);
  add(total.velocity_count, b.velocity_count);
  add(total.velocity_count_sq, b.velocity_count_sq);
  add(total.swaps, b.swaps);
  add(total.rejected, b.rejected);
  add(total.rescattered, b.rescattered);
  add(total.saturated, b.saturated);
  for (std::size_t t = 0; t < total.energy.size(); ++t) {
    for (std::int64_t r = 0; r < count; ++r) {
      const std::int64_t sum = b.energy[t * static_cast<std::size_t>(count) + static_cast<std::size_t>(r)];
      const double e = energy_per_particle(sum, energy_scale, particles) / total.energy_unit;
      total.energy[t].add(e);
      total.energy_sq[t].add(e * e);
    }
  }
}

/// Builds the initial states of realizations [first, first + count) on the host (OpenMP)
/// and uploads them at batch entry `offset`.
void upload_initial_states(const Plan& p, cuda::Simulation& sim, std::int64_t first, std::int32_t offset,
                           std::int32_t count, int threads) {
  const auto n = static_cast<std::size_t>(p.particles);
  std::vector<double> x(static_cast<std::size_t>(count) * n), v(p.fermi ? 0 : x.size());
  std::vector<std::int32_t> cls(p.fermi ? x.size() : 0);
  std::exception_ptr error;  // the lowest realization's: the message does not depend on threads
  std::int32_t error_at = count;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (std::int32_t j = 0; j < count; ++j) {
    try {
      const InitialState s = initial_state(p, static_cast<std::uint32_t>(first + j));
      const std::size_t at = static_cast<std::size_t>(j) * n;
      std::copy(s.x.begin(), s.x.end(), x.begin() + static_cast<std::ptrdiff_t>(at));
      if (p.fermi) std::copy(s.cls.begin(), s.cls.end(), cls.begin() + static_cast<std::ptrdiff_t>(at));
      else std::copy(s.v.begin(), s.v.end(), v.begin() + static_cast<std::ptrdiff_t>(at));
    } catch (...) {
#pragma omp critical(vswap_cuda_initial)
      if (j < error_at) {
        error = std::current_exception();
        error_at = j;
      }
    }
  }
  if (error) std::rethrow_exception(error);
  sim.upload_initial(offset, count, x.data(), v.data(), cls.data());
}

class CudaEngine final : public Engine {
 public:
  CudaEngine(int device, int sharing) : device_(device), sharing_(std::max(1, sharing)), info_(cuda::device_info(device)) {}
  std::string backend_name() const override { return "cuda"; }
  std::string device_name() const override {
    return fmt::format("{} (CUDA device {}, compute {}.{}, {:.1f} GiB)", info_.name, info_.index, info_.compute_major,
                       info_.compute_minor, static_cast<double>(info_.total_bytes) / kGiB);
  }

  RunSums run(const RunSetup& setup, ProgressCallback progress) override {
    const Plan plan = make_plan(setup.config);
    const auto [first, last] = realization_range(setup);
    // The sums' layout (times, edges, scheme) from the CPU backend itself: an empty range.
    RunSetup empty = setup;
    empty.first_realization = empty.last_realization = first;
    RunSums total = make_cpu_engine()->run(empty, nullptr);
    if (first == last) return total;

    const cuda::SimulationSetup sim_setup = simulation_setup(plan, setup.options.check_every_step);
    const std::int32_t batch = batch_size(sim_setup, last - first);
    cuda::Simulation sim(sim_setup, batch, device_);
    const int threads = setup.options.threads > 0 ? setup.options.threads : omp_get_max_threads();
    // host staging for the initial states: about 256 MiB at a time
    const auto per_realization = static_cast<std::int64_t>(plan.particles) * 16;
    const auto chunk = static_cast<std::int32_t>(std::clamp<std::int64_t>((256ll << 20) / per_realization, 1, batch));
    for (std::int64_t b0 = first; b0 < last; b0 += batch) {
      const auto count = static_cast<std::int32_t>(std::min<std::int64_t>(batch, last - b0));
      for (std::int32_t j = 0; j < count; j += chunk)
        upload_initial_states(plan, sim, b0 + j, j, std::min(chunk, count - j), threads);
      cuda::BatchSums sums;
      const double done = static_cast<double>(b0 - first), all = static_cast<double>(last - first);
      sim.run(static_cast<std::uint32_t>(b0), count, sums, [&](double f) {
        if (progress) progress((done + f * count) / all);
      });
      accumulate(total, sums, count, plan.particles, plan.energy_scale);
    }
    total.first = first;
    total.last = last;
    if (progress) progress(1.0);
    return total;
  }

  /// fill: realizations of four waves of the device's resident threads (2048 a
  /// multiprocessor) at one particle a thread, fewer leaving it launch-bound; most: a batch.
  ChunkSizes checkpoint_chunks(const RunSetup& setup, int) const override {
    const Plan plan = make_plan(setup.config);
    const auto [first, last] = realization_range(setup);
    const std::int64_t most =
        batch_size(simulation_setup(plan, setup.options.check_every_step), std::max<std::int64_t>(1, last - first));
    const std::int64_t particles = 4ll * 2048 * std::max(1, info_.multiprocessors);
    const std::int64_t fill = (particles + plan.particles - 1) / std::max<std::int64_t>(1, plan.particles);
    return {std::min(fill, most), most};
  }

 private:
  /// Realizations per batch: what the free device memory holds (refusing, before any
  /// allocation, a configuration of which not even one realization fits).
  std::int32_t batch_size(const cuda::SimulationSetup& s, std::int64_t realizations) const {
    const cuda::MemoryNeed need = cuda::memory_need(s);
    const cuda::DeviceInfo now = cuda::device_info(device_);
    const double reserve = std::max(256.0 * 1048576.0, 0.05 * static_cast<double>(now.total_bytes));
    // MPI ranks sharing the device: each takes at most its share of the card (the others
    // may not have allocated yet when this one looks at the free memory).
    const double available =
        std::min(static_cast<double>(now.free_bytes), static_cast<double>(now.total_bytes) / sharing_);
    const double usable = available - reserve;
    if (static_cast<double>(need.bytes(1)) > usable)
      throw InputError("system.particles",
                       fmt::format("one realization needs {:.2f} GiB on {} ({} bytes per particle, {:.3g} GiB per "
                                   "realization), {:.2f} GiB free{} less a reserve of {:.2f} GiB; use fewer particles "
                                   "or cells",
                                   static_cast<double>(need.bytes(1)) / kGiB, now.name, need.per_particle,
                                   static_cast<double>(need.per_realization) / kGiB, available / kGiB,
                                   sharing_ > 1 ? fmt::format(" for each of the {} ranks on this device", sharing_) : "",
                                   reserve / kGiB));
    std::int64_t batch = static_cast<std::int64_t>((usable - static_cast<double>(need.fixed)) /
                                                   static_cast<double>(need.per_realization));
    batch = std::min({batch, realizations, cuda::max_batch_by_index(s)});
    if (const char* cap = std::getenv("VSWAP_CUDA_MAX_BATCH")) batch = std::min<std::int64_t>(batch, std::max(1, std::atoi(cap)));
    return static_cast<std::int32_t>(std::max<std::int64_t>(batch, 1));
  }

  int device_;
  int sharing_;
  cuda::DeviceInfo info_;
};

}  // namespace

std::unique_ptr<Engine> make_cuda_engine(int device, int sharing) {
  return std::make_unique<CudaEngine>(device, sharing);
}

DeviceMemoryNeed cuda_memory_need(const Config& config) {
  const Plan plan = make_plan(config);
  const cuda::MemoryNeed m = cuda::memory_need(simulation_setup(plan, false));
  DeviceMemoryNeed d;
  d.fixed = m.fixed;
  d.per_realization = m.per_realization;
  d.per_particle = m.per_particle;
  return d;
}

std::size_t cuda_bytes_peak() noexcept { return cuda::buffer_bytes_peak(); }

void reset_cuda_bytes_peak() noexcept { cuda::reset_buffer_bytes_peak(); }

#else

std::unique_ptr<Engine> make_cuda_engine(int, int) {
  throw InputError("numerics.backend", "\"cuda\" requested but this build has no CUDA backend");
}

DeviceMemoryNeed cuda_memory_need(const Config&) {
  throw InputError("numerics.backend", "\"cuda\" requested but this build has no CUDA backend");
}

std::size_t cuda_bytes_peak() noexcept { return 0; }

void reset_cuda_bytes_peak() noexcept {}

#endif

}  // namespace vswap::engine
