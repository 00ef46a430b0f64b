#pragma once
/// @brief The theory a Monte Carlo run is compared with, on the run's own bins and times.
///
/// Inhomogeneous runs: the density from the Burgers equation (2) (and the boosted linear
/// diffusion equation with u, D frozen at rho0), the velocity histogram and energy of the
/// local stationary states along that profile. Homogeneous runs (profile = "uniform"): the
/// kinetic equation (38)/(39) for the velocity histogram and e(t). Fermions use the
/// Monte Carlo's velocity lattice (lambda_j = j dl), classical particles the continuum.

#include <limits>
#include <string>
#include <vector>

#include <vswap/config.hpp>
#include <vswap/theory/bath_state.hpp>
#include <vswap/theory/transport.hpp>

#include "engine/engine.hpp"

namespace vswap::app {

struct MonteCarloTheory {
  bool homogeneous = false;
  theory::DiscreteBath bath;  ///< the bath the theory used (lattice for fermions)
  std::vector<theory::TransportCoefficients> coefficients;
  std::vector<double> density;   ///< T x B
  std::vector<double> velocity;  ///< T x K, bin averages
  std::vector<double> energy;    ///< T
  /// The fixed-N correction included in `density`, `velocity` and `energy` (same shapes;
  /// `linear_density` carries its own): fermions started `stationary`, whose state is (40)
  /// held at exactly N (docs/VALIDATION.md section 11). Empty where none is applied.
  std::vector<double> fixed_n_density, fixed_n_velocity, fixed_n_energy;
  std::string fixed_n_note;  ///< "exact" (uniform gas, the convolution) or "first order in 1/N"
  // inhomogeneous only: the boosted linear diffusion equation
  std::vector<double> linear_density;  ///< T x B
  double rho0 = 0, linear_u = 0, linear_D = 0;
  double burgers_error = 0, burgers_mass_drift = 0;
  std::string velocity_note;  ///< how the velocity theory was made (an HDF5 attribute)
  /// Fermions: xi = var_b / (2 pi gamma rho_bath), var_b the lattice bath's velocity
  /// variance: the mean free path against a cell's wavelength 2 pi / Delta lambda. Where it is
  /// not >> 1 the lattice Monte Carlo spreads faster than (39)'s D (docs/VALIDATION.md
  /// section 9). NaN for classical particles.
  double kinetic_xi = std::numeric_limits<double>::quiet_NaN();
  /// Inhomogeneous runs: the Knudsen number sqrt(D(rho0) / (gamma rho_bath)) / width (mean
  /// free path against the profile's width), and the skewness that Burgers (2) leaves out at
  /// the last observation time (`independent_particle_skewness`; for fermions the dilute-gas
  /// value). docs/VALIDATION.md section 10. NaN for homogeneous runs.
  double knudsen = std::numeric_limits<double>::quiet_NaN();
  double missing_skewness = std::numeric_limits<double>::quiet_NaN();
  /// Inhomogeneous runs, at the last observation time, for independent particles started
  /// with the run's initial velocity law (fermions: the dilute limit;
  /// `independent_particle_missing_cumulants`): the variance (2) has too much, relative to
  /// (2)'s profile variance w^2 + 2 D t, and the mean displacement it leaves out. NaN for
  /// homogeneous runs.
  double missing_variance = std::numeric_limits<double>::quiet_NaN();
  double missing_shift = std::numeric_limits<double>::quiet_NaN();
};

/// The skewness at time t of a Gaussian profile of sd `width` (t = 0) of independent
/// classical particles whose velocities are renewed from `bath` at rate gamma rho_bath, each
/// started from the bath: (kappa_3 / kappa_2^{3/2} of the displacement plus the start),
/// kappa_2 = w^2 + 2 var_b (t / r - (1 - e^{-rt}) / r^2), kappa_3 = 6 mu_3 (t / r^2 - 2 / r^3 +
/// e^{-rt} (t / r^2 + 2 / r^3)), mu_3 the bath's third central moment. Exact for the model
/// on the line; Burgers (2) (linear for classical particles) has kappa_3 = 0.
double independent_particle_skewness(const theory::DiscreteBath& bath, double gamma, double width, double t);

/// What Burgers (2) leaves out of the first two cumulants of the displacement at time t, for
/// independent classical particles whose velocities, started from a law of mean m0 and
/// variance s0sq, are renewed from `bath` (mean u, variance var_b) at rate r = gamma rho_bath.
/// With q = e^{-rt}, the renewal process has the mean u t + (m0 - u)(1 - q)/r and the variance
///   2 var_b / r (t - (1 - q)/r) + 2 (s0sq - var_b)/r ((1 - q)/r - t q)
///     + 2 (m0 - u)^2 / r ((1 - q^2)/(2 r) - t q),
/// where (2) (for them: u and D = var_b / r) has u t and 2 var_b t / r. `shift`: the process's
/// mean less (2)'s; `variance_lag`: (2)'s variance less the process's (2 D (1 - q)/r from the
/// bath's own law: the profile lags (2) by the renewal time).
struct MissingCumulants {
  double shift = 0, variance_lag = 0;
};
MissingCumulants independent_particle_missing_cumulants(const theory::DiscreteBath& bath, double gamma, double t,
                                                        double m0, double s0sq);

/// `summary` serves only homogeneous fermions started with Pauli redraws (theory_needs_the_run):
/// (39) starts from their first velocity histogram. With no realizations in `summary`
/// (a check before the run) the stationary state stands in for it.
MonteCarloTheory monte_carlo_theory(const Config& cfg, const engine::RunSums& sums,
                                    const engine::RunSummary& summary);

/// Whether the theory of `cfg` depends on the run's results (see monte_carlo_theory).
bool theory_needs_the_run(const Config& cfg);

}  // namespace vswap::app
