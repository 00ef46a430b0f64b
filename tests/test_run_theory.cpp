// The theory a run is compared with (src/app/mc_theory.cpp), on layouts of runs with no
// realizations: it depends only on the config and the run's bins and times, never on how
// the output is binned beyond that, and the classical transport coefficients are those of
// `vswap theory` whatever the velocity histogram.
#include <gtest/gtest.h>

#include <cmath>

#include <vswap/theory/bath_state.hpp>
#include <vswap/theory/burgers.hpp>
#include <vswap/theory/stationary.hpp>
#include <vswap/theory/transport.hpp>

#include "app/mc_theory.hpp"
#include "app/predictions.hpp"
#include "engine_helpers.hpp"
#include "fixed_n_helpers.hpp"

using namespace vswap;

namespace {

/// The theory of `c` on the layout (bins, times, velocity histogram) a run of it writes.
app::MonteCarloTheory theory_of(const Config& c) {
  engine::RunSetup none;
  none.config = c;
  none.first_realization = none.last_realization = 0;
  const auto sums = engine::make_cpu_engine()->run(none, nullptr);
  return app::monte_carlo_theory(c, sums, engine::summarize(sums));
}

/// Fig. 5(d) shrunk to 200 particles on L = 200 (40 cells, dl = 1.257), times 0 and 1.
Config small_fig5d(Scheme scheme, Statistics stats) {
  Config c = test::fig5d(scheme, stats);
  c.system.particles = 200;
  c.system.length = 200;
  c.system.width = 20;
  c.numerics.cells = 40;
  c.numerics.times = {0.0, 1.0};
  c.theory.points = 50;
  return c;
}

Config homogeneous_classical() {
  Config c = test::fig5d(Scheme::event, Statistics::classical);
  c.bath.density = 100;
  c.bath.sigma = 0.2;
  c.bath.lambda_B = 0.4;
  c.bath.b = 0.5;
  c.collisions.gamma = 0.001;  // r = 0.1
  c.system.profile = Profile::uniform;
  c.system.velocities = InitialVelocities::thermal;
  c.system.temperature = 0.08;
  return c;
}

}  // namespace

// (38) from the thermal state imposed at t = 0: e(t) = e_b + (e_0 - e_b) exp(-r t), also when
// the first observation is later (the equation was started at the first observation time,
// giving e(10) = e_0 = 0.040 instead of 0.0716).
TEST(RunTheory, HomogeneousRelaxationStartsAtTimeZeroWhateverTheFirstObservation) {
  Config c = homogeneous_classical();
  const double sd = c.bath.sigma / std::sqrt(2.0), w1 = 1 / 1.5, w2 = 0.5 / 1.5;
  const double e_b = 0.5 * (c.bath.lambda_B * c.bath.lambda_B + sd * sd) * (w1 + w2), e0 = 0.04;
  for (const std::vector<double>& times : {std::vector<double>{0, 10, 20, 50}, std::vector<double>{10, 20, 50}}) {
    c.numerics.times = times;
    const auto th = theory_of(c);
    ASSERT_EQ(th.energy.size(), times.size());
    for (std::size_t i = 0; i < times.size(); ++i)
      EXPECT_NEAR(th.energy[i], e_b + (e0 - e_b) * std::exp(-0.1 * times[i]), 1e-6 * e_b) << "t = " << times[i];
  }
}

// (40) is not linear in rho: the local stationary states must be taken on the Burgers
// solver's cells, not at bin-averaged densities (with one bin the energy at t = 1 read 28.36
// against 33.80).
TEST(RunTheory, FermionVelocityTheoryDoesNotDependOnTheDensityBins) {
  Config c = small_fig5d(Scheme::exact, Statistics::fermi);
  std::vector<double> energy;
  for (const std::int64_t bins : {1, 20, 250}) {
    c.numerics.bins = bins;
    const auto th = theory_of(c);
    energy.push_back(th.energy[1]);
    // the velocity histogram holds the particles: rho = N / L
    double n = 0;
    for (std::size_t k = 0; k < th.velocity.size() / 2; ++k) n += th.velocity[th.velocity.size() / 2 + k];
    EXPECT_NEAR(n * th.bath.grid.weight[0], 1.0, 1e-9) << bins << " bins";
  }
  EXPECT_NEAR(energy[0], energy[2], 2e-4 * energy[2]);
  EXPECT_NEAR(energy[1], energy[2], 2e-4 * energy[2]);
}

