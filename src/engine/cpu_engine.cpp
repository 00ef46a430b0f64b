// The CPU backend: OpenMP across realizations; exact integer sums make the result
// independent of the thread count and of the order realizations finish in.
#include <omp.h>

#include <fmt/format.h>

#include <atomic>
#include <exception>

#include <vswap/error.hpp>
#include <vswap/observables.hpp>

#include "engine/cpu_schemes.hpp"
#include "engine/engine.hpp"
#include "engine/plan.hpp"

namespace vswap::engine {
namespace {

RunSums empty_sums(const Plan& p, std::int64_t first, std::int64_t last) {
  RunSums s;
  s.first = first;
  s.last = last;
  s.particles = p.particles;
  s.length = p.lattice.length;
  s.times = p.obs_times;
  for (auto st : p.obs_steps) s.steps.push_back(p.scheme == Scheme::event ? -1 : static_cast<std::int64_t>(st));
  for (std::int32_t b = 0; b <= p.density_bins; ++b) s.density_edges.push_back(p.lattice.length * b / p.density_bins);
  if (p.fermi) {
    for (std::int32_t k = 0; k < p.lattice.classes; ++k) {
      const double l = class_velocity(p.lattice, k);
      s.velocity_centres.push_back(l);
      s.velocity_edges.push_back(l - 0.5 * p.lattice.dl);
    }
    s.velocity_edges.push_back(class_velocity(p.lattice, p.lattice.classes - 1) + 0.5 * p.lattice.dl);
  } else {
    for (std::int32_t k = 0; k <= p.velocity_bins; ++k) s.velocity_edges.push_back(p.velocity_min + k * p.velocity_width);
    for (std::int32_t k = 0; k < p.velocity_bins; ++k) s.velocity_centres.push_back(p.velocity_min + (k + 0.5) * p.velocity_width);
  }
  const std::size_t T = s.times.size(), B = static_cast<std::size_t>(p.density_bins),
                    K = static_cast<std::size_t>(p.velocity_bins);
  s.density_count.assign(T * B, 0);
  s.density_count_sq.assign(T * B, 0);
  s.velocity_count.assign(T * K, 0);
  s.velocity_count_sq.assign(T * K, 0);
  s.energy.assign(T, ExactSum{});
  s.energy_sq.assign(T, ExactSum{});
  s.energy_unit = p.energy_unit;
  s.swaps.assign(T, 0);
  s.rejected.assign(T, 0);
  s.rescattered.assign(T, 0);
  s.saturated.assign(T, 0);
  s.scheme = p.scheme == Scheme::exact ? "exact" : p.scheme == Scheme::event ? "event" : "paper";
  return s;
}

void accumulate(RunSums& s, const RealizationObs& o, std::int64_t particles, double energy_scale) {
  for (std::size_t i = 0; i < o.density.size(); ++i) {
    s.density_count[i] += o.density[i];
    s.density_count_sq[i] += o.density[i] * o.density[i];
  }
  for (std::size_t i = 0; i < o.velocity.size(); ++i) {
    s.velocity_count[i] += o.velocity[i];
    s.velocity_count_sq[i] += o.velocity[i] * o.velocity[i];
  }
  for (std::size_t t = 0; t < o.energy.size(); ++t) {
    const double e = energy_per_particle(o.energy[t], energy_scale, particles) / s.energy_unit;
    s.energy[t].add(e);
    s.energy_sq[t].add(e * e);
    s.swaps[t] += o.swaps[t];
    s.rejected[t] += o.rejected[t];
    s.rescattered[t] += o.rescattered[t];
    s.saturated[t] += o.saturated[t];
  }
}

class CpuEngine final : public Engine {
 public:
  std::string backend_name() const override { return "cpu"; }
  std::string device_name() const override {
    return fmt::format("CPU, {} OpenMP threads", omp_get_max_threads());
  }

  RunSums run(const RunSetup& setup, ProgressCallback progress) override {
    const Plan plan = make_plan(setup.config);
    const auto [first, last] = realization_range(setup);
    RunSums total = empty_sums(plan, 0, 0);
    const int threads = setup.options.threads > 0 ? setup.options.threads : omp_get_max_threads();
    std::atomic<std::int64_t> done{0};
    // A failure stops the realizations above it; the one reported is the lowest that failed
    // (those below it all run), so the message does not depend on the threads.
    std::exception_ptr error;
    std::atomic<std::int64_t> failed_at{last};
    const std::size_t T = plan.obs_times.size();
#pragma omp parallel num_threads(threads)
    {
      RunSums local = empty_sums(plan, 0, 0);  // partial sums carry no range
      RealizationObs obs;
#pragma omp for schedule(dynamic, 1) nowait
      for (std::int64_t r = first; r < last; ++r) {
        if (r > failed_at.load()) continue;
        try {
          obs.reset(T, static_cast<std::size_t>(plan.density_bins), static_cast<std::size_t>(plan.velocity_bins));
          simulate_realization(plan, static_cast<std::uint32_t>(r), setup.options.check_every_step, obs);
          accumulate(local, obs, plan.particles, plan.energy_scale);
        } catch (...) {
#pragma omp critical(vswap_engine_error)
          if (r < failed_at.load()) {
            error = std::current_exception();
            failed_at = r;
          }
        }
        const auto d = ++done;
        if (progress && omp_get_thread_num() == 0) progress(static_cast<double>(d) / static_cast<double>(last - first));
      }
#pragma omp critical(vswap_engine_merge)
      total.merge(local);  // exact sums: the merge order does not change a bit
    }
    if (error) std::rethrow_exception(error);
    total.first = first;
    total.last = last;
    if (progress) progress(1.0);
    return total;
  }

};

}  // namespace

std::unique_ptr<Engine> make_cpu_engine() { return std::make_unique<CpuEngine>(); }

}  // namespace vswap::engine
