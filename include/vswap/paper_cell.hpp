#pragma once
/// @brief The `paper` scheme: Appendix C with cells fixed in space (SPEC section 2).
///
/// Per fixed cell and step: 2(b) re-scatter duplicates (two fermions of one class in one
/// cell, created by streaming) into bath states free in the cell; 2(a) the rate R, (C1)
/// classical R = gamma n N_bath / ell_b, (C2) fermions R = gamma n N_free / ell_b with N_free
/// the number of the cell's explicit bath sample of N_bath = max(1, round(rho_bath ell))
/// particles whose class no system particle of the cell has. ell_b = N_bath / rho_bath is the
/// length the sample stands for, so that N_bath / ell_b = rho_bath exactly: ell_b = ell when
/// rho_bath ell is a whole number (Appendix C's case), and otherwise the rate is still
/// gamma rho_bath per particle (with ell in place of ell_b it would be gamma round(rho_bath
/// ell) / ell: 20% fast at rho_bath ell = 2.5, no swaps at all below 0.5); 2(c) a swap when a uniform draw is *below*
/// R dt (SPEC: the paper states it backwards), at most one per cell; 2(d) a uniformly chosen
/// system particle takes the velocity of a uniformly chosen (free) bath particle.
/// The order 2(b) before 2(a) makes R count the free states of a Pauli-consistent cell.
///
/// Classical cells need no explicit sample: (C1) depends only on N_bath and the chosen
/// bath particle's velocity is one bath draw, the same law at 1/N_bath the cost.
/// Streams: subject = cell, step = s; paper_cell w0 decision, w1 system particle, w2 free
/// bath particle; paper_bath word b of the sample is draw index b / 4, word b % 4.

#include <cmath>
#include <cstdint>

#include <vswap/bath_sampler.hpp>
#include <vswap/hd.hpp>
#include <vswap/pauli.hpp>
#include <vswap/streams.hpp>

