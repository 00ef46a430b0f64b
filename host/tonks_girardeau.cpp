#include <cmath>
#include <stdexcept>
#include <string>
#include <vswap/error.hpp>
#include <vswap/theory/tonks_girardeau.hpp>

#include <Eigen/Eigenvalues>

namespace vswap::theory {
namespace {
constexpr double kTwoPi = 6.283185307179586476925286766559005768;

/// The grid's spacing; throws unless the nodes are equally spaced (trapezoid weights).
double uniform_spacing(const VelocityGrid& grid) {
  const Eigen::Index n = grid.size();
  VSWAP_EXPECTS(n >= 3, "the Tonks-Girardeau operator needs a grid of at least 3 nodes");
  const double dl = (grid.lambda[n - 1] - grid.lambda[0]) / static_cast<double>(n - 1);
  for (Eigen::Index i = 0; i + 1 < n; ++i) {
    if (std::abs(grid.lambda[i + 1] - grid.lambda[i] - dl) > 1e-9 * dl)
      throw std::invalid_argument("the Tonks-Girardeau operator needs equally spaced nodes");
  }
  return dl;
}

struct Coefficients {
  double dl;
  Eigen::VectorXd C;  ///< rho_p (1 - n) at the nodes
  Eigen::VectorXd W;  ///< K W_f / dl at the faces (size n - 1)
};

Coefficients coefficients(const VelocityGrid& grid, const StationaryState& state,
                          const TgOccupation& bath, double strength) {
  const Eigen::Index n = grid.size();
  VSWAP_EXPECTS(state.rho_p.size() == n && bath.n.size() == n && bath.hole.size() == n,
                "the stationary state, the bath tube and the grid must have the same size");
  VSWAP_EXPECTS(state.chi == 1, "the Tonks-Girardeau stationary state is a fermion state (40)");
  VSWAP_EXPECTS(std::isfinite(strength) && strength > 0.0, "the coupling K must be > 0");
  Coefficients c;
  c.dl = uniform_spacing(grid);
  c.C = state.rho_p.cwiseProduct(state.hole);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!(c.C[i] > 0.0))
      throw std::invalid_argument("the evolving tube is empty or full at lambda = " +
                                  std::to_string(grid.lambda[i]) +
                                  ": restrict the grid to where both tubes have particles and holes");
  }
  const Eigen::VectorXd node = c.C.cwiseProduct(bath.n).cwiseProduct(bath.hole) / (kTwoPi * kTwoPi * kTwoPi);
  c.W.resize(n - 1);
  for (Eigen::Index f = 0; f + 1 < n; ++f) {
    const double W = std::sqrt(node[f] * node[f + 1]);  // geometric: exact for exponential tails
    if (!(W > 0.0))
      throw std::invalid_argument("rho_p rho_h rho_p^b rho_h^b underflows to 0 between lambda = " +
                                  std::to_string(grid.lambda[f]) + " and " +
                                  std::to_string(grid.lambda[f + 1]) + ": shrink the grid");
    c.W[f] = strength * W / c.dl;
  }
  return c;
}
}  // namespace

TgOccupation tg_thermal(const VelocityGrid& grid, double temperature, double mu) {
  VSWAP_EXPECTS(std::isfinite(temperature) && temperature > 0.0, "the temperature must be > 0");
  VSWAP_EXPECTS(std::isfinite(mu), "the chemical potential must be finite");
  TgOccupation s;
  s.n.resize(grid.size());
  s.hole.resize(grid.size());
  for (Eigen::Index i = 0; i < grid.size(); ++i) {
    const double e = (0.5 * grid.lambda[i] * grid.lambda[i] - mu) / temperature;  // eps
    // n = 1/(1+e^eps), 1-n = 1/(1+e^-eps), each from the exponential that cannot overflow.
    if (e >= 0.0) {
      const double x = std::exp(-e);
      s.n[i] = x / (1.0 + x);
      s.hole[i] = 1.0 / (1.0 + x);
    } else {
      const double x = std::exp(e);
      s.n[i] = 1.0 / (1.0 + x);
      s.hole[i] = x / (1.0 + x);
    }
  }
  return s;
}

