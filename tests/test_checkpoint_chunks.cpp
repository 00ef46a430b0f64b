// The chunks of a checkpointed run (app/checkpointed_run.cpp): the engine says how many
// realizations fill it and how many it holds (Engine::checkpoint_chunks), the run takes
// the first and grows each chunk toward what lasts a quarter of the checkpoint interval.
// A GPU that got the CPU's two realizations a thread ran 32 realizations at a time on 16
// cores (51 200 particles at N = 1600 for 132 SMs), every `tools/slurm_array.sh` job
// being checkpointed; the bits must not depend on the chunks.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "app/checkpointed_run.hpp"
#include "cli_helpers.hpp"
#include "engine/engine.hpp"
#include "engine_helpers.hpp"

namespace vswap {
namespace {

using engine::ChunkSizes;
using Ranges = std::vector<std::pair<std::int64_t, std::int64_t>>;

/// The CPU backend with other chunk sizes, recording the ranges it is asked to run.
class RecordingEngine final : public engine::Engine {
 public:
  explicit RecordingEngine(ChunkSizes sizes) : sizes_(sizes) {}
  std::string backend_name() const override { return "cpu"; }
  std::string device_name() const override { return "test"; }
  engine::RunSums run(const engine::RunSetup& setup, engine::ProgressCallback progress) override {
    const auto range = engine::realization_range(setup);
    if (range.first < range.second) calls.push_back(range);
    return cpu_->run(setup, std::move(progress));
  }
  ChunkSizes checkpoint_chunks(const engine::RunSetup&, int) const override { return sizes_; }
  Ranges calls;

 private:
  ChunkSizes sizes_;
  std::unique_ptr<engine::Engine> cpu_ = engine::make_cpu_engine();
};

Config small_run() {
  Config c = test::fig5d(Scheme::exact, Statistics::fermi);
  c.system.particles = 100;
  c.system.length = 125;
  c.system.width = 20;
  c.numerics.cells = 25;
  c.numerics.times = {0.0, 0.5};
  c.numerics.realizations = 100;
  return c;
}

engine::RunSums checkpointed(RecordingEngine& eng, const Config& c, double every, const std::string& path) {
  engine::RunSetup setup;
  setup.config = c;
  setup.last_realization = c.numerics.realizations;  // as `vswap run` gives it
  setup.options.threads = 1;
  app::ProgressReporter progress("test", false);
  std::string on_disk;
  auto sums = app::run_checkpointed(eng, setup, path, every, 1, progress, true, on_disk);
  EXPECT_EQ(on_disk, "");
  return sums;
}

TEST(CheckpointChunks, NextSizeLastsAQuarterOfTheIntervalBetweenFillAndMost) {
  const ChunkSizes k{10, 1000};
  EXPECT_EQ(app::next_chunk_size(k, 0.01, 4.0), 100);   // 1 s of 0.01 s realizations
  EXPECT_EQ(app::next_chunk_size(k, 1.0, 4.0), 10);     // 1 realization a quarter: fill
  EXPECT_EQ(app::next_chunk_size(k, 1e-6, 4.0), 1000);  // most
  EXPECT_EQ(app::next_chunk_size(k, 0.0, 4.0), 1000);   // too fast to time
  EXPECT_EQ(app::next_chunk_size({2, 2}, 1e-9, 300.0), 2);  // the CPU's: fill = most
  EXPECT_EQ(app::next_chunk_size({5, 3}, 1.0, 1.0), 3);     // most bounds fill
  EXPECT_EQ(app::next_chunk_size({0, 0}, 1.0, 1.0), 1);     // at least one realization
}

// The first chunk fills the engine; with a checkpoint interval far longer than the run the
// next ones take what it holds. The sums are those of one plain run, bit for bit.
TEST(CheckpointChunks, GrowFromFillToMostAndKeepTheBits) {
  test::ScratchDir dir("chunks-grow");
  const Config c = small_run();
  RecordingEngine eng({3, 40});
  const auto sums = checkpointed(eng, c, 1e9, dir.file("c.ckpt"));
  EXPECT_EQ(eng.calls, (Ranges{{0, 3}, {3, 43}, {43, 83}, {83, 100}}));
  engine::RunSetup plain;
  plain.config = c;
  const auto reference = engine::make_cpu_engine()->run(plain, nullptr);
  EXPECT_TRUE(test::identical(sums, reference));
  EXPECT_GT(sums.swaps.back(), 0);
}

// An interval shorter than any chunk: every chunk is the fill, none smaller.
TEST(CheckpointChunks, StayAtFillWhenTheIntervalIsShort) {
  test::ScratchDir dir("chunks-short");
  const Config c = small_run();
  RecordingEngine eng({7, 40});
  checkpointed(eng, c, 1e-9, dir.file("c.ckpt"));
  ASSERT_EQ(eng.calls.size(), 15u);
  for (std::size_t i = 0; i + 1 < eng.calls.size(); ++i) {
    EXPECT_EQ(eng.calls[i].second - eng.calls[i].first, 7) << i;
  }
  EXPECT_EQ(eng.calls.back(), std::make_pair(std::int64_t{98}, std::int64_t{100}));
}

// The CPU backend's own chunks are unchanged: two realizations a thread, whatever the
// interval.
TEST(CheckpointChunks, TheCpuTakesTwoRealizationsAThread) {
  engine::RunSetup setup;
  setup.config = small_run();
  const auto cpu = engine::make_cpu_engine();
  const ChunkSizes k = cpu->checkpoint_chunks(setup, 3);
  EXPECT_EQ(k.fill, 6);
  EXPECT_EQ(k.most, 6);
  EXPECT_EQ(cpu->checkpoint_chunks(setup, 0).fill, 1);
}

}  // namespace
}  // namespace vswap
