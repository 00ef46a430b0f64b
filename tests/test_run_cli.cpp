// `vswap run`, `theory` and `burgers` end to end: the documented HDF5 layout
// (docs/OUTPUT.md) and the bad-input cases of issue 3 (exit 2, no partial file).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

#include <fmt/format.h>

#include "app/h5_file.hpp"
#include "backend_helpers.hpp"
#include "cli_helpers.hpp"
#include "production_helpers.hpp"

namespace {

using vswap::app::h5_read;
using vswap::test::run_vswap;
using vswap::test::ScratchDir;

const char* kTiny = R"(
[bath]
kind = "bragg"
density = 50.0
sigma = 6.0
lambda_B = 5.9
b = 0.3
[system]
statistics = "fermi"
particles = 200
length = 400.0
profile = "gaussian"
width = 60.0
[collisions]
gamma = 0.08
[numerics]
cells = 80
dt = 0.02
realizations = 8
seed = 3
times = [0.0, 5.0, 10.0]
bins = 20
backend = "cpu"
[theory]
rho_max = 3.0
points = 40
)";

std::uint64_t rows(const std::string& file, const std::string& name, std::uint64_t* cols) {
  std::vector<std::uint64_t> shape;
  h5_read(file, name, &shape);
  if (cols) *cols = shape.size() > 1 ? shape[1] : 0;
  return shape.empty() ? 0 : shape[0];
}

TEST(RunCommand, WritesTheDocumentedLayout) {
  ScratchDir dir("run-layout");
  const std::string cfg = dir.write("tiny.toml", kTiny);
  const std::string out = dir.file("run.h5");
  const auto r = run_vswap("run " + cfg + " -o " + out + " -q");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::uint64_t cols = 0;
  EXPECT_EQ(rows(out, "/times", nullptr), 3u);
  for (const char* name : {"/density/mean", "/density/stderr", "/theory/density",
                           "/theory/linear_density", "/sums/density_count"}) {
    EXPECT_EQ(rows(out, name, &cols), 3u) << name;
    EXPECT_EQ(cols, 20u) << name;
  }
  const std::uint64_t K = rows(out, "/velocity/lambda", nullptr);
  EXPECT_GT(K, 10u);
  for (const char* name : {"/velocity/mean", "/velocity/stderr", "/theory/velocity"}) {
    EXPECT_EQ(rows(out, name, &cols), 3u) << name;
    EXPECT_EQ(cols, K) << name;
  }
  for (const char* name : {"/energy/mean", "/energy/stderr", "/theory/energy",
                           "/comparison/chi2_dof", "/comparison/linear_chi2_dof",
                           "/counters/swaps", "/counters/rejected"}) {
    EXPECT_EQ(rows(out, name, nullptr), 3u) << name;
  }
  EXPECT_EQ(rows(out, "/theory/coefficients", &cols), 40u);
  EXPECT_EQ(cols, 4u);
  // Mass: every row of the density histogram integrates to N (exactly, per realization).
  const auto mean = h5_read(out, "/density/mean");
  for (int t = 0; t < 3; ++t) {
    double mass = 0;
    for (int b = 0; b < 20; ++b) mass += mean[t * 20 + b] * (400.0 / 20);
    EXPECT_NEAR(mass, 200.0, 1e-9);
  }
  // Provenance attributes.
  for (const char* attr : {"config", "version", "git_commit", "backend", "device", "scheme"}) {
    EXPECT_FALSE(vswap::app::h5_read_attribute(out, "/", attr).empty()) << attr;
  }
  EXPECT_NE(vswap::app::h5_read_attribute(out, "/", "config").find("particles = 200"),
            std::string::npos);
  EXPECT_TRUE(vswap::app::h5_has_attribute(out, "/theory/coefficients", "kinetic_xi"));
  for (const char* attr : {"knudsen", "missing_skewness"})
    EXPECT_TRUE(vswap::app::h5_has_attribute(out, "/theory/density", attr)) << attr;
  // Pauli-blocked attempts happen for fermions at this density, and swaps grow with time.
  const auto swaps = h5_read(out, "/counters/swaps");
  EXPECT_EQ(swaps[0], 0.0);
  EXPECT_GT(swaps[2], swaps[1]);
  EXPECT_GT(h5_read(out, "/counters/rejected")[2], 0.0);
}

