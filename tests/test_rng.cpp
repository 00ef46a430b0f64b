// Philox known answers, stream purity, math.hpp accuracy, the bath samplers' laws.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include <vswap/bath_sampler.hpp>
#include <vswap/math.hpp>
#include <vswap/rng.hpp>
#include <vswap/streams.hpp>

#include "stat_helpers.hpp"

using namespace vswap;

namespace {
void expect_kat(Philox4x32 ctr, std::uint32_t k0, std::uint32_t k1, Philox4x32 want) {
  const Philox4x32 got = philox4x32_10(ctr, k0, k1);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(got.v[i], want.v[i]) << "word " << i;
}
std::int64_t ulps(double a, double b) {
  std::int64_t ia, ib;
  std::memcpy(&ia, &a, 8);
  std::memcpy(&ib, &b, 8);
  if (ia < 0) ia = std::numeric_limits<std::int64_t>::min() - ia;
  if (ib < 0) ib = std::numeric_limits<std::int64_t>::min() - ib;
  return std::abs(ia - ib);
}
}  // namespace

// Random123 kat_vectors, philox4x32_10.
TEST(Philox, KnownAnswerVectors) {
  expect_kat({{0, 0, 0, 0}}, 0, 0, {{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}});
  expect_kat({{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}}, 0xffffffff, 0xffffffff,
             {{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}});
  expect_kat({{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}}, 0xa4093822, 0x299f31d0,
             {{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}});
}

TEST(Streams, PureFunctionOfTheirCoordinates) {
  const StreamKey a{1, 7}, b{2, 7};
  const auto x = draw(a, 3, 10, Purpose::attempt, 0);
  const auto y = draw(a, 3, 10, Purpose::attempt, 0);
  EXPECT_EQ(std::memcmp(&x, &y, sizeof x), 0);
  const auto z = draw(b, 3, 10, Purpose::attempt, 0);
  EXPECT_NE(std::memcmp(&x, &z, sizeof x), 0);
  const auto t = draw(a, 3, 10, Purpose::target, 0);
  const auto i1 = draw(a, 3, 10, Purpose::attempt, 1);
  EXPECT_NE(std::memcmp(&x, &t, sizeof x), 0);
  EXPECT_NE(std::memcmp(&x, &i1, sizeof x), 0);
  // The documented counter layout (the cuRAND mapping of rng.hpp relies on it).
  const auto w = philox4x32_10({{3, 10, 7, (static_cast<std::uint32_t>(Purpose::attempt) << 16) | 0}}, 1, 0);
  EXPECT_EQ(std::memcmp(&x, &w, sizeof x), 0);
}

TEST(Uniforms, NeverZeroOrOne) {
  EXPECT_GT(uniform_open(0), 0.0);
  EXPECT_LT(uniform_open(0xffffffffu), 1.0);
  EXPECT_GT(uniform52_open(0, 0), 0.0);
  EXPECT_LT(uniform52_open(0xffffffffu, 0xffffffffu), 1.0);
  EXPECT_EQ(uniform_index(0xffffffffu, 7), 6u);
}

TEST(Math, AgreesWithStdWithinTwoUlp) {
  std::mt19937_64 gen(42);
  std::uniform_real_distribution<double> expo(-700.0, 700.0), lg(-300.0, 300.0), trig(-1e5, 1e5),
      small(-4.0, 4.0);
  std::int64_t worst_log = 0, worst_exp = 0, worst_sin = 0, worst_cos = 0;
  for (int i = 0; i < 200000; ++i) {
    const double x = std::pow(10.0, lg(gen));
    worst_log = std::max(worst_log, ulps(math::log(x), std::log(x)));
    const double u = uniform_open(static_cast<std::uint32_t>(gen()));
    worst_log = std::max(worst_log, ulps(math::log(u), std::log(u)));
    const double e = i % 2 ? expo(gen) : small(gen);
    worst_exp = std::max(worst_exp, ulps(math::exp(e), std::exp(e)));
    const double t = i % 2 ? trig(gen) : small(gen);
    worst_sin = std::max(worst_sin, ulps(math::sin(t), std::sin(t)));
    worst_cos = std::max(worst_cos, ulps(math::cos(t), std::cos(t)));
  }
  EXPECT_LE(worst_log, 2);
  EXPECT_LE(worst_exp, 2);
  EXPECT_LE(worst_sin, 2);
  EXPECT_LE(worst_cos, 2);
  EXPECT_EQ(math::log(1.0), 0.0);
  EXPECT_EQ(math::exp(0.0), 1.0);
  EXPECT_TRUE(std::isinf(math::log(0.0)));
  // cos(2 pi u): absolute error against std::cos on the Box-Muller arguments.
  double worst = 0;
  for (int i = 0; i < 100000; ++i) {
    const double u = uniform_open(static_cast<std::uint32_t>(gen()));
    worst = std::max(worst, std::abs(math::cos_2pi(u) - static_cast<double>(std::cos(2 * 3.14159265358979323846264338327950288L * u))));
  }
  EXPECT_LT(worst, 2.3e-16);  // 1 ulp of 1
}

