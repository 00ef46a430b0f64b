#include "app/mc_theory.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <vswap/error.hpp>
#include <vswap/theory/kinetic.hpp>
#include <vswap/theory/stationary.hpp>
#include <vswap/theory/transport.hpp>

#include "app/predictions.hpp"

namespace vswap::app {
namespace {

constexpr int kMinSubPoints = 16;        // midpoint nodes per velocity bin, at least
constexpr double kNodesPerScale = 8.0;    // nodes per narrowest velocity scale, at least
constexpr long kMaxVelocityNodes = 1 << 22;

/// The narrowest velocity scale of the classical theory: the smallest sd of the bath's
/// Gaussian components (or the smallest node spacing of a table bath) and, for a thermal
/// start, sqrt(T).
double narrowest_velocity_scale(const theory::BathState& bath, const Config& cfg) {
  double s = std::numeric_limits<double>::infinity();
  if (bath.is_table()) {
    const auto& l = bath.table_lambda();
    for (std::size_t i = 1; i < l.size(); ++i) s = std::min(s, l[i] - l[i - 1]);
  } else {
    for (const auto& c : bath.components())
      if (c.weight > 0) s = std::min(s, c.sd);
  }
  if (cfg.system.velocities == InitialVelocities::thermal) s = std::min(s, std::sqrt(cfg.system.temperature));
  return s;
}

/// Classical velocity bins: a midpoint grid aligned with the bins, `sub` nodes per bin, fine
/// enough for the narrowest velocity scale (the bath's peaks, a thermal start: a bin much
/// wider than a peak would otherwise sample it at a few points), extended with the same
/// spacing over the bath's support and `extra` so that moments (the energy) are integrated
/// over everything. Returns the grid, the index of the node at the left edge of bin 0 and
/// `sub`.
theory::VelocityGrid binned_grid(const std::vector<double>& edges, std::pair<double, double> extra,
                                 double scale, long& first_bin_node, int& sub) {
  const double width = edges[1] - edges[0];
  const double lo = std::min(edges.front(), extra.first);
  const double hi = std::max(edges.back(), extra.second);
  double want = std::max<double>(kMinSubPoints, std::ceil(kNodesPerScale * width / scale));
  // at most kMaxVelocityNodes in all (the bins' count sets the least)
  want = std::min(want, std::max<double>(1.0, std::floor(kMaxVelocityNodes * width / (hi - lo))));
  sub = static_cast<int>(want);
  const double h = width / sub;
  const long below = static_cast<long>(std::ceil((edges.front() - lo) / h));
  const long total = below + static_cast<long>(std::ceil((hi - edges.front()) / h));
  theory::VelocityGrid g;
  g.lambda.resize(total);
  g.weight = Eigen::VectorXd::Constant(total, h);
  for (long i = 0; i < total; ++i) g.lambda[i] = edges.front() + (static_cast<double>(i - below) + 0.5) * h;
  first_bin_node = below;
  return g;
}

/// Bin averages of a function sampled on `binned_grid` nodes (`sub` per bin).
std::vector<double> bin_average(const Eigen::VectorXd& f, long first, int sub, std::size_t bins) {
  std::vector<double> out(bins, 0.0);
  for (std::size_t k = 0; k < bins; ++k) {
    double s = 0;
    for (int i = 0; i < sub; ++i) s += f[first + static_cast<long>(k) * sub + i];
    out[k] = s / sub;
  }
  return out;
}

double energy_of(const theory::VelocityGrid& g, const Eigen::VectorXd& rho_p) {
  const double n = g.weight.dot(rho_p);
  return n > 0 ? g.weight.dot((0.5 * g.lambda.array().square() * rho_p.array()).matrix()) / n
               : 0.0;
}

/// Fermion local states (40) along one time's solver cells (`cell_density`, equal cells of
/// a ring of length L, `bins` output bins of whole cells): their x-averaged phase-space
/// density and, to first order in 1/N, its fixed-N correction and that of the bins' density
/// (theory::FixedNSums; docs/VALIDATION.md section 11).
struct LocalStates {
  Eigen::VectorXd rho_p, fixed_n_rho_p;
  std::vector<double> fixed_n_density;  ///< bins, particles per unit length
};
LocalStates fermion_local_states(const theory::DiscreteBath& bath, const Eigen::VectorXd& cell_density, std::size_t bins,
                                 double L) {
  const auto K = static_cast<std::size_t>(bath.grid.size());
  const auto cells = static_cast<std::size_t>(cell_density.size());
  VSWAP_EXPECTS(cells % bins == 0, "the Burgers cells are not a multiple of the bins");
  const std::size_t per_bin = cells / bins;
  LocalStates out{Eigen::VectorXd::Zero(static_cast<Eigen::Index>(K)), Eigen::VectorXd::Zero(static_cast<Eigen::Index>(K)),
                  std::vector<double>(bins, 0.0)};
  std::vector<theory::FixedNSums> per_class(K), per_bin_sums(bins);
  theory::FixedNSums all;
  for (std::size_t c = 0; c < cells; ++c) {
    const double rho = cell_density[static_cast<Eigen::Index>(c)];
    if (rho <= 0) continue;
    const auto st = theory::stationary_state(bath, Statistics::fermi, rho);
    out.rho_p += st.rho_p / static_cast<double>(cells);
    for (std::size_t k = 0; k < K; ++k) {
      const double n = st.n[static_cast<Eigen::Index>(k)], hole = st.hole[static_cast<Eigen::Index>(k)];
      per_class[k].add(n, hole);
      per_bin_sums[c / per_bin].add(n, hole);
      all.add(n, hole);
    }
  }
  for (std::size_t k = 0; k < K; ++k)
    out.fixed_n_rho_p[static_cast<Eigen::Index>(k)] =
        all.shift(per_class[k].T, per_class[k].V) / (bath.grid.weight[static_cast<Eigen::Index>(k)] * L);
  for (std::size_t b = 0; b < bins; ++b)
    out.fixed_n_density[b] = all.shift(per_bin_sums[b].T, per_bin_sums[b].V) / (L / static_cast<double>(bins));
  return out;
}

}  // namespace

double independent_particle_skewness(const theory::DiscreteBath& bath, double gamma, double width, double t) {
  const double r = gamma * bath.density;
  // the bath's mean (100) and variance r D (101); its third central moment
  const double var = theory::classical_D(bath, gamma) * r;
  const Eigen::VectorXd dev = (bath.grid.lambda.array() - theory::classical_u(bath)).matrix();
  const double mu3 = bath.grid.integrate(dev.array().cube().matrix().cwiseProduct(bath.rho_b)) / bath.density;
  const double x = r * t;
  // 2 var int_0^t (t - s) e^{-r s} ds and 6 mu3 int_0^t (t - d) d e^{-r d} dd; series where
  // the closed forms cancel
  double k2, k3;
  if (x < 1e-2) {  // to x^4: truncation < 1e-13 there; the closed forms lose ~1e-9 at x = 1e-2
    k2 = var * t * t * (1 + x * (-1.0 / 3 + x * (1.0 / 12 + x * (-1.0 / 60 + x / 360))));
    k3 = mu3 * t * t * t * (1 + x * (-0.5 + x * (3.0 / 20 + x * (-1.0 / 30 + x / 168))));
  } else {
    k2 = 2 * var * (t / r + std::expm1(-x) / (r * r));
    k3 = 6 * mu3 * (t / (r * r) - 2 / (r * r * r) + std::exp(-x) * (t / (r * r) + 2 / (r * r * r)));
  }
  k2 += width * width;
  return k3 / std::pow(k2, 1.5);
}

MissingCumulants independent_particle_missing_cumulants(const theory::DiscreteBath& bath, double gamma, double t,
                                                        double m0, double s0sq) {
  const double r = gamma * bath.density;
  const double var = theory::classical_D(bath, gamma) * r, u = theory::classical_u(bath);
  const double x = r * t, q = std::exp(-x), one_q = -std::expm1(-x);
  MissingCumulants m;
  m.shift = (m0 - u) * one_q / r;
  m.variance_lag = 2 * var * one_q / (r * r) - 2 * (s0sq - var) / r * (one_q / r - t * q) -
                   2 * (m0 - u) * (m0 - u) / r * (one_q * (1 + q) / (2 * r) - t * q);
  return m;
}

bool theory_needs_the_run(const Config& cfg) {
  return cfg.system.profile == Profile::uniform && cfg.system.statistics == Statistics::fermi &&
         cfg.system.velocities != InitialVelocities::stationary;
}

MonteCarloTheory monte_carlo_theory(const Config& cfg, const engine::RunSums& sums,
                                    const engine::RunSummary& summary) {
  MonteCarloTheory th;
  const auto bath_state = theory::BathState::from_config(cfg.bath);
  const Statistics stats = cfg.system.statistics;
  const bool fermi = stats == Statistics::fermi;
  const std::size_t T = sums.times.size();
  const std::size_t B = sums.density_edges.size() - 1;
  const std::size_t K = sums.velocity_centres.size();
  const double L = sums.length;
  const double mean_density = static_cast<double>(sums.particles) / L;
  th.homogeneous = cfg.system.profile == Profile::uniform;

  // The velocity space the theory lives on.
  long first_node = 0;
  int sub = 1;
  theory::VelocityGrid grid;
  if (fermi) {
    th.bath = transport_bath(bath_state, cfg);  // the run's lattice: its classes are the bins
    grid = th.bath.grid;
    VSWAP_EXPECTS(static_cast<std::size_t>(grid.size()) == K,
                  "the run's velocity classes are not the config's lattice");
  } else {
    auto extra = bath_state.support();
    if (cfg.system.velocities == InitialVelocities::thermal) {
      const double w = 10.0 * std::sqrt(cfg.system.temperature);
      extra = {std::min(extra.first, -w), std::max(extra.second, w)};
    }
    grid = binned_grid(sums.velocity_edges, extra, narrowest_velocity_scale(bath_state, cfg), first_node, sub);
    th.bath = theory::discretise(bath_state, grid);
  }
  // xi = var_b / (2 pi gamma rho_bath), and (101) is var_b / (gamma rho_bath) on this lattice
  if (fermi) th.kinetic_xi = theory::classical_D(th.bath, cfg.collisions.gamma) / (2 * M_PI);
  const auto velocity_bins = [&](const Eigen::VectorXd& rho_p) {
    return fermi ? std::vector<double>(rho_p.data(), rho_p.data() + rho_p.size())
                 : bin_average(rho_p, first_node, sub, K);
  };
  // u, D: fermions on the run's lattice; classical particles on the bath's own quadrature,
  // as `vswap theory` (the histogram grid above serves only the velocity histograms).
  const theory::DiscreteBath transport = fermi ? th.bath : transport_bath(bath_state, cfg);

  Config at_run_times = cfg;
  at_run_times.numerics.times = sums.times;
  th.coefficients = coefficients(transport, cfg, stats);

  // The kinetic equation (38)/(39) from the initial velocities. Homogeneous runs; and for
  // independent (classical) particles it is also exact for the x-averaged velocities of an
  // inhomogeneous run (streaming averages out on the ring, the collisions are linear).
  const auto kinetic_velocities = [&]() {
    // Initial velocities: known in closed form except for fermions drawn with Pauli
    // redraws, whose initial distribution is taken from the run itself (its t0 histogram).
    Eigen::VectorXd rho_p0;
    const auto& v = cfg.system.velocities;
    bool from_run = false;  // rho_p0 is the run's first histogram, at times[0], not t = 0
    if (v == InitialVelocities::stationary || (!fermi && v == InitialVelocities::bath)) {
      rho_p0 = theory::stationary_state(th.bath, stats, mean_density).rho_p;
      th.velocity_note = "kinetic equation from the stationary state";
    } else if (!fermi) {
      const double T0 = cfg.system.temperature;
      rho_p0 = (mean_density / std::sqrt(2 * M_PI * T0)) *
               (-grid.lambda.array().square() / (2 * T0)).exp().matrix();
      th.velocity_note = th.homogeneous ? "kinetic equation (38) from the thermal initial state"
                                        : "kinetic equation (38) from the thermal initial state, for the"
                                          " x-averaged velocities (exact for independent particles)";
    } else {
      // a check before the run has no histogram yet: the stationary state stands in
      rho_p0 = summary.realizations > 0
                   ? Eigen::VectorXd(Eigen::Map<const Eigen::VectorXd>(summary.velocity_mean.data(), static_cast<long>(K)))
                   : theory::stationary_state(th.bath, stats, mean_density).rho_p;
      th.velocity_note = "kinetic equation (39) from the run's own first velocity histogram";
      from_run = true;
    }
    // The closed-form initial states hold at t = 0, whatever the first observation time.
    const double t_start = from_run ? sums.times[0] : 0.0;
    std::vector<double> elapsed(T);
    for (std::size_t i = 0; i < T; ++i) elapsed[i] = sums.times[i] - t_start;
    const auto kin =
        theory::solve_kinetic(th.bath, stats, cfg.collisions.gamma, rho_p0, elapsed);
    // a stationary fermion start stays in (40) held at exactly N: its fixed-N state, exact
    // where the convolution is cheap, else to first order (the other starts are not (40);
    // none is applied)
    const bool fixed_n = fermi && th.homogeneous && v == InitialVelocities::stationary;
    Eigen::VectorXd shift;
    if (fixed_n) {
      const auto st = theory::stationary_state(th.bath, stats, mean_density);
      const auto cells = static_cast<long>(cfg.numerics.cells);
      const Eigen::VectorXd held = theory::fixed_n_occupations(st.n, st.hole, cells, static_cast<long>(sums.particles));
      shift = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(K));
      if (held.size() > 0) {
        th.fixed_n_note = "exact";
        // M (q_k - n_k) particles in class k, per unit length and lambda
        for (std::size_t k = 0; k < K; ++k) {
          const auto j = static_cast<Eigen::Index>(k);
          shift[j] = static_cast<double>(cells) * (held[j] - st.n[j]) / (grid.weight[j] * L);
        }
      } else {
        th.fixed_n_note = "first order in 1/N";
        shift = fermion_local_states(th.bath, Eigen::VectorXd::Constant(1, mean_density), 1, L).fixed_n_rho_p;
      }
    }
    for (std::size_t i = 0; i < T; ++i) {
      const Eigen::VectorXd grand = kin.rho_p.row(static_cast<long>(i)).transpose();
      Eigen::VectorXd row = grand;
      double energy = kin.energy[i];
      if (fixed_n) {
        row += shift;
        th.fixed_n_energy.push_back(energy_of(grid, row) - energy_of(grid, grand));
        energy += th.fixed_n_energy.back();
        for (std::size_t k = 0; k < K; ++k)
          th.fixed_n_velocity.push_back(row[static_cast<long>(k)] - grand[static_cast<long>(k)]);
        th.fixed_n_density.insert(th.fixed_n_density.end(), B, 0.0);  // uniform: no shift
      }
      const auto bins = velocity_bins(row);
      th.velocity.insert(th.velocity.end(), bins.begin(), bins.end());
      th.energy.push_back(energy);
    }
  };

