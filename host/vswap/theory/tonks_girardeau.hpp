#pragma once
/// @brief Section V.A / Appendix E: the evolving tube of two density-imbalanced coupled
/// Lieb-Liniger gases in the Tonks-Girardeau limit (c -> infinity in both tubes), with the
/// linearised collision operator at small momentum transfer (E8). Used for the paper's
/// Fig. 3 question (full D against the relaxation-time approximation); see
/// docs/VALIDATION_theory.md, "Fig. 3", for what these functions show about it.
///
/// In this limit the dressing is absent: rho_t = 1 / 2 pi, h0 = 1, h1 = lambda, h2 =
/// lambda^2 / 2, v(lambda) = lambda, rho_p = n / 2 pi, rho_h = (1 - n) / 2 pi (hbar = m = 1).

#include <vswap/theory/stationary.hpp>

namespace vswap::theory {

/// A homogeneous Tonks-Girardeau state on a grid: occupation n and 1 - n, both kept without
/// cancellation (n may be within round-off of 1 deep in a Fermi sea).
struct TgOccupation {
  Eigen::VectorXd n;     ///< occupation, 2 pi rho_p
  Eigen::VectorXd hole;  ///< 1 - n, 2 pi rho_h
};

/// The Gibbs state n = 1 / (1 + exp((lambda^2 / 2 - mu) / T)) of the Tonks-Girardeau gas.
TgOccupation tg_thermal(const VelocityGrid& grid, double temperature, double mu);

/// The stationary states (34) of the evolving tube: with equal dispersions and no dressing
/// (34) reads eps'_st = eps'_b, so eps_st = eps_b + nu and n_st = x / (x + e^nu), x = n_b /
/// (1 - n_b) = exp(-eps_b). That is (40) with rho_b replaced by x: the returned "bath" holds
/// x on the grid, and `stationary_state(family, Statistics::fermi, rho)`, `drho_st_drho`
/// and `transport_coefficients(...).u` (88) give the evolving tube's state, d rho_st / d rho
/// and u at density rho (A = e^nu). Nodes where the bath tube is empty (n_b = 0) stay empty.
DiscreteBath tg_stationary_family(const VelocityGrid& grid, const TgOccupation& bath);

/// (E8) as the operator Gamma_st of (66)-(67) acting on values delta rho_p(lambda_i).
/// With Gamma~ = -Gamma C ((E2), (E3); C = rho_p (1 - n) in this limit),
///   <f|Gamma~ g> = K int W f' g'  <=>  (Gamma h)(lambda) = K d/dl [ W d/dl (h / C) ],
///   W = rho_p^st rho_h^st rho_p^b rho_h^b,  K = (2 pi)^2 k_r^2 |V^2| (`strength`, a rate).
/// Discretised conservatively on a uniform grid (the trapezoid grid of `uniform_grid`): the
/// flux through the face between nodes i, i+1 is K W_f (g_{i+1} - g_i) / dl, g = h / C, with
/// W_f the geometric mean of the two nodes' W (exact where W decays exponentially, as in the
/// tails), and none through the grid's ends. So w^T Gamma = 0 exactly
/// (particle number, w the quadrature weights), Gamma C = 0 (the right null vector
/// d rho_st / d rho), and -Gamma is self-adjoint and positive in (h|k) = sum w h k / C.
/// Throws std::invalid_argument if the grid is not uniform or W underflows to 0 on a face
/// (shrink the grid to where the two tubes overlap).
Eigen::MatrixXd tg_collision_operator(const VelocityGrid& grid, const StationaryState& state,
                                      const TgOccupation& bath, double strength);

/// The Chapman-Enskog D (61)-(63) of `tg_collision_operator` on the same grid, in closed
/// form: (61) integrates once to a flux, so with Z = sum w C and
/// Psi_f = sum_{j <= i} w_j (lambda_j - u) C_j (the partial sums up to face f, summed from
/// the nearer end, i.e. without cancellation in the tails),
///   D = sum_f dl Psi_f^2 / (K Z W_f).
/// Equal to `solve_chapman_enskog(tg_collision_operator(...), ...)` where the latter is
/// accurate (tests/test_theory_tonks_girardeau.cpp).
double tg_diffusion(const VelocityGrid& grid, const StationaryState& state, const TgOccupation& bath,
                    double strength);

/// The relaxation rate of (68): the smallest non-zero |eigenvalue| of Gamma on the grid
/// (Gamma is similar to a symmetric matrix, so its spectrum is real and <= 0).
double tg_gap(const VelocityGrid& grid, const StationaryState& state, const TgOccupation& bath,
              double strength);

}  // namespace vswap::theory
