#pragma once
/// @brief One step of each collision scheme for one particle (SPEC section 2): the physics
/// the CPU backend (src/engine) and the CUDA kernels (kernels/) both call.
///
/// `exact`: a particle attempts at step s with probability p = 1 - exp(-r dt), r = gamma
/// rho_bath. Attempts are geometric gaps drawn from the particle's own stream, so a
/// particle that does not attempt costs nothing. Draw (i, s, attempt): w0 picks the target
/// class (fermions) or bath component/segment (classical), w2, w3 the continuous part,
/// w1 the gap to the next attempt. The swap happens at the end of the step, t_{s+1}.
/// `event`: exact continuous time, swap k of particle i uses draw (i, k, event_time):
/// w0 the exponential waiting time before it, w1..w3 the new velocity.

#include <cstdint>

#include <vswap/bath_sampler.hpp>
#include <vswap/hd.hpp>
#include <vswap/math.hpp>
#include <vswap/pauli.hpp>
#include <vswap/streams.hpp>

namespace vswap {

/// Steps never reached (beyond any run).
inline constexpr std::uint32_t kNeverStep = 0xffffffffu;

/// An exponential variate of mean 1 from one word.
VSWAP_HD_INLINE double exponential(std::uint32_t w) { return -math::log(uniform_open(w)); }

/// The step of the next attempt after one at step `after` (first attempt: after = -1 via
/// `first_attempt_step`): after + 1 + G, G geometric with P(G >= g) = exp(-g r dt).
VSWAP_HD_INLINE std::uint32_t next_attempt_step(std::int64_t after, std::uint32_t w, double rate_dt) {
  if (!(rate_dt > 0.0)) return kNeverStep;
  const double gap = math::floor(exponential(w) / rate_dt);
  const double next = static_cast<double>(after + 1) + gap;
  return next >= 4294967295.0 ? kNeverStep : static_cast<std::uint32_t>(next);
}

/// The first attempt of particle i: draw (i, 0, attempt, index 1), word 1.
VSWAP_HD_INLINE std::uint32_t first_attempt_step(StreamKey key, std::uint32_t i, double rate_dt) {
  return next_attempt_step(-1, draw(key, i, 0, Purpose::attempt, 1).v[1], rate_dt);
}

/// A fermion's proposed move at step s (before the Pauli check).
struct FermionProposal {
  std::int32_t cls;   ///< target class k'
  std::int32_t cell;  ///< its comoving cell c'
  double y;           ///< new comoving coordinate y' = x(t_{s+1}) - lambda_k' t_{s+1}
  std::uint32_t next; ///< step of this particle's next attempt (whatever the outcome)
};

/// exact, fermions: target class from the discrete bath; the swap would happen at t_{s+1}.
VSWAP_HD_INLINE FermionProposal exact_fermion_propose(StreamKey key, std::uint32_t i, std::uint32_t s,
                                                      double y, std::int32_t cls, const Lattice& g,
                                                      const AliasView& bath, double dt, double rate_dt) {
  const Philox4x32 d = draw(key, i, s, Purpose::attempt, 0);
  FermionProposal p;
  p.cls = alias_sample(bath, d.v[0]);
  const double t1 = static_cast<double>(s + 1) * dt;
  const double x = y + class_velocity(g, cls) * t1;
  p.y = wrap(x - class_velocity(g, p.cls) * t1, g.length);
  p.cell = cell_of(p.y, g);
  p.next = next_attempt_step(s, d.v[1], rate_dt);
  return p;
}

/// exact, fermions: one attempt of a step settled against the Pauli table as the step's
/// earlier attempts left it (a step's attempts go one after another in increasing particle
/// index): the swap happens iff the target cell is free now, and the particle leaves its
/// cell. Each attempt is then a move in detailed balance with (40) (the reverse move, back to
/// the class and cell just left, is always free), so the lattice's stationary state is (40)
/// at any dt. Returns whether particle i swapped; updates its class, cell and y if so.
VSWAP_HD_INLINE bool exact_fermion_settle(const PauliTable& table, std::int32_t i, const FermionProposal& p,
                                          std::int32_t& cls, std::int32_t& cell, double& y) {
  std::int32_t& target = table.at(p.cls, p.cell);
  if (target != kPauliEmpty) return false;  // taken (also: its own cell, k' = k)
  table.at(cls, cell) = kPauliEmpty;
  target = i;
  cls = p.cls;
  cell = p.cell;
  y = p.y;
  return true;
}

/// What `exact_fermion_settle_alone` did with an attempt.
enum class AloneSettle { swapped, rejected, deferred };

/// exact, fermions: one attempt of a step settled apart from the step's other attempts, in
/// parallel with them (the CUDA backend), with the outcome the sequential settle above
/// gives it; or deferred to that sequential settle when it cannot be.
///
/// `claims` counts, per table entry, the step's attempts that target it (all of them
/// counted before any is settled); `holder_due(k)` says whether particle k attempts this
/// step. Attempt i (source entry S = (cls, cell), target T = p's) settles alone iff no
/// other attempt targets T (claims(T) = 1), none targets S (claims(S) = 0), and T's holder,
/// if any, does not attempt. Then nothing else of the step reads or writes S or T, whatever
/// the order: T is as the step found it when i's turn comes, and no later attempt sees what
/// i wrote. The deferred attempts touch only entries no alone attempt touches, so settling
/// them afterwards in increasing index (`exact_fermion_settle`) is the sequential rule.
/// T = S (k' = k, the cell kept) is rejected alone when i is its only claimant.
/// An attempt settled alone clears its claim (no other attempt reads that count); a
/// deferred one's claim is left to the sequential pass to clear.
template <class HolderDue>
VSWAP_HD_INLINE AloneSettle exact_fermion_settle_alone(const PauliTable& table, const PauliTable& claims,
                                                       std::int32_t i, const FermionProposal& p, std::int32_t& cls,
                                                       std::int32_t& cell, double& y, HolderDue holder_due) {
  std::int32_t& claim = claims.at(p.cls, p.cell);
  if (claim != 1) return AloneSettle::deferred;
  if (p.cls == cls && p.cell == cell) {  // its own entry: taken (by i)
    claim = 0;
    return AloneSettle::rejected;
  }
  if (claims.at(cls, cell) != 0) return AloneSettle::deferred;
  const std::int32_t holder = table.at(p.cls, p.cell);
  if (holder != kPauliEmpty && holder_due(holder)) return AloneSettle::deferred;
  claim = 0;
  return exact_fermion_settle(table, i, p, cls, cell, y) ? AloneSettle::swapped : AloneSettle::rejected;
}

/// exact, classical: swap at t_{s+1} to a continuous bath velocity; updates (y, v), returns
/// the next attempt step.
VSWAP_HD_INLINE std::uint32_t exact_classical_swap(StreamKey key, std::uint32_t i, std::uint32_t s,
                                                   double& y, double& v, const ContinuousBathView& bath,
                                                   double length, double dt, double rate_dt) {
  const Philox4x32 d = draw(key, i, s, Purpose::attempt, 0);
  const double t1 = static_cast<double>(s + 1) * dt;
  const double x = y + v * t1;
  v = sample_continuous(bath, d.v[0], d.v[2], d.v[3]);
  y = wrap(x - v * t1, length);
  return next_attempt_step(s, d.v[1], rate_dt);
}

/// Position at time t of a particle with comoving coordinate y and velocity v.
VSWAP_HD_INLINE double comoving_position(double y, double v, double t, double length) {
  return wrap(y + v * t, length);
}

/// event: one particle's state between swaps.
struct EventParticle {
  double x;       ///< position at t_last, in [0, L)
  double v;       ///< velocity since t_last
  double t_last;  ///< time of the last swap (0 initially)
  double t_next;  ///< time of the next swap
  double v_next;  ///< velocity it will take then
  std::uint32_t k;  ///< index of the next swap
};

/// Draw swap k of particle i: its waiting time and the velocity it brings.
VSWAP_HD_INLINE void event_schedule(EventParticle& p, StreamKey key, std::uint32_t i,
                                    const ContinuousBathView& bath, double rate) {
  const Philox4x32 d = draw(key, i, p.k, Purpose::event_time, 0);
  p.t_next = rate > 0.0 ? p.t_last + exponential(d.v[0]) / rate : 1e300;
  p.v_next = sample_continuous(bath, d.v[1], d.v[2], d.v[3]);
}

/// event: start at x, v at t = 0.
VSWAP_HD_INLINE EventParticle event_start(double x, double v, StreamKey key, std::uint32_t i,
                                          const ContinuousBathView& bath, double rate) {
  EventParticle p{x, v, 0.0, 0.0, 0.0, 0u};
  event_schedule(p, key, i, bath, rate);
  return p;
}

/// event: perform every swap up to time t; returns the number of swaps.
VSWAP_HD_INLINE std::uint32_t event_advance(EventParticle& p, double t, StreamKey key, std::uint32_t i,
                                            const ContinuousBathView& bath, double rate, double length) {
  std::uint32_t swaps = 0;
  while (p.t_next <= t) {
    p.x = wrap(p.x + p.v * (p.t_next - p.t_last), length);
    p.v = p.v_next;
    p.t_last = p.t_next;
    ++p.k;
    ++swaps;
    event_schedule(p, key, i, bath, rate);
  }
  return swaps;
}

/// event: position at time t >= t_last.
VSWAP_HD_INLINE double event_position(const EventParticle& p, double t, double length) {
  return wrap(p.x + p.v * (t - p.t_last), length);
}

}  // namespace vswap
