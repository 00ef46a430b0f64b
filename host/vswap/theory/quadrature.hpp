#pragma once
/// @brief Quadrature rules on a velocity (rapidity) grid lambda_i with weights w_i.
///
/// Every integral over lambda in the theory library is the weighted sum
/// `sum_i w_i f(lambda_i)`. The same type carries the continuum quadrature chosen from a
/// bath state and the Monte Carlo's discrete momentum lattice lambda_j = j * dl (weights
/// dl, SPEC section 2), so no function of the library assumes a particular grid.

#include <Eigen/Dense>
#include <vector>

namespace vswap::theory {

/// Quadrature nodes and weights on a lambda grid (also used for the Monte Carlo's discrete
/// grid lambda_j = j*dl with weights dl).
struct VelocityGrid {
  Eigen::VectorXd lambda;  ///< nodes, strictly increasing
  Eigen::VectorXd weight;  ///< quadrature weights, positive

  Eigen::Index size() const { return lambda.size(); }
  /// sum_i w_i f_i
  double integrate(const Eigen::VectorXd& f) const { return weight.dot(f); }
};

/// Composite trapezoid rule with `points` equidistant nodes on [lo, hi] (points >= 2).
/// Spectrally accurate for integrands that decay to round-off at both ends.
VelocityGrid uniform_grid(double lo, double hi, int points);

/// The lattice lambda_j = j * dl for every j with [lo, hi] inside [j_min dl, j_max dl],
/// weights dl: the Monte Carlo's momentum grid (fermions, SPEC section 2).
VelocityGrid lattice_grid(double dl, double lo, double hi);

/// Trapezoid weights on arbitrary strictly increasing nodes (exact for piecewise linear f).
VelocityGrid trapezoid_grid(const Eigen::VectorXd& nodes);

/// Composite Gauss-Legendre rule: `points` nodes (1..32) on each [edges[k], edges[k+1]]
/// (edges strictly increasing); exact for piecewise polynomials of degree 2 points - 1
/// whose pieces are the intervals.
VelocityGrid gauss_legendre_grid(const std::vector<double>& edges, int points);

}  // namespace vswap::theory
