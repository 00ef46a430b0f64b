#include <cmath>
#include <string>
#include <vswap/error.hpp>
#include <vswap/theory/quadrature.hpp>

namespace vswap::theory {

VelocityGrid uniform_grid(double lo, double hi, int points) {
  VSWAP_EXPECTS(points >= 2, "a uniform grid needs at least two points");
  VSWAP_EXPECTS(std::isfinite(lo) && std::isfinite(hi) && lo < hi,
                "a uniform grid needs a finite interval lo < hi");
  return trapezoid_grid(Eigen::VectorXd::LinSpaced(points, lo, hi));
}

VelocityGrid lattice_grid(double dl, double lo, double hi) {
  VSWAP_EXPECTS(std::isfinite(dl) && dl > 0.0, "the lattice spacing dl must be positive");
  VSWAP_EXPECTS(std::isfinite(lo) && std::isfinite(hi) && lo <= hi,
                "a lattice grid needs a finite interval lo <= hi");
  const double j_min = std::floor(lo / dl);
  const double j_max = std::ceil(hi / dl);
  VSWAP_EXPECTS(j_max - j_min < 1e8, "the lattice grid would have more than 1e8 points");
  const auto points = static_cast<Eigen::Index>(j_max - j_min) + 1;
  VelocityGrid grid;
  grid.lambda.resize(points);
  for (Eigen::Index j = 0; j < points; ++j) grid.lambda[j] = (j_min + static_cast<double>(j)) * dl;
  grid.weight = Eigen::VectorXd::Constant(points, dl);
  return grid;
}

VelocityGrid trapezoid_grid(const Eigen::VectorXd& nodes) {
  const Eigen::Index n = nodes.size();
  VSWAP_EXPECTS(n >= 2, "a trapezoid rule needs at least two nodes");
  VelocityGrid grid;
  grid.lambda = nodes;
  grid.weight = Eigen::VectorXd::Zero(n);
  for (Eigen::Index i = 0; i + 1 < n; ++i) {
    const double h = nodes[i + 1] - nodes[i];
    VSWAP_EXPECTS(h > 0.0, "trapezoid nodes must be strictly increasing");
    grid.weight[i] += 0.5 * h;
    grid.weight[i + 1] += 0.5 * h;
  }
  return grid;
}

}  // namespace vswap::theory