// A bath peak much narrower than a velocity bin (sigma = 0.001, bins of 0.12): the run's u, D
// are those of `vswap theory` (they came out u = -2.010, D = 7.70 for -3.177, 6.179), and a
// cold thermal start's velocity histogram holds the particles (it held 1464 of 1600).
TEST(RunTheory, ClassicalTheoryResolvesPeaksNarrowerThanTheVelocityBins) {
  Config c = test::fig5d(Scheme::event, Statistics::classical);
  c.bath.sigma = 0.001;
  c.theory.points = 21;
  const auto th = theory_of(c);
  const auto reference = app::coefficients(theory::discretise(theory::BathState::from_config(c.bath)), c,
                                           Statistics::classical);
  ASSERT_EQ(th.coefficients.size(), reference.size());
  for (std::size_t i = 0; i < reference.size(); ++i) {
    EXPECT_DOUBLE_EQ(th.coefficients[i].u, reference[i].u) << "rho " << reference[i].rho;
    EXPECT_DOUBLE_EQ(th.coefficients[i].D, reference[i].D) << "rho " << reference[i].rho;
  }
  EXPECT_NEAR(th.coefficients[10].u, 5.9 * (0.3 - 1) / 1.3, 1e-9);  // (100): the mean bath velocity

  Config cold = homogeneous_classical();
  cold.system.temperature = 1e-6;
  cold.numerics.times = {0.0, 10.0};
  const auto tc = theory_of(cold);
  const std::size_t K = tc.velocity.size() / 2;
  engine::RunSetup none;
  none.config = cold;
  const auto sums = engine::make_cpu_engine()->run(none, nullptr);
  for (int t = 0; t < 2; ++t) {
    double n = 0;
    for (std::size_t k = 0; k < K; ++k)
      n += tc.velocity[t * K + k] * (sums.velocity_edges[k + 1] - sums.velocity_edges[k]);
    EXPECT_NEAR(n, 1600.0 / 2000.0, 1e-6) << "t index " << t;
  }
  EXPECT_NEAR(tc.energy[0], 0.5e-6, 1e-9);
}

// theory.points sizes the output coefficient table, not the accuracy of the prediction: the
// Burgers solver tabulates u, D on at least 200 knots of its own (with points = 2 the Fig. 5(d)
// prediction was off by 9% of the peak at t = 400).
TEST(RunTheory, BurgersPredictionDoesNotDependOnTheOutputTableSize) {
  Config c = test::fig5d(Scheme::exact, Statistics::fermi);
  c.system.particles = 200;
  c.system.length = 250;
  c.system.width = 40;
  c.numerics.cells = 50;
  c.numerics.bins = 25;
  c.numerics.times = {0.0, 20.0};
  c.theory.points = 200;
  const auto full = theory_of(c);
  c.theory.points = 2;
  const auto two = theory_of(c);
  EXPECT_EQ(two.coefficients.size(), 2u);
  EXPECT_EQ(two.density, full.density);
}

// xi = var_b / (2 pi gamma rho_bath) on the run's lattice (docs/VALIDATION.md section 9): for
// a thermal bath T / (2 pi gamma rho_bath) whatever the boost, for the Bragg bath of
// Fig. 5(d) its mixture variance (lattices fine against the peaks: the lattice sums are
// the integrals to round-off). Only fermions have it.
TEST(RunTheory, KineticXiIsTheLatticeBathVarianceOverTwoPiGammaRhoBath) {
  Config c = small_fig5d(Scheme::exact, Statistics::fermi);
  const double s2 = c.bath.sigma * c.bath.sigma / 2, lb = c.bath.lambda_B, b = c.bath.b;
  const double bias = (1 - b) / (1 + b);
  const double var_bragg = s2 + lb * lb * (1 - bias * bias);
  const double xi_bragg = var_bragg / (2 * M_PI * c.collisions.gamma * c.bath.density);
  EXPECT_NEAR(theory_of(c).kinetic_xi, xi_bragg, 1e-12 * xi_bragg);

  c.bath.kind = BathKind::thermal;
  c.bath.temperature = 2.0;
  c.bath.boost = 0.7;  // off the lattice
  c.collisions.gamma = 0.1;
  c.bath.density = 30;
  c.numerics.cells = 10;  // dl = 0.314 against sqrt(T) = 1.41
  c.system.particles = 50;
  c.system.width = 60;
  const double xi = theory_of(c).kinetic_xi;
  EXPECT_NEAR(xi, 2.0 / (2 * M_PI * 0.1 * 30), 1e-12);

  c = small_fig5d(Scheme::event, Statistics::classical);
  EXPECT_TRUE(std::isnan(theory_of(c).kinetic_xi));
}