TEST(RunCommand, SameSeedSameFileDifferentSeedDifferent) {
  ScratchDir dir("run-seed");
  const std::string cfg = dir.write("tiny.toml", kTiny);
  ASSERT_EQ(run_vswap("run " + cfg + " -q -o " + dir.file("a.h5")).exit_code, 0);
  ASSERT_EQ(run_vswap("run " + cfg + " -q --threads 1 -o " + dir.file("b.h5")).exit_code, 0);
  ASSERT_EQ(run_vswap("run " + cfg + " -q --set numerics.seed=4 -o " + dir.file("c.h5")).exit_code,
            0);
  for (const char* name : {"/density/mean", "/velocity/mean", "/energy/mean", "/theory/density"}) {
    EXPECT_EQ(h5_read(dir.file("a.h5"), name), h5_read(dir.file("b.h5"), name)) << name;
  }
  EXPECT_NE(h5_read(dir.file("a.h5"), "/density/mean"), h5_read(dir.file("c.h5"), "/density/mean"));
}

struct BadRun {
  const char* name;
  const char* sets;
  const char* key;
};

class RunBadInput : public ::testing::TestWithParam<BadRun> {};

TEST_P(RunBadInput, ExitTwoNamingTheKeyNoFile) {
  const BadRun& c = GetParam();
  if (std::string(c.name) == "cuda_without_device" && vswap::test::have_cuda_device())
    GTEST_SKIP() << "a CUDA device is present";
  ScratchDir dir(std::string("run-bad-") + c.name);
  const std::string cfg = dir.write("tiny.toml", kTiny);
  dir.write("negative.txt", "-10 0.0\n0 -1.0\n10 0.0\n");
  std::string sets = c.sets;
  const auto pos = sets.find("@DIR@");
  if (pos != std::string::npos) sets.replace(pos, 5, dir.file(""));
  const std::string out = dir.file("out.h5");
  const auto r = run_vswap("run " + cfg + " -q -o " + out + " " + sets);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(c.key), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(out));
  for (const auto& e : std::filesystem::directory_iterator(dir.file(""))) {
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << "left " << e.path();
  }
}

const BadRun kBadRuns[] = {
    {"unknown_scheme", "--set collisions.scheme=gillespie", "collisions.scheme"},
    {"dt_zero", "--set numerics.dt=0", "numerics.dt"},
    {"event_with_fermions", "--set collisions.scheme=event", "collisions.scheme"},
    {"too_many_fermions", "--set system.particles=5000", "system."},
    {"negative_table", "--set bath.kind=table --set bath.file=@DIR@negative.txt", "bath.file"},
    {"missing_table", "--set bath.kind=table --set bath.file=/nonexistent/bath.txt", "bath.file"},
    {"cuda_without_device", "--backend cuda", "numerics.backend"},
    {"two_times_one_step", "--set numerics.times=[0.0,5.0,5.001]", "numerics.times"},
    {"bath_on_one_lattice_class",
     "--set system.particles=20 --set bath.kind=thermal --set bath.temperature=0.0001", "numerics.cells"},
};
INSTANTIATE_TEST_SUITE_P(Table, RunBadInput, ::testing::ValuesIn(kBadRuns),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(RunCommand, UnwritableOutputIsAnInputErrorAndLeavesNothing) {
  ScratchDir dir("run-unwritable");
  const std::string cfg = dir.write("tiny.toml", kTiny);
  const auto r = run_vswap("run " + cfg + " -q -o /nonexistent/dir/run.h5");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("-o"), std::string::npos) << r.output;
}

// `-o` naming the config file itself (however spelled) is refused, and the config survives.
TEST(RunCommand, OutputThatIsTheConfigIsRefused) {
  ScratchDir dir("run-output-is-config");
  const std::string cfg = dir.write("tiny.toml", kTiny);
  const std::string spelled = dir.file("") + "/./tiny.toml";
  for (const char* sub : {"run", "theory", "burgers"}) {
    const auto r = run_vswap(std::string(sub) + " " + cfg + " -o " + spelled);
    EXPECT_EQ(r.exit_code, 2) << sub << ": " << r.output;
    EXPECT_NE(r.output.find("-o"), std::string::npos) << r.output;
    std::ifstream in(cfg);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text, kTiny) << sub;
  }
}

