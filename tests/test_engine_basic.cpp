// Engine plumbing: determinism (same seed, threads, shards), invariants, refused inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <vswap/bath_sampler.hpp>
#include <vswap/error.hpp>
#include <vswap/observables.hpp>
#include <vswap/paper_cell.hpp>
#include <vswap/particle_step.hpp>

#include "engine/attempt_calendar.hpp"
#include "engine/cpu_schemes.hpp"
#include "engine/initial_state.hpp"
#include "engine/plan.hpp"

#include "engine_helpers.hpp"

using namespace vswap;
using vswap::test::fig5d;

namespace {
struct Case {
  Scheme scheme;
  Statistics stats;
};
class EveryScheme : public ::testing::TestWithParam<Case> {};
std::string name(const ::testing::TestParamInfo<Case>& i) {
  return std::string(to_string(i.param.scheme)) + "_" + to_string(i.param.stats);
}
Config small(const Case& c) {
  Config cfg = fig5d(c.scheme, c.stats);
  cfg.numerics.times = {0.0, 1.0, 2.0};
  cfg.numerics.realizations = 6;
  return cfg;
}
}  // namespace

TEST_P(EveryScheme, SameSeedSameBitsForAnyThreadCountAndShards) {
  const Config cfg = small(GetParam());
  const auto one = test::run_cpu(cfg, 1);
  const auto two = test::run_cpu(cfg, 2);
  EXPECT_TRUE(test::identical(one, two));
  auto a = test::run_cpu(cfg, 2, false, 0, 2);
  a.merge(test::run_cpu(cfg, 1, false, 2, 6));
  EXPECT_TRUE(test::identical(one, a));
  EXPECT_EQ(a.first, 0);
  EXPECT_EQ(a.last, 6);
  Config other = cfg;
  other.numerics.seed = 2;
  EXPECT_FALSE(test::identical(one, test::run_cpu(other, 2)));
  EXPECT_GT(one.swaps.back(), 0);
}

TEST_P(EveryScheme, ParticleNumberAndPauliAfterEveryStep) {
  Config cfg = small(GetParam());
  cfg.numerics.realizations = 2;
  const auto s = test::run_cpu(cfg, 2, /*check=*/true);
  const auto sum = engine::summarize(s);
  for (std::size_t t = 0; t < s.times.size(); ++t) {
    std::int64_t total = 0;
    for (std::size_t b = 0; b + 1 < s.density_edges.size(); ++b) total += s.density_count[t * (s.density_edges.size() - 1) + b];
    EXPECT_EQ(total, cfg.system.particles * cfg.numerics.realizations);
  }
  EXPECT_EQ(sum.realizations, 2);
}

INSTANTIATE_TEST_SUITE_P(Schemes, EveryScheme,
                         ::testing::Values(Case{Scheme::exact, Statistics::fermi}, Case{Scheme::paper, Statistics::fermi},
                                           Case{Scheme::exact, Statistics::classical},
                                           Case{Scheme::paper, Statistics::classical},
                                           Case{Scheme::event, Statistics::classical}),
                         name);

namespace {
// The lane code (8 AVX-512 lanes, 4 AVX2 lanes) against the scalar functions: check mode
// compares every lane with them bit for bit, and the sums of every width available on this
// CPU (VSWAP_SIMD caps it) are identical to the scalar run's.
void expect_every_width_gives_the_scalar_bits(const Config& cfg) {
  const char* saved = std::getenv("VSWAP_SIMD");
  const std::string restore = saved ? saved : "";
  ::setenv("VSWAP_SIMD", "none", 1);
  const auto scalar = test::run_cpu(cfg, 1);
  for (const char* cap : {"avx2", ""}) {
    ::setenv("VSWAP_SIMD", cap, 1);
    const auto lanes = test::run_cpu(cfg, 2, /*check=*/true);
    EXPECT_TRUE(test::identical(scalar, lanes)) << "VSWAP_SIMD=" << cap;
  }
  if (saved) ::setenv("VSWAP_SIMD", restore.c_str(), 1);
  else ::unsetenv("VSWAP_SIMD");
}
}  // namespace

