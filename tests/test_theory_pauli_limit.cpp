// The fermion Pauli limit: (40) at the least fugacity the theory admits,
// A_min = kBathTailCutoff max rho_b. Regressions: pauli_limit counted every node of
// rho_b > 0, down to underflow level (the gap between two narrow Bragg peaks, lattice classes
// added to cover a thermal start), and put the limit where no A >= 1e-304 reaches: for a Bragg
// bath of sigma = 0.1 it read 1.068 and every density from ~0.4 up failed with "no fugacity
// found down to A = 1e-304" (an internal error, exit 1, also for classical configs, whose
// `vswap theory` writes the fermion table too).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>
#include <vswap/theory/bath_state.hpp>
#include <vswap/theory/stationary.hpp>
#include <vswap/theory/transport.hpp>

using namespace vswap;
using namespace vswap::theory;

namespace {
constexpr double kPi = 3.141592653589793238462643383279502884;
constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kGamma = 0.08;
const double kCells = 40.0, kLength = 200.0;  // ell = 5, as base_f.toml
const double kDl = 2.0 * kPi * kCells / kLength;

/// vswap run's lattice for a thermal start of T = 1 (classes j dl, |j dl| <= 8.5 sqrt(T))
/// under a cold thermal bath (T = 0.01, sd 0.1 << dl): rho_b(j dl) / rho_b(0) = 5e-35, 1e-137,
/// 2e-309 for |j| = 1, 2, 3, and 0 beyond.
DiscreteBath cold_bath_on_a_thermal_lattice() {
  VelocityGrid grid;
  grid.lambda.resize(15);
  grid.weight = Eigen::VectorXd::Constant(15, kDl);
  for (int k = 0; k < 15; ++k) grid.lambda[k] = (k - 7) * kDl;
  return discretise(BathState::thermal(50.0, 0.01, 0.0), grid);
}

struct Case {
  std::string name;
  DiscreteBath bath;
};

std::vector<Case> baths() {
  return {{"bragg sigma 0.1", discretise(BathState::bragg(50.0, 0.1, 5.9, 0.3))},
          {"bragg sigma 0.3", discretise(BathState::bragg(50.0, 0.3, 5.9, 0.3))},
          {"fig5d", discretise(BathState::bragg(50.0, 6.0, 5.9, 0.3))},
          {"cold lattice", cold_bath_on_a_thermal_lattice()},
          {"two-bump table",
           discretise(BathState::table(50.0, {0, 1, 2, 3, 5, 6, 7}, {0, 2, 1, 0, 0, 3, 0}))}};
}

/// (40) at A, summed independently of the library (long double).
double density_at(const DiscreteBath& bath, double A) {
  long double sum = 0.0L;
  for (Eigen::Index i = 0; i < bath.rho_b.size(); ++i)
    sum += static_cast<long double>(bath.grid.weight[i]) * bath.rho_b[i] /
           (2.0L * kPi * (static_cast<long double>(bath.rho_b[i]) + A));
  return static_cast<double>(sum);
}

/// u (88), u' = -2 (h1 - u|n)_st / (h0|h0)_st^2 (SPEC 3) and D (99) of (40) at A, in long
/// double, with the moduli of the sums that make u and u'.
struct Reference {
  double u, du, D, u_scale, du_scale;
};
Reference reference_coefficients(const DiscreteBath& bath, double A) {
  using LD = long double;
  const Eigen::Index size = bath.rho_b.size();
  std::vector<LD> f(static_cast<std::size_t>(size)), n(f.size()), hole(f.size());
  LD h0h0 = 0.0L, h1 = 0.0L, h1_abs = 0.0L;
  for (Eigen::Index i = 0; i < size; ++i) {
    const auto k = static_cast<std::size_t>(i);
    const LD rb = bath.rho_b[i];
    n[k] = rb / (rb + A);  // (40): n = 2 pi rho_st
    hole[k] = A / (rb + A);
    f[k] = bath.grid.weight[i] * n[k] / (2.0L * kPi) * hole[k];  // measure of (86)
    h0h0 += f[k];
    h1 += f[k] * bath.grid.lambda[i];
    h1_abs += f[k] * std::abs(bath.grid.lambda[i]);
  }
  const LD u = h1 / h0h0;
  LD du = 0.0L, du_abs = 0.0L, num = 0.0L, bath_holes = 0.0L;
  for (Eigen::Index i = 0; i < size; ++i) {
    const auto k = static_cast<std::size_t>(i);
    const LD dl = bath.grid.lambda[i] - u;
    du += f[k] * dl * n[k];
    du_abs += f[k] * std::abs(dl) * n[k];
    num += f[k] * dl * dl * hole[k];
    bath_holes += bath.grid.weight[i] * hole[k] * bath.rho_b[i];
  }
  const LD scale = -2.0L / (h0h0 * h0h0);
  return {static_cast<double>(u), static_cast<double>(scale * du),
          static_cast<double>(num / h0h0 / (kGamma * bath_holes)),
          static_cast<double>(h1_abs / h0h0), static_cast<double>(-scale * du_abs)};
}
}  // namespace

