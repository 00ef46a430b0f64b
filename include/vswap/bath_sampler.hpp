#pragma once
/// @brief Drawing velocities from the frozen bath rho_b (SPEC section 2).
///
/// Fermions: the velocity lattice lambda_j = j dl, classes k = j - j_lo in [0, K), with
/// P_k proportional to rho_b(lambda_j), drawn by a Walker/Vose alias table from one 32-bit
/// word. Classical particles: continuous velocities, exact draws from the Gaussian mixture
/// (component by alias, Box-Muller with math.hpp) or from the piecewise-linear table
/// (segment by alias, inverse CDF of the linear piece).
///
/// The views are plain pointers + sizes so CUDA kernels can take them by value; the host
/// tables that own the memory (`AliasTable`, `ContinuousBath`) are built once per run.

#include <algorithm>
#include <cstdint>
#include <vector>

#include <vswap/hd.hpp>
#include <vswap/math.hpp>
#include <vswap/rng.hpp>

namespace vswap {

/// Alias table: column c is kept when the coin is below threshold[c], else alias[c].
struct AliasView {
  const std::uint32_t* threshold = nullptr;  ///< P(keep column) * 2^32, floored
  const std::int32_t* alias = nullptr;
  std::uint32_t n = 0;
};

/// One draw from one word: the high part of w*n picks the column, the low 32 bits are the
/// coin. Probabilities are represented to within n * 2^-32.
VSWAP_HD_INLINE std::int32_t alias_sample(const AliasView& t, std::uint32_t w) {
  const std::uint64_t p = static_cast<std::uint64_t>(w) * t.n;
  const std::uint32_t col = static_cast<std::uint32_t>(p >> 32);
  const std::uint32_t coin = static_cast<std::uint32_t>(p);
  return coin < t.threshold[col] ? static_cast<std::int32_t>(col) : t.alias[col];
}

/// The largest |standard_normal| can return: uniform_open(w1) >= 2^-33, so the radius is at
/// most sqrt(66 ln 2) = 6.7637 (with a margin for the rounding of log and sqrt).
inline constexpr double kStandardNormalMax = 6.77;

/// A standard normal from two words (Box-Muller, cosine branch).
VSWAP_HD_INLINE double standard_normal(std::uint32_t w1, std::uint32_t w2) {
  const double r = math::sqrt(-2.0 * math::log(uniform_open(w1)));
  return r * math::cos_2pi(uniform_open(w2));
}

/// A continuous bath for classical velocities.
struct ContinuousBathView {
  enum Kind : std::int32_t { mixture = 0, table = 1 };
  Kind kind = mixture;
  AliasView pick;               ///< component (mixture) or segment (table)
  const double* mean = nullptr;  ///< mixture: component means (pick.n)
  const double* sd = nullptr;    ///< mixture: component standard deviations
  const double* node = nullptr;  ///< table: lambda nodes (pick.n + 1)
  const double* value = nullptr; ///< table: rho_b at the nodes
};

/// Inverse CDF of the linear density f(a) = fa .. f(a+h) = fb at fraction u of its mass.
VSWAP_HD_INLINE double linear_piece_inverse(double a, double h, double fa, double fb, double u) {
  // fa t + (fb - fa) t^2 / 2 = c with c = u (fa + fb) / 2, t in [0, 1]; the root
  // t = 2c / (fa + sqrt(fa^2 + 2 (fb - fa) c)) has no cancellation.
  const double c = u * (fa + fb) * 0.5;
  const double disc = fa * fa + 2.0 * (fb - fa) * c;
  const double t = 2.0 * c / (fa + math::sqrt(disc > 0.0 ? disc : 0.0));
  return a + h * (t < 1.0 ? t : 1.0);
}

/// A velocity from the continuous bath, from three words.
VSWAP_HD_INLINE double sample_continuous(const ContinuousBathView& b, std::uint32_t w_pick,
                                         std::uint32_t w1, std::uint32_t w2) {
  const std::int32_t c = alias_sample(b.pick, w_pick);
  if (b.kind == ContinuousBathView::mixture) return b.mean[c] + b.sd[c] * standard_normal(w1, w2);
  const double a = b.node[c];
  return linear_piece_inverse(a, b.node[c + 1] - a, b.value[c], b.value[c + 1], uniform_open(w1));
}

/// Host: an alias table (Vose's method) for non-negative weights, not all zero.
class AliasTable {
 public:
  AliasTable() = default;
  explicit AliasTable(const std::vector<double>& weights);
  AliasView view() const {
    return AliasView{threshold_.data(), alias_.data(), static_cast<std::uint32_t>(threshold_.size())};
  }
  /// The probability each index is drawn with, as the table represents it.
  std::vector<double> represented_probabilities() const;
  std::size_t size() const { return threshold_.size(); }