DiscreteBath tg_stationary_family(const VelocityGrid& grid, const TgOccupation& bath) {
  VSWAP_EXPECTS(bath.n.size() == grid.size() && bath.hole.size() == grid.size(),
                "the bath tube's occupation must be given on the grid");
  DiscreteBath family;
  family.grid = grid;
  family.rho_b.resize(grid.size());
  for (Eigen::Index i = 0; i < grid.size(); ++i) {
    VSWAP_EXPECTS(bath.n[i] >= 0.0 && bath.hole[i] >= 0.0 && bath.n[i] + bath.hole[i] > 0.0,
                  "occupations must lie in [0, 1]");
    VSWAP_EXPECTS(bath.hole[i] > 0.0, "the bath tube is completely filled at a node: x = n / (1 - n) is infinite");
    family.rho_b[i] = bath.n[i] / bath.hole[i];  // x = exp(-eps_b)
  }
  family.density = grid.weight.dot(family.rho_b);
  VSWAP_EXPECTS(family.density > 0.0, "the bath tube is empty on the grid");
  return family;
}

Eigen::MatrixXd tg_collision_operator(const VelocityGrid& grid, const StationaryState& state,
                                      const TgOccupation& bath, double strength) {
  const Coefficients c = coefficients(grid, state, bath, strength);
  const Eigen::Index n = grid.size();
  const Eigen::VectorXd& w = grid.weight;
  Eigen::MatrixXd gamma = Eigen::MatrixXd::Zero(n, n);
  for (Eigen::Index f = 0; f + 1 < n; ++f) {  // flux c.W[f] (h_{f+1}/C_{f+1} - h_f/C_f)
    const Eigen::Index i = f, j = f + 1;
    gamma(i, j) += c.W[f] / (w[i] * c.C[j]);
    gamma(i, i) -= c.W[f] / (w[i] * c.C[i]);
    gamma(j, j) -= c.W[f] / (w[j] * c.C[j]);
    gamma(j, i) += c.W[f] / (w[j] * c.C[i]);
  }
  return gamma;
}

double tg_diffusion(const VelocityGrid& grid, const StationaryState& state, const TgOccupation& bath,
                    double strength) {
  const Coefficients c = coefficients(grid, state, bath, strength);
  const Eigen::Index n = grid.size();
  const double Z = grid.weight.dot(c.C);
  const double u = grid.weight.dot(grid.lambda.cwiseProduct(c.C)) / Z;  // (88), no dressing
  const Eigen::VectorXd s = (grid.weight.array() * (grid.lambda.array() - u) * c.C.array()).matrix();
  // Partial sums from the left for faces left of u, from the right for the others: the
  // total is zero, so both are Psi_f, but only the nearer end's keeps the tails' digits.
  Eigen::VectorXd psi(n - 1);
  double left = 0.0;
  for (Eigen::Index f = 0; f + 1 < n; ++f) psi[f] = (left += s[f]);
  double right = 0.0;
  for (Eigen::Index f = n - 2; f >= 0; --f) {
    right -= s[f + 1];
    if (0.5 * (grid.lambda[f] + grid.lambda[f + 1]) >= u) psi[f] = right;
  }
  // With a = C g, (61) sums to the face fluxes c.W_f (g_{f+1} - g_f) = Psi_f / Z, and by
  // parts D = -sum w lambda a = -sum w (lambda - u) C g = sum_f Psi_f^2 / (Z c.W_f).
  double D = 0.0;
  for (Eigen::Index f = 0; f + 1 < n; ++f) D += psi[f] * psi[f] / c.W[f];
  return D / Z;
}

double tg_gap(const VelocityGrid& grid, const StationaryState& state, const TgOccupation& bath,
              double strength) {
  const Eigen::MatrixXd gamma = tg_collision_operator(grid, state, bath, strength);
  const Coefficients c = coefficients(grid, state, bath, strength);
  // S Gamma S^-1 with S = diag(sqrt(w / C)) is symmetric: Gamma = diag(1/w) B diag(1/C), B
  // symmetric. Its null vector sqrt(w C) (from Gamma C = 0) is projected out.
  const Eigen::ArrayXd s = (grid.weight.array() / c.C.array()).sqrt();
  Eigen::MatrixXd sym = s.matrix().asDiagonal() * gamma * s.inverse().matrix().asDiagonal();
  sym = 0.5 * (sym + sym.transpose()).eval();
  const Eigen::VectorXd null = (grid.weight.array() * c.C.array()).sqrt().matrix().normalized();
  const Eigen::MatrixXd project = Eigen::MatrixXd::Identity(grid.size(), grid.size()) - null * null.transpose();
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(project * sym * project,
                                                           Eigen::EigenvaluesOnly);
  // Eigenvalues ascending (all <= 0); the projected-out direction gives the one closest to 0.
  const Eigen::VectorXd& values = eig.eigenvalues();
  return -values[values.size() - 2];
}

}  // namespace vswap::theory
