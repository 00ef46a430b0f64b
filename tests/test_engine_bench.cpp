// CPU benchmark on the Fig. 5(d) configuration (not a test: DISABLED_, run by
// tools/bench_cpu.sh with --gtest_also_run_disabled_tests). Prints particle-steps/s.
// Env: VSWAP_BENCH_TIME (t_end, default 50), VSWAP_BENCH_REALIZATIONS (default 4),
// VSWAP_BENCH_ROWS (comma list of scheme-statistics rows, e.g. "exact-fermi,event-classical";
// default all), VSWAP_BENCH_THREADS (comma list, default "1,2").
// Bench.DISABLED_OutputFingerprint prints a hash of every scheme's raw sums (several
// observation times, 2 threads): identical before and after an optimisation that must not
// change a bit.
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

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
bool row_selected(const std::string& row) {
  const char* v = std::getenv("VSWAP_BENCH_ROWS");
  if (!v || !*v) return true;
  const std::string list = std::string(",") + v + ",";
  return list.find("," + row + ",") != std::string::npos;
}
std::vector<int> bench_threads() {
  const char* v = std::getenv("VSWAP_BENCH_THREADS");
  std::vector<int> out;
  std::string s = v && *v ? v : "1,2";
  for (std::size_t a = 0; a < s.size();) {
    const std::size_t b = s.find(',', a);
    out.push_back(std::atoi(s.substr(a, b - a).c_str()));
    if (b == std::string::npos) break;
    a = b + 1;
  }
  return out;
}
/// FNV-1a over the raw sums.
struct Fnv {
  std::uint64_t h = 1469598103934665603ULL;
  void bytes(const void* p, std::size_t n) {
    const auto* c = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ c[i]) * 1099511628211ULL;
  }
  void ints(const std::vector<std::int64_t>& v) { bytes(v.data(), v.size() * sizeof(std::int64_t)); }
  void sums(const std::vector<engine::ExactSum>& v) {
    for (const auto& e : v) {
      const std::int64_t hi = e.hi();
      const std::uint64_t lo = e.lo();
      bytes(&hi, sizeof hi);
      bytes(&lo, sizeof lo);
    }
  }
};
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
    if (!row_selected(std::string(to_string(row.scheme)) + "-" + to_string(row.stats))) continue;
    for (int threads : bench_threads()) {
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

TEST(Bench, DISABLED_OutputFingerprint) {
  struct Row {
    Scheme scheme;
    Statistics stats;
    std::vector<double> times;
  };
  const Row rows[] = {{Scheme::exact, Statistics::fermi, {0.0, 1.0, 7.5, 40.0}},
                      {Scheme::paper, Statistics::fermi, {0.0, 0.5, 2.0}},
                      {Scheme::exact, Statistics::classical, {0.0, 1.0, 7.5, 40.0}},
                      {Scheme::paper, Statistics::classical, {0.0, 1.0, 10.0}},
                      {Scheme::event, Statistics::classical, {0.0, 1.0, 7.5, 40.0}}};
  for (const Row& row : rows) {
    Config c = test::fig5d(row.scheme, row.stats);
    c.numerics.times = row.times;
    c.numerics.realizations = 4;
    const auto s = test::run_cpu(c, 2);
    Fnv f;
    f.ints(s.density_count);
    f.ints(s.density_count_sq);
    f.ints(s.velocity_count);
    f.ints(s.velocity_count_sq);
    f.sums(s.energy);
    f.sums(s.energy_sq);
    f.ints(s.swaps);
    f.ints(s.rejected);
    f.ints(s.rescattered);
    f.ints(s.saturated);
    std::printf("fingerprint %s-%s %016llx swaps %lld rejected %lld\n", to_string(row.scheme), to_string(row.stats),
                static_cast<unsigned long long>(f.h), static_cast<long long>(s.swaps.back()),
                static_cast<long long>(s.rejected.back()));
  }
}
