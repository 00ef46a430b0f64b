// The coupled Lieb-Liniger tubes in the Tonks-Girardeau limit (Section V.A, (E8), Fig. 3):
// the stationary states (34), the small-momentum operator (E8) on a grid, its
// Chapman-Enskog D against the closed form, and what the velocity cutoff does to D and to
// the relaxation gap (68). docs/VALIDATION_theory.md, "Fig. 3", states the conclusions.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <vswap/theory/chapman_enskog.hpp>
#include <vswap/theory/tonks_girardeau.hpp>
#include <vswap/theory/transport.hpp>

using namespace vswap;
using namespace vswap::theory;

namespace {
constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kPi = 3.141592653589793238462643383279502884;
constexpr double kT = 4.0;    // Fig. 3(a)
constexpr double kMuB = 2.0;  // the bath tube's chemical potential (the paper does not give it)
constexpr double kK = 1.0;    // (2 pi)^2 k_r^2 |V^2|: sets the unit of time
constexpr double kDl = 0.05;  // grid spacing

VelocityGrid grid_to(double cutoff, double dl = kDl) {
  const int half = static_cast<int>(std::lround(cutoff / dl));
  return uniform_grid(-half * dl, half * dl, 2 * half + 1);
}

/// An asymmetric Bragg-split bath tube (79): two thermal peaks at -+lambda_B, weights 1 : b,
/// each non-degenerate enough that their sum stays below n = 1.
TgOccupation bragg_tube(const VelocityGrid& grid, double T, double lambda_B, double b, double mu) {
  VelocityGrid left = grid, right = grid;
  left.lambda.array() += lambda_B;
  right.lambda.array() -= lambda_B;
  const TgOccupation l = tg_thermal(left, T, mu), r = tg_thermal(right, T, mu);
  TgOccupation s;
  s.n = (l.n + b * r.n) / (1.0 + b);
  s.hole = (l.hole + b * r.hole) / (1.0 + b);  // 1 - n without cancellation
  return s;
}

struct Tube {
  VelocityGrid grid;
  TgOccupation bath;
  StationaryState state;
};

Tube thermal_tube(double cutoff, double rho, double dl = kDl) {
  Tube t;
  t.grid = grid_to(cutoff, dl);
  t.bath = tg_thermal(t.grid, kT, kMuB);
  t.state = stationary_state(tg_stationary_family(t.grid, t.bath), Statistics::fermi, rho);
  return t;
}
}  // namespace

TEST(TheoryTonksGirardeau, StationaryStateOfAThermalBathTubeIsThermalAtItsTemperature) {
  // (34) with no dressing: eps_st - eps_b is a constant, so a Gibbs bath gives a Gibbs state
  // of the same temperature: log(n / (1 - n)) + lambda^2 / 2T is the same at every node.
  const Tube t = thermal_tube(12.0, 0.3);
  const Eigen::ArrayXd beta_mu = (t.state.n.array() / t.state.hole.array()).log() +
                                 t.grid.lambda.array().square() / (2 * kT);
  EXPECT_LE(beta_mu.maxCoeff() - beta_mu.minCoeff(), 1e-12 * (1 + std::abs(beta_mu.mean())));
  EXPECT_NEAR(t.grid.weight.dot(t.state.rho_p), 0.3, 1e-12);
  EXPECT_NEAR(std::exp(kMuB / kT - beta_mu.mean()), t.state.A, 1e-12 * t.state.A);  // A = e^nu
}