namespace vswap {

struct PaperParams {
  double gamma = 0;
  double dt = 0;
  std::int32_t bath_count = 0;  ///< N_bath = max(1, round(rho_bath ell))
  double bath_length = 0;       ///< ell_b = N_bath / rho_bath (= ell when rho_bath ell is whole): paper_bath_length
  Lattice lattice;
  AliasView bath;               ///< fermions: classes
  ContinuousBathView continuous;  ///< classical
};

struct PaperCellCounts {
  std::uint32_t swaps = 0;
  std::uint32_t rescattered = 0;
  std::uint32_t saturated = 0;  ///< R dt >= 1 (the swap probability was capped at 1)
  std::uint32_t failed = 0;     ///< a duplicate found no free state of any mass (cell full): an error
};

/// N_bath of a cell: rho_bath ell rounded, at least 1 (host).
inline std::int32_t paper_bath_count(double rho_bath, double ell) {
  const long n = std::lround(rho_bath * ell);
  return static_cast<std::int32_t>(n < 1 ? 1 : n);
}

/// ell_b = N_bath / rho_bath, the length a sample of N_bath bath particles stands for (host);
/// exactly ell when N_bath = rho_bath ell (then the rates have the bits of (C1)/(C2) with ell).
inline double paper_bath_length(double rho_bath, double ell, std::int32_t bath_count) {
  return static_cast<double>(bath_count) == rho_bath * ell ? ell : static_cast<double>(bath_count) / rho_bath;
}

namespace detail {
VSWAP_HD_INLINE bool test_bit(const std::uint64_t* bits, std::int32_t k) {
  return (bits[k >> 6] >> (k & 63)) & 1u;
}
VSWAP_HD_INLINE void set_bit(std::uint64_t* bits, std::int32_t k) { bits[k >> 6] |= std::uint64_t{1} << (k & 63); }
VSWAP_HD_INLINE void clear_bit(std::uint64_t* bits, std::int32_t k) { bits[k >> 6] &= ~(std::uint64_t{1} << (k & 63)); }

/// The high 64 bits of a * b (the same integer operations on host and device).
VSWAP_HD_INLINE std::uint64_t mulhi64(std::uint64_t a, std::uint64_t b) {
  const std::uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
  const std::uint64_t p01 = a0 * b1, p10 = a1 * b0;
  const std::uint64_t mid = ((a0 * b0) >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
  return a1 * b1 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}
}  // namespace detail

/// A class from the alias law of `t` restricted to the classes whose bit is clear: the law
/// the re-scattering loop draws by rejection, drawn directly (for when its tries run out).
/// Column j gives its class j the mass threshold[j] and alias[j] the rest of 2^32 (as
/// alias_sample does); `u` picks a point of the clear classes' total mass (64 bits, so that
/// a clear mass of 1 in 2^32 is still drawn at its weight). -1 when no clear class has mass:
/// the cell holds a fermion in every bath state. O(n).
VSWAP_HD_INLINE std::int32_t alias_sample_clear(const AliasView& t, const std::uint64_t* bits, std::uint64_t u) {
  constexpr std::uint64_t kWhole = std::uint64_t{1} << 32;
  std::uint64_t total = 0;
  for (std::uint32_t j = 0; j < t.n; ++j) {
    if (!detail::test_bit(bits, static_cast<std::int32_t>(j))) total += t.threshold[j];
    if (!detail::test_bit(bits, t.alias[j])) total += kWhole - t.threshold[j];
  }
  if (total == 0) return -1;
  std::uint64_t point = detail::mulhi64(u, total);  // in [0, total)
  for (std::uint32_t j = 0; j < t.n; ++j) {
    if (!detail::test_bit(bits, static_cast<std::int32_t>(j))) {
      if (point < t.threshold[j]) return static_cast<std::int32_t>(j);
      point -= t.threshold[j];
    }
    if (!detail::test_bit(bits, t.alias[j])) {
      if (point < kWhole - t.threshold[j]) return t.alias[j];
      point -= kWhole - t.threshold[j];
    }
  }
  return -1;  // not reached: point < total
}

/// (C2)'s N_free: how many of the explicit bath sample's `count` classes no member of the
/// cell holds (`bits`: the members' classes). The rule; the CPU's lane count
/// (paper_free_count_lanes) gives the same number.
template <class BathSample>
VSWAP_HD_INLINE std::int32_t paper_free_count(BathSample& sample, const std::uint64_t* bits, std::int32_t count) {
  std::int32_t free_count = 0;
  for (std::int32_t b = 0; b < count; ++b)
    if (!detail::test_bit(bits, sample(b))) ++free_count;
  return free_count;
}

/// The cell's explicit bath sample, drawn as it is read: the class of bath particle b is
/// alias_sample of word b % 4 of draw (cell, s, paper_bath, b / 4). Read b = first, first + 1,
/// ... in order from a multiple of 4 (the block of 4 words is kept between calls).
struct PaperBathDraws {
  StreamKey key;
  std::uint32_t cell, s;
  AliasView bath;
  Philox4x32 block{};
  VSWAP_HD_INLINE std::int32_t operator()(std::int32_t b) {
    if ((b & 3) == 0) block = draw(key, cell, s, Purpose::paper_bath, static_cast<std::uint32_t>(b >> 2));
    return alias_sample(bath, block.v[b & 3]);
  }
  VSWAP_HD_INLINE std::int32_t free_count(const std::uint64_t* bits, std::int32_t count) {
    return paper_free_count(*this, bits, count);
  }
};

/// The same sample read from memory: class[b] as PaperBathDraws gives it (the CPU backend
/// fills it on vector lanes, bit for bit).
struct PaperBathBuffer {
  const std::int32_t* cls;
  VSWAP_HD_INLINE std::int32_t operator()(std::int32_t b) const { return cls[b]; }
  VSWAP_HD_INLINE std::int32_t free_count(const std::uint64_t* bits, std::int32_t count) const {
    return paper_free_count(*this, bits, count);
  }
};

/// Largest duplicate re-scattering tries per cell and step by rejection; after them each
/// duplicate draws from the clear classes directly (alias_sample_clear, Purpose::rescatter_clear,
/// index = its member position), the same law. `failed` only when no free state has mass.
inline constexpr std::int32_t kMaxRescatterTries = 4 * 65536;

/// One fixed cell, fermions. `members`: the cell's particles in increasing index order;
/// `bits`: K zero bits of scratch (left zero); `sample`: the cell's explicit bath sample
/// (PaperBathDraws, or PaperBathBuffer holding the same classes), read from b = 0 in order,
/// twice when the cell swaps: `sample.free_count(bits, N_bath)` (paper_free_count), then
/// `sample(b)` up to the chosen free one. Changes cls[] of members.
template <class BathSample>
VSWAP_HD_INLINE PaperCellCounts paper_fermion_cell(StreamKey key, std::uint32_t cell, std::uint32_t s,
                                                   const std::int32_t* members, std::int32_t n,
                                                   std::int32_t* cls, std::uint64_t* bits,
                                                   const PaperParams& p, BathSample sample) {
  PaperCellCounts out;
  if (n == 0) return out;
  // 2(b): a later particle (in index order) of an already present class is re-scattered into
  // a class no particle of the cell holds. Every present class is marked first: marking
  // them as met let a duplicate land on a later member's class, which then counted as a
  // duplicate in its turn (`rescattered` 22% high).
  for (std::int32_t m = 0; m < n; ++m) detail::set_bit(bits, cls[members[m]]);
  std::int32_t tries = 0;
  for (std::int32_t m = 0; m < n; ++m) {
    const std::int32_t i = members[m];
    // a duplicate: an earlier member holds its class (earlier duplicates moved to classes
    // that were free of every original class, so they cannot match)
    bool duplicate = false;
    for (std::int32_t e = 0; e < m && !duplicate; ++e) duplicate = cls[members[e]] == cls[i];
    if (!duplicate) continue;
    bool placed = false;
    while (tries < kMaxRescatterTries) {
      const Philox4x32 d = draw(key, cell, s, Purpose::rescatter, static_cast<std::uint32_t>(tries >> 2));
      const std::int32_t k = alias_sample(p.bath, d.v[tries & 3]);
      ++tries;
      if (!detail::test_bit(bits, k)) {
        cls[i] = k;
        detail::set_bit(bits, k);
        placed = true;
        break;
      }
    }
    if (!placed) {  // the free states have little mass (~1e-5): draw among them directly
      const Philox4x32 d = draw(key, cell, s, Purpose::rescatter_clear, static_cast<std::uint32_t>(m));
      const std::int32_t k =
          alias_sample_clear(p.bath, bits, (static_cast<std::uint64_t>(d.v[0]) << 32) | d.v[1]);
      if (k >= 0) {
        cls[i] = k;
        detail::set_bit(bits, k);
        placed = true;
      }
    }
    if (placed) ++out.rescattered; else ++out.failed;
  }
  // 2(a): (C2) with the explicit bath sample.
  const std::int32_t free_count = sample.free_count(bits, p.bath_count);
  const double rate = p.gamma * static_cast<double>(n) * static_cast<double>(free_count) / p.bath_length;
  const double prob = rate * p.dt;
  if (prob >= 1.0) ++out.saturated;
  // 2(c), 2(d)
  const Philox4x32 d = draw(key, cell, s, Purpose::paper_cell, 0);
  std::int32_t old_class = -1;
  if (free_count > 0 && uniform_open(d.v[0]) < prob) {
    const std::int32_t i = members[uniform_index(d.v[1], static_cast<std::uint32_t>(n))];
    const std::int32_t pick = static_cast<std::int32_t>(uniform_index(d.v[2], static_cast<std::uint32_t>(free_count)));
    std::int32_t seen = 0;
    for (std::int32_t b = 0; b < p.bath_count; ++b) {
      const std::int32_t k = sample(b);
      if (detail::test_bit(bits, k)) continue;
      if (seen++ == pick) {
        old_class = cls[i];
        cls[i] = k;
        break;
      }
    }
    ++out.swaps;
  }
  for (std::int32_t m = 0; m < n; ++m) detail::clear_bit(bits, cls[members[m]]);
  if (old_class >= 0) detail::clear_bit(bits, old_class);
  return out;
}

/// paper_fermion_cell with the bath sample drawn as it is read (the CUDA kernel).
VSWAP_HD_INLINE PaperCellCounts paper_fermion_cell(StreamKey key, std::uint32_t cell, std::uint32_t s,
                                                   const std::int32_t* members, std::int32_t n,
                                                   std::int32_t* cls, std::uint64_t* bits,
                                                   const PaperParams& p) {
  return paper_fermion_cell(key, cell, s, members, n, cls, bits, p, PaperBathDraws{key, cell, s, p.bath});
}

/// One fixed cell, classical (C1); changes v[] of one member at most.
VSWAP_HD_INLINE PaperCellCounts paper_classical_cell(StreamKey key, std::uint32_t cell, std::uint32_t s,
                                                     const std::int32_t* members, std::int32_t n,
                                                     double* v, const PaperParams& p) {
  PaperCellCounts out;
  if (n == 0) return out;
  const double prob = p.gamma * static_cast<double>(n) * static_cast<double>(p.bath_count) / p.bath_length * p.dt;
  if (prob >= 1.0) ++out.saturated;
  const Philox4x32 d = draw(key, cell, s, Purpose::paper_cell, 0);
  if (uniform_open(d.v[0]) < prob) {
    const std::int32_t i = members[uniform_index(d.v[1], static_cast<std::uint32_t>(n))];
    const Philox4x32 b = draw(key, cell, s, Purpose::paper_bath, 0);
    v[i] = sample_continuous(p.continuous, b.v[0], b.v[1], b.v[2]);
    ++out.swaps;
  }
  return out;
}

}  // namespace vswap
