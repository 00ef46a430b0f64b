// Bath states: normalisation and moments of the continuum quadrature, support, boosts,
// config validation, table baths and their file format.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <limits>
#include <vswap/error.hpp>
#include <vswap/theory/bath_state.hpp>

#include "test_theory_baths.hpp"

using namespace vswap;
using namespace vswap::theory;
using vswap::theory::testing::mixture_moment;
using vswap::theory::testing::paper_baths;

namespace {
constexpr double kPi = 3.141592653589793238462643383279502884;
/// The accuracy the continuum quadrature promises for analytic states (bath_state.cpp).
constexpr double kQuadratureAccuracy = 1e-12;

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "vswap_theory_" + name;
}
void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}
std::string input_error_key(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.key();
  }
  return "<no InputError>";
}
}  // namespace

TEST(TheoryBath, QuadratureIntegratesMomentsOfAnalyticStates) {
  double worst = 0.0;
  for (const auto& [name, bath] : paper_baths()) {
    const VelocityGrid& q = bath.quadrature();
    Eigen::VectorXd rho(q.size());
    for (Eigen::Index i = 0; i < q.size(); ++i) rho[i] = bath(q.lambda[i]);
    const double rms = std::sqrt(mixture_moment(bath, 2));
    for (int k = 0; k <= 2; ++k) {
      const double exact = bath.density() * mixture_moment(bath, k);
      const double numeric = q.integrate((q.lambda.array().pow(k) * rho.array()).matrix());
      // Moments are measured relative to density * rms^k (the first moment may vanish).
      const double error = std::abs(numeric - exact) / (bath.density() * std::pow(rms, k));
      worst = std::max(worst, error);
      EXPECT_LE(error, kQuadratureAccuracy) << name << " moment " << k;
    }
    // The support's ends are where rho_b has fallen below ~1e-17 of its maximum.
    const double peak = rho.maxCoeff();
    EXPECT_LE(bath(bath.support().first) / peak, 1e-16) << name;
    EXPECT_LE(bath(bath.support().second) / peak, 1e-16) << name;
    std::printf("%s: %lld quadrature nodes on [%.3f, %.3f]\n", name.c_str(),
                static_cast<long long>(q.size()), bath.support().first, bath.support().second);
  }
  std::printf("bath moments 0..2: max relative quadrature error %.2g\n", worst);
}

TEST(TheoryBath, BraggIsEquation104) {
  const BathState bath = BathState::bragg(50.0, 6.0, 5.9, 0.3);
  // (104) normalised: exp(-(l+lB)^2/s^2) + b exp(-(l-lB)^2/s^2) over (1+b) s sqrt(pi).
  for (double l : {-20.0, -5.9, 0.0, 3.3, 5.9, 17.0}) {
    const double expected =
        50.0 *
        (std::exp(-std::pow(l + 5.9, 2) / 36.0) + 0.3 * std::exp(-std::pow(l - 5.9, 2) / 36.0)) /
        (1.3 * 6.0 * std::sqrt(kPi));
    EXPECT_NEAR(bath(l), expected, 1e-15 * 50.0) << l;
  }
  // bragg_thermal is bragg with sigma = sqrt(2T); thermal is exp(-(l-w)^2/(2T)).
  const BathState bt = BathState::bragg_thermal(10.0, 2.0, 1.0, 0.5);
  const BathState b2 = BathState::bragg(10.0, 2.0, 1.0, 0.5);
  EXPECT_DOUBLE_EQ(bt(0.3), b2(0.3));
  const BathState th = BathState::thermal(3.0, 2.0, 0.5);
  EXPECT_NEAR(th(1.5), 3.0 * std::exp(-0.25) / std::sqrt(4.0 * kPi), 1e-15);
}

TEST(TheoryBath, BoostShiftsTheState) {
  for (const auto& [name, bath] : paper_baths()) {
    const BathState moved = bath.boosted(1.7);
    for (double l : {-3.0, 0.0, 0.4, 6.0})
      EXPECT_NEAR(moved(l + 1.7), bath(l), 1e-14 * bath.density()) << name;
  }
}

// bath.boost is a Galilean boost of every kind, not only of the thermal state.
TEST(TheoryBath, ConfigBoostMovesEveryKind) {
  for (const BathKind kind : {BathKind::bragg, BathKind::thermal, BathKind::bragg_thermal, BathKind::table}) {
    BathConfig c;
    c.kind = kind;
    c.table_text = "-8 0\n-2 1.5\n1 0.5\n6 0\n";
    c.file = "inline.txt";
    const BathState rest = BathState::from_config(c);
    c.boost = -2.3;
    const BathState moved = BathState::from_config(c);
    for (double l : {-6.0, -1.0, 0.0, 0.7, 4.0}) {
      EXPECT_NEAR(moved(l - 2.3), rest(l), 1e-14 * rest.density()) << static_cast<int>(kind) << " " << l;
    }
    EXPECT_NE(moved(0.5), rest(0.5)) << static_cast<int>(kind);
  }
}

