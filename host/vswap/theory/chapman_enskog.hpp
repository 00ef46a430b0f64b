#pragma once
/// @brief Numerical Chapman-Enskog: solve (61) with the constraint (62) for any linearised
/// collision operator given as a matrix on a velocity grid, and D from (63). Also the
/// linearised swap operators (56) of (38)/(39) and the relaxation-time approximation (70).

#include <vswap/theory/stationary.hpp>

namespace vswap::theory {

struct ChapmanEnskogSolution {
  Eigen::VectorXd a;  ///< a(lambda_i) of (60)
  double D;           ///< (63): -sum w lambda a
  double residual;    ///< max_i |(Gamma a - (lambda - u) d rho_st / d rho)_i|, (61)
  double constraint;  ///< sum w a, (62) (zero up to round-off)
};

/// Solves Gamma_st a = (lambda - u) d rho_st / d rho (61) with sum w a = 0 (62), for free
/// particles (A = lambda). Gamma_st has the left null vector w (particle number) and the
/// right null vector d rho_st / d rho; the bordered system
///   [Gamma  r; w^T  0] [a; mu] = [rhs; 0],   r = d rho_st / d rho,
/// is regular because w^T r = 1, and mu vanishes when the solvability condition
/// w^T rhs = 0 holds, i.e. when u is (88). LU with one step of iterative refinement.
ChapmanEnskogSolution solve_chapman_enskog(const Eigen::MatrixXd& gamma_st,
                                           const VelocityGrid& grid,
                                           const Eigen::VectorXd& drho_st_drho, double u);

/// (56): the Jacobian dI_i / d rho_p(lambda_k) of (38) (chi = 0) or (39) (chi = 1) at the
/// stationary state, including the dependence of n = 2 pi rho_p; acts on values
/// rho_p(lambda_k) (the quadrature weights w_k are inside the matrix).
Eigen::MatrixXd linearised_swap_operator(const DiscreteBath& bath, Statistics statistics,
                                         const StationaryState& state, double gamma);

/// (70): Gamma = (d rho_st / d rho h0 - 1) / tau, i.e. Gamma_ik = (r_i w_k - delta_ik) / tau.
Eigen::MatrixXd rta_operator(const VelocityGrid& grid, const Eigen::VectorXd& drho_st_drho,
                             double tau);

/// (77) with v = lambda: D_RTA = tau (d j1 / d rho - u^2), d j1 / d rho = sum w lambda^2 r (76).
double rta_diffusion(const VelocityGrid& grid, const StationaryState& state,
                     const Eigen::VectorXd& drho_st_drho, double u, double tau);

}  // namespace vswap::theory
