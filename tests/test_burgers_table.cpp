// TransportTable (spline interpolation of u, D; exact flux J of (2)) and the wrapped Gaussian
// initial profile.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vswap/theory/burgers.hpp>

namespace vt = vswap::theory;

namespace {

// A non-uniform grid on [0.2, 3]: the spline must not rely on equal spacing.
std::vector<double> grid(int n) {
  std::vector<double> rho(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const double s = static_cast<double>(i) / (n - 1);
    rho[static_cast<std::size_t>(i)] = 0.2 + 2.8 * (s + 0.15 * std::sin(3.0 * s) * s * (1 - s));
  }
  return rho;
}

double cubic_u(double r) {
  return 1.5 - 2.0 * r + 0.7 * r * r - 0.3 * r * r * r;
}
double cubic_u_integral(double r) {
  return 1.5 * r - r * r + 0.7 * r * r * r / 3.0 - 0.075 * r * r * r * r;
}
double cubic_D(double r) {
  return 6.0 + r - 0.4 * r * r + 0.1 * r * r * r;
}

}  // namespace

TEST(BurgersTable, SplineIsExactForCubicsAndFluxForQuartics) {
  for (const int n : {4, 7, 40}) {
    const std::vector<double> rho = grid(n);
    std::vector<double> u, D;
    for (const double r : rho) {
      u.push_back(cubic_u(r));
      D.push_back(cubic_D(r));
    }
    const vt::TransportTable table(rho, u, D);
    for (int k = 0; k <= 1000; ++k) {
      const double r = 0.2 + 2.8 * k / 1000.0;
      EXPECT_NEAR(table.u(r), cubic_u(r), 1e-12) << "n=" << n << " rho=" << r;
      EXPECT_NEAR(table.D(r), cubic_D(r), 1e-12) << "n=" << n << " rho=" << r;
      // J is measured from rho_min = 0.2 (a constant shift of J does not change (2)).
      EXPECT_NEAR(table.flux(r), cubic_u_integral(r) - cubic_u_integral(0.2), 1e-12);
      const auto fv = table.flux_velocity(r);
      EXPECT_EQ(fv.flux, table.flux(r));
      EXPECT_EQ(fv.velocity, table.u(r));
    }
  }
}

TEST(BurgersTable, TwoAndThreePointTablesAreLinearAndQuadratic) {
  const vt::TransportTable linear({0.0, 2.0}, {1.0, 5.0}, {3.0, 4.0});
  EXPECT_NEAR(linear.u(0.5), 2.0, 1e-15);
  EXPECT_NEAR(linear.D(1.0), 3.5, 1e-15);
  EXPECT_NEAR(linear.flux(2.0), 6.0, 1e-14);  // int_0^2 (1 + 2 r) dr
  const vt::TransportTable quadratic({0.0, 1.0, 3.0}, {0.0, 1.0, 9.0}, {1.0, 1.0, 1.0});
  EXPECT_NEAR(quadratic.u(2.0), 4.0, 1e-14);
  EXPECT_NEAR(quadratic.flux(3.0), 9.0, 1e-13);  // int_0^3 r^2 dr
}

TEST(BurgersTable, OutOfRangeDensityThrowsNamingIt) {
  const vt::TransportTable table({0.0, 1.0, 2.0, 3.0}, {1, 2, 3, 4}, {5, 5, 5, 5});
  for (const double bad : {3.5, -0.25}) {
    try {
      (void)table.u(bad);
      FAIL() << "no exception for density " << bad;
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(bad > 0 ? "3.5" : "-0.25"), std::string::npos) << what;
      EXPECT_NE(what.find("[0, 3]"), std::string::npos) << what;
      EXPECT_NE(what.find("rho_max"), std::string::npos) << what;
    }
  }
  EXPECT_THROW((void)table.D(std::nan("")), std::invalid_argument);
  EXPECT_THROW((void)table.flux(3.0000001), std::invalid_argument);
  EXPECT_NO_THROW((void)table.flux(3.0));
}

TEST(BurgersTable, RejectsMalformedTables) {
  EXPECT_THROW(vt::TransportTable({0.0}, {1.0}, {1.0}), std::invalid_argument);
  EXPECT_THROW(vt::TransportTable({0.0, 0.0}, {1, 1}, {1, 1}), std::invalid_argument);
  EXPECT_THROW(vt::TransportTable({0.0, 1.0}, {1, 1}, {1, 0}), std::invalid_argument);
  EXPECT_THROW(vt::TransportTable({0.0, 1.0}, {1}, {1, 1}), std::invalid_argument);
}

TEST(GaussianBinAverages, SumsToParticlesAndMatchesTheGaussian) {
  const double particles = 1600, length = 2000;
  for (const double width : {30.0, 300.0, 3000.0}) {  // the last wraps many times
    for (const int bins : {7, 100, 1000}) {
      const Eigen::VectorXd avg = vt::gaussian_bin_averages(particles, length, width, bins);
      EXPECT_NEAR(avg.sum() * length / bins, particles, 1e-12 * particles)
          << "width=" << width << " bins=" << bins;
      EXPECT_GE(avg.minCoeff(), 0.0);
    }
  }
  // width << L: a fine bin's average is the density at its centre up to
  // rho''(x) dx^2 / 24 <= (particles / (sqrt(2 pi) w)) (dx / w)^2 / 12.
  const double width = 20.0;
  const int bins = 4000;
  const double dx = length / bins, peak = particles / (std::sqrt(2.0 * M_PI) * width);
  const Eigen::VectorXd avg = vt::gaussian_bin_averages(particles, length, width, bins);
  double worst = 0.0;
  for (int j = 0; j < bins; ++j) {
    const double z = ((j + 0.5) * dx - 0.5 * length) / width;
    worst = std::max(worst, std::abs(avg(j) - peak * std::exp(-0.5 * z * z)));
  }
  EXPECT_LT(worst, peak * (dx / width) * (dx / width) / 12.0);
  EXPECT_GT(worst, 0.0);
}
