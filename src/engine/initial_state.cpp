#include "engine/initial_state.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <vswap/error.hpp>
#include <vswap/math.hpp>

namespace vswap::engine {
namespace {

/// Position draw q of particle i (q > 0: a fermion moved out of a full cell).
double initial_position(const Plan& p, StreamKey key, std::uint32_t i, std::uint32_t q = 0) {
  const auto& sys = p.config.system;
  const Philox4x32 d = draw(key, i, 0, Purpose::init_position, q);
  if (sys.profile == Profile::uniform) return wrap(sys.length * uniform52_open(d.v[0], d.v[1]), sys.length);
  return wrap(0.5 * sys.length + sys.width * standard_normal(d.v[0], d.v[1]), sys.length);
}

/// Velocity proposal r (r-th redraw) of particle i: classical value, or a lattice class.
double proposal_velocity(const Plan& p, StreamKey key, std::uint32_t i, std::uint32_t r) {
  const Philox4x32 d = draw(key, i, 0, Purpose::init_velocity, r);
  if (p.config.system.velocities == InitialVelocities::thermal)
    return std::sqrt(p.config.system.temperature) * standard_normal(d.v[0], d.v[1]);
  return sample_continuous(p.continuous.view(), d.v[0], d.v[1], d.v[2]);
}

std::int32_t proposal_class(const Plan& p, StreamKey key, std::uint32_t i, std::uint32_t r) {
  const Philox4x32 d = draw(key, i, 0, Purpose::init_velocity, r);
  if (p.config.system.velocities == InitialVelocities::thermal) {
    const double v = std::sqrt(p.config.system.temperature) * standard_normal(d.v[0], d.v[1]);
    const auto k = static_cast<std::int32_t>(math::floor(v / p.lattice.dl + 0.5)) - p.lattice.j_lo;
    return (k < 0 || k >= p.lattice.classes) ? -1 : k;
  }
  return alias_sample(p.class_alias.view(), d.v[0]);
}

/// The probability that `proposal_class` returns class k (its law before the Pauli check).
double proposal_class_prob(const Plan& p, std::int32_t k) {
  if (p.config.system.velocities != InitialVelocities::thermal) return p.class_prob[static_cast<std::size_t>(k)];
  const double s = std::sqrt(2.0 * p.config.system.temperature), j = k + p.lattice.j_lo;
  return 0.5 * (std::erfc(-(j + 0.5) * p.lattice.dl / s) - std::erfc(-(j - 0.5) * p.lattice.dl / s));
}

/// Bath and thermal fermions whose redraws all met taken classes: the class drawn directly
/// from the proposal law restricted to the classes free in cell c (the law redrawing would
/// reach), or -1 when no free class has weight.
std::int32_t restricted_class(const Plan& p, StreamKey key, std::uint32_t i, const PauliTable& table,
                              std::int32_t c) {
  const std::int32_t K = p.lattice.classes;
  double total = 0;
  for (std::int32_t k = 0; k < K; ++k)
    if (table.at(k, c) == kPauliEmpty) total += proposal_class_prob(p, k);
  if (!(total > 0)) return -1;
  const double u = uniform_open(draw(key, i, 0, Purpose::init_velocity, static_cast<std::uint32_t>(p.max_redraws)).v[0]);
  double below = 0;
  std::int32_t last = -1;
  for (std::int32_t k = 0; k < K; ++k) {
    if (table.at(k, c) != kPauliEmpty) continue;
    const double q = proposal_class_prob(p, k);
    if (q > 0) last = k;
    below += q;
    if (u * total < below) return k;
  }
  return last;  // rounding in the sum
}

/// Images of the Gaussian on each side that the wrapped profile sums: the first left out
/// is more than 10 widths away (exp(-50) of the peak), as in gaussian_bin_averages. Five
/// images in all, as before, left 2% of the density out near the ends at width = L.
int gaussian_images(const SystemConfig& sys) {
  return static_cast<int>(std::ceil(10.0 * sys.width / sys.length)) + 1;
}

/// The wrapped Gaussian profile at x, up to a constant.
double profile_shape(const SystemConfig& sys, double x) {
  double f = 0;
  const int images = gaussian_images(sys);
  for (int m = -images; m <= images; ++m) {
    const double z = (x - 0.5 * sys.length + m * sys.length) / sys.width;
    f += math::exp(-0.5 * z * z);
  }
  return f;
}

/// The particles of each cell under the initial profile: N times its mass in the cell.
std::vector<double> cell_means(const Plan& p) {
  const auto& sys = p.config.system;
  const Lattice& g = p.lattice;
  const auto M = static_cast<std::size_t>(g.cells);
  std::vector<double> mu(M, static_cast<double>(p.particles) / static_cast<double>(M));
  if (sys.profile == Profile::uniform) return mu;
  double total = 0;
  const int images = gaussian_images(sys);
  for (std::size_t c = 0; c < M; ++c) {
    double mass = 0;
    for (int m = -images; m <= images; ++m) {
      const double a = (static_cast<double>(c) * g.ell - 0.5 * sys.length + m * sys.length) / sys.width;
      const double b = (static_cast<double>(c + 1) * g.ell - 0.5 * sys.length + m * sys.length) / sys.width;
      mass += 0.5 * (b <= 0 ? std::erfc(-b / M_SQRT2) - std::erfc(-a / M_SQRT2)
                            : std::erfc(a / M_SQRT2) - std::erfc(b / M_SQRT2));
    }
    total += mu[c] = mass;
  }
  for (double& m : mu) m *= static_cast<double>(p.particles) / total;
  return mu;
}

/// Particle counts of the cells under (40), conditioned on their sum being N: independent
/// draws from Plan::count_cdf, repeated until the sum is N (a try succeeds with probability
/// ~ 1 / (sqrt(2 pi) count_sigma)). Try t of cells 4b..4b+3 uses draw (b, t, init_count).
std::vector<std::int32_t> stationary_counts(const Plan& p, StreamKey key, std::uint32_t realization) {
  const auto M = static_cast<std::size_t>(p.lattice.cells);
  const auto N = static_cast<std::int64_t>(p.particles);
  std::vector<std::int32_t> k(M);
  const auto tries = static_cast<std::uint32_t>(std::min(1e9, 100.0 * (p.count_sigma + 1.0)));
  for (std::uint32_t t = 0; t < tries; ++t) {
    std::int64_t total = 0;
    Philox4x32 d{};
    for (std::size_t c = 0; c < M && total <= N; ++c) {
      if ((c & 3) == 0) d = draw(key, static_cast<std::uint32_t>(c >> 2), t, Purpose::init_count);
      const double* cdf = p.count_cdf.data() + p.count_offset[c];
      const double* end = p.count_cdf.data() + p.count_offset[c + 1];
      k[c] = static_cast<std::int32_t>(std::lower_bound(cdf, end - 1, uniform_open(d.v[c & 3])) - cdf);
      total += k[c];
    }
    if (total == N) return k;
  }
  throw std::runtime_error(fmt::format("realization {}: no stationary cell counts summing to N = {} in {} tries "
                                       "(expected ~{:.0f})", realization, N, tries, 2.5 * p.count_sigma + 1));
}

/// Positions of a stationary start: k_c in cell c, each from the profile restricted to the
/// cell (rejection; draw (i, 0, init_position, try)), then shuffled over the particle
/// indices (draw (i, 1, init_position)) so that index order, which settles Pauli claims,
/// says nothing about where a particle started.
void stationary_positions(const Plan& p, StreamKey key, const std::vector<std::int32_t>& counts,
                          std::vector<double>& x) {
  const auto& sys = p.config.system;
  const Lattice& g = p.lattice;
  std::uint32_t i = 0;
  for (std::int32_t c = 0; c < g.cells; ++c) {
    if (counts[static_cast<std::size_t>(c)] == 0) continue;
    const double a = c * g.ell, b = (c + 1) * g.ell;
    double fmax = 1;
    if (sys.profile == Profile::gaussian) {
      fmax = std::max(profile_shape(sys, a), profile_shape(sys, b));
      if (a <= 0.5 * sys.length && 0.5 * sys.length <= b) fmax = profile_shape(sys, 0.5 * sys.length);
    }
    for (std::int32_t n = 0; n < counts[static_cast<std::size_t>(c)]; ++n, ++i) {
      for (std::uint32_t r = 0;; ++r) {
        if (r > 0xffffu) throw std::logic_error("stationary start: no position accepted in 65536 tries");
        const Philox4x32 d = draw(key, i, 0, Purpose::init_position, r);
        const double y = a + g.ell * uniform52_open(d.v[0], d.v[1]);
        if (cell_of(y, g) != c) continue;
        if (sys.profile == Profile::uniform || uniform_open(d.v[2]) * fmax <= profile_shape(sys, y)) {
          x[i] = y;
          break;
        }
      }
    }
  }
  for (std::size_t m = x.size(); m-- > 1;) {
    const std::uint32_t j = uniform_index(draw(key, static_cast<std::uint32_t>(m), 1, Purpose::init_position).v[0],
                                          static_cast<std::uint32_t>(m + 1));
    std::swap(x[m], x[j]);
  }
}

/// Fill each cell's k members with k distinct classes, P(S) proportional to prod_{j in S} P_j.
void stationary_classes(const Plan& p, StreamKey key, const std::vector<double>& x,
                        std::vector<std::int32_t>& cls) {
  const Lattice& g = p.lattice;
  const auto K = static_cast<std::size_t>(g.classes);
  std::vector<std::vector<std::int32_t>> members(static_cast<std::size_t>(g.cells));
  std::size_t kmax = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    auto& m = members[static_cast<std::size_t>(cell_of(x[i], g))];
    m.push_back(static_cast<std::int32_t>(i));
    kmax = std::max(kmax, m.size());
  }
  if (kmax > K)
    throw InputError("system.particles", fmt::format("a cell received {} fermions but the lattice has only {} "
                                                     "classes", kmax, K));
  // W[m][k]: sum over k-subsets of classes m..K-1 of prod P'_j, P' = P / max P.
  double pmax = 0;
  for (double q : p.class_prob) pmax = std::max(pmax, q);
  std::vector<double> w(K);
  for (std::size_t j = 0; j < K; ++j) w[j] = p.class_prob[j] / pmax;
  const std::size_t cols = kmax + 1;
  std::vector<double> W((K + 1) * cols, 0.0);
  W[K * cols + 0] = 1.0;
  for (std::size_t m = K; m-- > 0;)
    for (std::size_t k = 0; k < cols; ++k)
      W[m * cols + k] = W[(m + 1) * cols + k] + (k > 0 ? w[m] * W[(m + 1) * cols + k - 1] : 0.0);
  for (std::int32_t c = 0; c < g.cells; ++c) {
    const auto& m = members[static_cast<std::size_t>(c)];
    std::size_t need = m.size();
    if (need == 0) continue;
    if (!(W[need] > 0) || !std::isfinite(W[need]))
      throw InputError("system.particles", fmt::format("cannot place {} fermions in one cell: the bath "
                                                       "weights of the lattice are too small", need));
    std::vector<std::int32_t> chosen;
    Philox4x32 d{};
    for (std::size_t j = 0; j < K && need > 0; ++j) {
      if ((j & 3) == 0) d = draw(key, static_cast<std::uint32_t>(c), 0, Purpose::init_stationary, static_cast<std::uint32_t>(j >> 2));
      const double include = w[j] * W[(j + 1) * cols + need - 1] / W[j * cols + need];
      if (uniform_open(d.v[j & 3]) < include) {
        chosen.push_back(static_cast<std::int32_t>(j));
        --need;
      }
    }
    // The cell's classes to its members in a uniformly random order (Fisher-Yates, draws
    // (cell, 1, init_stationary, t)): given in increasing class to increasing index, the lowest
    // index held the lowest class, a state the exact scheme (attempts settled in index order)
    // does not keep: at gamma rho_bath dt = 1 the class chi^2/dof rose from 1.1 to ~100 in one
    // step before relaxing back.
    for (std::size_t t = chosen.size(); t > 1; --t) {
      const Philox4x32 e = draw(key, static_cast<std::uint32_t>(c), 1, Purpose::init_stationary, static_cast<std::uint32_t>(t));
      std::swap(chosen[t - 1], chosen[uniform_index(e.v[0], static_cast<std::uint32_t>(t))]);
    }
    for (std::size_t a = 0; a < chosen.size(); ++a) cls[static_cast<std::size_t>(m[a])] = chosen[a];
  }
}

}  // namespace