  if (th.homogeneous) {
    th.density.assign(T * B, mean_density);
    kinetic_velocities();
    return th;
  }

  // Inhomogeneous: Burgers (2) on the run's bins and times.
  const auto burgers = burgers_prediction(transport, at_run_times);
  th.density = row_major(burgers.density);
  th.burgers_error = burgers.error_estimate;
  th.burgers_mass_drift = burgers.mass_drift;
  th.rho0 = mass_weighted_density(cfg);
  const auto frozen = theory::transport_coefficients(transport, stats, th.rho0, cfg.collisions.gamma);
  th.linear_u = frozen.u;
  th.linear_D = frozen.D;
  th.knudsen = std::sqrt(frozen.D / (cfg.collisions.gamma * transport.density)) / cfg.system.width;
  th.missing_skewness =
      independent_particle_skewness(transport, cfg.collisions.gamma, cfg.system.width, sums.times.back());
  {
    // the initial velocity law: the bath's (bath, stationary: for fermions the dilute
    // limit), or the thermal one of system.temperature
    const bool thermal = cfg.system.velocities == InitialVelocities::thermal;
    const double m0 = thermal ? 0.0 : theory::classical_u(transport);
    const double s0sq = thermal ? cfg.system.temperature
                                : theory::classical_D(transport, cfg.collisions.gamma) *
                                      cfg.collisions.gamma * transport.density;
    const double t = sums.times.back(), w = cfg.system.width;
    const auto missing =
        independent_particle_missing_cumulants(transport, cfg.collisions.gamma, t, m0, s0sq);
    const double var_b = theory::classical_D(transport, cfg.collisions.gamma);  // D = var_b / r
    th.missing_variance = missing.variance_lag / (w * w + 2 * var_b * t);
    th.missing_shift = missing.shift;
  }
  const auto linear = linear_diffusion_prediction(transport, at_run_times, th.rho0, burgers.cells);
  th.linear_density = row_major(linear.density);
  // fermions started in (40) held at N: the fixed-N correction of the profiles' local states
  const bool fixed_n = fermi && cfg.system.velocities == InitialVelocities::stationary;
  if (fixed_n) {
    th.fixed_n_note = "first order in 1/N";
    for (std::size_t i = 0; i < T; ++i) {
      const auto along = fermion_local_states(th.bath, linear.cell_density.row(static_cast<long>(i)).transpose(), B, L);
      for (std::size_t b = 0; b < B; ++b) th.linear_density[i * B + b] += along.fixed_n_density[b];
    }
  }
  if (!fermi && cfg.system.velocities == InitialVelocities::thermal) {
    kinetic_velocities();  // far from the local state at first, and exact
    return th;
  }
  // Velocities: the local stationary states along the predicted profile, averaged over x,
  // on the solver's own cells (finer than the output bins: (40) is not linear in rho, so
  // states at bin-averaged densities would depend on the binning).
  // Fermions started `stationary`: with the fixed-N correction of these states (on the
  // solver's cells, whole fractions of the output bins), in the velocities, the energy and
  // the density (a `bath` or `thermal` start reaches the fixed-N state only as its
  // Poisson-like count fluctuations relax, down to the ring's longest wavelength: none is
  // applied; docs/VALIDATION.md section 11).
  th.velocity_note = !fermi ? "local stationary states (20) along the Burgers profile"
                     : fixed_n ? "local stationary states (40) along the Burgers profile (solver cells), with the"
                                 " fixed-N correction"
                               : "local stationary states (40) along the Burgers profile (solver cells)";
  for (std::size_t i = 0; i < T; ++i) {
    Eigen::VectorXd total;
    if (!fermi) {  // (20) is linear in rho: the mean density's state (one solve, not one a cell)
      total = theory::stationary_state(th.bath, stats, burgers.cell_density.row(static_cast<long>(i)).mean()).rho_p;
      th.energy.push_back(energy_of(grid, total));
    } else {
      const auto along = fermion_local_states(th.bath, burgers.cell_density.row(static_cast<long>(i)).transpose(), B, L);
      total = along.rho_p;
      const double grand = energy_of(grid, total);
      if (fixed_n) {
        total += along.fixed_n_rho_p;
        th.fixed_n_energy.push_back(energy_of(grid, total) - grand);
        th.fixed_n_velocity.insert(th.fixed_n_velocity.end(), along.fixed_n_rho_p.data(),
                                   along.fixed_n_rho_p.data() + along.fixed_n_rho_p.size());
        for (std::size_t b = 0; b < B; ++b) {
          th.fixed_n_density.push_back(along.fixed_n_density[b]);
          th.density[i * B + b] += along.fixed_n_density[b];
        }
      }
      th.energy.push_back(fixed_n ? grand + th.fixed_n_energy.back() : grand);
    }
    const auto bins = velocity_bins(total);
    th.velocity.insert(th.velocity.end(), bins.begin(), bins.end());
  }
  return th;
}

}  // namespace vswap::app
