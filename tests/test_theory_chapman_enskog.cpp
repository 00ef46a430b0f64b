// Numerical Chapman-Enskog against the closed forms: (99) for the swap operators of
// (38)/(39) and (77) for the relaxation-time approximation; the Jacobian (56) against
// finite differences of the collision integral.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vswap/theory/chapman_enskog.hpp>
#include <vswap/theory/kinetic.hpp>
#include <vswap/theory/transport.hpp>

#include "test_theory_baths.hpp"

using namespace vswap;
using namespace vswap::theory;
using vswap::theory::testing::fermions_fit;
using vswap::theory::testing::paper_baths;

namespace {
constexpr double kEps = std::numeric_limits<double>::epsilon();
const double kDensities[] = {0.1, 0.5, 1.0, 2.0, 3.0};
constexpr double kGamma = 0.08;
/// The requirement for analytic (99) vs numerical ChE.
constexpr double kRequiredAgreement = 1e-8;
}  // namespace

TEST(TheoryChapmanEnskog, NumericalSolutionOfSwapOperatorEqualsEquation99) {
  double worst = 0.0, worst_residual = 0.0;
  for (const auto& [name, state] : paper_baths()) {
    const DiscreteBath bath = discretise(state);
    for (const Statistics s : {Statistics::classical, Statistics::fermi}) {
      for (double rho : kDensities) {
        if (s == Statistics::fermi && !fermions_fit(bath, rho)) continue;
        const StationaryState st = stationary_state(bath, s, rho);
        const TransportCoefficients c = transport_coefficients(bath, st, kGamma);
        const Eigen::MatrixXd gamma_st = linearised_swap_operator(bath, s, st, kGamma);
        const Eigen::VectorXd r = drho_st_drho(bath, st);
        const ChapmanEnskogSolution che = solve_chapman_enskog(gamma_st, bath.grid, r, c.u);
        const double relative = std::abs(che.D - c.D) / c.D;
        worst = std::max(worst, relative);
        EXPECT_LE(relative, kRequiredAgreement) << name << " chi=" << chi(s) << " rho=" << rho;
        // A backward-stable solve leaves a residual of order eps |Gamma| |a| (times the size).
        const double n = static_cast<double>(bath.grid.size());
        const double bound = n * kEps *
                             (gamma_st.lpNorm<Eigen::Infinity>() * che.a.lpNorm<Eigen::Infinity>() +
                              ((bath.grid.lambda.array() - c.u) * r.array()).abs().maxCoeff());
        worst_residual = std::max(worst_residual, che.residual / bound * n * kEps);
        EXPECT_LE(che.residual, bound) << name << " chi=" << chi(s) << " rho=" << rho;
        EXPECT_LE(std::abs(che.constraint), n * kEps * che.a.lpNorm<Eigen::Infinity>());
      }
    }
  }
  RecordProperty("max_relative_difference_D99_vs_ChE", std::to_string(worst));
  std::printf(
      "(99) vs numerical ChE: max relative difference %.3g; residual/bound*n*eps max %.3g\n", worst,
      worst_residual);
}

TEST(TheoryChapmanEnskog, SwapOperatorIsTheJacobianOfTheCollisionIntegral) {
  // (38)/(39) are quadratic in rho_p, so a central difference is exact up to round-off:
  // the error is ~ eps |I's terms| / step per column.
  const DiscreteBath bath = discretise(BathState::bragg(50.0, 6.0, 5.9, 0.3));
  for (const Statistics s : {Statistics::classical, Statistics::fermi}) {
    const StationaryState st = stationary_state(bath, s, 1.0);
    const Eigen::MatrixXd jacobian = linearised_swap_operator(bath, s, st, kGamma);
    const double step = 1e-3 * st.rho_p.maxCoeff();
    const double terms =
        kGamma * (bath.rho_b.maxCoeff() * st.density + st.rho_p.maxCoeff() * bath.density);
    const double tol = 16 * kEps * terms / step;
    double worst = 0.0;
    for (Eigen::Index k = 0; k < st.rho_p.size(); ++k) {
      Eigen::VectorXd up = st.rho_p, down = st.rho_p;
      up[k] += step;
      down[k] -= step;
      const Eigen::VectorXd column =
          (collision_integral(bath, s, kGamma, up) - collision_integral(bath, s, kGamma, down)) /
          (2 * step);
      worst = std::max(worst, (column - jacobian.col(k)).lpNorm<Eigen::Infinity>());
    }
    EXPECT_LE(worst, tol) << "chi=" << chi(s);
    // The stationary state is a zero of I, and w is a left null vector (particle number).
    EXPECT_LE(collision_integral(bath, s, kGamma, st.rho_p).lpNorm<Eigen::Infinity>(),
              16 * kEps * terms);
    EXPECT_LE((bath.grid.weight.transpose() * jacobian).lpNorm<Eigen::Infinity>(),
              16 * kEps * terms * bath.grid.weight.sum());
  }
}

TEST(TheoryChapmanEnskog, NumericalSolutionOfRtaEquals77) {
  double worst = 0.0;
  for (const auto& [name, state] : paper_baths()) {
    const DiscreteBath bath = discretise(state);
    for (const Statistics s : {Statistics::classical, Statistics::fermi}) {
      for (double rho : {0.5, 2.0}) {
        if (s == Statistics::fermi && !fermions_fit(bath, rho)) continue;
        const double tau = 1.3;
        const StationaryState st = stationary_state(bath, s, rho);
        const Eigen::VectorXd r = drho_st_drho(bath, st);
        const double u = bath.grid.weight.dot(bath.grid.lambda.cwiseProduct(r));  // (41)
        const ChapmanEnskogSolution che =
            solve_chapman_enskog(rta_operator(bath.grid, r, tau), bath.grid, r, u);
        const double D77 = rta_diffusion(bath.grid, st, r, u, tau);
        const double relative = std::abs(che.D - D77) / D77;
        worst = std::max(worst, relative);
        EXPECT_LE(relative, 1e-10) << name << " chi=" << chi(s) << " rho=" << rho;
      }
    }
  }
  RecordProperty("max_relative_difference_D77_vs_ChE", std::to_string(worst));
  std::printf("(77) vs numerical ChE with (70): max relative difference %.3g\n", worst);
}
