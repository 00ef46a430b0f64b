#include "engine/initial_state.hpp"

#include <fmt/format.h>

#include <cmath>

#include <vswap/error.hpp>

namespace vswap::engine {
namespace {

double initial_position(const Plan& p, StreamKey key, std::uint32_t i) {
  const auto& sys = p.config.system;
  const Philox4x32 d = draw(key, i, 0, Purpose::init_position, 0);
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
    std::size_t filled = 0;
    Philox4x32 d{};
    for (std::size_t j = 0; j < K && need > 0; ++j) {
      if ((j & 3) == 0) d = draw(key, static_cast<std::uint32_t>(c), 0, Purpose::init_stationary, static_cast<std::uint32_t>(j >> 2));
      const double include = w[j] * W[(j + 1) * cols + need - 1] / W[j * cols + need];
      if (uniform_open(d.v[j & 3]) < include) {
        cls[static_cast<std::size_t>(m[filled++])] = static_cast<std::int32_t>(j);
        --need;
      }
    }
  }
}

}  // namespace

InitialState initial_state(const Plan& p, std::uint32_t realization) {
  const StreamKey key = p.key(realization);
  const auto n = static_cast<std::size_t>(p.particles);
  InitialState s;
  s.x.resize(n);
  for (std::size_t i = 0; i < n; ++i) s.x[i] = initial_position(p, key, static_cast<std::uint32_t>(i));
  if (!p.fermi) {
    s.v.resize(n);
    for (std::size_t i = 0; i < n; ++i) s.v[i] = proposal_velocity(p, key, static_cast<std::uint32_t>(i), 0);
    return s;
  }
  s.cls.assign(n, -1);
  if (p.config.system.velocities == InitialVelocities::stationary) {
    stationary_classes(p, key, s.x, s.cls);
    return s;
  }
  const Lattice& g = p.lattice;
  std::vector<std::int32_t> occ(static_cast<std::size_t>(g.classes) * static_cast<std::size_t>(g.cells), kPauliEmpty);
  const PauliTable table{occ.data(), g.classes, g.cells};
  for (std::size_t i = 0; i < n; ++i) {
    const std::int32_t c = cell_of(s.x[i], g);
    bool placed = false;
    for (std::int32_t r = 0; r < p.max_redraws && !placed; ++r) {
      const std::int32_t k = proposal_class(p, key, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(r));
      if (k >= 0 && table.at(k, c) == kPauliEmpty) {
        table.at(k, c) = static_cast<std::int32_t>(i);
        s.cls[i] = k;
        placed = true;
      }
    }
    if (!placed)
      throw InputError("system.velocities", fmt::format(
          "realization {}: fermion {} found no free class in its cell after {} redraws (the cell is "
          "degenerate for these initial velocities); use velocities = \"stationary\", a wider "
          "profile or fewer particles", realization, i, p.max_redraws));
  }
  return s;
}

}  // namespace vswap::engine
