// Engine plumbing: determinism (same seed, threads, shards), invariants, refused inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include <vswap/bath_sampler.hpp>
#include <vswap/error.hpp>
#include <vswap/observables.hpp>
#include <vswap/paper_cell.hpp>

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

// `event`'s lane code (8 AVX-512 lanes, 4 AVX2 lanes) against the scalar functions: check
// mode compares every lane with them bit for bit, and the sums of every width available on
// this CPU (VSWAP_SIMD caps it) are identical to the scalar run's.
TEST(EventLanes, EveryVectorWidthGivesTheScalarBits) {
  Config cfg = small(Case{Scheme::event, Statistics::classical});
  cfg.system.particles = 203;  // not a multiple of 16 or 8: a scalar tail
  cfg.numerics.times = {0.0, 1.0, 10.0};
  cfg.numerics.realizations = 2;
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

// paper, 2(b): a duplicate is re-scattered into a class no particle of the cell holds. Cell of
// classes {2, 2, 1} in index order on a bath that weighs class 1 heavily: exactly one
// re-scattering, never onto class 1 (which made particle 3 a duplicate in its turn: the counter
// read 22% high in an audit's run).
TEST(PaperCell, DuplicateGoesToAClassNoMemberHolds) {
  const AliasTable bath(std::vector<double>{0.1, 5.0, 0.1, 0.1, 0.1, 0.1});
  PaperParams p;
  p.gamma = 0.0;  // no swap: only 2(b)
  p.dt = 0.1;
  p.bath_count = 1;
  p.bath_length = 1.0;
  p.bath = bath.view();
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
