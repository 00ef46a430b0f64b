#pragma once
// The one place where statistical test tolerances are decided: k standard errors of the
// sample's own standard error, and p-values of chi^2 / Kolmogorov-Smirnov statistics.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace vswap::test {

/// Significance used by every goodness-of-fit test (fixed seeds: deterministic outcome).
inline constexpr double kAlpha = 1e-4;
/// Default width of a k-sigma band (two-sided p ~ 6e-5 for a Gaussian estimator).
inline constexpr double kSigma = 4.0;

/// |value - expected| <= k * stderr, with a readable failure message.
inline void expect_within_sigma(double value, double expected, double stderr_, double k = kSigma,
                                const char* what = "") {
  EXPECT_LE(std::abs(value - expected), k * stderr_)
      << what << ": value " << value << " expected " << expected << " stderr " << stderr_
      << " (" << (value - expected) / stderr_ << " sigma, allowed " << k << ")";
}

/// Regularised upper incomplete gamma Q(a, x) (series / continued fraction).
inline double gamma_q(double a, double x) {
  if (x <= 0) return 1.0;
  const double gln = std::lgamma(a);
  if (x < a + 1) {
    double ap = a, sum = 1.0 / a, del = sum;
    for (int n = 0; n < 10000; ++n) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (std::abs(del) < std::abs(sum) * 1e-16) break;
    }
    return 1.0 - sum * std::exp(-x + a * std::log(x) - gln);
  }
  double b = x + 1 - a, c = 1e300, d = 1 / b, h = d;
  for (int i = 1; i < 10000; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (std::abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const double del = d * c;
    h *= del;
    if (std::abs(del - 1) < 1e-16) break;
  }
  return std::exp(-x + a * std::log(x) - gln) * h;
}

/// p-value of chi^2 with dof degrees of freedom.
inline double chi2_pvalue(double chi2, double dof) { return gamma_q(0.5 * dof, 0.5 * chi2); }

/// Pearson chi^2 of counts against probabilities (bins with expected < 5 are pooled).
struct Chi2 {
  double chi2 = 0;
  int dof = 0;
  double pvalue = 1;
};
inline Chi2 chi2_counts(const std::vector<double>& counts, const std::vector<double>& prob) {
  double n = 0;
  for (double c : counts) n += c;
  Chi2 r;
  double pool_obs = 0, pool_exp = 0;
  int bins = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    pool_obs += counts[i];
    pool_exp += n * prob[i];
    if (pool_exp >= 5) {
      r.chi2 += (pool_obs - pool_exp) * (pool_obs - pool_exp) / pool_exp;
      ++bins;
      pool_obs = pool_exp = 0;
    }
  }
  if (pool_exp > 0) r.chi2 += (pool_obs - pool_exp) * (pool_obs - pool_exp) / std::max(pool_exp, 1e-300);
  r.dof = std::max(1, bins - 1);
  r.pvalue = chi2_pvalue(r.chi2, r.dof);
  return r;
}

/// Kolmogorov-Smirnov p-value of a sample against a CDF (asymptotic distribution).
inline double ks_pvalue(std::vector<double> x, const std::function<double(double)>& cdf) {
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double d = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double f = cdf(x[i]);
    const double di = static_cast<double>(i);
    d = std::max({d, f - di / n, (di + 1) / n - f});
  }
  const double lam = (std::sqrt(n) + 0.12 + 0.11 / std::sqrt(n)) * d;
  double q = 0;
  for (int j = 1; j < 200; ++j) q += 2 * ((j & 1) ? 1 : -1) * std::exp(-2.0 * j * j * lam * lam);
  return std::clamp(q, 0.0, 1.0);
}

}  // namespace vswap::test
