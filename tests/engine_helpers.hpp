#pragma once
// Configurations and small helpers shared by the engine tests and the CPU benchmark.
#include <cmath>
#include <string>

#include <vswap/config.hpp>

#include "engine/engine.hpp"

namespace vswap::test {

/// Fig. 5(d): fermions, asymmetric Bragg bath (SPEC section 4), width 300 (peak density ~2).
inline Config fig5d(Scheme scheme = Scheme::exact, Statistics stats = Statistics::fermi) {
  Config c;
  c.bath.kind = BathKind::bragg;
  c.bath.density = 50;
  c.bath.sigma = 6;
  c.bath.lambda_B = 5.9;
  c.bath.b = 0.3;
  c.system.statistics = stats;
  c.system.particles = 1600;
  c.system.length = 2000;
  c.system.profile = Profile::gaussian;
  c.system.width = 300;
  c.system.velocities = InitialVelocities::bath;
  c.collisions.gamma = 0.08;
  c.collisions.scheme = scheme;
  c.numerics.cells = 400;
  c.numerics.dt = 0.01;
  c.numerics.realizations = 4;
  c.numerics.seed = 1;
  c.numerics.times = {0.0, 10.0};
  c.numerics.bins = 100;
  return c;
}

/// A small degenerate fermion gas (docs/VALIDATION.md sections 9, 11): thermal bath T = 2,
/// boost 0.7, rho_bath 30, gamma 0.1, `stationary` start on L = 150 (25 cells of length 6:
/// dl = 2 pi / 6; 120 fermions: 4.8 a cell, n up to 0.87), width 25 for a profile.
inline Config few_fermions(Profile profile, std::int64_t particles) {
  Config c = fig5d(Scheme::exact, Statistics::fermi);
  c.bath.kind = BathKind::thermal;
  c.bath.density = 30;
  c.bath.temperature = 2;
  c.bath.boost = 0.7;
  c.collisions.gamma = 0.1;
  c.system.profile = profile;
  c.system.particles = particles;
  c.system.length = 150;
  c.system.width = 25;
  c.system.velocities = InitialVelocities::stationary;
  c.numerics.cells = 25;
  c.numerics.bins = 25;
  c.numerics.times = {0.0, 2.0};
  c.theory.points = 50;
  return c;
}

inline engine::RunSums run_cpu(const Config& c, int threads = 0, bool check = false,
                               std::int64_t first = 0, std::int64_t last = -1) {
  engine::RunSetup s;
  s.config = c;
  s.options.threads = threads;
  s.options.check_every_step = check;
  s.first_realization = first;
  s.last_realization = last;
  return engine::make_cpu_engine()->run(s, nullptr);
}

inline bool identical(const engine::RunSums& a, const engine::RunSums& b) {
  return a.density_count == b.density_count && a.density_count_sq == b.density_count_sq &&
         a.velocity_count == b.velocity_count && a.velocity_count_sq == b.velocity_count_sq &&
         a.energy == b.energy && a.energy_sq == b.energy_sq && a.swaps == b.swaps &&
         a.rejected == b.rejected && a.rescattered == b.rescattered && a.saturated == b.saturated;
}

}  // namespace vswap::test