// (Also on a thermal bath: a mixture of one component, the alias pick's table of one column.)
TEST(EventLanes, EveryVectorWidthGivesTheScalarBits) {
  for (const BathKind kind : {BathKind::bragg, BathKind::thermal}) {
    SCOPED_TRACE(kind == BathKind::bragg ? "bragg" : "thermal");
    Config cfg = small(Case{Scheme::event, Statistics::classical});
    cfg.bath.kind = kind;
    cfg.bath.boost = 0.7;
    cfg.system.particles = 203;  // not a multiple of 16 or 8: a scalar tail
    cfg.numerics.times = {0.0, 1.0, 10.0};
    cfg.numerics.realizations = 2;
    expect_every_width_gives_the_scalar_bits(cfg);
  }
}

// `exact`: a step's ~64 due attempts (rate dt 0.04), 8 or 4 at a time, the rest (m mod
// lanes) scalar; classical swaps, and fermion proposals (the Pauli settle stays scalar).
TEST(ExactLanes, EveryVectorWidthGivesTheScalarBits) {
  for (const Statistics stats : {Statistics::classical, Statistics::fermi}) {
    SCOPED_TRACE(to_string(stats));
    Config cfg = small(Case{Scheme::exact, stats});
    cfg.numerics.times = {0.0, 1.0, 10.0};
    cfg.numerics.realizations = 2;
    expect_every_width_gives_the_scalar_bits(cfg);
  }
}

// `paper` fermions: each cell's explicit bath sample drawn 4 words x 8 or 4 lanes at a time,
// the last block written whole; N_bath = 250 (a partial last block), 64 (whole blocks), 7
// (less than one block).
TEST(PaperLanes, EveryVectorWidthGivesTheScalarBits) {
  for (const double density : {50.0, 12.8, 1.4}) {
    SCOPED_TRACE("bath density " + std::to_string(density));
    Config cfg = small(Case{Scheme::paper, Statistics::fermi});
    cfg.bath.density = density;
    cfg.numerics.times = {0.0, 1.0, 3.0};
    cfg.numerics.realizations = 2;
    EXPECT_EQ(engine::make_plan(cfg).paper_bath_count, std::lround(density * 5.0));
    expect_every_width_gives_the_scalar_bits(cfg);
  }
}

