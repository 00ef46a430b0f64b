#include <cmath>
#include <vswap/error.hpp>
#include <vswap/theory/transport.hpp>

namespace vswap::theory {
namespace {
constexpr double kFourPi = 12.56637061435917295385057353311801154;
}

double classical_u(const DiscreteBath& bath) {
  return bath.grid.integrate(bath.grid.lambda.cwiseProduct(bath.rho_b)) / bath.density;  // (100)
}

double classical_D(const DiscreteBath& bath, double gamma) {
  const double u = classical_u(bath);
  const Eigen::ArrayXd dl = bath.grid.lambda.array() - u;
  return (bath.grid.weight.array() * dl * dl * bath.rho_b.array()).sum() /
         (gamma * bath.density * bath.density);  // (101)
}

TransportCoefficients transport_coefficients(const DiscreteBath& bath, const StationaryState& state,
                                             double gamma) {
  VSWAP_EXPECTS(state.density > 0.0, "transport from a state needs a density > 0");
  VSWAP_EXPECTS(std::isfinite(gamma) && gamma > 0.0, "gamma must be finite and > 0");
  const Eigen::ArrayXd& lambda = bath.grid.lambda.array();
  // f = w rho_st (1 - chi n_st): every (.|.)_st of (86) is a sum of f times something.
  const Eigen::ArrayXd f = bath.grid.weight.array() * state.rho_p.array() * state.hole.array();
  const double h0h0 = f.sum();
  // p = f / (h0|h0)_st: O(1) at any density ((h0|h0)^2 underflows below rho ~ 1e-154).
  const Eigen::ArrayXd p = f / h0h0;
  const double u = (p * lambda).sum();  // (88)
  const Eigen::ArrayXd dl = lambda - u;
  // Differentiating (88) with (87) and d[rho(1 - chi n)]/d rho_st = 1 - 2 chi n gives
  // u' = [(h1 - u|h0) - 2 chi (h1 - u|n)] / (h0|h0)^2, and (h1 - u|h0) = 0 by (88).
  const double du_drho = state.chi == 0 ? 0.0 : -2.0 * (p * dl * state.n.array()).sum() / h0h0;
  // (99): D = ((h1-u)^2 | 1 - chi n)_st / [gamma (h0|h0)_st (h0 | rho_b / rho_st)_st], where
  // (h0 | rho_b / rho_st)_st = sum w (1 - chi n) rho_b.
  const double numerator = (p * dl * dl * state.hole.array()).sum();
  const double bath_holes =
      (bath.grid.weight.array() * state.hole.array() * bath.rho_b.array()).sum();
  return {state.density, u, du_drho, numerator / (gamma * bath_holes)};
}

TransportCoefficients transport_coefficients(const DiscreteBath& bath, Statistics statistics,
                                             double rho, double gamma) {
  VSWAP_EXPECTS(std::isfinite(gamma) && gamma > 0.0, "gamma must be finite and > 0");
  if (rho > 0.0)
    return transport_coefficients(bath, stationary_state(bath, statistics, rho), gamma);
  VSWAP_EXPECTS(rho == 0.0, "the density must be >= 0");
  // rho -> 0: A ~ rho_bath / (2 pi rho), rho_st ~ rho rho_b / rho_bath, n ~ 2 pi rho_st, so
  // (h1 - u|n)_st ~ 2 pi rho^2 / rho_bath^2 integral rho_b^2 (lambda - u) and (h0|h0) ~ rho.
  const double u = classical_u(bath);
  double du_drho = 0.0;
  if (statistics == Statistics::fermi) {
    const Eigen::ArrayXd rb = bath.rho_b.array();
    du_drho = -kFourPi *
              (bath.grid.weight.array() * rb * rb * (bath.grid.lambda.array() - u)).sum() /
              (bath.density * bath.density);
  }
  return {0.0, u, du_drho, classical_D(bath, gamma)};
}

std::vector<TransportCoefficients> coefficient_table(const DiscreteBath& bath,
                                                     Statistics statistics, double rho_min,
                                                     double rho_max, int points, double gamma) {
  VSWAP_EXPECTS(points >= 1, "a coefficient table needs at least one density");
  VSWAP_EXPECTS(
      std::isfinite(rho_min) && std::isfinite(rho_max) && rho_min >= 0.0 && rho_max >= rho_min,
      "the density range must satisfy 0 <= rho_min <= rho_max");
  std::vector<TransportCoefficients> table;
  table.reserve(static_cast<std::size_t>(points));
  double A_previous = 0.0;  // warm start of the fermion root finder
  for (int k = 0; k < points; ++k) {
    const double rho = points == 1
                           ? rho_min
                           : rho_min + (rho_max - rho_min) * static_cast<double>(k) / (points - 1);
    if (rho == 0.0) {
      table.push_back(transport_coefficients(bath, statistics, 0.0, gamma));
      continue;
    }
    const StationaryState state = stationary_state(bath, statistics, rho, A_previous);
    if (statistics == Statistics::fermi) A_previous = state.A;
    table.push_back(transport_coefficients(bath, state, gamma));
  }
  return table;
}

}  // namespace vswap::theory
