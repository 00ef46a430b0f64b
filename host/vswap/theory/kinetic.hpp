#pragma once
/// @brief The homogeneous kinetic equations d rho_p / dt = I[rho_p] in time: (38) classical
/// (closed form), (39) fermions (adaptive Dormand-Prince 5(4)). Fig. 2's solid line.

#include <vector>
#include <vswap/theory/bath_state.hpp>

namespace vswap::theory {

struct KineticSolution {
  std::vector<double> times;   ///< the requested times
  Eigen::MatrixXd rho_p;       ///< times x grid
  std::vector<double> energy;  ///< per particle: sum w lambda^2 / 2 rho_p / sum w rho_p
  /// Closed form: round-off bound. Runge-Kutta: sum of the accepted steps' local error
  /// estimates (max-norm, units of rho_p), a bound on the global error of a relaxing flow.
  double error_estimate;
  double number_drift;  ///< max over outputs of |sum w rho_p(t) - sum w rho_p(0)|
  int steps;            ///< accepted Runge-Kutta steps (0 for the closed form)
};

enum class KineticMethod {
  automatic,   ///< closed form for (38), Runge-Kutta for (39)
  runge_kutta  ///< Dormand-Prince 5(4) for both (the classical case then tests the integrator)
};

/// The collision integral on the grid: (38) gamma (rho rho_b - rho_bath rho_p) for chi = 0,
/// (39) gamma [(1 - n) rho_b M - rho_p K] with M = sum w rho_p, K = sum w (1 - n) rho_b,
/// n = 2 pi rho_p, for chi = 1. The weighted sum of I vanishes (particle number).
Eigen::VectorXd collision_integral(const DiscreteBath& bath, Statistics statistics, double gamma,
                                   const Eigen::VectorXd& rho_p);

/// rho_p(lambda, t) from rho_p0 at t = 0, at each of `times` (non-decreasing, >= 0).
/// Classical (38): exact rho_st + (rho_p0 - rho_st) exp(-gamma rho_bath t), rho_st of (20).
/// Fermions (39): Dormand-Prince 5(4) with error per step below rtol relative to max rho_p0.
KineticSolution solve_kinetic(const DiscreteBath& bath, Statistics statistics, double gamma,
                              const Eigen::VectorXd& rho_p0, const std::vector<double>& times,
                              double rtol = 1e-10, KineticMethod method = KineticMethod::automatic);

}  // namespace vswap::theory