// exact, fermions: the CPU engine (calendar, the due attempts put in index order, lane
// proposals) against the rule written plainly from the shared functions: at every step every
// particle in increasing index, attempting iff next == s, proposing and settling at once.
// Any other order of a step's attempts changes the outcomes on this dense lattice.
TEST(ExactFermions, EngineIsTheSequentialRuleWrittenPlainly) {
  for (const double rate_dt : {0.04, 0.3}) {
    SCOPED_TRACE("rate dt " + std::to_string(rate_dt));
    Config cfg = fig5d(Scheme::exact, Statistics::fermi);
    cfg.system.particles = 1000;
    cfg.system.length = 400.0;
    cfg.system.width = 80.0;
    cfg.numerics.cells = 80;
    cfg.numerics.dt = rate_dt / (cfg.collisions.gamma * cfg.bath.density);
    cfg.numerics.times = {0.0, 300 * cfg.numerics.dt, 1500 * cfg.numerics.dt};
    cfg.numerics.realizations = 1;
    const engine::Plan p = engine::make_plan(cfg);
    engine::RealizationObs obs;
    obs.reset(p.obs_steps.size(), static_cast<std::size_t>(p.density_bins), static_cast<std::size_t>(p.velocity_bins));
    engine::simulate_realization(p, 0, false, obs);

    const StreamKey key = p.key(0);
    const Lattice& g = p.lattice;
    engine::InitialState s0 = engine::initial_state(p, 0);
    const auto n = static_cast<std::size_t>(p.particles);
    std::vector<std::int32_t> occ(static_cast<std::size_t>(g.classes) * static_cast<std::size_t>(g.cells), kPauliEmpty);
    const PauliTable table{occ.data(), g.classes, g.cells};
    std::vector<std::int32_t> cell(n);
    std::vector<std::uint32_t> next(n);
    for (std::size_t i = 0; i < n; ++i) {
      cell[i] = cell_of(s0.x[i], g);
      table.at(s0.cls[i], cell[i]) = static_cast<std::int32_t>(i);
      next[i] = first_attempt_step(key, static_cast<std::uint32_t>(i), p.rate_dt);
    }
    std::int64_t swaps = 0, rejected = 0, crowded = 0;
    std::uint32_t s = 0;
    for (std::size_t o = 0; o < p.obs_steps.size(); ++o) {
      for (; s < p.obs_steps[o]; ++s) {
        std::size_t due = 0;
        for (std::size_t i = 0; i < n; ++i) {
          if (next[i] != s) continue;
          ++due;
          const FermionProposal q = exact_fermion_propose(key, static_cast<std::uint32_t>(i), s, s0.x[i], s0.cls[i],
                                                          g, p.class_alias.view(), p.dt, p.rate_dt);
          if (exact_fermion_settle(table, static_cast<std::int32_t>(i), q, s0.cls[i], cell[i], s0.x[i])) ++swaps;
          else ++rejected;
          next[i] = q.next;
        }
        crowded += due >= 8;
      }
      std::vector<std::int64_t> density(static_cast<std::size_t>(p.density_bins), 0),
          velocity(static_cast<std::size_t>(p.velocity_bins), 0);
      const double t = static_cast<double>(s) * p.dt;
      for (std::size_t i = 0; i < n; ++i) {
        const double v = class_velocity(g, s0.cls[i]);
        ++density[static_cast<std::size_t>(density_bin(comoving_position(s0.x[i], v, t, g.length), g.length, p.density_bins))];
        ++velocity[static_cast<std::size_t>(s0.cls[i])];
      }
      const auto B = density.size(), K = velocity.size();
      EXPECT_EQ(std::vector<std::int64_t>(obs.density.begin() + static_cast<std::ptrdiff_t>(o * B),
                                          obs.density.begin() + static_cast<std::ptrdiff_t>((o + 1) * B)),
                density) << "t = " << t;
      EXPECT_EQ(std::vector<std::int64_t>(obs.velocity.begin() + static_cast<std::ptrdiff_t>(o * K),
                                          obs.velocity.begin() + static_cast<std::ptrdiff_t>((o + 1) * K)),
                velocity) << "t = " << t;
      EXPECT_EQ(obs.swaps[o], swaps) << "t = " << t;
      EXPECT_EQ(obs.rejected[o], rejected) << "t = " << t;
    }
    EXPECT_GT(rejected, swaps / 10);  // a crowded lattice: the order of the attempts matters
    EXPECT_GT(crowded, 1000);          // steps with 8 or more attempts (the lanes)
  }
}

// The calendar's due particles of each step, in increasing order, against a scan of every
// particle: through the bitmap (many due) and through std::sort (few due among many
// particles: more than 8 bitmap words per due particle), with re-filing (gaps longer than a
// turn of the buckets) and particles that never attempt.
TEST(AttemptCalendar, PopSortedGivesEachStepsDueParticlesInIncreasingOrder) {
  std::mt19937_64 rng(7);
  // bitmap branch: 15 bits a word (100, 0.3), 58 (130, 0.9: a partial last word, bit 63 set
  // in most steps), 2.6 (5000, 0.04), a single word (64, 0.02); sort branch: (5000, 0.0005)
  for (const auto& [n, rate_dt] :
       {std::pair<std::size_t, double>{100, 0.3}, {130, 0.9}, {5000, 0.04}, {5000, 0.0005}, {64, 0.02}}) {
    SCOPED_TRACE("n " + std::to_string(n) + ", rate dt " + std::to_string(rate_dt));
    engine::AttemptCalendar calendar(rate_dt, n);
    std::vector<std::uint32_t> next(n);
    std::geometric_distribution<std::uint32_t> gap(rate_dt);
    for (std::size_t i = 0; i < n; ++i) {
      next[i] = i % 97 == 5 ? kNeverStep : gap(rng);
      calendar.push(static_cast<std::uint32_t>(i), next[i]);
    }
    std::vector<std::int32_t> due, want;
    std::size_t popped = 0, several = 0;
    for (std::uint32_t s = 0; s < 3000; ++s) {
      calendar.pop_sorted(s, next, due);
      want.clear();
      for (std::size_t i = 0; i < n; ++i)
        if (next[i] == s) want.push_back(static_cast<std::int32_t>(i));
      ASSERT_EQ(due, want) << "step " << s;
      popped += due.size();
      several += due.size() >= 2;
      for (std::int32_t i : due) {
        next[static_cast<std::size_t>(i)] = s + 1 + gap(rng);
        calendar.push(static_cast<std::uint32_t>(i), next[static_cast<std::size_t>(i)]);
      }
    }
    EXPECT_GT(popped, static_cast<std::size_t>(1000 * rate_dt * static_cast<double>(n)));
    EXPECT_GT(several, 200u);
  }
}

