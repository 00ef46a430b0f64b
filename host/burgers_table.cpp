// TransportTable (cubic splines of u and of D or log D, and the exact integral J of (2)) and
// the wrapped Gaussian initial profile of Fig. 5.
#include <Eigen/Sparse>
#include <Eigen/SparseLU>
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <vswap/error.hpp>
#include <vswap/theory/burgers.hpp>

namespace vswap::theory {
namespace {

// Second derivatives M_i of the C2 cubic spline through (x_i, y_i) with not-a-knot ends
// (third derivative continuous at x_1 and x_{n-2}): exact for cubics. The interior rows are
// h_{i-1} M_{i-1} + 2 (h_{i-1} + h_i) M_i + h_i M_{i+1} = 6 (d_i - d_{i-1}), d_i the slopes.
std::vector<double> spline_second_derivatives(const std::vector<double>& x,
                                              const std::vector<double>& y) {
  const auto n = static_cast<Eigen::Index>(x.size());
  if (n == 2) return {0.0, 0.0};  // linear
  std::vector<double> h(x.size() - 1), d(x.size() - 1);
  for (std::size_t i = 0; i + 1 < x.size(); ++i) {
    h[i] = x[i + 1] - x[i];
    d[i] = (y[i + 1] - y[i]) / h[i];
  }
  if (n == 3) {  // the interpolating parabola: constant second derivative
    const double m = 2.0 * (d[1] - d[0]) / (x[2] - x[0]);
    return {m, m, m};
  }
  std::vector<Eigen::Triplet<double>> triplets;
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(n);
  // Not-a-knot: (M1 - M0)/h0 = (M2 - M1)/h1, i.e. h1 M0 - (h0 + h1) M1 + h0 M2 = 0.
  triplets.emplace_back(0, 0, h[1]);
  triplets.emplace_back(0, 1, -(h[0] + h[1]));
  triplets.emplace_back(0, 2, h[0]);
  for (Eigen::Index i = 1; i + 1 < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    triplets.emplace_back(i, i - 1, h[k - 1]);
    triplets.emplace_back(i, i, 2.0 * (h[k - 1] + h[k]));
    triplets.emplace_back(i, i + 1, h[k]);
    rhs(i) = 6.0 * (d[k] - d[k - 1]);
  }
  const auto m = static_cast<std::size_t>(n);
  triplets.emplace_back(n - 1, n - 3, h[m - 2]);
  triplets.emplace_back(n - 1, n - 2, -(h[m - 3] + h[m - 2]));
  triplets.emplace_back(n - 1, n - 1, h[m - 3]);
  Eigen::SparseMatrix<double> a(n, n);
  a.setFromTriplets(triplets.begin(), triplets.end());
  Eigen::SparseLU<Eigen::SparseMatrix<double>> lu(a);
  VSWAP_EXPECTS(lu.info() == Eigen::Success, "transport table: spline system is singular");
  const Eigen::VectorXd second = lu.solve(rhs);
  return {second.data(), second.data() + n};
}

// The spline on [x_i, x_i + h] at a = x_{i+1} - x, b = x - x_i (standard M-form).
double spline_value(double a, double b, double h, double y0, double y1, double m0, double m1) {
  return (m0 * a * a * a + m1 * b * b * b) / (6.0 * h) + (y0 / h - m0 * h / 6.0) * a +
         (y1 / h - m1 * h / 6.0) * b;
}

// Its exact integral from x_i to x.
double spline_integral(double a, double b, double h, double y0, double y1, double m0, double m1) {
  return (m0 * (h * h * h * h - a * a * a * a) + m1 * b * b * b * b) / (24.0 * h) +
         (y0 / h - m0 * h / 6.0) * (h * h - a * a) / 2.0 + (y1 / h - m1 * h / 6.0) * b * b / 2.0;
}

// Estimated largest interpolation error of the spline with second derivatives m, relative to
// `scale` at the knots (nullptr: 1, for a spline of log D, whose error is D's relative error).
// A C2 cubic spline's error on an interval is ~ (5/384) h^4 |f''''|, and the jump of its third
// derivative at an interior knot, (m_{i+1} - m_i)/h_i - (m_i - m_{i-1})/h_{i-1}, is ~ h f''''.
// Not-a-knot ends have no jump at x_1, x_{n-2}: tables of <= 4 points (one cubic) give 0.
double relative_error_estimate(const std::vector<double>& x, const std::vector<double>& m,
                               const std::vector<double>* scale) {
  double worst = 0.0;
  for (std::size_t i = 1; i + 1 < x.size(); ++i) {
    const double left = x[i] - x[i - 1], right = x[i + 1] - x[i];
    const double jump = (m[i + 1] - m[i]) / right - (m[i] - m[i - 1]) / left;
    // The jump is lost in the rounding of the m's (a few eps |m| each) below `noise`.
    const double noise = 16.0 * std::numeric_limits<double>::epsilon() *
                         (std::abs(m[i - 1]) + 2.0 * std::abs(m[i]) + std::abs(m[i + 1])) /
                         std::min(left, right);
    const double h = std::max(left, right);
    double error = 5.0 / 384.0 * h * h * h * std::max(0.0, std::abs(jump) - noise);
    if (scale) error /= std::min({(*scale)[i - 1], (*scale)[i], (*scale)[i + 1]});
    worst = std::max(worst, error);
  }
  return worst;
}

// Whether the spline through positive knot values stays > 0 between them: on each interval
// its minimum is at an end or at a root in (0, h) of s'(b), b = x - x_i, where
// s(b) = y0 + c1 b + c2 b^2 + c3 b^3, c1 = (y1 - y0)/h - h (2 m0 + m1)/6, c2 = m0/2,
// c3 = (m1 - m0)/(6 h).
bool spline_is_positive(const std::vector<double>& x, const std::vector<double>& y,
                        const std::vector<double>& m) {
  for (std::size_t i = 0; i + 1 < x.size(); ++i) {
    const double h = x[i + 1] - x[i];
    const double c1 = (y[i + 1] - y[i]) / h - h * (2.0 * m[i] + m[i + 1]) / 6.0;
    const double c2 = 0.5 * m[i], c3 = (m[i + 1] - m[i]) / (6.0 * h);
    double roots[2];  // of s'(b) = c1 + 2 c2 b + 3 c3 b^2
    int count = 0;
    const double disc = c2 * c2 - 3.0 * c3 * c1;
    if (c3 == 0.0) {
      if (c2 != 0.0) roots[count++] = -c1 / (2.0 * c2);
    } else if (disc >= 0.0) {
      const double q = -(c2 + std::copysign(std::sqrt(disc), c2));  // no cancellation
      roots[count++] = q / (3.0 * c3);
      if (q != 0.0) roots[count++] = c1 / q;
    }
    for (int k = 0; k < count; ++k) {
      const double b = roots[k];
      if (b > 0.0 && b < h && !(spline_value(h - b, b, h, y[i], y[i + 1], m[i], m[i + 1]) > 0.0))
        return false;
    }
  }
  return true;
}

}  // namespace

TransportTable::TransportTable(std::vector<double> rho, std::vector<double> u,
                               std::vector<double> D)
    : rho_(std::move(rho)), u_(std::move(u)), D_(std::move(D)) {
  VSWAP_EXPECTS(rho_.size() >= 2, "transport table: needs at least 2 densities");
  VSWAP_EXPECTS(u_.size() == rho_.size() && D_.size() == rho_.size(),
                "transport table: rho, u and D must have the same length");
  for (std::size_t i = 0; i < rho_.size(); ++i) {
    VSWAP_EXPECTS(std::isfinite(rho_[i]) && std::isfinite(u_[i]) && std::isfinite(D_[i]),
                  "transport table: non-finite entry at index " + std::to_string(i));
    VSWAP_EXPECTS(
        i == 0 || rho_[i] > rho_[i - 1],
        "transport table: densities must be strictly increasing (index " + std::to_string(i) + ")");
    VSWAP_EXPECTS(D_[i] > 0.0,
                  "transport table: D must be positive (index " + std::to_string(i) + ")");
  }
  const double spacing = (rho_.back() - rho_.front()) / static_cast<double>(rho_.size() - 1);
  uniform_ = true;
  for (std::size_t i = 0; i + 1 < rho_.size(); ++i)
    uniform_ = uniform_ && std::abs(rho_[i + 1] - rho_[i] - spacing) < 1e-9 * spacing;
  inverse_spacing_ = 1.0 / spacing;
  u2_ = spline_second_derivatives(rho_, u_);
  // D: a spline of D itself (exact for cubics) or of log D (exact for exp(cubic), > 0 by
  // construction), whichever has the smaller estimated relative error, and log D whenever the
  // spline of D is not positive. Fermion D (99) grows like 1/A towards the Pauli limit, over
  // up to ~20 decades: a spline of D rings below zero between knots there (at density 9.8 of
  // the Fig. 5(d) bath's table up to 13.5), one of log D cannot. Ties (constant D, <= 4 knots)
  // keep D.
  D2_ = spline_second_derivatives(rho_, D_);
  std::vector<double> log_D(D_.size());
  for (std::size_t i = 0; i < D_.size(); ++i) log_D[i] = std::log(D_[i]);
  std::vector<double> log_D2 = spline_second_derivatives(rho_, log_D);
  log_D_ = !spline_is_positive(rho_, D_, D2_) ||
           relative_error_estimate(rho_, log_D2, nullptr) < relative_error_estimate(rho_, D2_, &D_);
  if (log_D_) {
    D_ = std::move(log_D);
    D2_ = std::move(log_D2);
  }
  J_.assign(rho_.size(), 0.0);
  for (std::size_t i = 0; i + 1 < rho_.size(); ++i) {
    const double h = rho_[i + 1] - rho_[i];
    J_[i + 1] = J_[i] + spline_integral(0.0, h, h, u_[i], u_[i + 1], u2_[i], u2_[i + 1]);
  }
}

std::size_t TransportTable::interval(double rho) const {
  if (!(rho >= rho_.front() && rho <= rho_.back())) {
    std::ostringstream msg;
    msg.precision(10);
    msg << "Burgers transport table: density " << rho << " is outside the table range ["
        << rho_.front() << ", " << rho_.back() << "]; extend rho_max (or lower rho_min)";
    throw std::invalid_argument(msg.str());
  }
  const std::size_t last = rho_.size() - 2;
  if (uniform_) {  // O(1) lookup, corrected by one for round-off at the knots
    auto i = static_cast<std::size_t>(
        std::min((rho - rho_.front()) * inverse_spacing_, static_cast<double>(last)));
    if (i > 0 && rho < rho_[i]) --i;
    if (i < last && rho >= rho_[i + 1]) ++i;
    return i;
  }
  const auto it = std::upper_bound(rho_.begin(), rho_.end(), rho);
  const auto i = static_cast<std::size_t>(it - rho_.begin());
  return std::min(i == 0 ? 0 : i - 1, last);
}

double TransportTable::u(double rho) const {
  const std::size_t i = interval(rho);
  const double h = rho_[i + 1] - rho_[i];
  return spline_value(rho_[i + 1] - rho, rho - rho_[i], h, u_[i], u_[i + 1], u2_[i], u2_[i + 1]);
}

double TransportTable::D(double rho) const {
  const std::size_t i = interval(rho);
  const double h = rho_[i + 1] - rho_[i];
  const double s =
      spline_value(rho_[i + 1] - rho, rho - rho_[i], h, D_[i], D_[i + 1], D2_[i], D2_[i + 1]);
  const double d = log_D_ ? std::exp(s) : s;
  VSWAP_EXPECTS(d > 0.0, "Burgers transport table: the D spline is not positive at density " +
                             std::to_string(rho) + "; tabulate D more finely");
  return d;
}

double TransportTable::flux(double rho) const {
  return flux_velocity(rho).flux;
}

TransportTable::FluxVelocity TransportTable::flux_velocity(double rho) const {
  const std::size_t i = interval(rho);
  const double h = rho_[i + 1] - rho_[i], a = rho_[i + 1] - rho, b = rho - rho_[i];
  return {J_[i] + spline_integral(a, b, h, u_[i], u_[i + 1], u2_[i], u2_[i + 1]),
          spline_value(a, b, h, u_[i], u_[i + 1], u2_[i], u2_[i + 1])};
}

Eigen::VectorXd gaussian_bin_averages(double particles, double length, double width, int bins) {
  VSWAP_EXPECTS(length > 0.0 && width > 0.0 && bins > 0,
                "gaussian_bin_averages: length, width and bins must be positive");
  const double dx = length / bins, centre = 0.5 * length, scale = std::sqrt(2.0) * width;
  // Images m*L within 10 sd of the ring contribute; beyond, erf differences are below 1e-40.
  const int images = static_cast<int>(std::ceil(10.0 * width / length)) + 1;
  Eigen::VectorXd avg = Eigen::VectorXd::Zero(bins);
  for (int m = -images; m <= images; ++m) {
    const double shift = centre + m * length;
    double left = std::erf((0.0 - shift) / scale);
    for (int j = 0; j < bins; ++j) {
      const double right = std::erf(((j + 1) * dx - shift) / scale);
      avg(j) += 0.5 * (right - left);  // mass fraction of image m in bin j
      left = right;
    }
  }
  return avg * (particles / dx);
}

}  // namespace vswap::theory