void plan_stationary_counts(Plan& p) {
  const Lattice& g = p.lattice;
  const auto M = static_cast<std::size_t>(g.cells);
  std::vector<double> P;  // the classes of positive weight
  for (double q : p.class_prob)
    if (q > 0) P.push_back(q);
  const std::vector<double> mu = cell_means(p);
  p.count_cdf.clear();
  p.count_offset.assign(1, 0);
  double var = 0;
  std::vector<double> n(P.size()), q;
  for (std::size_t c = 0; c < M; ++c) {
    q.assign(1, 1.0);  // P(k_c = k), k = 0..kcap
    if (mu[c] > 1e-300) {
      if (!(mu[c] < 0.999 * static_cast<double>(P.size())))
        throw InputError("system.particles", fmt::format("cell {} would hold {:.1f} fermions on average, more than "
                                                         "the lattice's {} classes of positive weight allow",
                                                         c, mu[c], P.size()));
      // (40) on the lattice: n_j = P_j / (P_j + a), a from sum_j n_j = mu_c (monotone in a)
      double lo = 1e-300, hi = 1e300;
      for (int it = 0; it < 200; ++it) {
        const double a = std::sqrt(lo * hi);
        double sum = 0;
        for (double pj : P) sum += pj / (pj + a);
        (sum > mu[c] ? lo : hi) = a;
      }
      const double a = std::sqrt(lo * hi);
      const auto kcap = static_cast<std::size_t>(
          std::min<double>(static_cast<double>(P.size()), std::ceil(mu[c] + 12.0 * std::sqrt(mu[c]) + 30.0)));
      for (std::size_t j = 0; j < P.size(); ++j) {
        n[j] = P[j] / (P[j] + a);
        var += n[j] * (1 - n[j]);
        const std::size_t top = std::min(q.size(), kcap);  // Poisson-binomial, truncated at kcap
        if (q.size() <= kcap) q.push_back(0.0);
        for (std::size_t k = top; k > 0; --k) q[k] = q[k] * (1 - n[j]) + q[k - 1] * n[j];
        q[0] *= 1 - n[j];
      }
    }
    double cum = 0, total = 0;
    for (double v : q) total += v;
    for (double v : q) p.count_cdf.push_back(cum += v / total);
    p.count_cdf.back() = 1.0;
    p.count_offset.push_back(p.count_cdf.size());
  }
  p.count_sigma = std::sqrt(var);
  const double work = (2.5 * p.count_sigma + 1.0) * static_cast<double>(M);
  if (work > 2e9)
    throw InputError("system.velocities", fmt::format("\"stationary\" needs ~{:.2g} draws per realization to fix the "
                                                      "particle number (total standard deviation {:.0f}); use "
                                                      "\"bath\" for a system this large", work, p.count_sigma));
}

