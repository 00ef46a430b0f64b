#include "engine/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include <vswap/error.hpp>
#include <vswap/observables.hpp>
#include <vswap/theory/bath_state.hpp>

#include "engine/initial_state.hpp"

namespace vswap::engine {

double peak_cell_occupation(const Config& c, double ell) {
  const double n = static_cast<double>(c.system.particles);
  const double uniform = n / c.system.length;
  if (c.system.profile == Profile::uniform) return uniform * ell;
  const double peak = n / (std::sqrt(2.0 * M_PI) * c.system.width);
  return std::max(peak, uniform) * ell;
}

PaperParams Plan::paper_params() const {
  PaperParams p;
  p.gamma = config.collisions.gamma;
  p.dt = dt;
  p.bath_count = paper_bath_count;
  p.bath_length = paper_bath_length;
  p.lattice = lattice;
  if (fermi) p.bath = class_alias.view();
  else p.continuous = continuous.view();
  return p;
}

namespace {
/// The velocities the run can hold: the bath's support and, for a `thermal` start, +-8.5
/// sqrt(T) (a Gaussian density 1.5e-16 of its peak there).
std::pair<double, double> velocity_reach(const SystemConfig& sys, std::pair<double, double> bath_support) {
  auto [lo, hi] = bath_support;
  if (sys.velocities == InitialVelocities::thermal) {
    const double w = 8.5 * std::sqrt(sys.temperature);
    lo = std::min(lo, -w);
    hi = std::max(hi, w);
  }
  return {lo, hi};
}
}  // namespace

Lattice lattice_of(const Config& config, std::pair<double, double> bath_support) {
  const auto& sys = config.system;
  Lattice g;
  g.length = sys.length;
  g.cells = static_cast<std::int32_t>(config.numerics.cells);
  g.ell = sys.length / static_cast<double>(config.numerics.cells);
  g.dl = 2.0 * M_PI / g.ell;
  if (sys.statistics != Statistics::fermi) return g;
  const auto [lo, hi] = velocity_reach(sys, bath_support);
  g.j_lo = static_cast<std::int32_t>(std::floor(lo / g.dl));
  const auto j_hi = static_cast<std::int32_t>(std::ceil(hi / g.dl));
  g.classes = j_hi - g.j_lo + 1;
  if (g.classes > 1 << 20)
    throw InputError("numerics.cells", fmt::format("the velocity lattice dl = 2 pi M / L = {} needs {} classes "
                                                   "to cover the bath: too many", g.dl, g.classes));
  return g;
}

std::vector<double> lattice_class_probabilities(const Lattice& g, const theory::BathState& bath) {
  std::vector<double> prob(static_cast<std::size_t>(g.classes));
  double total = 0;
  for (std::int32_t k = 0; k < g.classes; ++k) total += prob[k] = bath(class_velocity(g, k));
  if (!(total > 0))
    throw InputError("numerics.cells", "the bath has no weight on the velocity lattice (dl too coarse)");
  for (double& q : prob) q /= total;
  return prob;
}

Plan make_plan(const Config& config) {
  Plan p;
  p.config = config;
  const auto& sys = config.system;
  const auto& num = config.numerics;
  p.fermi = sys.statistics == Statistics::fermi;
  p.scheme = config.collisions.scheme;
  if (p.fermi && p.scheme == Scheme::event)
    throw InputError("collisions.scheme",
                     "\"event\" is for classical particles only: Pauli blocking needs the cells of "
                     "\"exact\" (default for fermions) or \"paper\"");
  if (sys.particles < 1 || sys.particles > 2147483647)
    throw InputError("system.particles", "must be between 1 and 2^31 - 1");
  if (num.cells < 1 || num.cells > 2147483647) throw InputError("numerics.cells", "must be >= 1");
  if (num.bins < 1) throw InputError("numerics.bins", "must be >= 1");
  if (!(config.collisions.gamma >= 0)) throw InputError("collisions.gamma", "must be >= 0");
  p.particles = static_cast<std::int32_t>(sys.particles);

  const auto bath = theory::BathState::from_config(config.bath);
  p.rate = config.collisions.gamma * bath.density();
  p.dt = num.dt;
  if (p.scheme != Scheme::event) {
    if (!(num.dt > 0)) throw InputError("numerics.dt", "must be > 0");
    p.rate_dt = p.rate * p.dt;
    for (double t : num.times) {
      const double s = std::round(t / num.dt);
      if (s > static_cast<double>(kMaxStreamStep))
        throw InputError("numerics.dt", fmt::format("time {} needs more than 2^30 steps", t));
      if (!p.obs_steps.empty() && static_cast<std::uint32_t>(s) == p.obs_steps.back())
        throw InputError("numerics.times",
                         fmt::format("{} and {} fall on the same step ({}) at dt = {}: observation "
                                     "times are rounded to whole steps; drop one or use a smaller dt",
                                     num.times[p.obs_steps.size() - 1], t, s, num.dt));
      p.obs_steps.push_back(static_cast<std::uint32_t>(s));
      // s steps of dt: the requested time where it is s dt but for the rounding of the
      // product (3 x 0.3 = 0.8999999999999999 was stored for 0.9), else s dt
      const double reached = s * num.dt;
      p.obs_times.push_back(std::abs(reached - t) <= 4 * std::numeric_limits<double>::epsilon() * std::abs(t) ? t
                                                                                                          : reached);
    }
  } else {
    p.obs_times = num.times;
    p.obs_steps.assign(num.times.size(), 0);
  }

  p.lattice = lattice_of(config, bath.support());
  Lattice& g = p.lattice;
  p.density_bins = static_cast<std::int32_t>(num.bins);

  // classical histogram, automatic range: what the run can hold (the thermal start too: a
  // start outside the bath's support was dropped from the histogram, chi^2 NaN at t = 0)
  const auto [lo, hi] = velocity_reach(sys, bath.support());
  if (p.fermi) {
    p.class_prob = lattice_class_probabilities(g, bath);
    p.class_alias = AliasTable(p.class_prob);
    p.velocity_bins = g.classes;
  } else {
    if (bath.is_table()) {
      p.continuous = ContinuousBath::table(bath.table_lambda(), bath.table_rho());
    } else {
      std::vector<double> w, m, s;
      for (const auto& c : bath.components()) {
        w.push_back(c.weight);
        m.push_back(c.mean);
        s.push_back(c.sd);
      }
      p.continuous = ContinuousBath::mixture(w, m, s);
    }
    const bool automatic = !(num.velocity_max > num.velocity_min);
    p.velocity_bins = num.velocity_bins > 0 ? static_cast<std::int32_t>(num.velocity_bins) : 100;
    p.velocity_min = automatic ? lo : num.velocity_min;
    const double vmax = automatic ? hi : num.velocity_max;
    p.velocity_width = (vmax - p.velocity_min) / p.velocity_bins;
  }

  // Fermions: can the lattice hold the densest cell? A cell holds at most one fermion per
  // class; the states with non-negligible bath weight are what redraws (velocities = bath,
  // thermal) and the stationary state can fill without stalling.
  const double n_peak = peak_cell_occupation(config, g.ell);
  if (p.fermi) {
    const double pmax = *std::max_element(p.class_prob.begin(), p.class_prob.end());
    const auto capacity = std::count_if(p.class_prob.begin(), p.class_prob.end(),
                                        [&](double q) { return q >= 1e-3 * pmax; });
    const double limit = 0.75 * static_cast<double>(capacity);
    if (n_peak > limit) {
      const char* key = sys.profile == Profile::gaussian ? "system.width" : "system.particles";
      throw InputError(key, fmt::format(
          "the densest cell would hold {:.1f} fermions on average, but the velocity lattice "
          "(dl = {:.4g}) has only {} classes with bath weight >= 1e-3 of the maximum; the limit is "
          "3/4 of them ({:.1f}). Use fewer particles or {} (not other cells: a cell's "
          "fermions and its classes both grow with its length)",
          n_peak, g.dl, capacity, limit,
          sys.profile == Profile::gaussian ? "a wider profile" : "a longer ring (system.length)"));
    }
    // One class: every fermion has the same velocity, swaps change nothing, D = 0 and the
    // Burgers equation (2) that the run is compared with degenerates (no diffusion).
    if (capacity < 2 && sys.profile == Profile::gaussian)
      throw InputError("numerics.cells", fmt::format(
          "the bath lies on a single class of the fermion velocity lattice (dl = 2 pi cells / "
          "length = {:.4g}): D(rho) = 0 and the Burgers equation (2) has no diffusion. Use fewer "
          "cells (longer cells: a finer velocity lattice) or a wider bath", g.dl));
  }

  if (p.scheme == Scheme::paper) {
    p.paper_bath_count = paper_bath_count(bath.density(), g.ell);
    p.paper_bath_length = paper_bath_length(bath.density(), g.ell, p.paper_bath_count);
    // (C1)/(C2): R dt = gamma n N_bath dt / ell_b must stay below 1 in the densest cell,
    // here its mean occupation plus three Poisson standard deviations.
    const double n_high = n_peak + 3.0 * std::sqrt(n_peak);
    const double rdt = config.collisions.gamma * n_high * p.paper_bath_count * p.dt / p.paper_bath_length;
    if (rdt > 1.0)
      throw InputError("numerics.dt", fmt::format(
          "too large for the \"paper\" scheme: R dt = gamma n N_bath dt / ell_b (ell_b = N_bath / rho_bath) reaches {:.3g} > 1 in the "
          "densest cell (n = {:.1f} particles, N_bath = {}); at most one swap per cell and step "
          "would bias the rate. Use dt <= {:.3g}",
          rdt, n_high, p.paper_bath_count, p.dt / rdt));
  }
  // The fastest a particle of the run can be: fermions stay on the lattice classes; classical
  // velocities come from the bath's sampler (a Gaussian component reaches at most
  // kStandardNormalMax sd from its mean, a table its end nodes) or the thermal start.
  if (p.fermi) {
    p.max_speed = g.dl * static_cast<double>(std::max(std::abs(static_cast<std::int64_t>(g.j_lo)),
                                                      std::abs(static_cast<std::int64_t>(g.j_lo) + g.classes - 1)));
  } else {
    if (bath.is_table()) {
      p.max_speed = std::max(std::abs(bath.table_lambda().front()), std::abs(bath.table_lambda().back()));
    } else {
      for (const auto& c : bath.components())
        p.max_speed = std::max(p.max_speed, std::abs(c.mean) + kStandardNormalMax * c.sd);
    }
    if (sys.velocities == InitialVelocities::thermal)
      p.max_speed = std::max(p.max_speed, kStandardNormalMax * std::sqrt(sys.temperature));
  }
  if (!(p.max_speed < 1e150))
    throw InputError("bath", fmt::format("velocities up to {:.3g}: too large for the energy sums", p.max_speed));
  p.energy_scale = energy_scale_for(p.particles, p.max_speed);
  p.energy_unit = energy_unit_for(p.max_speed);
  if (p.fermi && sys.velocities == InitialVelocities::stationary) plan_stationary_counts(p);
  return p;
}

}  // namespace vswap::engine
