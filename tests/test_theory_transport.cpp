// u (88), the corrected u' and D (99): finite differences, classical limits (100), (101),
// (103), the rho -> 0 limit and Galilean invariance.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <vswap/theory/transport.hpp>

#include "test_theory_baths.hpp"

using namespace vswap;
using namespace vswap::theory;
using vswap::theory::testing::fermions_fit;
using vswap::theory::testing::paper_baths;

namespace {
constexpr double kEps = std::numeric_limits<double>::epsilon();
/// The continuum quadrature's documented accuracy for analytic states (bath_state.cpp).
constexpr double kQuadratureAccuracy = 1e-12;
const double kDensities[] = {0.1, 0.5, 1.0, 2.0, 3.0};
constexpr double kGamma = 0.08;
}  // namespace

TEST(TheoryTransport, DuDrhoEqualsAFiniteDifferenceOfU) {
  // Central difference of (88) with step h and h/2: the truncation error of the h/2
  // difference is bounded by |D_h - D_{h/2}| (it is ~1/3 of it), the round-off by
  // eps * |u| * (number of nodes) / h. Reports the measured error of the Richardson value.
  double worst_relative = 0.0;
  for (const auto& [name, state] : paper_baths()) {
    const DiscreteBath bath = discretise(state);
    const double n_nodes = static_cast<double>(bath.grid.size());
    for (const Statistics s : {Statistics::classical, Statistics::fermi}) {
      for (double rho : kDensities) {
        if (s == Statistics::fermi && !fermions_fit(bath, rho)) continue;
        const double du = transport_coefficients(bath, s, rho, kGamma).du_drho;
        auto difference = [&](double h) {
          return (transport_coefficients(bath, s, rho + h, kGamma).u -
                  transport_coefficients(bath, s, rho - h, kGamma).u) /
                 (2 * h);
        };
        const double h = 1e-3 * rho;
        const double coarse = difference(h), fine = difference(0.5 * h);
        const double scale = std::abs(transport_coefficients(bath, s, rho, kGamma).u) +
                             std::sqrt(std::abs(classical_D(bath, kGamma) * kGamma));
        const double roundoff = n_nodes * kEps * scale / (0.5 * h);
        EXPECT_LE(std::abs(fine - du), std::abs(coarse - fine) + roundoff)
            << name << " chi=" << chi(s) << " rho=" << rho;
        const double richardson = (4 * fine - coarse) / 3;
        // Relative to u's natural rate of change, scale / rho (u' vanishes for symmetric baths).
        if (s == Statistics::classical) {
          EXPECT_EQ(du, 0.0);
          continue;
        }
        worst_relative = std::max(worst_relative, std::abs(richardson - du) * rho / scale);
        if (name == "fig5_asymmetric")
          std::printf(
              "fig5 asymmetric fermions rho=%g: u'=%.12f, |u' - Richardson FD|/|u'| = %.2g\n", rho,
              du, std::abs(richardson - du) / std::abs(du));
      }
    }
  }
  RecordProperty("du_drho_richardson_max_relative_error", std::to_string(worst_relative));
  std::printf("u' vs Richardson finite difference: max error * rho / scale %.3g\n", worst_relative);
}

TEST(TheoryTransport, PrintedEquation89VanishesIdentically) {
  // The printed (89) has (h1 - u | h0)_st in the numerator, which is zero by (88): it
  // cannot be the derivative (which the finite difference shows to be non-zero).
  const DiscreteBath bath = discretise(BathState::bragg(50.0, 6.0, 5.9, 0.3));
  const StationaryState st = stationary_state(bath, Statistics::fermi, 1.0);
  const TransportCoefficients c = transport_coefficients(bath, st, kGamma);
  const Eigen::VectorXd h1_minus_u = bath.grid.lambda.array() - c.u;
  EXPECT_LE(std::abs(st_product(bath, st, h1_minus_u)), 1e-14 * std::abs(c.u) * st.density);
  EXPECT_GT(std::abs(c.du_drho), 0.1);
}

TEST(TheoryTransport, ClassicalLimits100And101) {
  double worst_classical = 0.0;
  for (const auto& [name, state] : paper_baths()) {
    const DiscreteBath bath = discretise(state);
    // (100), (101) against the exact moments of the Gaussian mixture.
    const double m1 = vswap::theory::testing::mixture_moment(state, 1),
                 m2 = vswap::theory::testing::mixture_moment(state, 2);
    const double D_exact = (m2 - m1 * m1) / (kGamma * state.density());
    for (double rho : {0.0, 0.1, 1.0, 3.0}) {
      const TransportCoefficients c =
          transport_coefficients(bath, Statistics::classical, rho, kGamma);
      EXPECT_NEAR(c.u, m1, kQuadratureAccuracy * std::sqrt(m2)) << name;
      EXPECT_NEAR(c.D, D_exact, kQuadratureAccuracy * D_exact) << name;
      worst_classical = std::max(worst_classical, std::abs(c.D - D_exact) / D_exact);
      EXPECT_EQ(c.du_drho, 0.0);
    }
  }
  std::printf("(101) vs exact mixture moments: max relative error %.2g\n", worst_classical);
}

