// Stationary states (20) and (40): normalisation, Pauli bound, monotone A(rho), warm
// starts, and (87) against a finite difference in rho.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>
#include <limits>
#include <vswap/theory/stationary.hpp>

#include "fixed_n_helpers.hpp"
#include "test_theory_baths.hpp"

using namespace vswap;
using namespace vswap::theory;
using vswap::theory::testing::fermions_fit;
using vswap::theory::testing::paper_baths;

namespace {
constexpr double kEps = std::numeric_limits<double>::epsilon();
const double kDensities[] = {0.1, 0.5, 1.0, 2.0, 3.0};
}  // namespace

TEST(TheoryStationary, IntegratesToTheDensityWithPauliOccupations) {
  for (const auto& [name, state] : paper_baths()) {
    const DiscreteBath bath = discretise(state);
    for (const Statistics s : {Statistics::classical, Statistics::fermi}) {
      for (double rho : kDensities) {
        if (s == Statistics::fermi && !fermions_fit(bath, rho)) continue;
        const StationaryState st = stationary_state(bath, s, rho);
        // The root is converged to a few ulps of rho; the sum adds one rounding per node.
        const double n_nodes = static_cast<double>(bath.grid.size());
        EXPECT_LE(std::abs(bath.grid.integrate(st.rho_p) - rho), n_nodes * kEps * rho)
            << name << " rho=" << rho;
        EXPECT_LE(std::abs(st.residual), n_nodes * kEps * rho);
        if (s == Statistics::fermi) {
          EXPECT_GE(st.n.minCoeff(), 0.0);
          EXPECT_LT(st.n.maxCoeff(), 1.0);
          // hole = 1 - n, computed without cancellation
          EXPECT_LE((st.hole + st.n - Eigen::VectorXd::Ones(st.n.size())).lpNorm<Eigen::Infinity>(),
                    4 * kEps);
        } else {
          EXPECT_DOUBLE_EQ(st.A, bath.density / rho);
          EXPECT_DOUBLE_EQ(fugacity(bath, s, rho), bath.density / rho);
        }
      }
    }
  }
}

TEST(TheoryStationary, FugacityIsMonotoneAndWarmStartsAgree) {
  const DiscreteBath bath = discretise(BathState::bragg(50.0, 6.0, 5.9, 0.3));
  double A_previous = std::numeric_limits<double>::infinity();
  for (int k = 1; k <= 100; ++k) {
    const double rho = 0.05 * k;
    const FugacitySolution cold = solve_fugacity(bath, rho);
    EXPECT_LT(cold.A, A_previous) << rho;  // d rho / d A < 0 (85)
    // Conditioning: d log A = -d rho / (h0|h0)_st (85); rho(A) itself is a sum rounded to
    // ~sqrt(nodes) eps rho.
    const StationaryState st = stationary_state(bath, Statistics::fermi, rho, cold.A);
    const double h0h0 = st_product(bath, st, Eigen::VectorXd::Ones(st.rho_p.size()));
    const double tol = std::sqrt(static_cast<double>(st.rho_p.size())) * kEps * rho / h0h0 * cold.A;
    const FugacitySolution warm = solve_fugacity(bath, rho, 0.9 * A_previous);
    EXPECT_NEAR(warm.A, cold.A, tol) << rho;
    // Far guesses on either side still bracket the root.
    EXPECT_NEAR(solve_fugacity(bath, rho, 1e-30).A, cold.A, tol);
    EXPECT_NEAR(solve_fugacity(bath, rho, 1e30).A, cold.A, tol);
    EXPECT_LE(std::abs(cold.residual), 2 * kEps * rho);
    A_previous = cold.A;
  }
  EXPECT_DOUBLE_EQ(fugacity(bath, Statistics::fermi, 1.0), solve_fugacity(bath, 1.0).A);
}

TEST(TheoryStationary, DensityBeyondThePauliLimitIsRefused) {
  const DiscreteBath bath = discretise(BathState::bragg(50.0, 6.0, 5.9, 0.3));
  const double limit = bath.grid.weight.sum() / (2.0 * 3.141592653589793);
  EXPECT_THROW(stationary_state(bath, Statistics::fermi, limit), std::invalid_argument);
  EXPECT_NO_THROW(stationary_state(bath, Statistics::fermi, 0.5 * limit));
}

