// The homogeneous kinetic equations in time: (38) exactly exponential, the Runge-Kutta
// integrator against it, (39) conserving particles, relaxing to (40), and converging in rtol.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vswap/theory/chapman_enskog.hpp>
#include <vswap/theory/kinetic.hpp>
#include <vswap/theory/stationary.hpp>

using namespace vswap;
using namespace vswap::theory;

namespace {
constexpr double kEps = std::numeric_limits<double>::epsilon();

/// density * N(lambda; mean, sd) on the grid.
Eigen::VectorXd gaussian_on(const VelocityGrid& grid, double density, double mean, double sd) {
  const Eigen::ArrayXd z = (grid.lambda.array() - mean) / sd;
  return (density * (-0.5 * z * z).exp() / (sd * std::sqrt(2 * 3.141592653589793))).matrix();
}
}  // namespace

TEST(TheoryKinetic, ClassicalRelaxesAsExpOfMinusGammaRhoBathT) {
  // Fig. 2: bath Bragg s = 0.2, lB = 0.4, b = 0.5, rho_bath = 100, gamma = 0.001, rho = 1,
  // initially thermal T = 0.08, on a grid that holds both.
  const BathState state = BathState::bragg(100.0, 0.2, 0.4, 0.5);
  const DiscreteBath bath = discretise(state, uniform_grid(-3.0, 3.0, 601));
  const Eigen::VectorXd rho0 = gaussian_on(bath.grid, 1.0, 0.0, std::sqrt(0.08));
  const double gamma = 0.001;
  const std::vector<double> times{0.0, 1.0, 5.0, 10.0, 30.0};
  const KineticSolution sol = solve_kinetic(bath, Statistics::classical, gamma, rho0, times);
  const Eigen::VectorXd rho_st = bath.grid.integrate(rho0) / bath.density * bath.rho_b;  // (20)
  const double e_st =
      0.5 * bath.grid.weight.dot(bath.grid.lambda.array().square().matrix().cwiseProduct(rho_st)) /
      bath.grid.integrate(rho_st);
  const double e0 = sol.energy.front();
  for (std::size_t k = 0; k < times.size(); ++k) {
    const double decay = std::exp(-gamma * 100.0 * times[k]);
    const Eigen::VectorXd expected = rho_st + (rho0 - rho_st) * decay;
    const Eigen::VectorXd row = sol.rho_p.row(static_cast<Eigen::Index>(k)).transpose();
    EXPECT_LE((row - expected).lpNorm<Eigen::Infinity>(), sol.error_estimate);
    // e(t) = e_st + (e0 - e_st) exp(-gamma rho_bath t): Fig. 2's line.
    EXPECT_NEAR(sol.energy[k], e_st + (e0 - e_st) * decay, 8 * kEps * std::max(e0, e_st));
  }
  EXPECT_LE(sol.number_drift, 8 * kEps);
  // The Runge-Kutta integrator reproduces the closed form within its own error estimate.
  const KineticSolution rk = solve_kinetic(bath, Statistics::classical, gamma, rho0, times, 1e-10,
                                           KineticMethod::runge_kutta);
  const double difference = (rk.rho_p - sol.rho_p).lpNorm<Eigen::Infinity>();
  RecordProperty("rk_vs_closed_form", std::to_string(difference));
  RecordProperty("rk_error_estimate", std::to_string(rk.error_estimate));
  std::printf("(38): RK vs closed form %.3g (estimate %.3g, %d steps)\n", difference,
              rk.error_estimate, rk.steps);
  EXPECT_LE(difference, rk.error_estimate + sol.error_estimate);
}

