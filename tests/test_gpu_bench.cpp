// GPU benchmark (not a test: DISABLED_, run by tools/bench_gpu.sh with
// --gtest_also_run_disabled_tests). Fig. 5(d) scaled to N particles (L, M and the width
// grow with N: same densities), R realizations, each scheme, CPU and GPU side by side.
//
// Rates are differential: (particle-steps of a run to 2 t1 - those of a run to t1) / (wall
// difference), so the host-side initial states and the upload do not count. The CPU runs
// a few realizations (VSWAP_BENCH_CPU_REALIZATIONS, default 2 x threads; realizations are
// independent, so its rate does not depend on R). The floor is the device-memory traffic
// of a particle-step for the kernels as written (kernels/exact.cu, paper.cu, event.cu).
#include <gtest/gtest.h>

#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "backend_helpers.hpp"
#include "engine_helpers.hpp"

using namespace vswap;

namespace {
double env(const char* name, double fallback) {
  const char* v = std::getenv(name);
  return v ? std::atof(v) : fallback;
}

Config scaled_fig5d(Scheme scheme, Statistics stats, std::int64_t n, std::int64_t r, double t_end) {
  Config c = test::fig5d(scheme, stats);
  const double f = static_cast<double>(n) / 1600.0;
  c.system.particles = n;
  c.system.length = 2000.0 * f;
  c.system.width = 300.0 * f;
  c.numerics.cells = static_cast<std::int64_t>(std::llround(400.0 * f));
  c.numerics.realizations = r;
  c.numerics.times = {t_end};
  return c;
}

struct Timing {
  double rate = 0;        ///< particle-steps per second (event: N t/dt equivalents)
  double swaps_rate = 0;  ///< swaps per second
  double wall = 0;        ///< of the longer run
};

Timing time_backend(Backend b, Scheme scheme, Statistics stats, std::int64_t n, std::int64_t r, double t1) {
  double wall[2] = {0, 0}, swaps[2] = {0, 0};
  for (int k = 0; k < 2; ++k) {
    const Config c = scaled_fig5d(scheme, stats, n, r, t1 * (k + 1));
    const auto t0 = std::chrono::steady_clock::now();
    const auto s = test::run_on(b, c);
    wall[k] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    swaps[k] = static_cast<double>(s.swaps.back());
  }
  const double dw = std::max(wall[1] - wall[0], 1e-9);
  const double steps = std::round(t1 / 0.01);  // dt of Fig. 5(d)
  return Timing{static_cast<double>(n) * static_cast<double>(r) * steps / dw, (swaps[1] - swaps[0]) / dw, wall[1]};
}

/// Device bytes moved per particle-step by the kernels as written (p: attempt probability).
double floor_bytes(Scheme scheme, Statistics stats, double p, double t_obs_over_dt) {
  switch (scheme) {
    case Scheme::exact:
      // fermions: 2 passes reading next[] (propose, alone: 8 B); an attempt reads y, cls
      // (12), writes its proposal (16) and claim (a 32 B sector, random, atomic); alone reads
      // the proposal (16), y, cls (12), the claims on its target and source entries, its
      // target's holder and the holder's next (4 sectors), writes its source entry (a sector)
      // and y, cls, next (16). The deferred ~1-4% are left out.
      if (stats == Statistics::fermi) return 8.0 + p * (12 + 16 + 32 + 16 + 12 + 4 * 32 + 32 + 16);
      return 4.0 + p * (8 + 8 + 8 + 8 + 4);  // classical: next[]; an attempt: y, v in and out, next
    case Scheme::event: return 2.0 * 48.0 / t_obs_over_dt;  // state in and out per observation
    case Scheme::paper:
      // key pass (x 8, key 4, member 4, count 4 atomic), radix sort of 8-byte pairs (4 digit
      // passes in and out + histogram), cells (member 4, class or velocity 8), stream (24)
      return 20.0 + 4 * 16 + 8 + 12 + 24;
  }
  return 0;
}
}  // namespace

TEST(GpuBench, DISABLED_Fig5dParticleStepsPerSecondCpuAndGpu) {
  if (!test::have_cuda_device()) GTEST_SKIP() << test::no_device_reason();
  const double bandwidth = env("VSWAP_BENCH_BANDWIDTH", 3.35e12);  // H100 SXM HBM3
  const auto cpu_r = static_cast<std::int64_t>(env("VSWAP_BENCH_CPU_REALIZATIONS", 2.0 * omp_get_max_threads()));
  struct Row {
    Scheme scheme;
    Statistics stats;
    double t1;
  };
  const Row rows[] = {{Scheme::exact, Statistics::fermi, 2.0},      {Scheme::exact, Statistics::classical, 2.0},
                      {Scheme::event, Statistics::classical, 20.0}, {Scheme::paper, Statistics::fermi, 0.05},
                      {Scheme::paper, Statistics::classical, 0.5}};
  std::printf("device: %s; CPU: %d threads, %lld realizations; floor at %.3g B/s\n",
              test::engine_for(Backend::cuda)->device_name().c_str(), omp_get_max_threads(),
              static_cast<long long>(cpu_r), bandwidth);
  std::printf("| scheme | statistics | N | R | CPU particle-steps/s | GPU particle-steps/s | GPU/CPU | GPU swaps/s | "
              "floor B/particle-step | bandwidth ceiling particle-steps/s | GPU wall s (2 t1) |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
  for (const std::int64_t n : {1600, 10000}) {
    for (const std::int64_t r : {1000, 10000}) {
      for (const Row& row : rows) {
        const Timing cpu = time_backend(Backend::cpu, row.scheme, row.stats, n, cpu_r, row.t1);
        const Timing gpu = time_backend(Backend::cuda, row.scheme, row.stats, n, r, row.t1);
        const double p = -std::expm1(-0.08 * 50 * 0.01);
        const double bytes = floor_bytes(row.scheme, row.stats, p, row.t1 / 0.01);
        std::printf("| %s | %s | %lld | %lld | %.3g | %.3g | %.1f | %.3g | %.3g | %.3g | %.2f |\n", to_string(row.scheme),
                    to_string(row.stats), static_cast<long long>(n), static_cast<long long>(r), cpu.rate, gpu.rate,
                    gpu.rate / cpu.rate, gpu.swaps_rate, bytes, bandwidth / bytes, gpu.wall);
        std::fflush(stdout);
      }
    }
  }
}
