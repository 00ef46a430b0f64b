// The Burgers solver for (2) against exact solutions: Cole-Hopf for viscous Burgers (3)
// (u linear in rho, D constant) under grid refinement, the periodic heat kernel (u, D
// constant), and mass conservation with nonlinear u(rho), D(rho).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vswap/theory/burgers.hpp>

namespace vt = vswap::theory;

namespace {

// A table of u(rho), D(rho) sampled on [lo, hi].
template <class U, class D>
vt::TransportTable tabulate(double lo, double hi, int points, U u, D diffusion) {
  std::vector<double> rho, us, ds;
  for (int i = 0; i < points; ++i) {
    const double r = lo + (hi - lo) * i / (points - 1);
    rho.push_back(r);
    us.push_back(u(r));
    ds.push_back(diffusion(r));
  }
  return vt::TransportTable(rho, us, ds);
}

// Exact solution of (2) with u = u0 + c rho and constant D. v = u(rho) solves viscous Burgers
// v_t + v v_x = D v_xx, and Cole-Hopf gives v = -2 D phi_x / phi with phi_t = D phi_xx.
// On the ring phi must be periodic, so int v dx = -2D [ln phi] = 0: v must have zero mean.
// The mean V of v is conserved, so we take it out by a Galilean boost: v(x,t) = V + w(x - Vt,t)
// with w = -2D phi_xi / phi of zero mean. Here phi is a finite Fourier series, exact:
//   phi(xi, t) = 1 + A exp(-D k^2 t) cos(k xi) + B exp(-4 D k^2 t) sin(2 k xi),  k = 2 pi / L,
// and rho = (v - u0)/c has mean rho_bar = (V - u0)/c. Bin averages are exact too, because
// int_a^b w dxi = -2D [ln phi(b) - ln phi(a)].
struct ColeHopf {
  double u0, c, D, length, rho_bar, A = 0.7, B = 0.2;

  double velocity_mean() const { return u0 + c * rho_bar; }
  double log_phi(double xi, double t) const {
    const double k = 2.0 * M_PI / length;
    return std::log(1.0 + A * std::exp(-D * k * k * t) * std::cos(k * xi) +
                    B * std::exp(-4.0 * D * k * k * t) * std::sin(2.0 * k * xi));
  }
  Eigen::VectorXd bin_averages(double t, int bins) const {
    const double dx = length / bins, shift = velocity_mean() * t;
    Eigen::VectorXd avg(bins);
    for (int j = 0; j < bins; ++j) {
      const double w_mean =
          -2.0 * D * (log_phi((j + 1) * dx - shift, t) - log_phi(j * dx - shift, t)) / dx;
      avg(j) = rho_bar + w_mean / c;  // rho = (V + w - u0)/c
    }
    return avg;
  }
};

struct Errors {
  double max_error, mean_error;
};

Errors cole_hopf_errors(const ColeHopf& exact, int cells, int bins,
                        const std::vector<double>& times, vt::BurgersSolution* out = nullptr) {
  const auto table = tabulate(
      0.0, 2.0, 21, [&](double r) { return exact.u0 + exact.c * r; },
      [&](double) { return exact.D; });
  vt::BurgersOptions opt;
  opt.cells = cells;
  opt.rtol = 1e-8;  // time error well below the space error at 512 cells
  opt.atol = 1e-12;
  opt.estimate_spatial_error = false;
  const auto sol =
      vt::solve_burgers(table, exact.length, exact.bin_averages(0.0, cells), times, bins, opt);
  Errors e{0.0, 0.0};
  for (std::size_t k = 0; k < times.size(); ++k) {
    const Eigen::VectorXd diff = sol.density.row(static_cast<Eigen::Index>(k)).transpose() -
                                 exact.bin_averages(times[k], bins);
    e.max_error = std::max(e.max_error, diff.cwiseAbs().maxCoeff());
    e.mean_error = std::max(e.mean_error, diff.cwiseAbs().mean());
  }
  if (out) *out = sol;
  return e;
}

void check_cole_hopf_order(const ColeHopf& exact, const char* label) {
  const std::vector<double> times = {0.25, 0.5};
  const int bins = 64;
  std::printf("BURGERS_ORDER %s u0=%g c=%g D=%g L=%g rho_bar=%g t=0.25,0.5 bins=%d\n", label,
              exact.u0, exact.c, exact.D, exact.length, exact.rho_bar, bins);
  std::printf("BURGERS_ORDER %6s %12s %7s %12s %7s %7s %9s\n", "cells", "max_err", "order",
              "mean_err", "order", "steps", "drift");
  double previous_max = 0.0, previous_mean = 0.0, order_max = 0.0, order_mean = 0.0;
  for (const int cells : {64, 128, 256, 512}) {
    vt::BurgersSolution sol;
    const Errors e = cole_hopf_errors(exact, cells, bins, times, &sol);
    if (previous_max > 0.0) {
      order_max = std::log2(previous_max / e.max_error);
      order_mean = std::log2(previous_mean / e.mean_error);
    }
    char orders[2][16] = {"      -", "      -"};
    if (previous_max > 0.0) {
      std::snprintf(orders[0], sizeof orders[0], "%7.3f", order_max);
      std::snprintf(orders[1], sizeof orders[1], "%7.3f", order_mean);
    }
    std::printf("BURGERS_ORDER %6d %12.4e %s %12.4e %s %7ld %9.2e\n", cells, e.max_error, orders[0],
                e.mean_error, orders[1], sol.steps, sol.mass_drift);
    previous_max = e.max_error;
    previous_mean = e.mean_error;
    EXPECT_LT(sol.mass_drift, 1e-13);
  }
  EXPECT_GT(order_max, 1.8) << label;
  EXPECT_GT(order_mean, 1.8) << label;
}

}  // namespace