// Classical particles started `thermal` in a Gaussian profile: their x-averaged velocities
// follow (38) exactly (streaming averages out on the ring, the collisions are linear), so the
// energy relaxes as e_b + (T0 / 2 - e_b) exp(-gamma rho_bath t) from the start's T0 / 2, not
// from the local stationary states (which hold only for a `bath` start).
TEST(RunTheory, ClassicalThermalStartOfAProfileRelaxesBy38) {
  Config c = small_fig5d(Scheme::event, Statistics::classical);
  c.system.velocities = InitialVelocities::thermal;
  c.system.temperature = 0.7;
  c.numerics.times = {0.0, 0.1, 0.3, 2.0};
  const double s2 = c.bath.sigma * c.bath.sigma / 2, lb = c.bath.lambda_B;
  const double e_b = 0.5 * (lb * lb + s2);  // both peaks at |lambda| = lambda_B, whatever b
  const double r = c.collisions.gamma * c.bath.density;
  const auto th = theory_of(c);
  ASSERT_EQ(th.energy.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    const double want = e_b + (0.5 * c.system.temperature - e_b) * std::exp(-r * c.numerics.times[i]);
    EXPECT_NEAR(th.energy[i], want, 1e-6 * want) << "t = " << c.numerics.times[i];
  }
  EXPECT_NE(th.velocity_note.find("x-averaged"), std::string::npos) << th.velocity_note;

  c.system.velocities = InitialVelocities::bath;  // the local stationary states, as before
  const auto bath = theory_of(c);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(bath.energy[i], e_b, 1e-6 * e_b);
  EXPECT_NE(bath.velocity_note.find("local stationary"), std::string::npos) << bath.velocity_note;
}

// The Knudsen number sqrt(D tau) / width and the skewness Burgers (2) leaves out
// (docs/VALIDATION.md section 10), here from the Bragg mixture's moments in closed form:
// classical D = var_b / r (101), kappa_3 = 6 mu_3 (t / r^2 - 2 / r^3 + e^{-rt} (t / r^2 +
// 2 / r^3)), kappa_2 = w^2 + 2 var_b (t / r - (1 - e^{-rt}) / r^2). Homogeneous runs have
// neither; a symmetric (thermal) bath leaves no skewness; the small-rt series joins the
// closed form.
TEST(RunTheory, KnudsenNumberAndMissingSkewnessOfInhomogeneousRuns) {
  Config c = small_fig5d(Scheme::event, Statistics::classical);
  c.numerics.times = {0.0, 3.0, 40.0};
  const double s2 = c.bath.sigma * c.bath.sigma / 2, lb = c.bath.lambda_B, b = c.bath.b;
  const double p1 = 1 / (1 + b), p2 = b / (1 + b), mean = lb * (p2 - p1);
  const double d1 = -lb - mean, d2 = lb - mean;
  const double var = s2 + p1 * d1 * d1 + p2 * d2 * d2;
  const double mu3 = p1 * (d1 * d1 * d1 + 3 * d1 * s2) + p2 * (d2 * d2 * d2 + 3 * d2 * s2);
  const double r = c.collisions.gamma * c.bath.density, t = 40.0, w = c.system.width;
  const double k2 = w * w + 2 * var * (t / r - (1 - std::exp(-r * t)) / (r * r));
  const double k3 = 6 * mu3 * (t / (r * r) - 2 / (r * r * r) + std::exp(-r * t) * (t / (r * r) + 2 / (r * r * r)));
  const auto th = theory_of(c);
  EXPECT_NEAR(th.knudsen, std::sqrt(var) / (r * w), 1e-9 * th.knudsen);
  EXPECT_NEAR(th.missing_skewness, k3 / std::pow(k2, 1.5), 1e-9 * std::abs(th.missing_skewness));
  EXPECT_GT(th.missing_skewness, 0.01);  // the lighter peak far from the mean: a right tail
  // the renewal lag of the variance, 2 D tau (1 - e^{-t/tau}), against (2)'s w^2 + 2 D t; no shift
  const double D = var / r, q = std::exp(-r * t);
  EXPECT_NEAR(th.missing_variance, 2 * D * (1 - q) / r / (w * w + 2 * D * t), 1e-9 * th.missing_variance);
  EXPECT_NEAR(th.missing_shift, 0.0, 1e-12);
  {  // a thermal start at rest of T0 (ClassicalDrift.MeanAndVarianceFromAThermalStart... checks the law)
    Config ct = c;
    ct.system.velocities = InitialVelocities::thermal;
    ct.system.temperature = 0.4;
    const double T0 = 0.4, u = mean;
    const double process = 2 * var / r * (t - (1 - q) / r) + 2 * (T0 - var) / r * ((1 - q) / r - t * q) +
                           2 * u * u / r * ((1 - q * q) / (2 * r) - t * q);
    const auto tt = theory_of(ct);
    EXPECT_NEAR(tt.missing_variance, (2 * D * t - process) / (w * w + 2 * D * t), 1e-9);
    EXPECT_NEAR(tt.missing_shift, -u * (1 - q) / r, 1e-9 * std::abs(u));
  }

  const double x = 1e-2;  // r t where the series takes over
  const double below = app::independent_particle_skewness(th.bath, c.collisions.gamma, w, x * (1 - 1e-12) / r);
  const double above = app::independent_particle_skewness(th.bath, c.collisions.gamma, w, x * (1 + 1e-12) / r);
  EXPECT_NEAR(below, above, 1e-7 * std::abs(above));

  c.bath.kind = BathKind::thermal;
  c.bath.boost = 1.3;
  EXPECT_NEAR(theory_of(c).missing_skewness, 0.0, 1e-12);
  c.system.profile = Profile::uniform;
  EXPECT_TRUE(std::isnan(theory_of(c).knudsen));
  EXPECT_TRUE(std::isnan(theory_of(c).missing_skewness));
  EXPECT_TRUE(std::isnan(theory_of(c).missing_variance));
}