namespace {
std::string refused_key(const Config& c) {
  try {
    test::run_cpu(c, 1);
  } catch (const InputError& e) {
    return e.key();
  }
  return "(accepted)";
}
}  // namespace

TEST(EngineInput, EventWithFermionsIsRefused) {
  EXPECT_EQ(refused_key(fig5d(Scheme::event, Statistics::fermi)), "collisions.scheme");
}

TEST(EngineInput, PaperDtTooLargeIsRefused) {
  Config c = fig5d(Scheme::paper);
  c.numerics.dt = 0.05;
  EXPECT_EQ(refused_key(c), "numerics.dt");
}

TEST(EngineInput, MoreFermionsThanTheLatticeHoldsIsRefused) {
  Config c = fig5d(Scheme::exact);
  c.system.width = 50;
  EXPECT_EQ(refused_key(c), "system.width");
  c.system.profile = Profile::uniform;
  c.system.particles = 100000;
  EXPECT_EQ(refused_key(c), "system.particles");
}

// What the refusals advise works: a bath on a single class of the velocity lattice
// (dl = 2 pi M / L) is accepted with fewer, longer cells; a densest cell beyond 3/4 of its
// classes stays refused whatever the cells (its fermions and its classes both scale with
// the cell length), and a wider profile is accepted.
TEST(EngineInput, TheLatticeRefusalsAdviceHolds) {
  Config c = fig5d(Scheme::exact);
  c.bath.kind = BathKind::thermal;
  c.bath.temperature = 0.01;
  c.system.particles = 20;
  c.numerics.cells = 2000;  // dl = 6.3, the bath's sd 0.1
  c.numerics.times = {0.0, 0.1};
  c.numerics.realizations = 1;
  EXPECT_EQ(refused_key(c), "numerics.cells");
  c.numerics.cells = 40;  // dl = 0.126
  EXPECT_EQ(refused_key(c), "(accepted)");
  Config d = fig5d(Scheme::exact);
  d.system.width = 50;
  d.numerics.times = {0.0, 0.1};
  d.numerics.realizations = 1;
  for (const std::int64_t cells : {100, 400, 1000}) {
    d.numerics.cells = cells;
    EXPECT_EQ(refused_key(d), "system.width") << cells << " cells";
  }
  d.system.width = 300;
  EXPECT_EQ(refused_key(d), "(accepted)");
  // a uniform gas has no width to widen: the advice is a longer ring, and it holds
  Config u = d;
  u.system.profile = Profile::uniform;
  u.system.particles = 20000;  // 50 a cell of length 5
  u.numerics.cells = 400;
  try {
    test::run_cpu(u, 1);
    ADD_FAILURE() << "a uniform gas of 50 fermions a cell was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "system.particles");
    const std::string what = e.what();
    EXPECT_NE(what.find("a longer ring (system.length)"), std::string::npos) << what;
    EXPECT_EQ(what.find("wider profile"), std::string::npos) << what;
  }
  u.system.length = 20000;
  u.numerics.cells = 4000;
  EXPECT_EQ(refused_key(u), "(accepted)");
}

TEST(EngineInput, CudaRequestedWithoutDevice) {
  std::string note;
#if !defined(VSWAP_WITH_CUDA)
  EXPECT_THROW(engine::make_engine(Backend::cuda, note), InputError);
#endif
  const auto e = engine::make_engine(Backend::automatic, note);
  if (note.rfind("no CUDA device", 0) == 0) {
    EXPECT_EQ(e->backend_name(), "cpu");  // with a device: test_backends
  }
}