TEST(Burgers, ColeHopfSecondOrderPositiveSlope) {
  check_cole_hopf_order({1.0, 2.0, 0.01, 1.0, 1.0}, "c>0");
}

TEST(Burgers, ColeHopfSecondOrderNegativeSlope) {
  check_cole_hopf_order({-0.5, -1.5, 0.01, 1.0, 1.0}, "c<0");
}

// u, D constant: (2) is advection-diffusion; the exact solution is the wrapped Gaussian of
// variance width^2 + 2 D t moved by u t. With u t a whole number of bins it is a rotation of
// gaussian_bin_averages.
TEST(Burgers, PureDiffusionMatchesPeriodicHeatKernel) {
  const double u0 = 0.7, D = 0.3, length = 20.0, width = 1.0, particles = 5.0;
  const int bins = 40, shift_bins = 7;
  const double t = shift_bins * (length / bins) / u0;
  const auto table = tabulate(
      0.0, 5.0, 11, [&](double) { return u0; }, [&](double) { return D; });
  const Eigen::VectorXd centred =
      vt::gaussian_bin_averages(particles, length, std::sqrt(width * width + 2 * D * t), bins);
  Eigen::VectorXd exact(bins);
  for (int j = 0; j < bins; ++j) exact((j + shift_bins) % bins) = centred(j);
  double previous = 0.0;
  for (const int cells : {160, 320, 640}) {
    vt::BurgersOptions opt;
    opt.cells = cells;
    opt.rtol = 1e-8;
    opt.atol = 1e-12;
    const auto sol = vt::solve_burgers(
        table, length, vt::gaussian_bin_averages(particles, length, width, cells), {t}, bins, opt);
    const double error = (sol.density.row(0).transpose() - exact).cwiseAbs().maxCoeff();
    std::printf("BURGERS_HEAT cells=%d max_err=%.4e (peak %.4f) estimate=%.4e steps=%ld\n", cells,
                error, exact.maxCoeff(), sol.error_estimate, sol.steps);
    EXPECT_LT(error, 2e-3 * exact.maxCoeff());
    // The error estimate is of the right size (Richardson, second order).
    EXPECT_GT(sol.error_estimate, 0.3 * error);
    EXPECT_LT(sol.error_estimate, 3.0 * error);
    if (previous > 0.0) {
      EXPECT_GT(std::log2(previous / error), 1.8);
    }
    previous = error;
  }
}