namespace {

/// The exact mean class counts and cell counts of the run's lattice state held at exactly N:
/// every Pauli cell (class k, cell c) occupied independently with (40) at `cell_density[c]`,
/// conditioned on the total (test::conditioned_occupations). Also the unconditioned ones.
struct LatticeMeans {
  std::vector<double> classes, cells, classes_free, cells_free;
};
LatticeMeans lattice_means(const theory::DiscreteBath& lattice, const Eigen::VectorXd& cell_density, int N) {
  const auto K = static_cast<std::size_t>(lattice.grid.size());
  const auto M = static_cast<std::size_t>(cell_density.size());
  std::vector<double> p;
  for (std::size_t c = 0; c < M; ++c) {
    const auto st = theory::stationary_state(lattice, Statistics::fermi, cell_density[static_cast<long>(c)]);
    for (std::size_t k = 0; k < K; ++k) p.push_back(st.n[static_cast<long>(k)]);
  }
  const auto q = test::conditioned_occupations(p, std::vector<int>(p.size(), 1), N);
  LatticeMeans m{std::vector<double>(K, 0.0), std::vector<double>(M, 0.0), std::vector<double>(K, 0.0),
                 std::vector<double>(M, 0.0)};
  for (std::size_t c = 0; c < M; ++c) {
    for (std::size_t k = 0; k < K; ++k) {
      m.classes[k] += q[c * K + k];
      m.cells[c] += q[c * K + k];
      m.classes_free[k] += p[c * K + k];
      m.cells_free[c] += p[c * K + k];
    }
  }
  return m;
}

double energy_per_particle(const theory::DiscreteBath& lattice, const std::vector<double>& class_counts, int N) {
  double e = 0;
  for (std::size_t k = 0; k < class_counts.size(); ++k) {
    const double l = lattice.grid.lambda[static_cast<long>(k)];
    e += class_counts[k] * 0.5 * l * l;
  }
  return e / N;
}

}  // namespace

