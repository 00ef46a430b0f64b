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
};

/// `summary` serves only homogeneous fermions started with Pauli redraws (theory_needs_the_run):
/// (39) starts from their first velocity histogram. With no realizations in `summary`
/// (a check before the run) the stationary state stands in for it.
MonteCarloTheory monte_carlo_theory(const Config& cfg, const engine::RunSums& sums,
                                    const engine::RunSummary& summary);

/// Whether the theory of `cfg` depends on the run's results (see monte_carlo_theory).
bool theory_needs_the_run(const Config& cfg);

}  // namespace vswap::app