TEST(Burgers, MassIsConservedToRoundOffWithNonlinearCoefficients) {
  // Non-convex J (u not monotone) and density-dependent D.
  const auto table = tabulate(
      0.0, 3.0, 41, [](double r) { return 1.0 + 3.0 * r - 2.0 * r * r; },
      [](double r) { return 0.5 + r / (1.0 + r); });
  const double length = 100.0;
  const int cells = 256;
  Eigen::VectorXd initial(cells);
  for (int i = 0; i < cells; ++i) {
    const double x = (i + 0.5) * length / cells;
    initial(i) =
        1.2 + 0.6 * std::sin(2 * M_PI * x / length) + 0.3 * std::cos(6 * M_PI * x / length);
  }
  std::vector<double> times;
  for (int k = 1; k <= 20; ++k) times.push_back(100.0 * k);
  vt::BurgersOptions opt;
  opt.cells = cells;
  const auto sol = vt::solve_burgers(table, length, initial, times, 64, opt);
  std::printf("BURGERS_MASS steps=%ld rejected=%ld drift=%.3e\n", sol.steps, sol.rejected_steps,
              sol.mass_drift);
  EXPECT_GT(sol.steps, 100);
  EXPECT_LT(sol.mass_drift, 1e-12);
  for (std::size_t k = 0; k < times.size(); ++k)
    EXPECT_NEAR(sol.density.row(static_cast<Eigen::Index>(k)).mean(), initial.mean(),
                1e-12 * initial.mean());
}

TEST(Burgers, OutputTimesAreHitAndTimeZeroIsTheInitialState) {
  const auto table = tabulate(
      0.0, 3.0, 11, [](double r) { return 1.0 + r; }, [](double) { return 1.0; });
  const Eigen::VectorXd initial = vt::gaussian_bin_averages(50.0, 100.0, 10.0, 128);
  vt::BurgersOptions opt;
  opt.cells = 128;
  const auto sol = vt::solve_burgers(table, 100.0, initial, {0.0, 0.0, 1e-3, 7.0, 7.0}, 32, opt);
  ASSERT_EQ(sol.density.rows(), 5);
  EXPECT_EQ(sol.times[2], 1e-3);
  for (int b = 0; b < 32; ++b)
    EXPECT_NEAR(sol.density(0, b), initial.segment(4 * b, 4).mean(), 1e-15);
  EXPECT_EQ(sol.density.row(3), sol.density.row(4));
  EXPECT_NEAR(sol.x(0), 100.0 / 64, 1e-15);
}

TEST(Burgers, LeavingTheTableThrowsNamingTheDensity) {
  const auto table = tabulate(
      0.0, 1.0, 11, [](double r) { return r; }, [](double) { return 1.0; });
  const Eigen::VectorXd initial = vt::gaussian_bin_averages(50.0, 100.0, 10.0, 64);  // peak 2
  try {
    (void)vt::solve_burgers(table, 100.0, initial, {1.0}, 32);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("outside"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("rho_max"), std::string::npos) << e.what();
  }
}

TEST(Burgers, InitialDataOnACoarserOrFinerGrid) {
  const auto table = tabulate(
      0.0, 3.0, 11, [](double r) { return 1.0 + r; }, [](double) { return 2.0; });
  const double length = 100.0;
  vt::BurgersOptions opt;
  opt.cells = 256;
  opt.estimate_spatial_error = false;
  const auto reference = vt::solve_burgers(
      table, length, vt::gaussian_bin_averages(60.0, length, 8.0, 256), {5.0}, 32, opt);
  for (const int m : {64, 1024}) {
    const Eigen::VectorXd given = vt::gaussian_bin_averages(60.0, length, 8.0, m);
    const auto sol = vt::solve_burgers(table, length, given, {0.0, 5.0}, 32, opt);
    EXPECT_NEAR(sol.density.row(0).mean(), given.mean(), 1e-14);  // conservative transfer
    const double diff = (sol.density.row(1) - reference.density.row(0)).cwiseAbs().maxCoeff();
    EXPECT_LT(diff, (m < 256 ? 1e-2 : 1e-12) * reference.density.maxCoeff()) << "m=" << m;
  }
}