// A run started `stationary` holds exactly N fermions in (40) conditioned on N; the local
// states (40) are grand-canonical. The run's theory carries the fixed-N correction
// (docs/VALIDATION.md section 11), checked here against the exact conditioned law
// (test::conditioned_occupations, a convolution over all Pauli cells). Uniform gas of 120
// fermions (4.8 per cell, n up to 0.87): the energy per particle is 0.005831 below (40)
// (-8.7 standard errors in a 40 000-realization run without the correction); the theory
// convolves it exactly here. At 1440 fermions (300 cells) the exact convolution would cost
// too much and the first order serves: within 0.1% of the exact shift. A Gaussian profile
// of 60 (peak 1.0 per unit length), first order: energy -0.004976 against -0.004983, the
// density (bins = cells here), which moves by up to 0.0087 of a particle a cell, within 2%
// of that, the mass unchanged; the linear prediction carries the same correction at t = 0.
// A `bath` start, whose count fluctuations are Poisson-like, and classical particles
// (multinomial: no shift) have none.
TEST(RunTheory, FermionTheoryHoldsExactlyNParticles) {
  for (const auto& [N, M] : {std::pair<int, int>{120, 25}, std::pair<int, int>{1440, 300}}) {
    Config c = test::few_fermions(Profile::uniform, N);
    c.system.length = 6.0 * M;
    c.numerics.cells = M;
    const auto th = theory_of(c);
    const auto K = static_cast<std::size_t>(th.bath.grid.size());
    const double L = c.system.length, dl = th.bath.grid.weight[0];
    const auto st = theory::stationary_state(th.bath, Statistics::fermi, N / L);
    std::vector<double> p(st.n.data(), st.n.data() + st.n.size()), exact(K), free(K);
    const auto q = test::conditioned_occupations(p, std::vector<int>(K, M), N);
    for (std::size_t k = 0; k < K; ++k) {
      exact[k] = M * q[k];
      free[k] = M * p[k];
    }
    const double e_exact = energy_per_particle(th.bath, exact, N), e_free = energy_per_particle(th.bath, free, N);
    EXPECT_LT(N * (e_exact - e_free), -0.69);
    const double tol = N == 120 ? 1e-9 : 1e-3;  // the convolution, or the first order
    EXPECT_EQ(th.fixed_n_note, N == 120 ? "exact" : "first order in 1/N");
    ASSERT_EQ(th.fixed_n_energy.size(), 2u);
    double largest = 0;
    for (std::size_t k = 0; k < K; ++k) largest = std::max(largest, std::abs(exact[k] - free[k]));
    for (std::size_t i = 0; i < 2; ++i) {
      EXPECT_NEAR(th.energy[i] - e_free, e_exact - e_free, tol * std::abs(e_exact - e_free)) << N;
      EXPECT_NEAR(th.fixed_n_energy[i], th.energy[i] - e_free, 1e-12);
      for (std::size_t k = 0; k < K; ++k)
        EXPECT_NEAR(th.velocity[i * K + k] * dl * L - free[k], exact[k] - free[k], 10 * tol * largest)
            << N << " class " << k;
    }
  }
  {
    const Config c = test::few_fermions(Profile::gaussian, 60);
    const auto th = theory_of(c);
    const double L = c.system.length;
    const Eigen::VectorXd rho = theory::gaussian_bin_averages(60, L, c.system.width, 25);
    const auto exact = lattice_means(th.bath, rho, 60);
    const double shift = energy_per_particle(th.bath, exact.classes, 60) - energy_per_particle(th.bath, exact.classes_free, 60);
    EXPECT_LT(shift, -0.002);
    EXPECT_NEAR(th.fixed_n_energy[0], shift, 0.03 * std::abs(shift));
    double largest = 0, mass = 0;
    for (std::size_t b = 0; b < 25; ++b) largest = std::max(largest, std::abs(exact.cells[b] - exact.cells_free[b]));
    EXPECT_GT(largest, 0.005);
    for (std::size_t b = 0; b < 25; ++b) {
      const double moved = (th.density[b] - rho[static_cast<long>(b)]) * 6.0;  // particles in the bin
      mass += moved;
      EXPECT_NEAR(moved, exact.cells[b] - exact.cells_free[b], 0.05 * largest) << "bin " << b;
    }
    EXPECT_NEAR(mass, 0.0, 1e-9);
    for (std::size_t b = 0; b < 25; ++b) EXPECT_NEAR(th.linear_density[b], th.density[b], 1e-14) << "bin " << b;
    Config bath = c;
    bath.system.velocities = InitialVelocities::bath;
    const auto poisson = theory_of(bath);
    EXPECT_TRUE(poisson.fixed_n_energy.empty());
    for (std::size_t b = 0; b < 25; ++b) EXPECT_NEAR(poisson.density[b], rho[static_cast<long>(b)], 1e-14);
  }
  Config classical = test::few_fermions(Profile::gaussian, 60);
  classical.system.statistics = Statistics::classical;
  classical.collisions.scheme = Scheme::event;
  EXPECT_TRUE(theory_of(classical).fixed_n_energy.empty());
}