TEST(TheoryKinetic, FermionsConserveParticlesAndRelaxTo40) {
  const DiscreteBath bath = discretise(BathState::bragg(50.0, 6.0, 5.9, 0.3));
  const double gamma = 0.08;
  const Eigen::VectorXd rho0 = gaussian_on(bath.grid, 1.0, 2.0, 3.0);  // n <= 0.84
  const double number = bath.grid.integrate(rho0);
  const StationaryState st = stationary_state(bath, Statistics::fermi, number);
  // The slowest relaxation rate is the gap of the linearised operator (56), (68).
  const Eigen::VectorXcd eigen =
      linearised_swap_operator(bath, Statistics::fermi, st, gamma).eigenvalues();
  double gap = std::numeric_limits<double>::infinity();
  for (Eigen::Index i = 0; i < eigen.size(); ++i)
    if (std::abs(eigen[i].real()) > 1e-8 * gamma * bath.density)
      gap = std::min(gap, -eigen[i].real());
  ASSERT_GT(gap, 0.0);
  const double t_end = 40.0 / gap;  // exp(-40) ~ 4e-18 of the initial distance
  const std::vector<double> times{0.0, 0.5 / gap, 2.0 / gap, t_end};
  const KineticSolution sol = solve_kinetic(bath, Statistics::fermi, gamma, rho0, times, 1e-10);
  std::printf("(39): gap %.4g, %d steps, error estimate %.3g, number drift %.3g\n", gap, sol.steps,
              sol.error_estimate, sol.number_drift);
  RecordProperty("fermion_number_drift", std::to_string(sol.number_drift));
  // Each step adds a few roundings of sum w rho_p.
  EXPECT_LE(sol.number_drift, sol.steps * 16 * kEps * number);
  const Eigen::VectorXd final_state = sol.rho_p.bottomRows(1).transpose();
  const double distance = (final_state - st.rho_p).lpNorm<Eigen::Infinity>();
  RecordProperty("fermion_distance_to_40", std::to_string(distance));
  std::printf("(39): max |rho_p(t_end) - rho_st (40)| = %.3g (max rho_st %.3g)\n", distance,
              st.rho_p.maxCoeff());
  EXPECT_LE(distance, sol.error_estimate + 1e-17 * rho0.lpNorm<Eigen::Infinity>() +
                          static_cast<double>(bath.grid.size()) * kEps * st.rho_p.maxCoeff());
  EXPECT_LE((2 * 3.141592653589793 * sol.rho_p.array()).maxCoeff(), 1.0);  // Pauli
}

TEST(TheoryKinetic, FermionSolutionConvergesInRtol) {
  const DiscreteBath bath = discretise(BathState::bragg(50.0, 6.0, 5.9, 0.3));
  const double gamma = 0.08;
  const Eigen::VectorXd rho0 = gaussian_on(bath.grid, 1.5, -1.0, 4.0);
  const std::vector<double> times{0.0, 0.1, 0.5, 2.0, 5.0};
  const KineticSolution loose = solve_kinetic(bath, Statistics::fermi, gamma, rho0, times, 1e-10);
  const KineticSolution tight = solve_kinetic(bath, Statistics::fermi, gamma, rho0, times, 1e-12);
  const double difference = (loose.rho_p - tight.rho_p).lpNorm<Eigen::Infinity>();
  std::printf("(39): rtol 1e-10 vs 1e-12: %.3g (estimates %.3g, %.3g; steps %d, %d)\n", difference,
              loose.error_estimate, tight.error_estimate, loose.steps, tight.steps);
  RecordProperty("fermion_rtol_difference", std::to_string(difference));
  EXPECT_LE(difference, loose.error_estimate + tight.error_estimate);
  EXPECT_LE(difference, 1e-10 * rho0.lpNorm<Eigen::Infinity>() * loose.steps);
}

// Far beyond the relaxation (gamma rho_bath t = 1.5e7): the explicit integrator's step is
// bound by stability (h ~ 3 / gamma rho_bath), so it took 4.9e6 steps (17 s) to repeat a
// state that no longer changed. Once y lies within the tolerance of (40) at its density it
// is taken as (40): the same answer, to its error estimate, in a few hundred steps.
TEST(TheoryKinetic, LongAfterRelaxationTheStateIsTheStationaryOne) {
  const DiscreteBath bath = discretise(BathState::bragg(50.0, 6.0, 5.9, 0.3));
  const double gamma = 1e4;  // gamma rho_bath = 5e5
  const Eigen::VectorXd rho0 = gaussian_on(bath.grid, 0.5, 2.0, 3.0);
  const double number = bath.grid.integrate(rho0);
  const KineticSolution sol = solve_kinetic(bath, Statistics::fermi, gamma, rho0, {0.0, 1e-6, 30.0}, 1e-8);
  EXPECT_LT(sol.steps, 2000);
  const StationaryState st = stationary_state(bath, Statistics::fermi, number);
  const Eigen::VectorXd last = sol.rho_p.bottomRows(1).transpose();
  EXPECT_LE((last - st.rho_p).lpNorm<Eigen::Infinity>(), 1e-12 * st.rho_p.maxCoeff());
  EXPECT_LE(sol.number_drift, 1e-12 * number);
  EXPECT_GT((sol.rho_p.row(1).transpose() - st.rho_p).lpNorm<Eigen::Infinity>(), 1e-3);  // t = 1e-6: relaxing
  // the same at a time the integrator reaches step by step
  const KineticSolution near = solve_kinetic(bath, Statistics::fermi, gamma, rho0, {0.0, 1e-6}, 1e-8);
  EXPECT_LE((near.rho_p.row(1) - sol.rho_p.row(1)).lpNorm<Eigen::Infinity>(), 1e-14);
}