// A Fig. 5-like problem (L = 2000, N = 1600, width 300, t up to 400) on the automatic grid.
TEST(Burgers, Fig5LikeProblemOnTheAutomaticGrid) {
  const auto table = tabulate(
      0.0, 4.0, 81, [](double r) { return 2.0 + 0.5 * r - 0.1 * r * r; },
      [](double r) { return 8.0 + 3.0 * r; });
  const double length = 2000.0;
  const int bins = 100;
  const Eigen::VectorXd initial = vt::gaussian_bin_averages(1600.0, length, 300.0, bins);
  const int cells = vt::choose_burgers_cells(table, length, initial, bins);
  const auto started = std::chrono::steady_clock::now();
  const auto sol =
      vt::solve_burgers(table, length, vt::gaussian_bin_averages(1600.0, length, 300.0, cells),
                        {0.0, 100.0, 200.0, 300.0, 400.0}, bins);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "BURGERS_FIG5 cells=%d steps=%ld rejected=%ld drift=%.2e error_estimate=%.3e "
      "(time %.2e, space %.2e) peak=%.4f wall=%.3fs\n",
      sol.cells, sol.steps, sol.rejected_steps, sol.mass_drift, sol.error_estimate,
      sol.temporal_error_estimate, sol.spatial_error_estimate, sol.density.maxCoeff(), seconds);
  EXPECT_EQ(sol.cells, cells);
  EXPECT_LT(sol.mass_drift, 1e-12);
  EXPECT_LT(sol.error_estimate, 1e-3 * sol.density.maxCoeff());
  for (Eigen::Index k = 0; k < sol.density.rows(); ++k)
    EXPECT_NEAR(sol.density.row(k).sum() * length / bins, 1600.0, 1e-9);
}

// (2) is Galilean: u -> u + W moves the solution by W t and changes nothing else. The solver
// works in a comoving frame, so a boost costs no steps and, with W t a whole number of cells,
// gives the unboosted cells rotated, to round-off. Solved in the lab frame (alpha ~ |W| in the
// Lax-Friedrichs flux, and the advection of the whole profile holding h to ~dx / |W|), W = 30
// took 6 517 steps for 404 and ended 3e-3 (0.24% of the peak) off the rotated profile; W =
// -3000 took 1 026 031 steps and ended 0.21 (10% of the peak) off.
TEST(Burgers, BoostedCoefficientsGiveTheRotatedSolutionInTheSameSteps) {
  const auto u = [](double r) { return 2.0 + 0.5 * r - 0.1 * r * r; };
  const auto d = [](double r) { return 8.0 + 3.0 * r; };
  const double length = 2000.0;
  const int bins = 100;
  const auto table = tabulate(0.0, 4.0, 81, u, d);
  const Eigen::VectorXd coarse = vt::gaussian_bin_averages(1600.0, length, 300.0, bins);
  const int cells = vt::choose_burgers_cells(table, length, coarse, bins);
  const Eigen::VectorXd initial = vt::gaussian_bin_averages(1600.0, length, 300.0, cells);
  const std::vector<double> times = {0.0, 100.0, 250.0, 400.0};
  vt::BurgersOptions opt;
  opt.estimate_spatial_error = false;
  const auto rest = vt::solve_burgers(table, length, initial, times, bins, opt);
  const double dx = length / cells;
  for (const double boost : {30.0, -3000.0}) {
    // W dt / dx = W dt cells / L (dt = 100, 150, 150; cells a multiple of 2 bins): whole cells
    const auto boosted_table = tabulate(
        0.0, 4.0, 81, [&](double r) { return u(r) + boost; }, d);
    const auto moved = vt::solve_burgers(boosted_table, length, initial, times, bins, opt);
    std::printf("BURGERS_BOOST W=%g cells=%d steps %ld (at rest %ld)\n", boost, cells, moved.steps,
                rest.steps);
    EXPECT_LE(moved.steps, rest.steps + rest.steps / 10 + 5) << "W = " << boost;
    for (std::size_t k = 0; k < times.size(); ++k) {
      const auto row = static_cast<Eigen::Index>(k);
      const double shift = boost * times[k] / dx;
      ASSERT_EQ(shift, std::round(shift));
      const auto m = static_cast<Eigen::Index>(((static_cast<long long>(shift) % cells) + cells) % cells);
      double worst = 0.0;
      for (Eigen::Index j = 0; j < cells; ++j)
        worst = std::max(worst, std::abs(moved.cell_density(row, (j + m) % cells) - rest.cell_density(row, j)));
      EXPECT_LT(worst, 1e-9 * rest.cell_density.maxCoeff()) << "W = " << boost << ", t = " << times[k];
    }
  }
}

