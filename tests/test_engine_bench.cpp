// CPU benchmark on the Fig. 5(d) configuration (not a test: DISABLED_, run by
// tools/bench_cpu.sh with --gtest_also_run_disabled_tests). Prints particle-steps/s.
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "engine_helpers.hpp"

using namespace vswap;

namespace {
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}
double env(const char* name, double fallback) {
  const char* v = std::getenv(name);
  return v ? std::atof(v) : fallback;
}
}  // namespace

TEST(Bench, DISABLED_Fig5dParticleStepsPerSecond) {
  struct Row {
    Scheme scheme;
    Statistics stats;
    double t_end;
  };
  const double t_end = env("VSWAP_BENCH_TIME", 50.0);
  const auto R = static_cast<std::int64_t>(env("VSWAP_BENCH_REALIZATIONS", 4));
  const Row rows[] = {{Scheme::exact, Statistics::fermi, t_end},      {Scheme::paper, Statistics::fermi, t_end / 10},
                      {Scheme::exact, Statistics::classical, t_end},  {Scheme::paper, Statistics::classical, t_end / 2},
                      {Scheme::event, Statistics::classical, t_end}};
  std::printf("| scheme | statistics | threads | realizations | t_end | wall s | particle-steps/s (wall) | per thread | per CPU-second |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
  for (const Row& row : rows) {
    for (int threads : {1, 2}) {
      Config c = test::fig5d(row.scheme, row.stats);
      c.numerics.times = {row.t_end};
      c.numerics.realizations = R;
      const double c0 = cpu_seconds();
      const auto t0 = std::chrono::steady_clock::now();
      const auto s = test::run_cpu(c, threads);
      const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const double cpu = cpu_seconds() - c0;
      const double steps = std::round(row.t_end / c.numerics.dt);
      const double ps = static_cast<double>(c.system.particles) * steps * static_cast<double>(R) / wall;
      std::printf("| %s | %s | %d | %lld | %g | %.3f | %.3g | %.3g | %.3g |\n", to_string(row.scheme),
                  to_string(row.stats), threads, static_cast<long long>(R), row.t_end, wall, ps, ps / threads,
                  ps * wall / cpu);
      std::fflush(stdout);
      ASSERT_GT(s.swaps.back(), 0);
    }
  }
}
