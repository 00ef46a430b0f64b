#include <cmath>
#include <string>
#include <vector>
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

VelocityGrid gauss_legendre_grid(const std::vector<double>& edges, int points) {
  VSWAP_EXPECTS(points >= 1 && points <= 32, "Gauss-Legendre: 1 to 32 points per interval");
  VSWAP_EXPECTS(edges.size() >= 2, "Gauss-Legendre: at least one interval");
  // Nodes x_i and weights of the rule on [-1, 1]: Newton on P_n from the Chebyshev guess
  // (quadratic convergence; stops when the step is below round-off).
  constexpr double kPi = 3.141592653589793238462643383279502884;
  std::vector<double> x(static_cast<std::size_t>(points)), w(x.size());
  for (int i = 0; i < points; ++i) {
    double z = std::cos(kPi * (i + 0.75) / (points + 0.5)), dp = 1.0;
    for (int iteration = 0; iteration < 100; ++iteration) {
      double p0 = 1.0, p1 = 0.0;  // P_n(z) and P_{n-1}(z) by the three-term recurrence
      for (int k = 1; k <= points; ++k) {
        const double p2 = p1;
        p1 = p0;
        p0 = ((2.0 * k - 1.0) * z * p1 - (k - 1.0) * p2) / k;
      }
      dp = points * (z * p0 - p1) / (z * z - 1.0);
      const double step = p0 / dp;
      z -= step;
      if (std::abs(step) <= 3e-16) break;
    }
    x[static_cast<std::size_t>(i)] = z;
    w[static_cast<std::size_t>(i)] = 2.0 / ((1.0 - z * z) * dp * dp);
  }
  const auto intervals = static_cast<Eigen::Index>(edges.size() - 1);
  VelocityGrid grid;
  grid.lambda.resize(intervals * points);
  grid.weight.resize(intervals * points);
  for (Eigen::Index k = 0; k < intervals; ++k) {
    const double a = edges[static_cast<std::size_t>(k)], b = edges[static_cast<std::size_t>(k) + 1];
    VSWAP_EXPECTS(std::isfinite(a) && std::isfinite(b) && b > a,
                  "Gauss-Legendre edges must be finite and strictly increasing");
    const double half = 0.5 * (b - a), mid = 0.5 * (a + b);
    for (int i = 0; i < points; ++i) {  // x runs from +1 down to -1: store ascending
      const auto j = static_cast<std::size_t>(points - 1 - i);
      grid.lambda[k * points + i] = mid + half * x[j];
      grid.weight[k * points + i] = half * w[j];
    }
  }
  return grid;
}

}  // namespace vswap::theory
