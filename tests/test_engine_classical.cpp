// Classical gas vs closed forms: (38)/(20) in a homogeneous gas, and the velocity-renewal
// drift/diffusion of positions in a thermal bath. Schemes `event` and `paper` (and `exact`).
// Every test runs on each backend (CPU; CUDA, skipped without a device).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "backend_helpers.hpp"
#include "engine_helpers.hpp"
#include "stat_helpers.hpp"

using namespace vswap;

namespace {

/// Fig. 2's gas, shortened: rho = 1, rho_bath = 100, gamma = 0.001 (r = 0.1), initial
/// thermal T = 0.08, Bragg bath s = 0.2, lB = 0.4, b = 0.5.
Config fig2_like(Scheme scheme) {
  Config c = test::fig5d(scheme, Statistics::classical);
  c.bath.density = 100;
  c.bath.sigma = 0.2;
  c.bath.lambda_B = 0.4;
  c.bath.b = 0.5;
  c.collisions.gamma = 0.001;
  c.system.particles = 400;
  c.system.length = 400;
  c.system.profile = Profile::uniform;
  c.system.velocities = InitialVelocities::thermal;
  c.system.temperature = 0.08;
  c.numerics.cells = 100;
  c.numerics.dt = 0.02;
  c.numerics.times = {0, 5, 10, 20, 40, 80};
  c.numerics.realizations = 100;
  c.numerics.bins = 4;
  return c;
}

struct Mixture {  // the bath as normalised components (weight, mean, sd)
  double w[2], m[2], s[2];
};
Mixture bragg(double sigma, double lB, double b) {
  const double sd = sigma / std::sqrt(2.0);
  return Mixture{{1 / (1 + b), b / (1 + b)}, {-lB, lB}, {sd, sd}};
}
double phi(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

class ClassicalRelaxation : public ::testing::TestWithParam<std::tuple<Backend, Scheme>> {};

// (38): e(t) = e_b + (e_0 - e_b) exp(-gamma rho_bath t); the histogram is the same mixture
// of the initial law and (20) with weights exp(-r t), 1 - exp(-r t).
TEST_P(ClassicalRelaxation, EnergyFollows38AndHistogramRelaxesTo20) {
  const auto [backend, scheme] = GetParam();
  VSWAP_SKIP_UNLESS_BACKEND(backend);
  const Config c = fig2_like(scheme);
  const auto s = test::run_on(backend, c);
  const auto sum = engine::summarize(s);
  const Mixture b = bragg(c.bath.sigma, c.bath.lambda_B, c.bath.b);
  double e_bath = 0;
  for (int i = 0; i < 2; ++i) e_bath += b.w[i] * 0.5 * (b.m[i] * b.m[i] + b.s[i] * b.s[i]);
  const double e0 = 0.5 * c.system.temperature, r = c.collisions.gamma * c.bath.density;
  const double rho = static_cast<double>(c.system.particles) / c.system.length;
  const std::size_t K = sum.velocity_lambda.size();
  for (std::size_t t = 0; t < sum.times.size(); ++t) {
    const double decay = std::exp(-r * sum.times[t]);
    test::expect_within_sigma(sum.energy_mean[t], e_bath + (e0 - e_bath) * decay, sum.energy_stderr[t],
                              test::kSigma, "e(t)");
    double chi2 = 0;
    int dof = 0;
    for (std::size_t k = 0; k < K; ++k) {
      const double lo = s.velocity_edges[k], hi = s.velocity_edges[k + 1];
      double pb = 0;
      for (int i = 0; i < 2; ++i) pb += b.w[i] * (phi((hi - b.m[i]) / b.s[i]) - phi((lo - b.m[i]) / b.s[i]));
      const double sd0 = std::sqrt(c.system.temperature);
      const double p0 = phi(hi / sd0) - phi(lo / sd0);
      const double expect = rho * (pb * (1 - decay) + p0 * decay) / (hi - lo);
      // bins expecting >= 2 particles per realization: their stderr is well estimated
      if (expect * (hi - lo) * c.system.length < 2) continue;
      const double z = (sum.velocity_mean[t * K + k] - expect) / sum.velocity_stderr[t * K + k];
      chi2 += z * z;
      ++dof;
    }
    ASSERT_GT(dof, 10);
    EXPECT_GT(test::chi2_pvalue(chi2, dof), test::kAlpha) << "t = " << sum.times[t] << " chi2 " << chi2 << " dof " << dof;
  }
}

INSTANTIATE_TEST_SUITE_P(Schemes, ClassicalRelaxation,
                         ::testing::Combine(::testing::Values(Backend::cpu, Backend::cuda),
                                            ::testing::Values(Scheme::event, Scheme::paper, Scheme::exact)),
                         [](const auto& i) {
                           return test::backend_name(std::get<0>(i.param)) + "_" + to_string(std::get<1>(i.param));
                         });

// The model has no velocity scale of its own: every velocity (bath and start) times f is the
// same relaxation (38) with energies times f^2. The per-particle energies are summed in
// fixed point; its resolution follows the run's velocities (energy_scale_for), so a slow gas
// is measured as accurately as a fast one. With the fixed 2^-16 of before, f = 1e-2 read
// e(0) = 2.80e-6 for 4.00e-6 (-30%, -24 standard errors) and f = 1e-3 read 0.
class VelocityScale : public ::testing::TestWithParam<std::tuple<Backend, Scheme, double>> {};

TEST_P(VelocityScale, EnergyFollows38WhateverTheVelocityUnit) {
  const auto [backend, scheme, f] = GetParam();
  VSWAP_SKIP_UNLESS_BACKEND(backend);
  Config c = fig2_like(scheme);
  c.bath.sigma *= f;
  c.bath.lambda_B *= f;
  c.system.temperature *= f * f;
  c.numerics.times = {0, 10, 40};
  c.numerics.realizations = 40;
  const auto sum = engine::summarize(test::run_on(backend, c));
  const Mixture b = bragg(c.bath.sigma, c.bath.lambda_B, c.bath.b);
  double e_bath = 0;
  for (int i = 0; i < 2; ++i) e_bath += b.w[i] * 0.5 * (b.m[i] * b.m[i] + b.s[i] * b.s[i]);
  const double e0 = 0.5 * c.system.temperature, r = c.collisions.gamma * c.bath.density;
  for (std::size_t t = 0; t < sum.times.size(); ++t) {
    ASSERT_GT(sum.energy_stderr[t], 0.0);
    test::expect_within_sigma(sum.energy_mean[t], e_bath + (e0 - e_bath) * std::exp(-r * sum.times[t]),
                              sum.energy_stderr[t], test::kSigma, "e(t)");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Scales, VelocityScale,
    ::testing::Combine(::testing::Values(Backend::cpu, Backend::cuda), ::testing::Values(Scheme::event, Scheme::exact),
                       ::testing::Values(1e-3, 1e-2, 1e3)),
    [](const auto& i) {
      const double f = std::get<2>(i.param);
      return test::backend_name(std::get<0>(i.param)) + "_" + to_string(std::get<1>(i.param)) + "_f" +
             (f < 1 ? "1em" + std::to_string(static_cast<int>(std::lround(-std::log10(f)))) : std::string("1e3"));
    });

// The realization sums of the energy have a unit of their own (a power of two above the
// largest energy per particle): mean and standard error scale exactly as f^2 from f = 1e-5
// to 1e6. With the sums in plain energies at 2^-60 they could not: at f = 1e6 the sum of e^2
// overflowed and at f = 1e-5 each e^2 rounded to 0 (stderr 0 in both).
class EnergySums : public ::testing::TestWithParam<Backend> {};

TEST_P(EnergySums, MeanAndStandardErrorScaleWithTheVelocityUnit) {
  VSWAP_SKIP_UNLESS_BACKEND(GetParam());
  Config c = fig2_like(Scheme::event);
  c.numerics.times = {0, 10};
  c.numerics.realizations = 20;
  const auto at = [&](double f) {
    Config s = c;
    s.bath.sigma *= f;
    s.bath.lambda_B *= f;
    s.system.temperature *= f * f;
    return engine::summarize(test::run_on(GetParam(), s));
  };
  const auto one = at(1.0);
  for (const double f : {1e-5, 1e6}) {
    const auto sum = at(f);
    for (std::size_t t = 0; t < sum.times.size(); ++t) {
      EXPECT_NEAR(sum.energy_mean[t] / (f * f), one.energy_mean[t], 1e-9 * one.energy_mean[t]) << "f " << f;
      EXPECT_NEAR(sum.energy_stderr[t] / (f * f), one.energy_stderr[t], 1e-6 * one.energy_stderr[t]) << "f " << f;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, EnergySums, ::testing::Values(Backend::cpu, Backend::cuda),
                         [](const auto& i) { return test::backend_name(i.param); });

// Thermal bath (temperature T, boost u): initial velocities from the bath, positions a
// narrow Gaussian of width w0. Velocity renewal at rate r: <x> = x0 + u t,
// Var x = w0^2 + 2T/r (t - (1 - exp(-r t))/r). Particles are independent, so the pooled
// histogram of N x R particles gives the moments and their standard errors.
class ClassicalDrift : public ::testing::TestWithParam<Backend> {};

/// `event`, rho_bath 10, gamma 0.1 (r = 1), a narrow Gaussian (w0 = 2) of 1000 particles on
/// L = 2000, 50 realizations, 4000 bins (h = 0.5), times 0, 1, 5, 20, 60; the bath is the test's.
Config drift_config() {
  Config c = test::fig5d(Scheme::event, Statistics::classical);
  c.bath.density = 10;
  c.collisions.gamma = 0.1;
  c.system.length = 2000;
  c.system.width = 2.0;
  c.system.particles = 1000;
  c.numerics.times = {0, 1, 5, 20, 60};
  c.numerics.bins = 4000;
  c.numerics.realizations = 50;
  return c;
}

/// drift_config on a thermal bath of T = 1 moving at `boost` (r = gamma rho_bath = 1).
Config thermal_drift_config(double boost) {
  Config c = drift_config();
  c.bath.kind = BathKind::thermal;
  c.bath.temperature = 1.0;
  c.bath.boost = boost;
  return c;
}

/// The mean and central moments 2..6 (index k) of the positions at observation t, from the
/// pooled density histogram of all particles of all realizations.
struct Pooled {
  double mean = 0, c[7] = {};
};
Pooled pooled_moments(const engine::RunSums& s, const engine::RunSummary& sum, std::size_t t, double n_total) {
  const std::size_t B = sum.density_x.size();
  Pooled p;
  for (std::size_t b = 0; b < B; ++b) p.mean += sum.density_x[b] * static_cast<double>(s.density_count[t * B + b]);
  p.mean /= n_total;
  for (std::size_t b = 0; b < B; ++b) {
    const double d = sum.density_x[b] - p.mean, w = static_cast<double>(s.density_count[t * B + b]);
    double dk = d;
    for (int k = 2; k <= 6; ++k) p.c[k] += (dk *= d) * w;
  }
  for (int k = 2; k <= 6; ++k) p.c[k] /= n_total;
  return p;
}

TEST_P(ClassicalDrift, MeanDriftsAndVarianceFollowsVelocityRenewal) {
  VSWAP_SKIP_UNLESS_BACKEND(GetParam());
  Config c = thermal_drift_config(2.0);
  const auto s = test::run_on(GetParam(), c);
  const auto sum = engine::summarize(s);
  const double h = c.system.length / static_cast<double>(c.numerics.bins), r = 1.0, T = 1.0, u = 2.0;
  const double n_total = static_cast<double>(c.system.particles * c.numerics.realizations);
  for (std::size_t t = 0; t < sum.times.size(); ++t) {
    const Pooled p = pooled_moments(s, sum, t, n_total);
    const double m1 = p.mean, m2 = p.c[2], m4 = p.c[4];
    const double tt = sum.times[t];
    const double var = c.system.width * c.system.width + 2 * T / r * (tt - (1 - std::exp(-r * tt)) / r);
    test::expect_within_sigma(m1, 0.5 * c.system.length + u * tt, std::sqrt(m2 / n_total), test::kSigma, "mean");
    // Sheppard's correction h^2/12 for the binned variance
    test::expect_within_sigma(m2 - h * h / 12, var, std::sqrt((m4 - m2 * m2) / n_total), test::kSigma, "variance");
  }
}

// From a thermal start of another temperature and mean (T0 = 0.3 at rest, the bath at T = 1
// moving at u = 2) the mean lags u t by u (1 - q) / r and the variance is the renewal
// process's, q = e^{-rt}: 2 T/r (t - (1 - q)/r) + 2 (T0 - T)/r ((1 - q)/r - t q)
// + 2 u^2 / r ((1 - q^2)/(2r) - t q) (app::independent_particle_missing_cumulants, what
// `vswap run` reports that (2) leaves out).
TEST_P(ClassicalDrift, MeanAndVarianceFromAThermalStartFollowVelocityRenewal) {
  VSWAP_SKIP_UNLESS_BACKEND(GetParam());
  Config c = thermal_drift_config(2.0);
  c.system.velocities = InitialVelocities::thermal;
  c.system.temperature = 0.3;
  const auto s = test::run_on(GetParam(), c);
  const auto sum = engine::summarize(s);
  const double h = c.system.length / static_cast<double>(c.numerics.bins), r = 1.0, T = 1.0, u = 2.0, T0 = 0.3;
  const double n_total = static_cast<double>(c.system.particles * c.numerics.realizations);
  for (std::size_t t = 1; t < sum.times.size(); ++t) {
    const Pooled p = pooled_moments(s, sum, t, n_total);
    const double tt = sum.times[t], q = std::exp(-r * tt);
    const double mean = 0.5 * c.system.length + u * tt - u * (1 - q) / r;
    const double var = c.system.width * c.system.width + 2 * T / r * (tt - (1 - q) / r) +
                       2 * (T0 - T) / r * ((1 - q) / r - tt * q) + 2 * u * u / r * ((1 - q * q) / (2 * r) - tt * q);
    test::expect_within_sigma(p.mean, mean, std::sqrt(p.c[2] / n_total), test::kSigma, "mean");
    test::expect_within_sigma(p.c[2] - h * h / 12, var, std::sqrt((p.c[4] - p.c[2] * p.c[2]) / n_total), test::kSigma,
                              "variance");
  }
}

// `exact` at a large gamma rho_bath dt = x = 2: each step a particle keeps its velocity with
// probability a = e^{-x}, so after N steps the displacement's variance is
// dt^2 var_b (N + 2 sum_k (N - k) a^k), not (2)'s; D grows by (x/2) coth(x/2) (31% here), what
// `vswap run` prints as the time-step note.
TEST_P(ClassicalDrift, ExactAtLargeRateDtHasTheStepGridsVariance) {
  VSWAP_SKIP_UNLESS_BACKEND(GetParam());
  Config c = thermal_drift_config(0.0);
  c.collisions.scheme = Scheme::exact;
  c.numerics.dt = 2.0;  // r = 1
  c.numerics.times = {0.0, 10.0, 100.0};
  const auto s = test::run_on(GetParam(), c);
  const auto sum = engine::summarize(s);
  const double h = c.system.length / static_cast<double>(c.numerics.bins), dt = 2.0, a = std::exp(-2.0);
  const double n_total = static_cast<double>(c.system.particles * c.numerics.realizations);
  for (std::size_t t = 1; t < sum.times.size(); ++t) {
    const Pooled p = pooled_moments(s, sum, t, n_total);
    const auto N = static_cast<int>(sum.times[t] / dt);
    double pairs = N;
    for (int k = 1; k < N; ++k) pairs += 2.0 * (N - k) * std::pow(a, k);
    const double var = c.system.width * c.system.width + dt * dt * 1.0 * pairs;
    test::expect_within_sigma(p.c[2] - h * h / 12, var, std::sqrt((p.c[4] - p.c[2] * p.c[2]) / n_total), test::kSigma,
                              "variance");
    const double continuous = c.system.width * c.system.width + 2 * (sum.times[t] - (1 - std::exp(-sum.times[t])));
    EXPECT_GT(std::abs(var - continuous), 10 * std::sqrt((p.c[4] - p.c[2] * p.c[2]) / n_total));  // visible
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ClassicalDrift, ::testing::Values(Backend::cpu, Backend::cuda),
                         [](const auto& i) { return test::backend_name(i.param); });

// The third cumulant, which Burgers (2) leaves out (docs/VALIDATION.md section 10): velocities
// renewed at rate r from an asymmetric two-peak bath give the displacement kappa_3 =
// 6 mu_3 (t / r^2 - 2 / r^3 + e^{-rt} (t / r^2 + 2 / r^3)), mu_3 the bath's third central
// moment (three times in one renewal interval). The pooled histogram's third central moment
// against it, with the standard error sqrt((m6 - m3^2 - 6 m4 m2 + 9 m2^3) / n).
TEST_P(ClassicalDrift, ThirdCumulantFollowsVelocityRenewal) {
  VSWAP_SKIP_UNLESS_BACKEND(GetParam());
  Config c = drift_config();  // the Bragg bath (104)
  c.bath.sigma = 1.2;
  c.bath.lambda_B = 2.6;
  c.bath.b = 0.15;  // the heavier peak at -2.6: skewness +1.5
  const auto s = test::run_on(GetParam(), c);
  const auto sum = engine::summarize(s);
  const Mixture m = bragg(c.bath.sigma, c.bath.lambda_B, c.bath.b);
  double mean = 0;
  for (int i = 0; i < 2; ++i) mean += m.w[i] * m.m[i];
  double mu3 = 0;
  for (int i = 0; i < 2; ++i) {
    const double d = m.m[i] - mean;
    mu3 += m.w[i] * (d * d * d + 3 * d * m.s[i] * m.s[i]);
  }
  ASSERT_GT(mu3, 5.0);
  const double n_total = static_cast<double>(c.system.particles * c.numerics.realizations), r = 1.0;
  for (std::size_t t = 1; t < sum.times.size(); ++t) {
    const Pooled p = pooled_moments(s, sum, t, n_total);
    const double m2 = p.c[2], m3 = p.c[3], m4 = p.c[4], m6 = p.c[6];
    const double tt = sum.times[t];
    const double k3 = 6 * mu3 * (tt / (r * r) - 2 / (r * r * r) + std::exp(-r * tt) * (tt / (r * r) + 2 / (r * r * r)));
    const double se = std::sqrt((m6 - m3 * m3 - 6 * m4 * m2 + 9 * m2 * m2 * m2) / n_total);
    test::expect_within_sigma(m3, k3, se, test::kSigma, "third central moment");
    if (tt >= 20) {
      EXPECT_GT(k3, 10 * se);  // the test can see it
    }
  }
}

// `paper` when rho_bath ell is not a whole number. Each step a cell of n particles swaps one
// of them with probability gamma n N_bath dt / ell_b, so every particle swaps with probability
// q = gamma rho_bath dt per step exactly (ell_b = N_bath / rho_bath; no saturation here) and,
// homogeneously, e(s dt) = e_b + (e_0 - e_b) (1 - q)^s with no time-step error; the mean
// number of swaps by step s is N q s. Before the fix the rate used ell: rho_bath ell = 2.5
// gave N_bath = 3 and a 20% fast relaxation (e 11 standard errors off at t = 1), and
// rho_bath ell = 0.4 gave N_bath = 0 and no swaps at all.
struct PaperBathCase {
  Backend backend;
  double rho_bath;  ///< with ell = 0.25 (L = 100, M = 400)
  const char* name;
};
class PaperFractionalBath : public ::testing::TestWithParam<PaperBathCase> {};

TEST_P(PaperFractionalBath, RateIsGammaRhoBathWhateverRhoBathEll) {
  const PaperBathCase k = GetParam();
  VSWAP_SKIP_UNLESS_BACKEND(k.backend);
  Config c = test::fig5d(Scheme::paper, Statistics::classical);
  c.bath.kind = BathKind::thermal;
  c.bath.temperature = 1.0;
  c.bath.boost = 1.0;  // e_b = (T + w^2) / 2 = 1
  c.bath.density = k.rho_bath;
  c.collisions.gamma = 1.0 / k.rho_bath;  // r = gamma rho_bath = 1
  c.system.particles = 100;
  c.system.length = 100;
  c.system.profile = Profile::uniform;
  c.system.velocities = InitialVelocities::thermal;
  c.system.temperature = 0.25;  // e_0 = 0.125
  c.numerics.cells = 400;       // ell = 0.25
  c.numerics.dt = 0.01;
  c.numerics.times = {0, 0.5, 1, 2};
  c.numerics.realizations = 400;
  c.numerics.bins = 4;
  c.numerics.seed = 2024;
  const auto s = test::run_on(k.backend, c);
  const auto sum = engine::summarize(s);
  const double q = c.collisions.gamma * c.bath.density * c.numerics.dt, e_b = 1.0, e0 = 0.125;
  const double n = static_cast<double>(c.system.particles), R = static_cast<double>(c.numerics.realizations);
  for (std::size_t t = 0; t < sum.times.size(); ++t) {
    const double steps = std::round(sum.times[t] / c.numerics.dt);
    test::expect_within_sigma(sum.energy_mean[t], e_b + (e0 - e_b) * std::pow(1 - q, steps), sum.energy_stderr[t],
                              test::kSigma, "e(t)");
    // swaps per realization: a sum of N s Bernoulli(q), variance N s q (1 - q)
    test::expect_within_sigma(sum.swaps_mean[t], n * q * steps, std::sqrt(n * steps * q * (1 - q) / R),
                              test::kSigma, "swaps");
    EXPECT_EQ(sum.saturated_mean[t], 0.0);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, PaperFractionalBath,
                         ::testing::Values(PaperBathCase{Backend::cpu, 10.0, "cpu_rho_ell_2_5"},
                                           PaperBathCase{Backend::cpu, 1.6, "cpu_rho_ell_0_4"},
                                           PaperBathCase{Backend::cpu, 40.0, "cpu_rho_ell_10"},
                                           PaperBathCase{Backend::cuda, 10.0, "cuda_rho_ell_2_5"},
                                           PaperBathCase{Backend::cuda, 1.6, "cuda_rho_ell_0_4"}),
                         [](const auto& i) { return std::string(i.param.name); });

}  // namespace
