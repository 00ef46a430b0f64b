// The audit's repros of the fermion Pauli limit and of the Burgers transport
// table, end to end: each was an internal error (exit 1); now a result (exit 0)
// or an input error (exit 2) naming the key.
#include <gtest/gtest.h>

#include <string>

#include "cli_helpers.hpp"

using vswap::test::run_vswap;
using vswap::test::ScratchDir;

namespace {
const char *kBase = R"(
[bath]
kind = "bragg"
density = 50.0
sigma = 6.0
lambda_B = 5.9
b = 0.3
[system]
statistics = "fermi"
particles = 200
length = 200.0
profile = "gaussian"
width = 20.0
velocities = "bath"
[collisions]
gamma = 0.08
scheme = "exact"
[numerics]
cells = 40
dt = 0.01
realizations = 4
seed = 1
times = [0.0, 5.0, 10.0]
bins = 20
backend = "cpu"
[theory]
rho_min = 0.0
rho_max = 4.0
points = 50
)";
} // namespace

TEST(TheoryCommand, ClassicalConfigWithANarrowBathWritesTheFermionTableToo) {
  // The fermion comparison table went to 0.99 of a limit of 1.068 that no A >=
  // 1e-304 reaches: "no fugacity found down to A = 1e-304 (density 1.057)".
  ScratchDir dir("pauli-narrow-classical");
  const std::string cfg = dir.write("c.toml", kBase);
  const auto r = run_vswap(
      "theory " + cfg +
      " --set system.statistics=\"classical\" --set collisions.scheme=\"event\""
      " --set bath.sigma=0.1 -o " +
      dir.file("t.h5"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(TheoryCommand, FermionDensityAboveTheLimitIsAnInputErrorNamingRho) {
  ScratchDir dir("pauli-narrow-rho");
  const std::string cfg = dir.write("f.toml", kBase);
  const auto r =
      run_vswap("theory " + cfg + " --csv --rho 1.06 --set bath.sigma=0.1");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--rho"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Pauli limit 0.394"), std::string::npos) << r.output;
  // a Bragg bath's tails are Gaussian: the limit is the quadrature's, and the message says so
  EXPECT_NE(r.output.find("Gaussian tails have no limit in principle"), std::string::npos) << r.output;
  const auto ok =
      run_vswap("theory " + cfg + " --csv --rho 0.39 --set bath.sigma=0.1");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
}

// theory.rho_max (default 4) beyond a narrow bath's limit: the table stops at 0.99 of it,
// as the run's does, with a warning (an audit found the default refused on any narrow
// bath, while `vswap run` of the same config went on); a range that starts beyond it is
// still refused.
TEST(TheoryCommand, RhoMaxBeyondTheLimitStopsTheTableBelowItAsTheRunDoes) {
  ScratchDir dir("pauli-narrow-range");
  const std::string cfg = dir.write("f.toml", kBase);
  const auto r = run_vswap("theory " + cfg + " --csv --set bath.sigma=0.1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("vswap theory: warning: theory.rho_max = 4 is at or beyond the fermions' Pauli limit 0.394"),
            std::string::npos) << r.output;
  const std::string last = r.output.substr(r.output.rfind("\n", r.output.size() - 2) + 1);
  const double rho_last = std::stod(last.substr(0, last.find(',')));
  EXPECT_GT(rho_last, 0.98 * 0.394);
  EXPECT_LT(rho_last, 0.99 * 0.3948);
  const auto beyond = run_vswap("theory " + cfg + " --csv --set bath.sigma=0.1 --set theory.rho_min=0.5");
  EXPECT_EQ(beyond.exit_code, 2) << beyond.output;
  EXPECT_NE(beyond.output.find("theory.rho_max"), std::string::npos) << beyond.output;
}

TEST(RunCommand, ColdBathOnAThermalStartLatticeHasItsTheory) {
  // Lattice classes added for the thermal start hold rho_b down to 1e-308: the
  // theory after the Monte Carlo failed at density 1.018 of a "limit" of 1.4 (7
  // classes); it is 0.2.
  ScratchDir dir("pauli-cold-lattice");
  const std::string cfg = dir.write("f.toml", kBase);
  const auto r =
      run_vswap("run " + cfg +
                " -q --set bath.kind=\"thermal\" --set bath.temperature=0.01"
                " --set system.particles=20 --set system.profile=\"uniform\""
                " --set system.velocities=\"thermal\" -o " +
                dir.file("r.h5"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(BurgersCommand, PeakAtEightTenthsOfThePauliLimitIsSolved) {
  // D from 13 to 4e12 over the profile: "time step collapsed at t = 0" (exit
  // 1).
  ScratchDir dir("pauli-burgers-width7");
  const std::string cfg = dir.write("f.toml", kBase);
  const auto r =
      run_vswap("burgers " + cfg + " --set system.width=7.0 --cells 160 -o " +
                dir.file("b.h5"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

// A profile whose peak exceeds the limit cannot be the initial state of (2): refused, naming
// the width (it failed inside the solver: "density 15.96 outside [0, 13.70]", exit 1).
TEST(BurgersCommand, PeakBeyondThePauliLimitIsAnInputErrorNamingTheWidth) {
  ScratchDir dir("cli-pauli-burgers-beyond");
  const std::string cfg = dir.write("f.toml", kBase);
  const auto r = run_vswap("burgers " + cfg + " --set system.width=5.0 -o " + dir.file("b.h5"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("system.width"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("b.h5")));
}
