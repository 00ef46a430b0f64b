// CPU vs GPU with the same seed: the CUDA backend must give the CPU backend's RunSums bit
// for bit (every count, every ExactSum), for each scheme and statistics, in one batch, in
// several batches and in shards. Plus the backend choice and the memory refusal. Every
// GPU case skips itself without a device (and the build without CUDA has none).
#include <gtest/gtest.h>

#include <cstdlib>

#include <vswap/error.hpp>

#include "backend_helpers.hpp"
#include "engine_helpers.hpp"

using namespace vswap;

namespace {

struct Case {
  Scheme scheme;
  Statistics stats;
  InitialVelocities velocities;
};
std::string name(const ::testing::TestParamInfo<Case>& i) {
  return std::string(to_string(i.param.scheme)) + "_" + to_string(i.param.stats) + "_" +
         to_string(i.param.velocities);
}

/// Fig. 5(d), small: the paper scheme for fermions is the slow one (explicit bath samples).
Config small(const Case& c) {
  Config cfg = test::fig5d(c.scheme, c.stats);
  cfg.system.velocities = c.velocities;
  cfg.numerics.times = c.scheme == Scheme::paper && c.stats == Statistics::fermi ? std::vector<double>{0.0, 0.05, 0.1}
                                                                                  : std::vector<double>{0.0, 1.0, 2.5};
  cfg.numerics.realizations = 5;
  return cfg;
}

void expect_identical(const engine::RunSums& cpu, const engine::RunSums& gpu) {
  EXPECT_EQ(cpu.times, gpu.times);
  EXPECT_EQ(cpu.steps, gpu.steps);
  EXPECT_EQ(cpu.density_edges, gpu.density_edges);
  EXPECT_EQ(cpu.velocity_edges, gpu.velocity_edges);
  EXPECT_EQ(cpu.first, gpu.first);
  EXPECT_EQ(cpu.last, gpu.last);
  EXPECT_EQ(cpu.scheme, gpu.scheme);
  EXPECT_EQ(cpu.density_count, gpu.density_count);
  EXPECT_EQ(cpu.density_count_sq, gpu.density_count_sq);
  EXPECT_EQ(cpu.velocity_count, gpu.velocity_count);
  EXPECT_EQ(cpu.velocity_count_sq, gpu.velocity_count_sq);
  EXPECT_EQ(cpu.swaps, gpu.swaps);
  EXPECT_EQ(cpu.rejected, gpu.rejected);
  EXPECT_EQ(cpu.rescattered, gpu.rescattered);
  EXPECT_EQ(cpu.saturated, gpu.saturated);
  ASSERT_EQ(cpu.energy.size(), gpu.energy.size());
  for (std::size_t t = 0; t < cpu.energy.size(); ++t) {
    EXPECT_TRUE(cpu.energy[t] == gpu.energy[t]) << "t " << t << ": " << cpu.energy[t].value() << " vs " << gpu.energy[t].value();
    EXPECT_TRUE(cpu.energy_sq[t] == gpu.energy_sq[t]) << "t " << t;
  }
  EXPECT_TRUE(test::identical(cpu, gpu));
}

class CpuVsGpu : public ::testing::TestWithParam<Case> {};

TEST_P(CpuVsGpu, SameSeedSameBits) {
  VSWAP_SKIP_UNLESS_BACKEND(Backend::cuda);
  const Config c = small(GetParam());
  const auto cpu = test::run_on(Backend::cpu, c);
  const auto gpu = test::run_on(Backend::cuda, c);
  expect_identical(cpu, gpu);
  EXPECT_GT(gpu.swaps.back(), 0);
}

TEST_P(CpuVsGpu, SameBitsInBatchesShardsAndWithChecks) {
  VSWAP_SKIP_UNLESS_BACKEND(Backend::cuda);
  const Config c = small(GetParam());
  const auto cpu = test::run_on(Backend::cpu, c);
  ::setenv("VSWAP_CUDA_MAX_BATCH", "2", 1);  // batches of 2, 2, 1 realizations
  const auto batched = test::run_on(Backend::cuda, c, /*check=*/true);
  ::unsetenv("VSWAP_CUDA_MAX_BATCH");
  expect_identical(cpu, batched);
  auto shards = test::run_on(Backend::cuda, c, false, 0, 3);
  shards.merge(test::run_on(Backend::cuda, c, false, 3, 5));
  expect_identical(cpu, shards);
  Config other = c;
  other.numerics.seed = 2;
  EXPECT_FALSE(test::identical(cpu, test::run_on(Backend::cuda, other)));
}

INSTANTIATE_TEST_SUITE_P(
    Schemes, CpuVsGpu,
    ::testing::Values(Case{Scheme::exact, Statistics::fermi, InitialVelocities::bath},
                      Case{Scheme::exact, Statistics::fermi, InitialVelocities::stationary},
                      Case{Scheme::exact, Statistics::classical, InitialVelocities::bath},
                      Case{Scheme::event, Statistics::classical, InitialVelocities::bath},
                      Case{Scheme::event, Statistics::classical, InitialVelocities::thermal},
                      Case{Scheme::paper, Statistics::fermi, InitialVelocities::bath},
                      Case{Scheme::paper, Statistics::classical, InitialVelocities::bath}),
    name);

TEST(BackendChoice, AutoPicksTheDeviceWhenThereIsOne) {
  std::string note;
  const auto e = engine::make_engine(Backend::automatic, note);
  if (test::have_cuda_device()) {
    EXPECT_EQ(e->backend_name(), "cuda");
    EXPECT_NE(note.find("CUDA device 0"), std::string::npos) << note;
  } else {
    EXPECT_EQ(e->backend_name(), "cpu");
    EXPECT_EQ(note, "no CUDA device found; running on the CPU");
  }
}

TEST(BackendChoice, CudaWithoutDeviceIsAnInputError) {
  if (test::have_cuda_device()) GTEST_SKIP() << "a CUDA device is present";
  std::string note;
  try {
    engine::make_engine(Backend::cuda, note);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "numerics.backend");
  }
}

// 2e9 fermions: the Pauli tables alone need > 100 GiB. Refused before any allocation.
TEST(GpuMemory, ARealizationThatDoesNotFitIsRefusedSayingWhatItNeeds) {
  VSWAP_SKIP_UNLESS_BACKEND(Backend::cuda);
  Config c = test::fig5d(Scheme::exact, Statistics::fermi);
  c.system.profile = Profile::uniform;
  c.system.particles = 2000000000;
  c.system.length = 1e9;
  c.numerics.cells = 200000000;
  c.numerics.realizations = 1;
  try {
    test::run_on(Backend::cuda, c);
    ADD_FAILURE() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "system.particles");
    EXPECT_NE(std::string(e.what()).find("GiB free"), std::string::npos) << e.what();
  }
}

}  // namespace
