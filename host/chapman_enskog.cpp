#include <cmath>
#include <vswap/error.hpp>
#include <vswap/theory/chapman_enskog.hpp>

namespace vswap::theory {
namespace {
constexpr double kTwoPi = 6.283185307179586476925286766559005768;
}

ChapmanEnskogSolution solve_chapman_enskog(const Eigen::MatrixXd& gamma_st,
                                           const VelocityGrid& grid,
                                           const Eigen::VectorXd& drho_st_drho, double u) {
  const Eigen::Index n = grid.size();
  VSWAP_EXPECTS(gamma_st.rows() == n && gamma_st.cols() == n && drho_st_drho.size() == n,
                "the collision operator, grid and d rho_st / d rho must have the same size");
  const Eigen::VectorXd rhs =
      ((grid.lambda.array() - u) * drho_st_drho.array()).matrix();  // (61), A = lambda
  Eigen::MatrixXd bordered(n + 1, n + 1);
  bordered.topLeftCorner(n, n) = gamma_st;
  bordered.topRightCorner(n, 1) = drho_st_drho;
  bordered.bottomLeftCorner(1, n) = grid.weight.transpose();  // (62)
  bordered(n, n) = 0.0;
  Eigen::VectorXd b(n + 1);
  b << rhs, 0.0;
  const Eigen::PartialPivLU<Eigen::MatrixXd> lu(bordered);
  Eigen::VectorXd x = lu.solve(b);
  x += lu.solve(b - bordered * x);  // one step of iterative refinement

  ChapmanEnskogSolution solution;
  solution.a = x.head(n);
  solution.D = -grid.weight.dot(grid.lambda.cwiseProduct(solution.a));  // (63)
  solution.residual = (gamma_st * solution.a - rhs).lpNorm<Eigen::Infinity>();
  solution.constraint = grid.weight.dot(solution.a);
  return solution;
}

Eigen::MatrixXd linearised_swap_operator(const DiscreteBath& bath, Statistics statistics,
                                         const StationaryState& state, double gamma) {
  const Eigen::Index size = bath.rho_b.size();
  VSWAP_EXPECTS(state.rho_p.size() == size, "the stationary state is not on the bath's grid");
  const double chi_2pi = kTwoPi * chi(statistics);
  const Eigen::VectorXd& w = bath.grid.weight;
  const Eigen::VectorXd& rb = bath.rho_b;
  const Eigen::VectorXd& rho = state.rho_p;
  // (39) on the grid: I_i = gamma [(1 - chi n_i) rho_b,i M - rho_i K] with
  // M = sum_j w_j rho_j and K = sum_j w_j (1 - chi n_j) rho_b,j; (38) is chi = 0.
  // dI_i/d rho_k = gamma [delta_ik (-2 pi chi rho_b,i M - K)
  //                      + w_k ((1 - chi n_i) rho_b,i + 2 pi chi rho_i rho_b,k)].
  const double M = w.dot(rho);
  const double K = w.dot(state.hole.cwiseProduct(rb));
  const Eigen::VectorXd gain = state.hole.cwiseProduct(rb);
  Eigen::MatrixXd jacobian = gain * w.transpose();
  jacobian += (chi_2pi * rho) * w.cwiseProduct(rb).transpose();
  jacobian.diagonal().array() -= chi_2pi * M * rb.array() + K;
  return gamma * jacobian;
}

Eigen::MatrixXd rta_operator(const VelocityGrid& grid, const Eigen::VectorXd& drho_st_drho,
                             double tau) {
  VSWAP_EXPECTS(tau > 0.0, "the relaxation time must be > 0");
  Eigen::MatrixXd gamma_st = drho_st_drho * grid.weight.transpose();
  gamma_st.diagonal().array() -= 1.0;
  return gamma_st / tau;  // (70)
}

double rta_diffusion(const VelocityGrid& grid, const StationaryState& /*state*/,
                     const Eigen::VectorXd& drho_st_drho, double u, double tau) {
  const double dj1_drho =
      (grid.weight.array() * grid.lambda.array().square() * drho_st_drho.array()).sum();  // (76)
  return tau * (dj1_drho - u * u);                                                        // (77)
}

}  // namespace vswap::theory