TEST(TheoryTransport, ThermalBathGives103) {
  for (double T : {0.5, 4.0}) {
    for (double w : {0.0, 2.5}) {
      const DiscreteBath bath = discretise(BathState::thermal(50.0, T, w));
      const TransportCoefficients c =
          transport_coefficients(bath, Statistics::classical, 1.0, kGamma);
      const double D_103 = T / (kGamma * 50.0);  // (103)
      RecordProperty("thermal_D_relative_error_T" + std::to_string(T),
                     std::to_string(std::abs(c.D - D_103) / D_103));
      std::printf("(103) T=%g w=%g: |D - T/(gamma rho_bath)|/D = %.2g, |u - w| = %.2g\n", T, w,
                  std::abs(c.D - D_103) / D_103, std::abs(c.u - w));
      EXPECT_NEAR(c.D, D_103, 1e-12 * D_103);
      EXPECT_NEAR(c.u, w, 1e-12 * std::sqrt(T));
    }
  }
}

TEST(TheoryTransport, FermionLowDensityLimitIsClassical) {
  for (const auto& [name, state] : paper_baths()) {
    const DiscreteBath bath = discretise(state);
    const TransportCoefficients f0 = transport_coefficients(bath, Statistics::fermi, 0.0, kGamma);
    const TransportCoefficients c0 =
        transport_coefficients(bath, Statistics::classical, 0.0, kGamma);
    EXPECT_EQ(f0.u, c0.u);
    EXPECT_EQ(f0.D, c0.D);
    // At small rho the fermion coefficients approach the limits linearly in rho:
    // |c(rho) - c(0) - rho c'(0)| = O(rho^2). Two small densities bound the O(rho^2) term.
    for (double rho : {1e-4, 1e-5}) {
      const TransportCoefficients f = transport_coefficients(bath, Statistics::fermi, rho, kGamma);
      const double scale = std::abs(f0.u) + std::sqrt(kGamma * f0.D);
      EXPECT_NEAR(f.u, f0.u + rho * f0.du_drho, 1e3 * rho * rho * scale) << name;
      EXPECT_NEAR(f.D, f0.D, 1e2 * rho * f0.D) << name;
      EXPECT_NEAR(f.du_drho, f0.du_drho, 1e3 * rho * (std::abs(f0.du_drho) + scale)) << name;
    }
  }
}

TEST(TheoryTransport, GalileanBoostShiftsUAndKeepsDAndDuDrho) {
  const double w = 1.7;
  double worst_u = 0.0, worst_D = 0.0;
  for (const auto& [name, state] : paper_baths()) {
    const DiscreteBath bath = discretise(state);
    const DiscreteBath moved = discretise(state.boosted(w));
    for (const Statistics s : {Statistics::classical, Statistics::fermi}) {
      for (double rho : kDensities) {
        if (s == Statistics::fermi && !fermions_fit(bath, rho)) continue;
        const TransportCoefficients c = transport_coefficients(bath, s, rho, kGamma);
        const TransportCoefficients b = transport_coefficients(moved, s, rho, kGamma);
        const double speed = std::abs(c.u) + std::abs(w) + std::sqrt(kGamma * c.D);
        worst_u = std::max(worst_u, std::abs(b.u - c.u - w) / speed);
        worst_D = std::max(worst_D, std::abs(b.D - c.D) / c.D);
        EXPECT_NEAR(b.u, c.u + w, kQuadratureAccuracy * speed) << name;
        EXPECT_NEAR(b.D, c.D, kQuadratureAccuracy * c.D) << name;
        EXPECT_NEAR(b.du_drho, c.du_drho, kQuadratureAccuracy * (std::abs(c.du_drho) + speed / rho))
            << name;
      }
    }
  }
  std::printf("Galilean boost w=%g: max |u_boosted - u - w|/speed %.2g, max |dD|/D %.2g\n", w,
              worst_u, worst_D);
}

TEST(TheoryTransport, CoefficientTableMatchesPointwiseAndIsFast) {
  const DiscreteBath bath = discretise(BathState::bragg(50.0, 6.0, 5.9, 0.3));
  const auto start = std::chrono::steady_clock::now();
  std::vector<TransportCoefficients> tables[2];
  for (const Statistics s : {Statistics::classical, Statistics::fermi})
    tables[s == Statistics::fermi] = coefficient_table(bath, s, 0.0, 4.0, 200, kGamma);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("coefficient_table: 200 densities x 2 statistics in %.3g ms\n", 1e3 * seconds);
  RecordProperty("coefficient_table_ms", std::to_string(1e3 * seconds));
  for (const Statistics s : {Statistics::classical, Statistics::fermi}) {
    const auto& table = tables[s == Statistics::fermi];
    ASSERT_EQ(table.size(), 200u);
    EXPECT_EQ(table.front().rho, 0.0);
    EXPECT_DOUBLE_EQ(table.back().rho, 4.0);
    for (std::size_t k = 0; k < table.size(); k += 13) {
      const TransportCoefficients c = transport_coefficients(bath, s, table[k].rho, kGamma);
      EXPECT_NEAR(table[k].u, c.u, 1e-13 * (1 + std::abs(c.u)));
      EXPECT_NEAR(table[k].D, c.D, 1e-13 * c.D);
      EXPECT_NEAR(table[k].du_drho, c.du_drho, 1e-13 * (1 + std::abs(c.du_drho)));
    }
  }
}