// The fixed-point energy unit: the largest power of two with N (v_max^2 / 2) scale <= 2^62,
// so a realization's int64 sum cannot overflow and the resolution follows the run's speeds.
TEST(EnergyScale, LargestPowerOfTwoBelowTheOverflowBound) {
  for (const std::int64_t n : {1ll, 1600ll, 10000ll, 2147483647ll}) {
    for (const double v : {1e-6, 3e-3, 0.4, 17.0, 1e4, 1e9}) {
      const double s = energy_scale_for(n, v), bound = 0x1p62;
      int e = 0;
      EXPECT_EQ(std::frexp(s, &e), 0.5) << "not a power of two: " << s;
      const double total = static_cast<double>(n) * 0.5 * v * v * s;
      EXPECT_LE(total, bound) << n << " particles at " << v;
      EXPECT_GT(2.0 * total, bound * (1 - 1e-12)) << n << " particles at " << v;
      // the fastest particle, N times, and the rounding: no overflow of the int64 sum
      const long double sum = static_cast<long double>(energy_fixed(v, s)) * static_cast<long double>(n);
      EXPECT_LT(sum, 0x1p63L);
    }
  }
  // every plan has one: a slow bath gets a fine unit, a fast one a coarse unit
  Config slow = test::fig5d(Scheme::event, Statistics::classical), fast = slow;
  slow.bath.sigma = 6e-3;
  slow.bath.lambda_B = 5.9e-3;
  fast.bath.sigma = 6e3;
  fast.bath.lambda_B = 5.9e3;
  const auto ps = engine::make_plan(slow), pf = engine::make_plan(fast);
  // speeds x 1e6: energies x 1e12 = 2^39.9, so the units differ by 2^39 or 2^40
  EXPECT_NEAR(std::log2(ps.energy_scale / pf.energy_scale), 39.86, 1.0);
  EXPECT_GE(ps.max_speed, 5.9e-3 + kStandardNormalMax * 6e-3 / std::sqrt(2.0) * 0.999);
}

namespace {
/// Cell parameters for 2(b) alone (no swap) on the class law `bath`.
PaperParams rescatter_only(const AliasTable& bath) {
  PaperParams p;
  p.gamma = 0.0;
  p.dt = 0.1;
  p.bath_count = 1;
  p.bath_length = 1.0;
  p.bath = bath.view();
  return p;
}
}  // namespace

// paper, 2(b): a duplicate is re-scattered into a class no particle of the cell holds. Cell of
// classes {2, 2, 1} in index order on a bath that weighs class 1 heavily: exactly one
// re-scattering, never onto class 1 (which made particle 3 a duplicate in its turn: the counter
// read 22% high in an audit's run).
TEST(PaperCell, DuplicateGoesToAClassNoMemberHolds) {
  const AliasTable bath(std::vector<double>{0.1, 5.0, 0.1, 0.1, 0.1, 0.1});
  PaperParams p = rescatter_only(bath);
  std::uint64_t bits[1] = {0};
  const std::int32_t members[3] = {0, 1, 2};
  for (std::uint32_t s = 0; s < 2000; ++s) {
    std::int32_t cls[3] = {2, 2, 1};
    const auto k = paper_fermion_cell(StreamKey{7, 0}, 0, s, members, 3, cls, bits, p);
    ASSERT_EQ(k.rescattered, 1u) << "step " << s;
    EXPECT_EQ(cls[0], 2);
    EXPECT_EQ(cls[2], 1);
    EXPECT_NE(cls[1], 1);
    EXPECT_NE(cls[1], 2);
    EXPECT_EQ(bits[0], 0u);  // scratch left zero
  }
}

