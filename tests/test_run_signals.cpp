// SIGTERM / SIGINT outside the checkpointed simulation loop (docs/PRODUCTION.md, "Signals
// and exit codes"): during the theory prediction before the simulation, and while the
// output is made after it, `vswap run` exits 128 + signal itself (not killed by it), saying
// what was and was not written, and leaves no partial file.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "production_helpers.hpp"

namespace {

namespace fs = std::filesystem;
using vswap::test::read_text;
using vswap::test::ScratchDir;
using vswap::test::spawn_vswap;

/// A run whose prediction (Burgers (2) on 4096 bins to t = 2000, 2000 table densities)
/// takes seconds and whose simulation (1 realization of 20 particles) takes milliseconds.
const char* kSlowPrediction = R"(
[system]
particles = 20
length = 1000.0
width = 50.0
[numerics]
cells = 200
dt = 0.05
realizations = 1
times = [0.0, 500.0, 1000.0, 2000.0]
bins = 4096
backend = "cpu"
[theory]
points = 2000
)";

/// Homogeneous fermions started from the bath: the theory is computed again after the
/// simulation, from the run's own first histogram, on ~2000 velocity classes: seconds.
const char* kSlowAfterTheRun = R"(
[system]
particles = 20
length = 1000.0
profile = "uniform"
[numerics]
cells = 4
dt = 0.05
realizations = 1
times = [0.0, 100.0, 200.0, 400.0]
bins = 10
backend = "cpu"
[theory]
points = 20000
)";

/// Whether `pid` catches `sig` (its SigCgt mask in /proc): the handler is installed.
bool catches(pid_t pid, int sig) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("SigCgt:", 0) != 0) continue;
    const unsigned long long mask = std::stoull(line.substr(7), nullptr, 16);
    return (mask >> (sig - 1)) & 1ULL;
  }
  return false;
}

/// Waits (at most 60 s) until `ready` holds for the running child; false if it ended first.
template <typename Ready>
bool wait_until(pid_t pid, Ready ready) {
  for (int i = 0; i < 60000; ++i) {
    if (ready()) return true;
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

/// "exit N" when the child exited with N, "signal S" when a signal ended it.
std::string how_it_ended(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "?";
}

bool has_temporaries(const ScratchDir& dir) {
  for (const auto& e : fs::directory_iterator(dir.file(""))) {
    if (e.path().filename().string().find(".tmp.") != std::string::npos) return true;
  }
  return false;
}

TEST(StopSignals, SigtermDuringThePredictionIsExit143SayingNothingWasWritten) {
  ScratchDir dir("signal-prediction");
  const auto cfg = dir.write("c.toml", kSlowPrediction);
  const auto out = dir.file("out.h5");
  const pid_t pid = spawn_vswap({"run", cfg, "-o", out}, dir.file("log"));
  ASSERT_TRUE(wait_until(pid, [&] { return catches(pid, SIGTERM); }))
      << "no SIGTERM handler before the prediction: " << read_text(dir.file("log"));
  kill(pid, SIGTERM);
  EXPECT_EQ(how_it_ended(pid), "exit 143") << read_text(dir.file("log"));
  const auto log = read_text(dir.file("log"));
  EXPECT_NE(log.find("vswap run: SIGTERM received before the simulation: nothing was written"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("realizations ["), std::string::npos) << "the simulation had started:\n"
                                                           << log;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(has_temporaries(dir));
}

TEST(StopSignals, SigintDuringThePredictionOfACheckpointedRunIsExit130) {
  ScratchDir dir("signal-prediction-checkpoint");
  const auto cfg = dir.write("c.toml", kSlowPrediction);
  const auto ckpt = dir.file("run.ckpt");
  const pid_t pid =
      spawn_vswap({"run", cfg, "-o", dir.file("out.h5"), "--checkpoint", ckpt}, dir.file("log"));
  ASSERT_TRUE(wait_until(pid, [&] { return catches(pid, SIGINT); })) << read_text(dir.file("log"));
  kill(pid, SIGINT);
  EXPECT_EQ(how_it_ended(pid), "exit 130") << read_text(dir.file("log"));
  const auto log = read_text(dir.file("log"));
  EXPECT_NE(log.find("SIGINT received before the simulation: nothing was written"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("realizations ["), std::string::npos) << log;
  EXPECT_FALSE(fs::exists(ckpt));
  EXPECT_FALSE(fs::exists(dir.file("out.h5")));
}

TEST(StopSignals, SigtermAfterTheSimulationKeepsTheCompleteCheckpointForTheOutput) {
  ScratchDir dir("signal-after");
  const auto cfg = dir.write("c.toml", kSlowAfterTheRun);
  const auto out = dir.file("out.h5");
  const auto ckpt = dir.file("run.ckpt");
  // one checkpoint only: the complete one, written after the simulation, before the output
  const std::vector<std::string> command{
      "run", cfg, "-o", out, "--checkpoint", ckpt, "--checkpoint-every", "1e9"};
  const pid_t pid = spawn_vswap(command, dir.file("log"));
  ASSERT_TRUE(wait_until(pid, [&] { return fs::exists(ckpt); })) << read_text(dir.file("log"));
  kill(pid, SIGTERM);
  EXPECT_EQ(how_it_ended(pid), "exit 143") << read_text(dir.file("log"));
  const auto log = read_text(dir.file("log"));
  EXPECT_NE(log.find("SIGTERM received after the simulation, while the output was made: " + out +
                     " was not written; the checkpoint " + ckpt + " is complete"),
            std::string::npos)
      << log;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(has_temporaries(dir));
  const pid_t again = spawn_vswap(command, dir.file("log2"));
  EXPECT_EQ(how_it_ended(again), "exit 0") << read_text(dir.file("log2"));
  EXPECT_NE(read_text(dir.file("log2")).find("resuming"), std::string::npos);
  EXPECT_TRUE(fs::exists(out));
  EXPECT_FALSE(fs::exists(ckpt));
}

}  // namespace