// Rare collisions, D = 1e6 on cells of 1.25, and a drift: the grid-scale modes are stiff by
// ~1e6 per unit time. The Newton matrix of a nearby step size left an error in them that the
// error control then saw for ever: 27 990 steps to t = 0.3 (93 258 to t = 1 in a user
// audit's run). Now a few hundred, and the profile is the moving heat kernel's.
TEST(Burgers, LargeDiffusionTakesFewStepsAndIsTheHeatKernel) {
  const double D = 1e6, u0 = 0.5, length = 500.0, width = 50.0, particles = 200.0;
  const int bins = 50, cells = 400;
  const auto table = tabulate(
      0.0, 2.0, 11, [&](double) { return u0; }, [&](double) { return D; });
  // bin averages of the wrapped Gaussian of variance s2 centred at c
  const auto exact = [&](double c, double s2) {
    Eigen::VectorXd out(bins);
    const double dx = length / bins, s = std::sqrt(2 * s2);
    for (int j = 0; j < bins; ++j) {
      double mass = 0.0;
      for (int n = -40; n <= 40; ++n)
        mass += 0.5 * (std::erfc((j * dx - c + n * length) / s) - std::erfc(((j + 1) * dx - c + n * length) / s));
      out(j) = particles * mass / dx;
    }
    return out;
  };
  vt::BurgersOptions opt;
  opt.cells = cells;
  // in one stretch to t = 0.3 (where the stall was), and with stops on the way
  for (const std::vector<double>& times : {std::vector<double>{0.3}, std::vector<double>{1e-3, 0.01, 0.1}}) {
    const auto sol = vt::solve_burgers(table, length, vt::gaussian_bin_averages(particles, length, width, cells),
                                       times, bins, opt);
    std::printf("BURGERS_LARGE_D t_end=%g steps=%ld rejected=%ld\n", times.back(), sol.steps, sol.rejected_steps);
    EXPECT_LT(sol.steps, 1000);
    for (std::size_t k = 0; k < times.size(); ++k) {
      const Eigen::VectorXd want = exact(length / 2 + u0 * times[k], width * width + 2 * D * times[k]);
      EXPECT_LT((sol.density.row(static_cast<Eigen::Index>(k)).transpose() - want).cwiseAbs().maxCoeff(),
                1e-4 * want.maxCoeff())
          << "t = " << times[k];
    }
  }
}

// Once D_min (2 pi / L)^2 t >= 50 the profile is its mean to double precision: no steps, also
// for coefficients whose right-hand side overflows (D = 1e300: h was 0 for ever); stepping
// such a problem is an error that says so.
TEST(Burgers, FlatOnceTheSlowestModeHasDecayed) {
  const double length = 500.0;
  const Eigen::VectorXd initial = vt::gaussian_bin_averages(200.0, length, 50.0, 400);
  vt::BurgersOptions opt;
  opt.cells = 400;
  for (const double D : {5e5, 1e300}) {
    const auto table = tabulate(
        0.0, 2.0, 11, [](double) { return 0.5; }, [&](double) { return D; });
    const double flat_after = 50.0 / (D * std::pow(2 * M_PI / length, 2));
    const auto sol = vt::solve_burgers(table, length, initial, {0.0, 1.01 * flat_after, 10.0}, 50, opt);
    EXPECT_EQ(sol.steps, 0) << "D = " << D;
    for (int b = 0; b < 50; ++b) {
      EXPECT_EQ(sol.density(1, b), initial.mean()) << "D = " << D;
      EXPECT_EQ(sol.density(2, b), initial.mean());
    }
  }
  const auto overflowing = tabulate(
      0.0, 2.0, 11, [](double) { return 0.5; }, [](double) { return 1e300; });
  try {
    vt::solve_burgers(overflowing, length, initial, {1e-310}, 50, opt);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("not finite"), std::string::npos) << e.what();
  }
}
