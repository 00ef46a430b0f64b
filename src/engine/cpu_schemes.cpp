#include "engine/cpu_schemes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include <vswap/error.hpp>
#include <vswap/observables.hpp>
#include <vswap/particle_step.hpp>

#include "engine/attempt_calendar.hpp"
#include "engine/cpu_simd.hpp"
#include "engine/initial_state.hpp"

namespace vswap::engine {

void RealizationObs::reset(std::size_t times, std::size_t bins, std::size_t classes) {
  density.assign(times * bins, 0);
  velocity.assign(times * classes, 0);
  energy.assign(times, 0);
  swaps.assign(times, 0);
  rejected.assign(times, 0);
  rescattered.assign(times, 0);
  saturated.assign(times, 0);
}

namespace {

// The hot loops are compiled twice: for the x86-64 baseline and for AVX2 (chosen at load
// time). AVX2 brings SSE4.1's roundsd (math::floor in one instruction) and wider integer
// vectors for Philox; it does not bring FMA, and CMake passes -ffp-contract=off, so
// every double operation rounds exactly as in the baseline build and on the GPU
// (-fmad=false): the clones give identical bits (Bench.DISABLED_OutputFingerprint).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(VSWAP_NO_CLONES)
#define VSWAP_CPU_HOT __attribute__((target_clones("avx2", "default")))
#else
#define VSWAP_CPU_HOT
#endif

struct Counters {
  std::int64_t swaps = 0, rejected = 0, rescattered = 0, saturated = 0;
};

/// Adds one particle at position x with velocity v (class k for fermions) to time o.
struct Observer {
  const Plan& p;
  RealizationObs& obs;
  void add(std::size_t o, double x, double v, std::int32_t k) const {
    const auto B = static_cast<std::size_t>(p.density_bins), K = static_cast<std::size_t>(p.velocity_bins);
    ++obs.density[o * B + static_cast<std::size_t>(density_bin(x, p.lattice.length, p.density_bins))];
    const std::int32_t vb = p.fermi ? k : velocity_bin(v, p.velocity_min, p.velocity_width, p.velocity_bins);
    if (vb >= 0) ++obs.velocity[o * K + static_cast<std::size_t>(vb)];
    obs.energy[o] += energy_fixed(v, p.energy_scale);
  }
  void counters(std::size_t o, const Counters& c) const {
    obs.swaps[o] = c.swaps;
    obs.rejected[o] = c.rejected;
    obs.rescattered[o] = c.rescattered;
    obs.saturated[o] = c.saturated;
  }
};

[[noreturn]] void invariant_broken(const std::string& what, std::uint32_t r, std::int64_t step) {
  throw std::logic_error(fmt::format("invariant broken in realization {} at step {}: {}", r, step, what));
}

#if defined(VSWAP_HAVE_AVX2_PATH)
namespace lanes4 {
using namespace simd;
#define VSWAP_LANES_FN VSWAP_AVX2_FN
#define VSWAP_LANES_INLINE VSWAP_AVX2_INLINE
#include "scheme_lanes.inc"
#undef VSWAP_LANES_FN
#undef VSWAP_LANES_INLINE
}  // namespace lanes4

namespace lanes8 {
using namespace simd512;
#define VSWAP_LANES_FN VSWAP_AVX512_FN
#define VSWAP_LANES_INLINE VSWAP_AVX512_INLINE
#include "scheme_lanes.inc"
#undef VSWAP_LANES_FN
#undef VSWAP_LANES_INLINE
}  // namespace lanes8
#endif

/// A `paper` fermion cell's bath sample in a buffer (PaperBathBuffer's classes) whose (C2)
/// count runs on the lanes; `check`: compared with the scalar paper_free_count.
struct LaneBathBuffer {
  const std::int32_t* cls;
  int lanes;
  bool check;
  std::uint32_t r, cell, step;
  std::int32_t operator()(std::int32_t b) const { return cls[b]; }
  std::int32_t free_count(const std::uint64_t* bits, std::int32_t count) const {
    std::int32_t n = -1;
#if defined(VSWAP_HAVE_AVX2_PATH)
    if (lanes == 8) n = lanes8::paper_free_count_lanes(cls, bits, count);
    else if (lanes == 4) n = lanes4::paper_free_count_lanes(cls, bits, count);
#endif
    if (n < 0 || check) {
      PaperBathBuffer scalar{cls};
      const std::int32_t want = paper_free_count(scalar, bits, count);
      if (n >= 0 && n != want)
        invariant_broken(fmt::format("{}-lane count of free bath states of cell {} is {}, the scalar one {}", lanes,
                                     cell, n, want), r, step);
      n = want;
    }
    return n;
  }
};

/// Every particle's first attempt step, filed in the calendar.
void schedule_first_attempts(StreamKey key, double rate_dt, std::vector<std::uint32_t>& next,
                             AttemptCalendar& calendar) {
  for (std::size_t i = 0; i < next.size(); ++i) {
    next[i] = first_attempt_step(key, static_cast<std::uint32_t>(i), rate_dt);
    calendar.push(static_cast<std::uint32_t>(i), next[i]);
  }
}

VSWAP_CPU_HOT void exact_fermions(const Plan& p, std::uint32_t r, bool check, RealizationObs& obs) {
  const StreamKey key = p.key(r);
  const Lattice& g = p.lattice;
  const auto n = static_cast<std::size_t>(p.particles);
  InitialState s0 = initial_state(p, r);
  std::vector<double> y = std::move(s0.x);  // t = 0: y = x
  std::vector<std::int32_t> cls = std::move(s0.cls);
  const std::size_t table_size = static_cast<std::size_t>(g.classes) * static_cast<std::size_t>(g.cells);
  std::vector<std::int32_t> occ(table_size, kPauliEmpty);
  const PauliTable table{occ.data(), g.classes, g.cells};
  std::vector<std::int32_t> cell(n);
  for (std::size_t i = 0; i < n; ++i) {
    cell[i] = cell_of(y[i], g);
    table.at(cls[i], cell[i]) = static_cast<std::int32_t>(i);
  }
  std::vector<std::uint32_t> next(n);
  AttemptCalendar calendar(p.rate_dt, n);
  schedule_first_attempts(key, p.rate_dt, next, calendar);
  const AliasView bath = p.class_alias.view();
  int lanes = 0;  // the lane code's width (0: scalar only)
#if defined(VSWAP_HAVE_AVX2_PATH)
  if (p.rate_dt > 0) lanes = simd::lanes_available();
#endif
  std::vector<std::int32_t> due;
  std::vector<FermionProposal> prop;
  Counters count;

  auto check_pauli = [&](std::int64_t step) {
    std::size_t occupied = 0;
    for (std::int32_t v : occ) occupied += v != kPauliEmpty;
    if (occupied != n) invariant_broken(fmt::format("{} occupied Pauli cells for {} particles", occupied, n), r, step);
    for (std::size_t i = 0; i < n; ++i)
      if (table.at(cls[i], cell_of(y[i], g)) != static_cast<std::int32_t>(i))
        invariant_broken(fmt::format("particle {} is not in its Pauli cell", i), r, step);
  };

  std::uint32_t s = 0;
  const Observer observer{p, obs};
  for (std::size_t o = 0; o < p.obs_steps.size(); ++o) {
    for (; s < p.obs_steps[o]; ++s) {
      calendar.pop_sorted(s, next, due);
      // The step's attempts one after another in increasing particle index, each seeing the
      // table as the ones before it left it: every attempt is a move in detailed balance
      // with (40), so the lattice's stationary state is (40) at any dt. (All attempts seeing
      // the table as at the start of the step, the lowest index winning a shared target,
      // broke detailed balance at order gamma rho_bath dt: +5% of e per unit of it.)
      prop.resize(due.size());
      std::size_t vec_done = 0;
#if defined(VSWAP_HAVE_AVX2_PATH)
      if (lanes == 8)
        vec_done = lanes8::exact_fermion_propose_lanes(key, s, due.data(), due.size(), y.data(), cls.data(), g, bath,
                                                       p.dt, p.rate_dt, prop.data());
      else if (lanes == 4)
        vec_done = lanes4::exact_fermion_propose_lanes(key, s, due.data(), due.size(), y.data(), cls.data(), g, bath,
                                                       p.dt, p.rate_dt, prop.data());
#endif
      for (std::size_t a = 0; a < due.size(); ++a) {
        const auto i = static_cast<std::size_t>(due[a]);
        if (a >= vec_done || check) {
          const FermionProposal q =
              exact_fermion_propose(key, static_cast<std::uint32_t>(i), s, y[i], cls[i], g, bath, p.dt, p.rate_dt);
          if (a < vec_done && (q.cls != prop[a].cls || q.cell != prop[a].cell || q.next != prop[a].next ||
                               std::memcmp(&q.y, &prop[a].y, sizeof(double)) != 0))
            invariant_broken(fmt::format("{}-lane proposal of particle {} differs from the scalar function", lanes, i), r, s);
          prop[a] = q;
        }
      }
      for (std::size_t a = 0; a < due.size(); ++a) {
        const auto i = static_cast<std::size_t>(due[a]);
        if (exact_fermion_settle(table, due[a], prop[a], cls[i], cell[i], y[i])) {
          ++count.swaps;
        } else {
          ++count.rejected;
        }
        next[i] = prop[a].next;
        calendar.push(static_cast<std::uint32_t>(i), next[i]);
      }
      if (check) check_pauli(s + 1);
    }
    check_pauli(s);
    const double t = static_cast<double>(s) * p.dt;
    for (std::size_t i = 0; i < n; ++i) {
      const double v = class_velocity(g, cls[i]);
      observer.add(o, comoving_position(y[i], v, t, g.length), v, cls[i]);
    }
    observer.counters(o, count);
  }
}

VSWAP_CPU_HOT void exact_classical(const Plan& p, std::uint32_t r, bool check, RealizationObs& obs) {
  const StreamKey key = p.key(r);
  const auto n = static_cast<std::size_t>(p.particles);
  InitialState s0 = initial_state(p, r);
  std::vector<double> y = std::move(s0.x), v = std::move(s0.v);
  std::vector<std::uint32_t> next(n);
  AttemptCalendar calendar(p.rate_dt, n);
  schedule_first_attempts(key, p.rate_dt, next, calendar);
  const ContinuousBathView bath = p.continuous.view();
#if defined(VSWAP_HAVE_AVX2_PATH)
  // the lane code: Gaussian-mixture baths (table baths and rate 0 stay scalar)
  const int lanes = bath.kind == ContinuousBathView::mixture && p.rate_dt > 0 ? simd::lanes_available() : 0;
#endif
  std::vector<std::int32_t> due;
  Counters count;
  std::uint32_t s = 0;
  const Observer observer{p, obs};
  for (std::size_t o = 0; o < p.obs_steps.size(); ++o) {
    for (; s < p.obs_steps[o]; ++s) {
      calendar.pop(s, next, due);
      std::size_t done = 0;
#if defined(VSWAP_HAVE_AVX2_PATH)
      if (lanes == 8)
        done = lanes8::exact_classical_lanes(key, s, due.data(), due.size(), y.data(), v.data(), next.data(), bath,
                                             p.lattice.length, p.dt, p.rate_dt, check);
      else if (lanes == 4)
        done = lanes4::exact_classical_lanes(key, s, due.data(), due.size(), y.data(), v.data(), next.data(), bath,
                                             p.lattice.length, p.dt, p.rate_dt, check);
#endif
      for (std::size_t a = done; a < due.size(); ++a) {
        const auto u = static_cast<std::size_t>(due[a]);
        next[u] = exact_classical_swap(key, static_cast<std::uint32_t>(u), s, y[u], v[u], bath, p.lattice.length, p.dt,
                                       p.rate_dt);
      }
      for (std::int32_t i : due) calendar.push(static_cast<std::uint32_t>(i), next[static_cast<std::size_t>(i)]);
      count.swaps += static_cast<std::int64_t>(due.size());
      if (check && y.size() != n) invariant_broken("particle number changed", r, s + 1);
    }
    const double t = static_cast<double>(s) * p.dt;
    for (std::size_t i = 0; i < n; ++i) observer.add(o, comoving_position(y[i], v[i], t, p.lattice.length), v[i], -1);
    observer.counters(o, count);
  }
}

/// Scalar reference of `event` for particles [begin, end): event_start / event_advance.
VSWAP_CPU_HOT void event_scalar(const Plan& p, StreamKey key, const InitialState& s0, std::size_t begin,
                                std::size_t end, RealizationObs& obs) {
  const ContinuousBathView bath = p.continuous.view();
  const double L = p.lattice.length;
  const Observer observer{p, obs};
  // Particle by particle through all observation times (each particle is independent).
  for (std::size_t i = begin; i < end; ++i) {
    EventParticle e = event_start(s0.x[i], s0.v[i], key, static_cast<std::uint32_t>(i), bath, p.rate);
    for (std::size_t o = 0; o < p.obs_times.size(); ++o) {
      const double t = p.obs_times[o];
      event_advance(e, t, key, static_cast<std::uint32_t>(i), bath, p.rate, L);
      obs.swaps[o] += e.k;  // swaps done by time t
      observer.add(o, event_position(e, t, L), e.v, -1);
    }
  }
}

void event_classical(const Plan& p, std::uint32_t r, bool check, RealizationObs& obs) {
  const StreamKey key = p.key(r);
  const auto n = static_cast<std::size_t>(p.particles);
  const InitialState s0 = initial_state(p, r);
  std::size_t done = 0;
  (void)check;  // only the AVX2 path has something to check
#if defined(VSWAP_HAVE_AVX2_PATH)
  if (p.continuous.view().kind == ContinuousBathView::mixture && p.rate > 0) {
    const int lanes = simd::lanes_available();
    if (lanes == 8) done = lanes8::event_lanes(p, key, s0, check, obs);
    else if (lanes == 4) done = lanes4::event_lanes(p, key, s0, check, obs);
  }
#endif
  event_scalar(p, key, s0, done, n, obs);
}

VSWAP_CPU_HOT void paper_scheme(const Plan& p, std::uint32_t r, bool check, RealizationObs& obs) {
  const StreamKey key = p.key(r);
  const Lattice& g = p.lattice;
  const auto n = static_cast<std::size_t>(p.particles);
  InitialState s0 = initial_state(p, r);
  std::vector<double> x = std::move(s0.x), v = std::move(s0.v);
  std::vector<std::int32_t> cls = std::move(s0.cls);
  const auto M = static_cast<std::size_t>(g.cells);
  std::vector<std::int32_t> start(M + 1), fill(M), order(n), cellv(n);
  std::vector<std::uint64_t> bits(static_cast<std::size_t>(g.classes) / 64 + 1, 0);
  const PaperParams params = p.paper_params();
  // fermions: a cell's explicit bath sample, its N_bath classes drawn on vector lanes where
  // there are (PaperBathDraws' bits; 32 = 4 words x 8 lanes of room for the last block),
  // counted there too (LaneBathBuffer) and read again by paper_fermion_cell when it swaps
  std::vector<std::int32_t> bath_sample(p.fermi ? static_cast<std::size_t>(params.bath_count + 31) / 32 * 32 : 0);
  int lanes = 0;  // the lane code's width (0: scalar only)
#if defined(VSWAP_HAVE_AVX2_PATH)
  if (p.fermi) lanes = simd::lanes_available();
#endif
  auto draw_bath_sample = [&](std::uint32_t c, std::uint32_t step) {
    std::int32_t filled = 0;
#if defined(VSWAP_HAVE_AVX2_PATH)
    if (lanes == 8) lanes8::paper_bath_lanes(key, c, step, params.bath, params.bath_count, bath_sample.data());
    else if (lanes == 4) lanes4::paper_bath_lanes(key, c, step, params.bath, params.bath_count, bath_sample.data());
    if (lanes != 0) filled = params.bath_count;
#endif
    PaperBathDraws scalar{key, c, step, params.bath};
    for (std::int32_t b = check ? 0 : filled; b < params.bath_count; ++b) {
      const std::int32_t k = scalar(b);
      if (b < filled && k != bath_sample[static_cast<std::size_t>(b)])
        invariant_broken(fmt::format("{}-lane bath sample of cell {} differs from the scalar draw at {}", lanes, c, b), r, step);
      bath_sample[static_cast<std::size_t>(b)] = k;
    }
  };
  Counters count;
  const Observer observer{p, obs};

  auto check_cells = [&](std::int64_t step) {  // after collisions: no fixed cell has a duplicate
    if (!p.fermi) return;
    for (std::size_t c = 0; c < M; ++c) {
      for (std::int32_t a = start[c]; a < start[c + 1]; ++a) {
        const std::int32_t k = cls[static_cast<std::size_t>(order[static_cast<std::size_t>(a)])];
        if (detail::test_bit(bits.data(), k)) invariant_broken(fmt::format("two fermions of class {} in cell {}", k, c), r, step);
        detail::set_bit(bits.data(), k);
      }
      for (std::int32_t a = start[c]; a < start[c + 1]; ++a)
        detail::clear_bit(bits.data(), cls[static_cast<std::size_t>(order[static_cast<std::size_t>(a)])]);
    }
  };

  std::uint32_t s = 0;
  for (std::size_t o = 0; o < p.obs_steps.size(); ++o) {
    for (; s < p.obs_steps[o]; ++s) {
      // 1. segregate into fixed cells (stable: members in increasing index order)
      std::fill(start.begin(), start.end(), 0);
      for (std::size_t i = 0; i < n; ++i) {
        cellv[i] = cell_of(x[i], g);
        ++start[static_cast<std::size_t>(cellv[i]) + 1];
      }
      for (std::size_t c = 0; c < M; ++c) start[c + 1] += start[c];
      {
        std::copy(start.begin(), start.end() - 1, fill.begin());
        for (std::size_t i = 0; i < n; ++i) order[static_cast<std::size_t>(fill[static_cast<std::size_t>(cellv[i])]++)] = static_cast<std::int32_t>(i);
      }
      // 2. collisions per cell
      for (std::size_t c = 0; c < M; ++c) {
        const std::int32_t m = start[c + 1] - start[c];
        if (m == 0) continue;
        const std::int32_t* members = order.data() + start[c];
        const auto cu = static_cast<std::uint32_t>(c);
        if (p.fermi) draw_bath_sample(cu, s);
        const PaperCellCounts k =
            p.fermi ? paper_fermion_cell(key, cu, s, members, m, cls.data(), bits.data(), params,
                                         LaneBathBuffer{bath_sample.data(), lanes, check, r, cu, s})
                    : paper_classical_cell(key, cu, s, members, m, v.data(), params);
        if (k.failed)
          throw InputError("system.particles", fmt::format("paper scheme: cell {} is full (a fermion in every bath state "
                                                           "of some weight: a duplicate has none to go to) in realization {} at step {}", c, r, s));
        count.swaps += k.swaps;
        count.rescattered += k.rescattered;
        count.saturated += k.saturated;
      }
      if (check) check_cells(s);
      // 3. stream
      for (std::size_t i = 0; i < n; ++i) {
        const double vi = p.fermi ? class_velocity(g, cls[i]) : v[i];
        x[i] = wrap(x[i] + vi * p.dt, g.length);
      }
    }
    if (x.size() != n) invariant_broken("particle number changed", r, s);
    for (std::size_t i = 0; i < n; ++i) {
      const double vi = p.fermi ? class_velocity(g, cls[i]) : v[i];
      observer.add(o, x[i], vi, p.fermi ? cls[i] : -1);
    }
    observer.counters(o, count);
  }
}

}  // namespace

void simulate_realization(const Plan& p, std::uint32_t r, bool check, RealizationObs& obs) {
  switch (p.scheme) {
    case Scheme::exact:
      if (p.fermi) exact_fermions(p, r, check, obs);
      else exact_classical(p, r, check, obs);
      return;
    case Scheme::event: event_classical(p, r, check, obs); return;
    case Scheme::paper: paper_scheme(p, r, check, obs); return;
  }
}

}  // namespace vswap::engine