// paper, 2(b), once the rejection tries run out: alias_sample_clear draws the table's own law
// restricted to the clear classes (2e5 draws against represented_probabilities, 5 sigma per
// class), never a set class or one of no mass, and -1 when no clear class has mass.
TEST(AliasSampleClear, DrawsTheTablesLawRestrictedToTheClearClasses) {
  const AliasTable table(std::vector<double>{0.5, 2.0, 0.01, 1.0, 3.0, 0.0, 1e-6, 0.7});
  const std::vector<double> q = table.represented_probabilities();
  std::uint64_t bits[1] = {(1u << 1) | (1u << 4)};
  double clear_mass = 0.0;
  for (int k = 0; k < 8; ++k)
    if (!detail::test_bit(bits, k)) clear_mass += q[static_cast<std::size_t>(k)];
  std::mt19937_64 rng(11);
  constexpr int draws = 200000;
  std::vector<int> count(8, 0);
  for (int i = 0; i < draws; ++i) {
    const std::int32_t k = alias_sample_clear(table.view(), bits, rng());
    ASSERT_GE(k, 0);
    ASSERT_LT(k, 8);
    ++count[static_cast<std::size_t>(k)];
  }
  for (int k = 0; k < 8; ++k) {
    const double p = detail::test_bit(bits, k) ? 0.0 : q[static_cast<std::size_t>(k)] / clear_mass;
    const double sd = std::sqrt(draws * p * (1 - p));
    EXPECT_NEAR(count[static_cast<std::size_t>(k)], draws * p, 5 * sd + 1e-9) << "class " << k;
  }
  EXPECT_EQ(count[1] + count[4] + count[5], 0);
  // the ends of u: the first and the last clear class of mass
  EXPECT_EQ(alias_sample_clear(table.view(), bits, 0), 0);
  bits[0] = 0xff & ~(1u << 5);  // every class of mass set
  EXPECT_EQ(alias_sample_clear(table.view(), bits, rng()), -1);
  bits[0] = 0xff & ~((1u << 5) | (1u << 6));
  EXPECT_EQ(alias_sample_clear(table.view(), bits, ~std::uint64_t{0}), 6);
}

// A cell whose free states all have ~1e-7 of the weight: 262144 rejection tries find one
// with probability ~0.05, and the duplicate was an error ("cell is full") in ~95% of such
// cells. Now it lands in a free state, by the restricted law (class 4 has three times class
// 0's weight); with no free state of any weight the cell still fails.
TEST(PaperCell, ADuplicateWhoseFreeStatesAreRareGoesToOneOfThem) {
  const AliasTable bath(std::vector<double>{1e-7, 1.0, 1.0, 1.0, 3e-7, 0.0});
  const std::vector<double> q = bath.represented_probabilities();
  PaperParams p = rescatter_only(bath);
  std::uint64_t bits[1] = {0};
  const std::int32_t members[4] = {0, 1, 2, 3};
  constexpr int steps = 400;
  int in_four = 0;
  for (std::uint32_t s = 0; s < steps; ++s) {
    std::int32_t cls[4] = {1, 2, 3, 1};
    const auto k = paper_fermion_cell(StreamKey{7, 0}, 0, s, members, 4, cls, bits, p);
    ASSERT_EQ(k.failed, 0u) << "step " << s;
    ASSERT_EQ(k.rescattered, 1u);
    ASSERT_TRUE(cls[3] == 0 || cls[3] == 4) << cls[3];
    in_four += cls[3] == 4;
    EXPECT_EQ(bits[0], 0u);
  }
  const double p4 = q[4] / (q[0] + q[4]);
  EXPECT_NEAR(in_four, steps * p4, 5 * std::sqrt(steps * p4 * (1 - p4)));
  const AliasTable full(std::vector<double>{1.0, 1.0, 0.0});
  p.bath = full.view();
  std::int32_t cls[3] = {0, 1, 0};
  const auto k = paper_fermion_cell(StreamKey{7, 0}, 0, 0, members, 3, cls, bits, p);
  EXPECT_EQ(k.failed, 1u);
  EXPECT_EQ(k.rescattered, 0u);
  EXPECT_EQ(bits[0], 0u);
}