TEST(TheoryPauliLimit, EveryDensityBelowTheLimitIsSolvable) {
  for (const auto& [name, bath] : baths()) {
    const double limit = pauli_limit(bath);
    const double A_min = kBathTailCutoff * bath.rho_b.maxCoeff();
    // The limit is (40) at A_min.
    EXPECT_NEAR(limit, density_at(bath, A_min),
                4.0 * static_cast<double>(bath.rho_b.size()) * kEps * limit)
        << name;
    for (double gap : {0.5, 0.1, 1e-2, 1e-4, 1e-8, 1e-12, 1e-15}) {
      const double rho = limit * (1.0 - gap);
      ASSERT_TRUE(below_pauli_limit(bath, rho)) << name << " gap " << gap;
      FugacitySolution root{};
      ASSERT_NO_THROW(root = solve_fugacity(bath, rho)) << name << " gap " << gap;
      EXPECT_GE(root.A, A_min * (1.0 - 4.0 * kEps)) << name << " gap " << gap;
      // Converged to a few ulps (Newton in log A: ~eps |log A| relative).
      EXPECT_LE(std::abs(root.residual), 8.0 * kEps * (1.0 + std::abs(std::log(root.A))) * rho)
          << name << " gap " << gap;
      const TransportCoefficients c = transport_coefficients(bath, Statistics::fermi, rho, kGamma);
      EXPECT_TRUE(std::isfinite(c.u) && std::isfinite(c.du_drho)) << name << " gap " << gap;
      EXPECT_TRUE(std::isfinite(c.D) && c.D > 0.0) << name << " gap " << gap << " D " << c.D;
    }
    EXPECT_FALSE(below_pauli_limit(bath, limit)) << name;
    EXPECT_THROW(solve_fugacity(bath, limit), std::invalid_argument) << name;
    // The tables of `vswap theory`, `run` and `burgers` go to 0.99 of the limit.
    EXPECT_NO_THROW(coefficient_table(bath, Statistics::fermi, 0.0, 0.99 * limit, 50, kGamma))
        << name;
  }
}

TEST(TheoryPauliLimit, StatesTheBathDoesNotHoldDoNotCount) {
  // Cold lattice: one populated class (its neighbours hold n ~ 5e-35 / 1e-17); was 7 classes.
  const DiscreteBath cold = cold_bath_on_a_thermal_lattice();
  EXPECT_NEAR(pauli_limit(cold), kDl / (2.0 * kPi), 4.0 * kEps * kDl / (2.0 * kPi));
  // Compact support: the measure of {rho_b > 0} / 2 pi (5 / 2 pi), short by
  // ~A_min / slope * log per zero of rho_b, i.e. ~1e-16 relative.
  const DiscreteBath table =
      discretise(BathState::table(50.0, {0, 1, 2, 3, 5, 6, 7}, {0, 2, 1, 0, 0, 3, 0}));
  EXPECT_NEAR(pauli_limit(table), 5.0 / (2.0 * kPi), 1e-13);
  // Bragg sigma = 0.1 (sd 0.071, peaks 167 sd apart): the Fermi seas around the peaks reach
  // rho_b = A_min at ~8.9 sd on each side (the support's own cut-off: 2 x 2 x 8.9 sd / 2 pi =
  // 0.40), not across the whole gap down to rho_b ~ 1e-308 (1.068).
  EXPECT_NEAR(pauli_limit(discretise(BathState::bragg(50.0, 0.1, 5.9, 0.3))), 0.40, 0.01);
}

TEST(TheoryPauliLimit, CoefficientsNearTheLimitAreThoseOfTheState) {
  for (const auto& [name, bath] : baths()) {
    const double A_min = kBathTailCutoff * bath.rho_b.maxCoeff();
    for (double factor : {1.01, 2.0, 1e3}) {
      // Round trip: the density of (40) at A (summed here) gives back A. d rho / d log A =
      // -(h0|h0)_st, so |d log A| <= (rounding of both sums + Newton's 2 eps rho) / (h0|h0).
      const double A = factor * A_min, rho = density_at(bath, A);
      if (!below_pauli_limit(bath, rho)) continue;  // cold lattice: n = 1 - 1e-17 rounds to 1
      const StationaryState st = stationary_state(bath, Statistics::fermi, rho);
      const double h0h0 = st_product(bath, st, Eigen::VectorXd::Ones(bath.rho_b.size()));
      const auto n = static_cast<double>(bath.rho_b.size());
      EXPECT_NEAR(std::log(st.A), std::log(A), (2.0 * n + 4.0) * kEps * rho / h0h0)
          << name << " A/A_min " << factor;
      // u (88), u' (SPEC 3) and D (99) at the library's A, summed here in long double from
      // the paper's formulas: the library's sums of n terms round to ~n eps of their moduli.
      const Reference ref = reference_coefficients(bath, st.A);
      const TransportCoefficients c = transport_coefficients(bath, st, kGamma);
      EXPECT_NEAR(c.u, ref.u, 4.0 * n * kEps * ref.u_scale) << name << " A/A_min " << factor;
      EXPECT_NEAR(c.du_drho, ref.du, 4.0 * n * kEps * ref.du_scale)
          << name << " A/A_min " << factor;
      EXPECT_NEAR(c.D, ref.D, 4.0 * n * kEps * ref.D) << name << " A/A_min " << factor;
    }
  }
}