TEST(TheoryTonksGirardeau, OperatorConservesParticlesAndAnnihilatesTheStationaryFamily) {
  for (const bool bragg : {false, true}) {
    Tube t = thermal_tube(10.0, 0.4);
    if (bragg) {
      t.bath = bragg_tube(t.grid, 1.0, 3.9, 0.3, 0.0);
      t.state = stationary_state(tg_stationary_family(t.grid, t.bath), Statistics::fermi, 0.4);
    }
    const Eigen::MatrixXd gamma = tg_collision_operator(t.grid, t.state, t.bath, kK);
    const double scale = gamma.lpNorm<Eigen::Infinity>();
    const Eigen::VectorXd C = t.state.rho_p.cwiseProduct(t.state.hole);
    EXPECT_LE((t.grid.weight.transpose() * gamma).lpNorm<Eigen::Infinity>(),
              16 * kEps * scale * t.grid.weight.maxCoeff()) << "bragg " << bragg;
    EXPECT_LE((gamma * C).lpNorm<Eigen::Infinity>(), 16 * kEps * scale * C.maxCoeff()) << "bragg " << bragg;
    // -Gamma is positive: every relaxation rate is > 0.
    EXPECT_GT(tg_gap(t.grid, t.state, t.bath, kK), 0.0);
  }
}

TEST(TheoryTonksGirardeau, MatrixElementIsE8) {
  // sum_i w_i f_i (Gamma~ g)_i = -sum w f Gamma (C g) -> K int W f' g' as dl -> 0 (second order).
  const auto element = [](double dl) {
    const VelocityGrid grid = grid_to(8.0, dl);
    const TgOccupation bath = tg_thermal(grid, kT, kMuB);
    const StationaryState st = stationary_state(tg_stationary_family(grid, bath), Statistics::fermi, 0.5);
    const Eigen::MatrixXd gamma = tg_collision_operator(grid, st, bath, kK);
    const Eigen::ArrayXd l = grid.lambda.array();
    const Eigen::VectorXd f = (l.sin() + 0.1 * l.square()).matrix(), g = (l / (1 + l.square())).matrix();
    const Eigen::VectorXd Cg = st.rho_p.cwiseProduct(st.hole).cwiseProduct(g);
    const double discrete = -grid.weight.dot(f.cwiseProduct(gamma * Cg));
    const Eigen::ArrayXd W = st.rho_p.array() * st.hole.array() * bath.n.array() * bath.hole.array() /
                             std::pow(2 * kPi, 3);
    const Eigen::ArrayXd fp = l.cos() + 0.2 * l, gp = (1 - l.square()) / (1 + l.square()).square();
    const double exact = kK * grid.weight.dot((W * fp * gp).matrix());  // the integrand vanishes at +-8
    return std::abs(discrete - exact) / std::abs(exact);
  };
  const double coarse = element(0.1), fine = element(0.05);
  std::printf("(E8) matrix element: relative error %.3g (dl 0.1), %.3g (dl 0.05)\n", coarse, fine);
  EXPECT_LE(fine, 1e-3);
  EXPECT_NEAR(coarse / fine, 4.0, 0.5);  // second order
}

TEST(TheoryTonksGirardeau, NumericalChapmanEnskogEqualsClosedForm) {
  double worst = 0.0;
  for (const bool bragg : {false, true}) {
    for (const double rho : {0.05, 0.3, 0.8}) {
      Tube t = thermal_tube(3.0 * std::sqrt(kT), rho);
      if (bragg) {
        t.bath = bragg_tube(t.grid, 1.0, 3.9, 0.3, 0.0);
        t.state = stationary_state(tg_stationary_family(t.grid, t.bath), Statistics::fermi, rho);
      }
      const DiscreteBath family = tg_stationary_family(t.grid, t.bath);
      const Eigen::VectorXd r = drho_st_drho(family, t.state);
      const double u = transport_coefficients(family, t.state, 1.0).u;  // (88)
      const ChapmanEnskogSolution che =
          solve_chapman_enskog(tg_collision_operator(t.grid, t.state, t.bath, kK), t.grid, r, u);
      const double closed = tg_diffusion(t.grid, t.state, t.bath, kK);
      const double relative = std::abs(che.D - closed) / closed;
      worst = std::max(worst, relative);
      EXPECT_LE(relative, 1e-8) << "bragg " << bragg << " rho " << rho;
    }
  }
  std::printf("numerical ChE vs closed form: max relative difference %.3g\n", worst);
}