// exact, fermions: the CUDA backend's settle (exact_fermion_settle_alone for every attempt,
// in any order, then the deferred ones by exact_fermion_settle in increasing index) gives
// every attempt the outcome of the sequential rule, on dense small tables where most
// attempts collide: shared targets, targets held by attempting particles, chains of them,
// k' = k. The attempts settled alone touch no entry another attempt reads.
TEST(ExactSettle, AloneThenDeferredIsTheSequentialRule) {
  std::mt19937_64 rng(20261201);
  const auto below = [&rng](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  long long alone_swapped = 0, alone_rejected = 0, own_entry = 0, deferred = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const int K = 1 + below(4), M = 1 + below(5), entries = K * M, n = 1 + below(entries);
    const double due_p = trial % 3 == 0 ? 1.0 : (trial % 3 == 1 ? 0.5 : 0.15);
    std::vector<int> slot(static_cast<std::size_t>(entries));
    for (int e = 0; e < entries; ++e) slot[static_cast<std::size_t>(e)] = e;
    std::shuffle(slot.begin(), slot.end(), rng);
    std::vector<std::int32_t> occ0(static_cast<std::size_t>(entries), kPauliEmpty), cls0(n), cell0(n);
    std::vector<double> y0(n);
    std::vector<char> due(n);
    std::vector<FermionProposal> prop(n);
    for (int i = 0; i < n; ++i) {
      const int e = slot[static_cast<std::size_t>(i)];
      cls0[i] = e / M;
      cell0[i] = e % M;
      y0[i] = i + 0.25;
      occ0[static_cast<std::size_t>(e)] = i;
      due[i] = std::uniform_real_distribution<double>(0, 1)(rng) < due_p;
      prop[i].cls = below(K);
      prop[i].cell = below(M);
      prop[i].y = 1000.0 + i;
    }
    // the sequential rule (cpu_schemes.cpp)
    std::vector<std::int32_t> occ_s = occ0, cls_s = cls0, cell_s = cell0;
    std::vector<double> y_s = y0;
    std::vector<char> swapped_s(n, 0);
    const PauliTable seq{occ_s.data(), K, M};
    for (int i = 0; i < n; ++i)
      if (due[i]) swapped_s[i] = exact_fermion_settle(seq, i, prop[i], cls_s[i], cell_s[i], y_s[i]);
    // alone in three orders, then the deferred in increasing index
    for (int order = 0; order < 3; ++order) {
      std::vector<std::int32_t> occ = occ0, cls = cls0, cell = cell0, claims(static_cast<std::size_t>(entries), 0);
      std::vector<double> y = y0;
      const PauliTable table{occ.data(), K, M}, claimed{claims.data(), K, M};
      for (int i = 0; i < n; ++i)
        if (due[i]) ++claimed.at(prop[i].cls, prop[i].cell);
      std::vector<int> turn(n);
      for (int i = 0; i < n; ++i) turn[i] = i;
      if (order == 1) std::reverse(turn.begin(), turn.end());
      if (order == 2) std::shuffle(turn.begin(), turn.end(), rng);
      std::vector<char> swapped(n, 0), later(n, 0), alone(n, 0);
      for (const int i : turn) {
        if (!due[i]) continue;
        const AloneSettle r = exact_fermion_settle_alone(table, claimed, i, prop[i], cls[i], cell[i], y[i],
                                                         [&due](std::int32_t k) { return due[k] != 0; });
        later[i] = r == AloneSettle::deferred;
        alone[i] = !later[i];
        swapped[i] = r == AloneSettle::swapped;
        if (order == 0) {
          alone_swapped += r == AloneSettle::swapped;
          alone_rejected += r == AloneSettle::rejected;
          own_entry += r == AloneSettle::rejected && prop[i].cls == cls0[i] && prop[i].cell == cell0[i];
          deferred += later[i];
        }
      }
      for (int i = 0; i < n; ++i) {
        if (!later[i]) continue;
        claimed.at(prop[i].cls, prop[i].cell) = 0;
        swapped[i] = exact_fermion_settle(table, i, prop[i], cls[i], cell[i], y[i]);
      }
      SCOPED_TRACE("trial " + std::to_string(trial) + ", order " + std::to_string(order));
      ASSERT_EQ(occ, occ_s);
      ASSERT_EQ(cls, cls_s);
      ASSERT_EQ(cell, cell_s);
      ASSERT_EQ(y, y_s);
      ASSERT_EQ(swapped, swapped_s);
      ASSERT_EQ(claims, std::vector<std::int32_t>(static_cast<std::size_t>(entries), 0));
      // an alone attempt's entries (source S, target T) are read by no other attempt
      for (int i = 0; i < n; ++i) {
        if (!alone[i]) continue;
        const int S = cls0[i] * M + cell0[i], T = prop[i].cls * M + prop[i].cell;
        for (int j = 0; j < n; ++j) {
          if (j == i || !due[j]) continue;
          const int Sj = cls0[j] * M + cell0[j], Tj = prop[j].cls * M + prop[j].cell;
          ASSERT_NE(Tj, T) << i << " alone, " << j << " aims at its target";
          ASSERT_NE(Tj, S) << i << " alone, " << j << " aims at its source";
          ASSERT_NE(Sj, T) << i << " alone, " << j << " holds its target";
        }
      }
    }
  }
  // every branch taken, many times
  EXPECT_GT(alone_swapped, 500);
  EXPECT_GT(alone_rejected - own_entry, 250);
  EXPECT_GT(own_entry, 200);
  EXPECT_GT(deferred, 2000);
  RecordProperty("alone_swapped", std::to_string(alone_swapped));
  RecordProperty("deferred", std::to_string(deferred));
  RecordProperty("alone_rejected", std::to_string(alone_rejected));
  RecordProperty("own_entry", std::to_string(own_entry));
}