// One realization has no standard error (NaN): chi^2/dof and the energy z-score are then
// undefined and stored as NaN, not as a perfect 0.
TEST(RunCommand, OneRealizationStoresUndefinedComparisonsAsNaN) {
  ScratchDir dir("run-one-realization");
  const std::string cfg = dir.write("tiny.toml", kTiny);
  const std::string out = dir.file("run.h5");
  const auto r = run_vswap("run " + cfg + " -q --set numerics.realizations=1 -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* name : {"/comparison/chi2_dof", "/comparison/linear_chi2_dof",
                           "/comparison/velocity_chi2_dof", "/comparison/energy_z"}) {
    for (double v : h5_read(out, name)) EXPECT_TRUE(std::isnan(v)) << name << " = " << v;
  }
  for (double v : h5_read(out, "/comparison/dof")) EXPECT_EQ(v, 0.0);
}

// A table bath of compact support holds fewer fermions than theory.rho_max asks for: the
// coefficient table of `run` and `burgers` stops just below the lattice's Pauli limit
// (the profile never gets there), instead of failing after the simulation.
TEST(RunCommand, FermionCoefficientTableStopsBelowThePauliLimit) {
  ScratchDir dir("run-pauli-limit");
  std::string lines;
  for (int j = -24; j <= 24; ++j) lines += std::to_string(0.5 * j) + " " + std::to_string(1.0 - std::abs(j) / 24.0) + "\n";
  dir.write("tri.txt", lines);  // support [-12, 12]: 19 lattice classes of weight at dl = 2 pi / 5
  std::string text = kTiny;
  text.replace(text.find("kind = \"bragg\""), 14, "kind = \"table\"\nfile = \"tri.txt\"");
  text.replace(text.find("rho_max = 3.0"), 13, "rho_max = 4.0");
  const std::string cfg = dir.write("tiny.toml", text);
  const std::string out = dir.file("run.h5");
  auto r = run_vswap("run " + cfg + " -o " + out + " -q");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const double limit = 19.0 / 5.0 - 1e-9;  // classes of weight / ell
  std::uint64_t cols = 0;
  const auto n = rows(out, "/theory/coefficients", &cols);
  ASSERT_EQ(cols, 4u);
  const auto table = h5_read(out, "/theory/coefficients");
  EXPECT_LT(table[(n - 1) * 4], limit);
  EXPECT_GT(table[(n - 1) * 4], 0.98 * limit);
  r = run_vswap("burgers " + cfg + " -o " + dir.file("b.h5"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

// The prediction is computed before the Monte Carlo: a config whose theory cannot be made is
// refused before any realization runs (the run used to fail after the simulation, with
// exit 1 for these two). A checkpointed run writes its checkpoint once the simulation is
// complete, so none may exist.
TEST(RunCommand, AnImpossiblePredictionIsRefusedBeforeTheSimulation) {
  ScratchDir dir("run-theory-first");
  const std::string cfg = dir.write("tiny.toml", kTiny);
  for (const char* set : {"--set numerics.bins=600000",  // more than the Burgers grid's 2^20 cells / 2
                          "--set collisions.gamma=3000.0 --set numerics.dt=0.0001 --set numerics.times=[0.0,0.01]"}) {
    const auto r = run_vswap("run " + cfg + " -q " + set + " --checkpoint " + dir.file("c.ckpt") + " -o " +
                             dir.file("run.h5"));
    EXPECT_EQ(r.exit_code, 2) << set << "\n" << r.output;
    EXPECT_NE(r.output.find(std::string(set).substr(6, 12)), std::string::npos) << r.output;
    EXPECT_FALSE(std::filesystem::exists(dir.file("c.ckpt"))) << "the simulation ran: " << set;
    EXPECT_FALSE(std::filesystem::exists(dir.file("run.h5")));
  }
}

// The Burgers table reaches the continuous profile's peak: the solver's cells are finer than
// 4 x bins, whose averages it was taken from ("density reaches 33.60, outside [0, 33.13]").
TEST(RunCommand, NarrowProfileStaysInsideTheTransportTable) {
  ScratchDir dir("run-narrow");
  const std::string cfg = dir.write("tiny.toml", kTiny);
  const auto r = run_vswap("run " + cfg + " -q --set system.statistics=\"classical\" --set system.width=8.0 " +
                           "--set numerics.times=[0.0,0.5] -o " + dir.file("run.h5"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

// --threads is what the run uses and records (`device` said "2 OpenMP threads" with
// --threads 1 on a 2-core machine; `threads` was 0 without the option).
// What (2) leaves out is printed with the run's resolution, a Knudsen number >= 1 (a mean
// free path longer than the width) gets a line saying (2) is not expected to hold, and
// `exact` at gamma rho_bath dt > 0.3 a line on its time-step error.
TEST(RunCommand, PrintsWhatBurgersLeavesOutAndWarnsAtLargeKnudsenNumber) {
  ScratchDir dir("run-knudsen");
  const std::string cfg = dir.write("tiny.toml", kTiny);
  auto r = run_vswap("run " + cfg + " --threads 1 -o " + dir.file("a.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("a profile variance smaller than its own by"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("not expected to describe"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("on the step grid"), std::string::npos) << r.output;  // gamma rho_bath dt 0.08
  r = run_vswap("run " + cfg + " --threads 1 --set numerics.dt=0.1 -o " + dir.file("c.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("gamma rho_bath dt = 0.4: `exact` resolves the collisions on the step grid"),
            std::string::npos) << r.output;
  r = run_vswap("run " + cfg + " --threads 1 --set collisions.gamma=1e-5 -o " + dir.file("b.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("not expected to describe this run"), std::string::npos) << r.output;
  EXPECT_GT(vswap::test::h5_double_attribute(dir.file("b.h5"), "/theory/density", "missing_variance"), 0.1);
}

TEST(RunCommand, RecordsTheThreadsItUsed) {
  ScratchDir dir("run-threads");
  const std::string cfg = dir.write("tiny.toml", kTiny);
  ASSERT_EQ(run_vswap("run " + cfg + " -q --threads 1 -o " + dir.file("one.h5")).exit_code, 0);
  EXPECT_EQ(vswap::app::h5_read_attribute(dir.file("one.h5"), "/", "device"), "CPU, 1 OpenMP threads");
  EXPECT_EQ(vswap::test::h5_int_attribute(dir.file("one.h5"), "threads"), 1);
  ASSERT_EQ(run_vswap("run " + cfg + " -q -o " + dir.file("all.h5")).exit_code, 0);
  EXPECT_GE(vswap::test::h5_int_attribute(dir.file("all.h5"), "threads"), 1);
  // merge: the most any shard used (it recorded 0)
  ASSERT_EQ(run_vswap("run " + cfg + " -q --threads 1 --shard 1/2 -o " + dir.file("s1.h5")).exit_code, 0);
  ASSERT_EQ(run_vswap("run " + cfg + " -q --threads 2 --shard 2/2 -o " + dir.file("s2.h5")).exit_code, 0);
  const auto r = run_vswap("merge -q " + dir.file("m.h5") + " " + dir.file("s1.h5") + " " + dir.file("s2.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(vswap::test::h5_int_attribute(dir.file("m.h5"), "threads"), 2);
}

/// --threads is 0 (all cores) .. 4096; beyond it OpenMP was asked for that many threads.
TEST(RunCommand, ThreadsOutsideZeroTo4096AreRefusedNamingTheRange) {
  ScratchDir dir("threads-range");
  const auto cfg = dir.write("c.toml", kTiny);
  for (const char* n : {"4097", "100000", "-1", "99999999999", "2.5"}) {
    const auto r = run_vswap("run " + cfg + " -q --threads " + n + " -o " + dir.file("out.h5"));
    EXPECT_EQ(r.exit_code, 2) << n << ": " << r.output;
    EXPECT_NE(r.output.find("--threads"), std::string::npos) << n << ": " << r.output;
    if (std::string(n) != "2.5") {
      EXPECT_NE(r.output.find("0 to 4096"), std::string::npos) << n << ": " << r.output;
    }
    EXPECT_FALSE(std::filesystem::exists(dir.file("out.h5"))) << n;
  }
  const auto r = run_vswap("run " + cfg + " -q --threads 0 -o " + dir.file("out.h5"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(TheoryCommand, CsvTableHasTheSpecHeaderAndRows) {
  ScratchDir dir("theory-csv");
  const std::string cfg = dir.write("tiny.toml", kTiny);
  const auto r = run_vswap("theory " + cfg + " --rho 0.25,1,2 --csv");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.rfind("rho,u,du_drho,D\n0.25,", 0), 0u) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 4);
  EXPECT_EQ(run_vswap("theory " + cfg + " --rho 1,x --csv").exit_code, 2);
  EXPECT_EQ(run_vswap("theory " + cfg + " --rho '' --csv").exit_code, 2);  // was the whole table
}

// A classical table over densities beyond the fermions' Pauli limit: written, with an empty
// fermion comparison table (it was refused: "rho_min must lie below the fermion Pauli limit").
TEST(TheoryCommand, ClassicalRangeBeyondTheFermionLimitIsWritten) {
  ScratchDir dir("theory-classical-dense");
  const std::string cfg = dir.write("tiny.toml", kTiny);
  const std::string out = dir.file("t.h5");
  const auto r = run_vswap("theory " + cfg + " -o " + out +
                           " --set system.statistics=\"classical\" --set theory.rho_min=20.0 --set theory.rho_max=30.0");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::uint64_t cols = 0;
  EXPECT_EQ(rows(out, "/theory/coefficients", &cols), 40u);
  EXPECT_EQ(rows(out, "/theory/classical/coefficients", &cols), 40u);
  EXPECT_EQ(rows(out, "/theory/fermi/coefficients", &cols), 0u);
}

TEST(BurgersCommand, ConservesMassOnTheRequestedBins) {
  ScratchDir dir("burgers");
  const std::string cfg = dir.write("tiny.toml", kTiny);
  const std::string out = dir.file("b.h5");
  ASSERT_EQ(run_vswap("burgers " + cfg + " -o " + out).exit_code, 0);
  std::vector<std::uint64_t> shape;
  const auto d = h5_read(out, "/theory/density", &shape);
  ASSERT_EQ(shape, (std::vector<std::uint64_t>{3, 20}));
  for (int t = 0; t < 3; ++t) {
    double mass = 0;
    for (int b = 0; b < 20; ++b) mass += d[t * 20 + b] * 20.0;
    EXPECT_NEAR(mass, 200.0, 1e-9);
  }
}

// Fermions with cells long against the profile: the run says so (cells = 1 departed from
// (2) without a word). kTiny: L = 400, width 60, 80 cells (ell / width = 0.083): no warning.
TEST(RunCommand, FermionCellsLongAgainstTheProfileAreNamed) {
  ScratchDir dir("long-cells");
  const std::string cfg = dir.write("tiny.toml", kTiny);
  const auto fine = run_vswap("run " + cfg + " -o " + dir.file("a.h5"));
  ASSERT_EQ(fine.exit_code, 0) << fine.output;
  EXPECT_EQ(fine.output.find("Pauli blocking acts on each cell's mean density"), std::string::npos) << fine.output;
  const auto coarse = run_vswap("run " + cfg + " -q --set numerics.cells=4 -o " + dir.file("b.h5"));  // a warning: also with -q
  ASSERT_EQ(coarse.exit_code, 0) << coarse.output;
  EXPECT_NE(coarse.output.find("vswap run: warning: fermions: cells of ell = L / M = 100 against the profile's width 60 (ell / width = 1.7)"),
            std::string::npos) << coarse.output;
}

// The memory check counts the threads that can hold a realization, not every thread: one
// realization of 2e7 particles (~1 GB) on --threads 4096 was refused as needing 3.9 TB. The
// run then stops at the next check (a `paper` dt too large), after the memory check passed.
TEST(RunCommand, MemoryCheckCountsOnlyThreadsThatGetARealization) {
  ScratchDir dir("memory-threads");
  const std::string cfg = dir.write("big.toml", R"(
[bath]
density = 50.0
[system]
statistics = "fermi"
particles = 20000000
length = 20000000.0
profile = "uniform"
[collisions]
scheme = "paper"
[numerics]
cells = 4000000
dt = 1.0
realizations = 1
times = [0.0, 1.0]
bins = 10
backend = "cpu"
)");
  const auto r = run_vswap("run " + cfg + " --threads 4096 -o " + dir.file("o.h5"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output.find("system.particles"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("numerics.dt: too large for the \"paper\" scheme"), std::string::npos) << r.output;
}

// A bath key the kind does not read (an audit set sigma and b on a thermal bath: silently
// ignored) is named in a warning on stderr; the result is the kind's own.
TEST(TheoryCommand, BathKeysTheKindDoesNotReadAreNamedInAWarning) {
  ScratchDir dir("bath-unused");
  const std::string cfg = dir.write("tiny.toml", kTiny);
  const std::string thermal = " --set bath.kind=\"thermal\" --csv --rho 0.5";
  const auto r = run_vswap("theory " + cfg + thermal);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("vswap: warning: bath.sigma, bath.lambda_B, bath.b not used by bath.kind = \"thermal\""),
            std::string::npos) << r.output;
  // without the bragg keys: no warning, and the same table
  const std::string plain = dir.write("plain.toml", std::regex_replace(std::string(kTiny),
      std::regex("sigma = 6.0\nlambda_B = 5.9\nb = 0.3\n"), ""));
  const auto p = run_vswap("theory " + plain + thermal);
  ASSERT_EQ(p.exit_code, 0) << p.output;
  EXPECT_EQ(p.output.find("warning"), std::string::npos) << p.output;
  EXPECT_EQ(r.output.substr(r.output.find("rho,u")), p.output);
  const auto bragg = run_vswap("theory " + cfg + " --set bath.temperature=3.0 --csv --rho 0.5");
  EXPECT_NE(bragg.output.find("vswap: warning: bath.temperature not used by bath.kind = \"bragg\""),
            std::string::npos) << bragg.output;
  // a key the kind does not read is not validated either (a bragg bath refused a thermal
  // config's temperature = -1 it never reads), and gives the same table; the kind's own
  // keys still are
  const auto ignored = run_vswap("theory " + plain + " --set bath.temperature=-1.0 --set bath.file=3 --csv --rho 0.5");
  ASSERT_EQ(ignored.exit_code, 0) << ignored.output;
  EXPECT_NE(ignored.output.find("vswap: warning: bath.temperature, bath.file not used by bath.kind = \"bragg\""),
            std::string::npos) << ignored.output;
  EXPECT_EQ(ignored.output.substr(ignored.output.find("rho,u")),
            run_vswap("theory " + plain + " --csv --rho 0.5").output);
  const auto own = run_vswap("theory " + plain + thermal + " --set bath.temperature=-1.0");
  EXPECT_EQ(own.exit_code, 2) << own.output;
  EXPECT_NE(own.output.find("bath.temperature: must be in (0, inf), got -1"), std::string::npos) << own.output;
}

// `paper` fermions print how much of the collisions step 2(b) re-scattering was (29% of the
// swaps in an audit's run, which departed from (2) with no word on the console); the
// figure is the stored counters' ratio at the last time. `exact` has no such channel.
TEST(RunCommand, PaperFermionsSayHowMuchStep2bRescattered) {
  ScratchDir dir("paper-rescattered");
  const std::string cfg = dir.write("tiny.toml", kTiny);
  const auto paper = run_vswap("run " + cfg + " -o " + dir.file("p.h5") + " -q --set collisions.scheme=\"paper\" --set numerics.dt=0.01");  // a warning: also with -q
  ASSERT_EQ(paper.exit_code, 0) << paper.output;
  const auto swaps = h5_read(dir.file("p.h5"), "/counters/swaps");
  const auto rescattered = h5_read(dir.file("p.h5"), "/counters/rescattered");
  ASSERT_GT(rescattered.back(), 0.0);
  const std::string line = fmt::format("re-scatterings of duplicates (step 2(b)) per realization by t = 10, {:.2g}% of the",
                                       100.0 * rescattered.back() / swaps.back());
  EXPECT_NE(paper.output.find(line), std::string::npos) << line << "\n" << paper.output;
  const auto exact = run_vswap("run " + cfg + " -o " + dir.file("e.h5"));
  ASSERT_EQ(exact.exit_code, 0) << exact.output;
  EXPECT_EQ(exact.output.find("step 2(b)"), std::string::npos) << exact.output;
}

// A bath narrower than the fermion lattice's dl = 2 pi M / L = 1.26 (Bragg sigma 0.4): the
// lattice theory the run is compared with is far from the continuum (the continuum's D is
// 0.002 to 1.4e6 times the lattice's on [0, 1]). `vswap burgers` used the continuum and differed from the run's own
// prediction by 19% of the peak at t = 400 (a physics audit); it now uses the run's lattice,
// as `vswap theory --lattice` does.
TEST(BurgersCommand, FermionsUseTheRunsVelocityLatticeAsTheRunDoes) {
  ScratchDir dir("burgers-lattice");
  const std::string cfg = dir.write("narrow.toml", R"(
[bath]
kind = "bragg"
density = 10.0
sigma = 0.4
lambda_B = 1.0
b = 0.5
[system]
statistics = "fermi"
particles = 100
length = 1000.0
profile = "gaussian"
width = 100.0
[collisions]
gamma = 0.1
[numerics]
cells = 200
dt = 0.01
realizations = 2
seed = 3
times = [0.0, 50.0]
bins = 50
backend = "cpu"
[theory]
rho_max = 1.0
points = 50
)");
  const auto run = run_vswap("run " + cfg + " -q -o " + dir.file("r.h5"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto burgers = run_vswap("burgers " + cfg + " -o " + dir.file("b.h5"));
  ASSERT_EQ(burgers.exit_code, 0) << burgers.output;
  for (const char* name : {"/theory/density", "/theory/coefficients", "/bath/rho_b"})
    EXPECT_EQ(h5_read(dir.file("b.h5"), name), h5_read(dir.file("r.h5"), name)) << name;
  // a `stationary` start's prediction holds exactly N fermions: less its fixed-N
  // correction, it is (2)'s
  const std::string stationary = " --set system.velocities=\"stationary\"";
  ASSERT_EQ(run_vswap("run " + cfg + stationary + " -q -o " + dir.file("rs.h5")).exit_code, 0);
  ASSERT_EQ(run_vswap("burgers " + cfg + stationary + " -o " + dir.file("bs.h5")).exit_code, 0);
  const auto b_density = h5_read(dir.file("bs.h5"), "/theory/density");
  const auto r_density = h5_read(dir.file("rs.h5"), "/theory/density");
  const auto fixed_n = h5_read(dir.file("rs.h5"), "/theory/fixed_n/density");
  ASSERT_EQ(b_density.size(), r_density.size());
  ASSERT_EQ(fixed_n.size(), r_density.size());
  double moved = 0;
  for (std::size_t i = 0; i < r_density.size(); ++i) {
    EXPECT_NEAR(r_density[i] - fixed_n[i], b_density[i], 1e-15) << i;
    moved = std::max(moved, std::abs(fixed_n[i]));
  }
  EXPECT_GT(moved, 1e-6);
  EXPECT_EQ(vswap::app::h5_read_attribute(dir.file("b.h5"), "/theory", "velocities"), "lattice");

  ASSERT_EQ(run_vswap("theory " + cfg + " --lattice -o " + dir.file("tl.h5")).exit_code, 0);
  ASSERT_EQ(run_vswap("theory " + cfg + " -o " + dir.file("tc.h5")).exit_code, 0);
  const auto lattice = h5_read(dir.file("tl.h5"), "/theory/coefficients");
  EXPECT_EQ(lattice, h5_read(dir.file("r.h5"), "/theory/coefficients"));
  const auto continuum = h5_read(dir.file("tc.h5"), "/theory/coefficients");
  ASSERT_EQ(continuum.size(), lattice.size());
  double worst = 1.0;  // the largest ratio of the two D, either way
  for (std::size_t i = 3; i < lattice.size(); i += 4)
    worst = std::max({worst, continuum[i] / lattice[i], lattice[i] / continuum[i]});
  EXPECT_GT(worst, 2.0);

  // a lattice without bath weight (classes 6.28 apart, peaks of sd 0.02 at -1 and 1): exit 2
  // naming numerics.cells, as the run (it was an internal error, exit 1)
  const auto coarse = run_vswap("burgers " + cfg + " --set numerics.cells=1000 --set bath.sigma=0.02 -o " + dir.file("c.h5"));
  EXPECT_EQ(coarse.exit_code, 2) << coarse.output;
  EXPECT_NE(coarse.output.find("numerics.cells: the bath has no weight on the velocity lattice"),
            std::string::npos) << coarse.output;
  // and one with its weight on a single class (D = 0): exit 2 naming numerics.cells, not exit 1
  const auto single = run_vswap("burgers " + cfg + " --set numerics.cells=1000 --set bath.sigma=0.02 --set bath.lambda_B=0.0 -o " +
                                dir.file("d.h5"));
  EXPECT_EQ(single.exit_code, 2) << single.output;
  EXPECT_NE(single.output.find("numerics.cells: D(0) = 0"), std::string::npos) << single.output;
  const auto classical = run_vswap("theory " + cfg + " --lattice --csv --set system.statistics=\"classical\"");
  EXPECT_EQ(classical.exit_code, 2) << classical.output;
  EXPECT_NE(classical.output.find("--lattice"), std::string::npos) << classical.output;
}

}  // namespace

// The table says where a figure is no check (an audit read 0.000 / -0.00 at t = 0 of a
// uniform `thermal` fermion start as a perfect fit): (39) from the run's own histogram
// prints `-` there and says why; a `bath` start on a profile is not the local states the
// theory holds at t = 0, and the run says so; a `stationary` start is, and carries the
// fixed-N line instead.
TEST(RunCommand, TheTableSaysWhereAFigureIsNoCheck) {
  ScratchDir dir("table-no-check");
  const std::string cfg = dir.write("tiny.toml", kTiny);
  const auto uniform = run_vswap("run " + cfg + " -o " + dir.file("u.h5") + " --set system.profile=\"uniform\"");
  ASSERT_EQ(uniform.exit_code, 0) << uniform.output;
  EXPECT_NE(uniform.output.find("(39) starts from this run's own histogram at t = 0"), std::string::npos)
      << uniform.output;
  const std::size_t row = uniform.output.find("\n         0  ");
  ASSERT_NE(row, std::string::npos) << uniform.output;
  const std::string first = uniform.output.substr(row + 1, uniform.output.find('\n', row + 1) - row - 1);
  EXPECT_EQ(first.substr(first.size() - 2), " -") << first;
  EXPECT_EQ(uniform.output.find("fixed-N"), std::string::npos) << uniform.output;

  const auto bath = run_vswap("run " + cfg + " -o " + dir.file("b.h5"));
  ASSERT_EQ(bath.exit_code, 0) << bath.output;
  EXPECT_NE(bath.output.find("a `bath` fermion start is not the local states (40)"), std::string::npos)
      << bath.output;
  EXPECT_EQ(bath.output.find("own histogram"), std::string::npos) << bath.output;
  EXPECT_EQ(bath.output.find("fixed-N"), std::string::npos) << bath.output;
  // the Knudsen line's shift is the dilute limit: a fermion profile says more moves it
  EXPECT_NE(bath.output.find("a degenerate gas's mean moves beyond that shift"), std::string::npos)
      << bath.output;

  const auto stationary =
      run_vswap("run " + cfg + " -o " + dir.file("s.h5") + " --set system.velocities=\"stationary\"");
  ASSERT_EQ(stationary.exit_code, 0) << stationary.output;
  EXPECT_EQ(stationary.output.find("is not the local states"), std::string::npos) << stationary.output;
  EXPECT_NE(stationary.output.find("the fixed-N correction of the local states (40) (first order in 1/N)"),
            std::string::npos) << stationary.output;
  EXPECT_EQ(vswap::app::h5_read_attribute(dir.file("s.h5"), "/theory/fixed_n", "method"), "first order in 1/N");
  const auto uniform_stationary = run_vswap("run " + cfg + " -o " + dir.file("us.h5") +
                                            " --set system.profile=\"uniform\" --set system.velocities=\"stationary\"");
  ASSERT_EQ(uniform_stationary.exit_code, 0) << uniform_stationary.output;
  EXPECT_NE(uniform_stationary.output.find("(40) (exact)"), std::string::npos) << uniform_stationary.output;
}

// The backend's fallback line (no GPU: "running on the CPU") is printed with -q too (an
// audit: a quiet run on a GPU node whose driver is broken fell back without a word). On a
// machine with a usable GPU there is no such line either way.
TEST(RunCommand, QuietKeepsTheBackendFallbackLine) {
  ScratchDir dir("quiet-fallback");
  const std::string cfg = dir.write("tiny.toml", kTiny);
  const std::string automatic = " --set numerics.backend=\"auto\" --set numerics.realizations=2";
  const auto loud = vswap::test::run_vswap_stderr("run " + cfg + automatic + " -o " + dir.file("a.h5"));
  const auto quiet = vswap::test::run_vswap_stderr("run " + cfg + automatic + " -q -o " + dir.file("b.h5"));
  ASSERT_EQ(loud.exit_code, 0) << loud.output;
  ASSERT_EQ(quiet.exit_code, 0) << quiet.output;
  const bool fell_back = loud.output.find("running on the CPU") != std::string::npos;
  EXPECT_EQ(quiet.output.find("running on the CPU") != std::string::npos, fell_back) << quiet.output;
#if !defined(VSWAP_WITH_CUDA)
  EXPECT_TRUE(fell_back) << loud.output;
#endif
}