TEST(TheoryTonksGirardeau, DiffusionGrowsLinearlyWithTheVelocityCutoff) {
  // In the tails x = n_b / (1 - n_b) -> 0, C -> x / (2 pi A), Psi -> -(T / 2 pi A) x (exact
  // for a Gibbs tube, u = 0) and W -> x^2 / ((2 pi)^4 A): Psi^2 / W -> 4 pi^2 T^2 / A, a
  // constant. So D = (1 / K Z) int Psi^2 / W grows by s = 2 * 4 pi^2 T^2 / (A K Z) per unit of
  // the cutoff Lambda (both ends): with (E8) the full D of a Gibbs bath tube is infinite.
  // On [-Lambda, Lambda] Psi -> -(T / 2 pi A)(x(lambda) - x(Lambda)) near the ends, which
  // removes 1.5 T / Lambda from each end's length: D(Lambda) = c + s (Lambda - 1.5 T / Lambda)
  // + O(T^2 / Lambda^3). The grid resolves the tails' e^{-lambda^2/T} (dl lambda / T <= 0.075).
  const double rho = 0.5, dl = 0.01;
  double previous = 0.0, previous_cutoff = 0.0;
  std::printf("Lambda   D(Lambda)      increment     predicted\n");
  for (const double cutoff : {10.0, 15.0, 20.0, 25.0, 30.0}) {
    const Tube t = thermal_tube(cutoff, rho, dl);
    const double D = tg_diffusion(t.grid, t.state, t.bath, kK);
    const double Z = t.grid.weight.dot(t.state.rho_p.cwiseProduct(t.state.hole));
    const double s = 8 * kPi * kPi * kT * kT / (t.state.A * kK * Z);
    if (previous > 0.0) {
      const double increment = D - previous;
      const double predicted =
          s * ((cutoff - previous_cutoff) - 1.5 * kT * (1 / cutoff - 1 / previous_cutoff));
      std::printf("%5.0f  %12.6g  %12.6g  %12.6g\n", cutoff, D, increment, predicted);
      if (cutoff >= 20.0) {
        EXPECT_NEAR(increment, predicted, 5e-3 * predicted) << "Lambda " << cutoff;
      }
    } else {
      std::printf("%5.0f  %12.6g\n", cutoff, D);
    }
    previous = D;
    previous_cutoff = cutoff;
  }
}

TEST(TheoryTonksGirardeau, RelaxationGapClosesWithTheVelocityCutoff) {
  // A particle at lambda relaxes only through bath-tube particles at the same velocity
  // (v_st(lambda) = v_b(lambda') in (E7)), so the rate there is ~ K W / C ~ x(lambda) -> 0.
  // By min-max the gap is at most the Rayleigh quotient of any trial mode orthogonal to the
  // null vector; the last node's (g = 1 there, 0 elsewhere, minus its projection) gives
  // gap <= K W_f / (dl w C) / (1 - w C / Z) at the end. The gap (68) of the continuum is 0,
  // so tau_RTA of (68) is not finite either.
  const double rho = 0.5, dl = 0.1;
  double previous = 0.0;
  std::printf("Lambda   gap (68)      end-node bound\n");
  for (const double cutoff : {8.0, 10.0, 12.0, 14.0}) {
    const Tube t = thermal_tube(cutoff, rho, dl);
    const double gap = tg_gap(t.grid, t.state, t.bath, kK);
    const Eigen::Index n = t.grid.size();
    const Eigen::VectorXd C = t.state.rho_p.cwiseProduct(t.state.hole);
    const double Z = t.grid.weight.dot(C);
    const Eigen::VectorXd node = C.cwiseProduct(t.bath.n).cwiseProduct(t.bath.hole) / std::pow(2 * kPi, 3);
    const double W = std::sqrt(node[n - 1] * node[n - 2]);
    const double wc = t.grid.weight[n - 1] * C[n - 1];
    const double bound = kK * W / (dl * wc * (1 - wc / Z));
    std::printf("%5.0f  %12.4g  %12.4g\n", cutoff, gap, bound);
    EXPECT_GT(gap, 0.0);
    EXPECT_LE(gap, bound * (1 + 1e-6)) << "Lambda " << cutoff;
    if (previous > 0.0) {
      EXPECT_LT(gap, 0.1 * previous) << "Lambda " << cutoff;
    }
    previous = gap;
  }
}