// Observation times are the requested ones where s steps of dt reach them but for the
// product's rounding (an audit saw 0.9 stored as 0.8999999999999999 = 3 x 0.3), and s dt
// where the time is not a multiple of dt.
TEST(ObservationTimes, RequestedTimesReachedByWholeStepsAreKeptExactly) {
  Config c = fig5d(Scheme::exact, Statistics::classical);
  c.system.particles = 10;
  c.numerics.realizations = 1;
  c.numerics.dt = 0.3;
  c.numerics.times = {0.0, 0.3, 0.9, 2.1, 2.45};
  const auto s = test::run_cpu(c, 1);
  ASSERT_EQ(s.times.size(), 5u);
  EXPECT_EQ(s.times[0], 0.0);
  EXPECT_EQ(s.times[1], 0.3);
  EXPECT_EQ(s.times[2], 0.9);
  EXPECT_EQ(s.times[3], 2.1);
  EXPECT_EQ(s.times[4], 8 * 0.3);  // 2.45 is 8.17 steps: the 8 simulated
}

// The automatic classical velocity histogram covers what the run holds: the bath's support
// and a `thermal` start's +-8.5 sqrt(T). With a cold bath far from the start (T = 0.01 at
// -1000, start T = 4) the histogram held only the bath's [-1000.88, -999.12], the t = 0
// histogram was empty and its chi^2 NaN (an audit); now every particle is in it.
TEST(VelocityHistogram, AutomaticRangeHoldsAThermalStart) {
  Config c = fig5d(Scheme::exact, Statistics::classical);
  c.bath.kind = BathKind::thermal;
  c.bath.temperature = 0.01;
  c.bath.boost = -1000;
  c.system.profile = Profile::uniform;
  c.system.particles = 300;
  c.system.length = 300;
  c.system.velocities = InitialVelocities::thermal;
  c.system.temperature = 4;
  c.numerics.cells = 30;
  c.numerics.dt = 0.3;
  c.numerics.times = {0.0, 30.0};
  c.numerics.realizations = 10;
  const auto s = test::run_cpu(c, 1);
  EXPECT_LE(s.velocity_edges.front(), -1000.8);  // the bath: -1000 - 8.8 sd
  EXPECT_GE(s.velocity_edges.back(), 8.5 * 2.0);
  const auto sum = engine::summarize(s);
  const std::size_t K = sum.velocity_lambda.size();
  const double width = s.velocity_edges[1] - s.velocity_edges[0];
  for (std::size_t t = 0; t < 2; ++t) {
    double mass = 0;
    for (std::size_t k = 0; k < K; ++k) mass += sum.velocity_mean[t * K + k] * width;
    EXPECT_NEAR(mass, 1.0, 1e-12) << "t " << sum.times[t];  // N / L: every particle binned
  }
}