TEST(TheoryBath, ConfigErrorsNameTheKey) {
  BathConfig c;
  auto key_for = [](BathConfig config) {
    return input_error_key([&] { BathState::from_config(config); });
  };
  c = {};
  c.sigma = 0.0;
  EXPECT_EQ(key_for(c), "bath.sigma");
  c = {};  // peaks 2e8 sd apart: a uniform quadrature of 2.8e9 points is refused, not overflowed
  c.sigma = 0.01;
  c.lambda_B = 1e6;
  EXPECT_EQ(key_for(c), "bath.sigma");
  c = {};
  c.density = -1.0;
  EXPECT_EQ(key_for(c), "bath.density");
  c = {};
  c.b = -0.1;
  EXPECT_EQ(key_for(c), "bath.b");
  c = {};
  c.lambda_B = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(key_for(c), "bath.lambda_B");
  c = {};
  c.kind = BathKind::thermal;
  c.temperature = 0.0;
  EXPECT_EQ(key_for(c), "bath.temperature");
  c = {};
  c.kind = BathKind::bragg_thermal;
  c.temperature = -2.0;
  EXPECT_EQ(key_for(c), "bath.temperature");
  c = {};
  c.kind = BathKind::thermal;
  c.boost = std::numeric_limits<double>::infinity();
  EXPECT_EQ(key_for(c), "bath.boost");
  c = {};
  c.kind = BathKind::table;
  EXPECT_EQ(key_for(c), "bath.file");
  c = {};
  EXPECT_NO_THROW(BathState::from_config(c));
}

TEST(TheoryBath, TableFromFileEqualsTheTabulatedStateToInterpolationAccuracy) {
  const BathState exact = BathState::bragg(50.0, 6.0, 5.9, 0.3);
  const double h = 0.25;
  const auto [lo, hi] = exact.support();
  std::string text = "# lambda rho_b (Fig. 5 asymmetric bath)\n\n";
  std::vector<double> nodes;
  for (double l = lo; l <= hi + 0.5 * h; l += h) {
    nodes.push_back(l);
    text += std::to_string(l) + "   " + std::to_string(2.0 * exact(l)) + "  # scaled by 2\n";
  }
  const std::string path = temp_path("table.txt");
  write_file(path, text);
  const BathState table = BathState::read_table(path, 50.0);
  ASSERT_TRUE(table.is_table());
  EXPECT_EQ(table.table_lambda().size(), nodes.size());
  // Linear interpolation error <= h^2/8 max|rho_b''|; a Gaussian's |phi''| <= phi(0)/sd^2.
  // The file rounds values to 6 decimals (std::to_string): add that.
  double curvature = 0.0;
  for (const auto& g : exact.components())
    curvature += 50.0 * g.weight / (g.sd * g.sd * g.sd * std::sqrt(2.0 * kPi));
  const double bound = h * h / 8.0 * curvature + 0.5e-6;
  double worst = 0.0;
  for (std::size_t i = 0; i + 1 < nodes.size(); ++i) {
    const double mid = 0.5 * (nodes[i] + nodes[i + 1]);
    worst = std::max(worst, std::abs(table(mid) - exact(mid)));
  }
  std::printf("table bath (h = %g): max interpolation error %.3g, bound h^2/8 max|rho''| %.3g\n", h,
              worst, bound);
  EXPECT_LE(worst, bound);
  // Renormalised to the density exactly by the (piecewise-linear-exact) trapezoid rule.
  const DiscreteBath discrete = discretise(table);
  EXPECT_NEAR(discrete.grid.integrate(discrete.rho_b), 50.0, 1e-12);
  // A boosted table is the shifted table.
  EXPECT_NEAR(table.boosted(0.5)(1.0), table(0.5), 1e-14);
  std::remove(path.c_str());
}

TEST(TheoryBath, ReadTableErrorsNameTheFile) {
  auto check = [](const std::string& name, const std::string& text, const std::string& needle) {
    const std::string path = temp_path(name);
    if (!text.empty()) write_file(path, text);
    try {
      BathState::read_table(path, 1.0);
      ADD_FAILURE() << name << ": no InputError";
    } catch (const InputError& e) {
      EXPECT_EQ(e.key(), "bath.file") << name;
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << name << ": " << e.what();
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << name << ": " << e.what();
    }
    std::remove(path.c_str());
  };
  check("missing.txt", "", "cannot open");
  check("bad_line.txt", "0 1\n1 abc\n2 1\n", "line 2");
  check("three_columns.txt", "0 1\n1 1 1\n", "line 2");
  check("negative.txt", "# header\n0 1\n1 -0.5\n", "line 3");
  check("decreasing.txt", "0 1\n2 1\n1 1\n", "line 3");
  check("nan.txt", "0 1\n1 nan\n", "line 2");
  check("one_row.txt", "0 1\n", "two rows");
  check("zero.txt", "0 0\n1 0\n", "zero");
}

TEST(TheoryBath, DiscretiseOnTheLatticeKeepsTheDensity) {
  const BathState bath = BathState::bragg(50.0, 6.0, 5.9, 0.3);
  const VelocityGrid lattice = lattice_grid(2.0 * kPi / 5.0, -30.0, 30.0);
  EXPECT_NEAR(lattice.lambda[1] - lattice.lambda[0], 2.0 * kPi / 5.0, 1e-15);
  EXPECT_LE(lattice.lambda[0], -30.0);
  EXPECT_GE(lattice.lambda[lattice.size() - 1], 30.0);
  const DiscreteBath discrete = discretise(bath, lattice);
  EXPECT_NEAR(discrete.grid.integrate(discrete.rho_b), 50.0, 1e-12);
}