InitialState initial_state(const Plan& p, std::uint32_t realization) {
  const StreamKey key = p.key(realization);
  const auto n = static_cast<std::size_t>(p.particles);
  InitialState s;
  s.x.resize(n);
  if (p.fermi && p.config.system.velocities == InitialVelocities::stationary) {
    stationary_positions(p, key, stationary_counts(p, key, realization), s.x);
    s.cls.assign(n, -1);
    stationary_classes(p, key, s.x, s.cls);
    return s;
  }
  for (std::size_t i = 0; i < n; ++i) s.x[i] = initial_position(p, key, static_cast<std::uint32_t>(i));
  if (!p.fermi) {
    s.v.resize(n);
    for (std::size_t i = 0; i < n; ++i) s.v[i] = proposal_velocity(p, key, static_cast<std::uint32_t>(i), 0);
    return s;
  }
  s.cls.assign(n, -1);
  const Lattice& g = p.lattice;
  std::vector<std::int32_t> occ(static_cast<std::size_t>(g.classes) * static_cast<std::size_t>(g.cells), kPauliEmpty);
  const PauliTable table{occ.data(), g.classes, g.cells};
  // A cell that holds a fermion in every class of weight (a rare fluctuation of the
  // independent positions) cannot take one more: that fermion gets a new position from the
  // profile (position draw q + 1), i.e. the positions are conditioned on fitting.
  constexpr std::uint32_t kMaxMoves = 1000;
  for (std::size_t i = 0; i < n; ++i) {
    const auto id = static_cast<std::uint32_t>(i);
    for (std::uint32_t q = 0;; ++q) {
      const std::int32_t c = cell_of(s.x[i], g);
      std::int32_t k = -1;
      for (std::int32_t r = 0; r < p.max_redraws && k < 0; ++r) {
        const std::int32_t j = proposal_class(p, key, id, static_cast<std::uint32_t>(r));
        if (j >= 0 && table.at(j, c) == kPauliEmpty) k = j;
      }
      if (k < 0) k = restricted_class(p, key, id, table, c);  // degenerate cell: the same law, directly
      if (k >= 0) {
        table.at(k, c) = static_cast<std::int32_t>(i);
        s.cls[i] = k;
        break;
      }
      if (q + 1 == kMaxMoves)
        throw InputError("system.velocities", fmt::format(
            "realization {}: fermion {} found no cell with a free velocity class of weight in {} positions; "
            "use a wider profile, fewer particles or larger cells (more classes)", realization, i, kMaxMoves));
      s.x[i] = initial_position(p, key, id, q + 1);
    }
  }
  return s;
}

}  // namespace vswap::engine