TEST(TheoryStationary, DrhoDrhoIsTheDerivativeOfTheStationaryState) {
  // (87) against a central difference: truncation h^2/6 |rho_st'''|, estimated from the
  // difference of the steps h and h/2 (Richardson), plus the round-off of the states.
  const DiscreteBath bath = discretise(BathState::bragg(50.0, 6.0, 5.9, 0.3));
  for (const Statistics s : {Statistics::classical, Statistics::fermi}) {
    for (double rho : kDensities) {
      const Eigen::VectorXd r = drho_st_drho(bath, stationary_state(bath, s, rho));
      auto difference = [&](double h) -> Eigen::VectorXd {
        return (stationary_state(bath, s, rho + h).rho_p -
                stationary_state(bath, s, rho - h).rho_p) /
               (2 * h);
      };
      const double h = 1e-3 * rho;
      const Eigen::VectorXd coarse = difference(h), fine = difference(0.5 * h);
      const double truncation = (coarse - fine).lpNorm<Eigen::Infinity>();
      const double roundoff = 16 * kEps * r.lpNorm<Eigen::Infinity>() * rho / (0.5 * h);
      EXPECT_LE((fine - r).lpNorm<Eigen::Infinity>(), truncation + roundoff) << rho;
    }
  }
  // rho = 0: the limit rho_b / rho_bath.
  const Eigen::VectorXd r0 = drho_st_drho(bath, stationary_state(bath, Statistics::fermi, 0.0));
  EXPECT_LE((r0 - bath.rho_b / bath.density).norm(), 0.0);
}

// The fixed-N correction is the first order of the exact conditioned mean: on 60 random
// occupations (sum N = 27) the correction to E[A] of an energy-like A = sum a_j eta_j is
// O(1) for the system (-0.199), and what the first order leaves is O(1/N) of it: 2.3e-3,
// and 5.7e-4 (4.0 times less) when the system is replicated four times (N = 108). Dilute
// cells (Poisson-like, t = v) give no shift.
TEST(TheoryStationary, FixedNCorrectionIsTheFirstOrderOfTheConditionedMean) {
  std::vector<double> p0, a0;
  std::uint64_t s = 12345;
  const auto uniform = [&s] {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(s >> 11) * 0x1.0p-53;
  };
  for (int j = 0; j < 60; ++j) {
    p0.push_back(0.02 + 0.9 * uniform());
    a0.push_back(4 * (1 - p0.back()) + uniform());  // energy-like: low where the cells are full
  }
  // a common tilt of the log-odds makes the sum a whole number (27)
  const auto tilted = [&](double mu) {
    std::vector<double> p(p0.size());
    for (std::size_t j = 0; j < p.size(); ++j) p[j] = 1 / (1 + (1 - p0[j]) / p0[j] * std::exp(-mu));
    return p;
  };
  double lo = -5, hi = 5;
  for (int it = 0; it < 200; ++it) {
    double sum = 0;
    for (double q : tilted(0.5 * (lo + hi))) sum += q;
    (sum > 27 ? hi : lo) = 0.5 * (lo + hi);
  }
  const std::vector<double> p = tilted(0.5 * (lo + hi));
  double residual[2], shift[2];
  for (int r = 0; r < 2; ++r) {
    const int copies = r == 0 ? 1 : 4;
    const std::vector<int> count(p.size(), copies);
    const auto cond = test::conditioned_occupations(p, count, 27 * copies);
    FixedNSums all;
    double a_t = 0, a_v = 0, exact = 0;
    for (std::size_t j = 0; j < p.size(); ++j) {
      FixedNSums one;
      one.add(p[j], 1 - p[j], copies);
      all.add(p[j], 1 - p[j], copies);
      a_t += a0[j] * one.T;
      a_v += a0[j] * one.V;
      exact += copies * a0[j] * (cond[j] - p[j]);
    }
    shift[r] = all.shift(a_t, a_v);
    residual[r] = std::abs(exact - shift[r]);
  }
  EXPECT_GT(std::abs(shift[0]), 0.1);                   // an O(1) shift of the whole system's A
  EXPECT_NEAR(shift[1], shift[0], 1e-12 * std::abs(shift[0]));  // the same for 4 times the system
  EXPECT_LT(residual[0], 0.2 * std::abs(shift[0])) << residual[0] << " of " << shift[0];
  EXPECT_LT(residual[1], 0.4 * residual[0]) << residual[1] << " vs " << residual[0];
  FixedNSums dilute;
  for (double q : {1e-9, 2e-9, 5e-10}) dilute.add(q, 1 - q);
  EXPECT_LT(std::abs(dilute.shift(1e-9 * 3, 1e-9 * 3)), 1e-8);
}