 private:
  std::vector<std::uint32_t> threshold_;
  std::vector<std::int32_t> alias_;
};

/// Host: owns the arrays behind a `ContinuousBathView`.
class ContinuousBath {
 public:
  ContinuousBath() = default;
  /// Gaussian mixture: weights (any positive scale), means, standard deviations.
  static ContinuousBath mixture(const std::vector<double>& weight, std::vector<double> mean,
                                std::vector<double> sd);
  /// Piecewise-linear density through (node, value), zero outside.
  static ContinuousBath table(std::vector<double> node, std::vector<double> value);
  ContinuousBathView view() const;

 private:
  ContinuousBathView::Kind kind_ = ContinuousBathView::mixture;
  AliasTable pick_;
  std::vector<double> a_, b_;
};

// ---- host implementations (inline: header-only library) ---------------------------------

inline AliasTable::AliasTable(const std::vector<double>& weights) {
  const std::size_t n = weights.size();
  double total = 0.0;
  for (double w : weights) total += w;
  threshold_.assign(n, 0u);
  alias_.assign(n, 0);
  std::vector<double> scaled(n);
  std::vector<std::size_t> small, large;
  for (std::size_t i = 0; i < n; ++i) {
    scaled[i] = weights[i] * static_cast<double>(n) / total;
    (scaled[i] < 1.0 ? small : large).push_back(i);
  }
  auto set = [&](std::size_t i, double p, std::size_t a) {
    const double t = p * 4294967296.0;
    threshold_[i] = p >= 1.0 ? 0xffffffffu : static_cast<std::uint32_t>(t < 0 ? 0 : t);
    alias_[i] = static_cast<std::int32_t>(p >= 1.0 ? i : a);
  };
  while (!small.empty() && !large.empty()) {
    const std::size_t s = small.back();
    small.pop_back();
    const std::size_t l = large.back();
    set(s, scaled[s], l);
    scaled[l] = (scaled[l] + scaled[s]) - 1.0;
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  for (std::size_t i : large) set(i, 1.0, i);
  // Round-off leftovers keep themselves, except a zero weight (never drawn: a table bath's
  // empty segment would give NaN), which points at the heaviest column.
  const auto heaviest = static_cast<std::size_t>(std::max_element(weights.begin(), weights.end()) - weights.begin());
  for (std::size_t i : small) set(i, weights[i] > 0.0 ? 1.0 : 0.0, heaviest);
}

inline std::vector<double> AliasTable::represented_probabilities() const {
  const std::size_t n = threshold_.size();
  std::vector<double> p(n, 0.0);
  for (std::size_t c = 0; c < n; ++c) {
    const double keep = alias_[c] == static_cast<std::int32_t>(c) ? 1.0 : threshold_[c] / 4294967296.0;
    p[c] += keep / static_cast<double>(n);
    p[static_cast<std::size_t>(alias_[c])] += (1.0 - keep) / static_cast<double>(n);
  }
  return p;
}

inline ContinuousBath ContinuousBath::mixture(const std::vector<double>& weight,
                                              std::vector<double> mean, std::vector<double> sd) {
  ContinuousBath b;
  b.kind_ = ContinuousBathView::mixture;
  b.pick_ = AliasTable(weight);
  b.a_ = std::move(mean);
  b.b_ = std::move(sd);
  return b;
}

inline ContinuousBath ContinuousBath::table(std::vector<double> node, std::vector<double> value) {
  ContinuousBath b;
  b.kind_ = ContinuousBathView::table;
  std::vector<double> area(node.size() - 1);
  for (std::size_t i = 0; i + 1 < node.size(); ++i)
    area[i] = 0.5 * (value[i] + value[i + 1]) * (node[i + 1] - node[i]);
  b.pick_ = AliasTable(area);
  b.a_ = std::move(node);
  b.b_ = std::move(value);
  return b;
}

inline ContinuousBathView ContinuousBath::view() const {
  ContinuousBathView v;
  v.kind = kind_;
  v.pick = pick_.view();
  if (kind_ == ContinuousBathView::mixture) {
    v.mean = a_.data();
    v.sd = b_.data();
  } else {
    v.node = a_.data();
    v.value = b_.data();
  }
  return v;
}

}  // namespace vswap
