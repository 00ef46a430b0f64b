#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vswap/error.hpp>
#include <vswap/theory/stationary.hpp>

namespace vswap::theory {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559005768;
constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kLogAFloor = -700.0;  // A = 1e-304: below it exp(x) is subnormal

/// rho(A) - rho and (h0|h0)_st = -d rho / d log A for the fermion state (40).
struct DensityAtA {
  double excess, h0h0;
};

DensityAtA density_at(const DiscreteBath& bath, double A, double rho) {
  double density = 0.0, h0h0 = 0.0;
  for (Eigen::Index i = 0; i < bath.rho_b.size(); ++i) {
    const double rb = bath.rho_b[i];
    const double rho_st = rb / (kTwoPi * (rb + A));  // (40)
    const double hole = A / (rb + A);
    density += bath.grid.weight[i] * rho_st;
    h0h0 += bath.grid.weight[i] * rho_st * hole;  // (86)
  }
  return {density - rho, h0h0};
}

// The least fugacity the theory admits, as log A: A_min = kBathTailCutoff max rho_b. (40)
// fills a state of bath weight rho_b to n = rho_b / (rho_b + A), so below A_min the Fermi sea
// would reach states the bath does not hold: weights below its support's cut-off, the far
// tails of a narrow peak, lattice classes added to cover a thermal start (down to
// rho_b ~ 1e-308 there). The kinetic equation (39) fills such a state at the rate
// gamma rho_b, the Monte Carlo's sampler never draws it, and D (99) ~ 1/A overflows as
// A -> 1e-308. Counting them used to put the limit where no A >= 1e-304 reaches (1.068 for
// a Bragg bath of sigma 0.1, which holds only ~0.40 above the cut-off).
double log_least_fugacity(const DiscreteBath& bath) {
  const double top = bath.rho_b.maxCoeff();
  return std::max(std::log(kBathTailCutoff * top), kLogAFloor);
}

}  // namespace

double pauli_limit(const DiscreteBath& bath) {
  // The same sum, at the same A, as the solver's lower bracket: below it every density has
  // a root A > A_min (rho(A) is monotone), so the two can never disagree.
  return density_at(bath, std::exp(log_least_fugacity(bath)), 0.0).excess;
}

bool below_pauli_limit(const DiscreteBath& bath, double rho) {
  return rho < pauli_limit(bath);
}

FugacitySolution solve_fugacity(const DiscreteBath& bath, double rho, double A_guess) {
  VSWAP_EXPECTS(std::isfinite(rho) && rho > 0.0, "the fermion density must be finite and > 0");
  VSWAP_EXPECTS(below_pauli_limit(bath, rho),
                "density " + std::to_string(rho) + " reaches the Pauli limit " +
                    std::to_string(pauli_limit(bath)) + " of the bath's velocity grid");

  // Work in x = log A: rho(A) is smooth and monotone there over many decades.
  // rho(A) < rho_bath / (2 pi A), so x_upper = log(rho_bath / (2 pi rho)) has rho(A) <= rho.
  const double x_upper = std::log(bath.density / (kTwoPi * rho));
  // rho(A_min) = pauli_limit > rho: the root lies above x_lower.
  const double x_lower = log_least_fugacity(bath);
  double x = A_guess > 0.0 ? std::max(std::min(std::log(A_guess), x_upper), x_lower) : x_upper;
  DensityAtA f = density_at(bath, std::exp(x), rho);
  double lo = -std::numeric_limits<double>::infinity();  // excess > 0 at lo
  double hi = std::numeric_limits<double>::infinity();   // excess <= 0 at hi
  // Expand from the guess in doubling steps until the root is bracketed.
  for (double step = 1.0;; step *= 2.0) {
    if (f.excess > 0.0) {
      lo = x;
      if (std::isfinite(hi)) break;
      // At x_upper rho(A) = rho (1 - O(max rho_b / A)) < rho; when that correction is below
      // rounding (dilute: rho < ~eps rho_bath / max rho_b) the sum can come out a hair above
      // rho. x_upper is then the root to rounding: stop (this used to loop forever).
      if (x >= x_upper) {
        hi = x;
        break;
      }
      x = std::min(x + step, x_upper);
    } else {
      hi = x;
      if (std::isfinite(lo)) break;
      // rho < pauli_limit = rho(A_min), the same sum at the same A: the excess at x_lower is
      // > 0, or (were the sums ever rounded differently) A_min is the root to rounding.
      if (x <= x_lower) return {std::exp(x), f.excess, 0};
      x = std::max(x - step, x_lower);
    }
    f = density_at(bath, std::exp(x), rho);
  }
  // Safeguarded Newton: d excess / dx = -(h0|h0)_st; bisect when Newton leaves the bracket.
  int iterations = 0;
  x = f.excess > 0.0 ? lo : hi;
  for (; iterations < 200; ++iterations) {
    if (std::abs(f.excess) <= 2.0 * kEps * rho) break;
    if (f.excess > 0.0)
      lo = x;
    else
      hi = x;
    double next = x + f.excess / f.h0h0;
    if (!(next > lo && next < hi) || f.h0h0 <= 0.0) next = 0.5 * (lo + hi);
    const bool converged = std::abs(next - x) <= 4.0 * kEps * std::max(1.0, std::abs(x));
    x = next;
    f = density_at(bath, std::exp(x), rho);
    if (converged || hi - lo <= 4.0 * kEps * std::max(1.0, std::abs(x))) break;
  }
  return {std::exp(x), f.excess, iterations};
}