TEST(BathSampler, AliasNeverDrawsAZeroWeight) {
  // Zero weights (classes outside a compact bath, empty segments of a table bath) must be
  // represented exactly as zero, whatever the round-off of Vose's pairing leaves over.
  std::uint32_t state = 12345u;
  auto next = [&] { return state = state * 1664525u + 1013904223u; };
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<double> w(1 + next() % 300);
    for (double& x : w) x = next() % 3 == 0 ? 0.0 : std::ldexp(static_cast<double>(next() % 1000 + 1), -static_cast<int>(next() % 60));
    w[next() % w.size()] = 1.0;  // not all zero
    const auto p = AliasTable(w).represented_probabilities();
    for (std::size_t i = 0; i < w.size(); ++i)
      if (w[i] == 0.0) {
        ASSERT_EQ(p[i], 0.0) << "trial " << trial << " column " << i;
      }
  }
}

TEST(BathSampler, AliasChi2AgainstTheDiscreteLaw) {
  std::vector<double> w;
  for (int j = -40; j <= 40; ++j)
    w.push_back(std::exp(-(j * 0.7 + 5.9) * (j * 0.7 + 5.9) / 36) + 0.3 * std::exp(-(j * 0.7 - 5.9) * (j * 0.7 - 5.9) / 36));
  const AliasTable table(w);
  double total = 0;
  for (double x : w) total += x;
  std::vector<double> p(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) p[i] = w[i] / total;
  const auto rep = table.represented_probabilities();
  for (std::size_t i = 0; i < w.size(); ++i) EXPECT_NEAR(rep[i], p[i], 1e-12 + static_cast<double>(w.size()) * 2.4e-10);
  std::vector<double> counts(w.size(), 0.0);
  const StreamKey key{11, 0};
  for (std::uint32_t i = 0; i < 250000; ++i) {
    const auto d = draw(key, i, 0, Purpose::target);
    for (int k = 0; k < 4; ++k) counts[static_cast<std::size_t>(alias_sample(table.view(), d.v[k]))] += 1;
  }
  const auto c = test::chi2_counts(counts, p);
  EXPECT_GT(c.pvalue, test::kAlpha) << "chi2 " << c.chi2 << " dof " << c.dof;
}

TEST(BathSampler, GaussianMixtureMatchesItsCdf) {
  const auto bath = ContinuousBath::mixture({1.0, 0.3}, {-5.9, 5.9}, {6 / std::sqrt(2.0), 6 / std::sqrt(2.0)});
  const auto v = bath.view();
  std::vector<double> x;
  const StreamKey key{5, 1};
  for (std::uint32_t i = 0; i < 200000; ++i) {
    const auto d = draw(key, i, 0, Purpose::target);
    x.push_back(sample_continuous(v, d.v[0], d.v[1], d.v[2]));
  }
  const double s = 6 / std::sqrt(2.0);
  auto cdf = [&](double l) {
    auto phi = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
    return (phi((l + 5.9) / s) + 0.3 * phi((l - 5.9) / s)) / 1.3;
  };
  EXPECT_GT(test::ks_pvalue(x, cdf), test::kAlpha);
}

TEST(BathSampler, PiecewiseLinearTableMatchesItsCdf) {
  const std::vector<double> node{-2, -1, 0.5, 1, 3}, val{0, 2, 0.5, 1.5, 0};
  const auto bath = ContinuousBath::table(node, val);
  const auto v = bath.view();
  double total = 0;
  for (int i = 0; i < 4; ++i) total += 0.5 * (val[i] + val[i + 1]) * (node[i + 1] - node[i]);
  auto cdf = [&](double l) {
    double m = 0;
    for (int i = 0; i < 4; ++i) {
      const double a = node[i], b = node[i + 1];
      if (l <= a) break;
      const double t = std::min(l, b) - a, h = b - a;
      m += val[i] * t + (val[i + 1] - val[i]) * t * t / (2 * h);
    }
    return m / total;
  };
  std::vector<double> x;
  const StreamKey key{9, 2};
  for (std::uint32_t i = 0; i < 200000; ++i) {
    const auto d = draw(key, i, 0, Purpose::target);
    x.push_back(sample_continuous(v, d.v[0], d.v[1], d.v[2]));
  }
  EXPECT_GT(test::ks_pvalue(x, cdf), test::kAlpha);
}