double fugacity(const DiscreteBath& bath, Statistics statistics, double rho) {
  if (statistics == Statistics::classical) return bath.density / rho;
  return solve_fugacity(bath, rho).A;
}

StationaryState stationary_state(const DiscreteBath& bath, Statistics statistics, double rho,
                                 double A_guess) {
  VSWAP_EXPECTS(std::isfinite(rho) && rho >= 0.0, "the density must be finite and >= 0");
  const Eigen::Index size = bath.rho_b.size();
  StationaryState state{Eigen::VectorXd::Zero(size),
                        Eigen::VectorXd::Zero(size),
                        rho,
                        std::numeric_limits<double>::infinity(),
                        chi(statistics),
                        Eigen::VectorXd::Ones(size),
                        0.0};
  if (rho == 0.0) return state;
  if (statistics == Statistics::classical) {
    state.rho_p = (rho / bath.density) * bath.rho_b;  // (20)
    state.A = bath.density / rho;
  } else {
    const FugacitySolution root = solve_fugacity(bath, rho, A_guess);
    state.A = root.A;
    for (Eigen::Index i = 0; i < size; ++i) {
      const double rb = bath.rho_b[i];
      state.rho_p[i] = rb / (kTwoPi * (rb + root.A));  // (40)
      state.hole[i] = root.A / (rb + root.A);
    }
  }
  state.n = kTwoPi * state.rho_p;
  state.residual = bath.grid.integrate(state.rho_p) - rho;
  return state;
}

double st_product(const DiscreteBath& bath, const StationaryState& state,
                  const Eigen::VectorXd& phi_psi) {
  return (bath.grid.weight.array() * state.rho_p.array() * state.hole.array() * phi_psi.array())
      .sum();
}

Eigen::VectorXd drho_st_drho(const DiscreteBath& bath, const StationaryState& state) {
  if (state.density == 0.0) return bath.rho_b / bath.density;  // rho -> 0: both are (20)
  const double h0h0 = st_product(bath, state, Eigen::VectorXd::Ones(bath.rho_b.size()));
  return (state.rho_p.array() * state.hole.array()).matrix() / h0h0;  // (87)
}

Eigen::VectorXd fixed_n_occupations(const Eigen::VectorXd& n, const Eigen::VectorXd& hole, long cells,
                                    long particles) {
  VSWAP_EXPECTS(n.size() == hole.size() && cells >= 1 && particles >= 1, "fixed_n_occupations: bad arguments");
  const auto K = static_cast<std::size_t>(n.size());
  const auto N = static_cast<std::size_t>(particles);
  // cost K N^2, memory 2 K N doubles
  if (static_cast<double>(K) * static_cast<double>(N + 1) * static_cast<double>(N + 1) > 5e7 ||
      static_cast<double>(K) * static_cast<double>(N + 1) > 4e6)
    return {};
  // the law of the count of m Pauli cells of occupation p, truncated at N
  const auto binomial = [&](std::size_t k, long m) {
    std::vector<double> law(N + 1, 0.0);
    const double p = n[static_cast<Eigen::Index>(k)], q = hole[static_cast<Eigen::Index>(k)];
    if (p <= 0.0) {
      law[0] = 1.0;
      return law;
    }
    const double lp = std::log(p), lq = std::log(q), lm = std::lgamma(static_cast<double>(m) + 1);
    for (std::size_t c = 0; c <= N && static_cast<long>(c) <= m; ++c) {
      const double cd = static_cast<double>(c);
      law[c] = std::exp(lm - std::lgamma(cd + 1) - std::lgamma(static_cast<double>(m) - cd + 1) + cd * lp +
                        (static_cast<double>(m) - cd) * lq);
    }
    return law;
  };
  const auto convolve = [&](const std::vector<double>& a, const std::vector<double>& b) {
    std::vector<double> out(N + 1, 0.0);
    for (std::size_t i = 0; i <= N; ++i) {
      if (a[i] == 0.0) continue;
      for (std::size_t j = 0; i + j <= N; ++j) out[i + j] += a[i] * b[j];
    }
    return out;
  };
  // prefix[k]: the classes before k, all their cells; suffix[k]: the classes after k
  std::vector<std::vector<double>> laws(K), prefix(K + 1), suffix(K + 1);
  for (std::size_t k = 0; k < K; ++k) laws[k] = binomial(k, cells);
  std::vector<double> unit(N + 1, 0.0);
  unit[0] = 1.0;
  prefix[0] = unit;
  for (std::size_t k = 0; k < K; ++k) prefix[k + 1] = convolve(prefix[k], laws[k]);
  suffix[K] = unit;
  for (std::size_t k = K; k-- > 0;) suffix[k] = convolve(suffix[k + 1], laws[k]);
  Eigen::VectorXd out(static_cast<Eigen::Index>(K));
  for (std::size_t k = 0; k < K; ++k) {
    // the other Pauli cells' law at N - 1 and N only: the last convolution in two sums
    const auto rest = convolve(prefix[k], suffix[k + 1]);
    const auto own = binomial(k, cells - 1);
    double at[2] = {0.0, 0.0};
    for (std::size_t c = 0; c < N; ++c) at[0] += own[c] * rest[N - 1 - c];
    for (std::size_t c = 0; c <= N; ++c) at[1] += own[c] * rest[N - c];
    const double p = n[static_cast<Eigen::Index>(k)], q = hole[static_cast<Eigen::Index>(k)];
    const double in = p * at[0], out_ = q * at[1];
    out[static_cast<Eigen::Index>(k)] = in + out_ > 0 ? in / (in + out_) : p;
  }
  return out;
}

}  // namespace vswap::theory
