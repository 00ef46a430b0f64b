// Malformed configs and command lines: each is rejected with exit code 2, a message naming
// the key, and no output file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include <vswap/error.hpp>

#include "app/config_io.hpp"
#include "cli_helpers.hpp"

namespace {

const char* kValid = R"(
[bath]
kind = "bragg"
density = 50.0
sigma = 6.0
lambda_B = 5.9
b = 0.3

[system]
statistics = "fermi"
particles = 1600
length = 2000.0
profile = "gaussian"
width = 300.0
velocities = "bath"

[collisions]
gamma = 0.08
scheme = "exact"

[numerics]
cells = 400
dt = 0.01
realizations = 10
seed = 1
times = [0.0, 50.0]
bins = 100
backend = "cpu"

[theory]
rho_min = 0.0
rho_max = 4.0
points = 50
)";

struct BadConfig {
  const char* name;
  const char* replace;  // regex on the valid text ("" = none)
  const char* with;
  const char* set;      // extra --set argument ("" = none)
  const char* key;      // must appear in the message
};

const BadConfig kCases[] = {
    {"unknown_key", "seed = 1", "seed = 1\nsede = 2", "", "numerics.sede"},
    {"unknown_section", "\\[theory\\]", "[theroy]", "", "theroy"},
    {"bath_kind_unknown", "kind = \"bragg\"", "kind = \"gauss\"", "", "bath.kind"},
    {"bath_density_zero", "density = 50.0", "density = 0.0", "", "bath.density"},
    {"bath_density_string", "density = 50.0", "density = \"fifty\"", "", "bath.density"},
    {"bath_sigma_negative", "sigma = 6.0", "sigma = -6.0", "", "bath.sigma"},
    {"bath_b_negative", "b = 0.3", "b = -0.3", "", "bath.b"},
    {"bath_table_without_file", "kind = \"bragg\"", "kind = \"table\"", "", "bath.file"},
    {"bath_nan", "lambda_B = 5.9", "lambda_B = nan", "", "bath.lambda_B"},
    {"statistics_unknown", "statistics = \"fermi\"", "statistics = \"bose\"", "",
     "system.statistics"},
    {"particles_zero", "particles = 1600", "particles = 0", "", "system.particles"},
    {"particles_float", "particles = 1600", "particles = 1600.5", "", "system.particles"},
    {"particles_huge", "particles = 1600", "particles = 99999999999", "", "system.particles"},
    {"length_negative", "length = 2000.0", "length = -1.0", "", "system.length"},
    {"width_inf", "width = 300.0", "width = inf", "", "system.width"},
    {"width_larger_than_ring", "width = 300.0", "width = 3000.0", "", "system.width"},
    {"profile_unknown", "profile = \"gaussian\"", "profile = \"box\"", "", "system.profile"},
    {"velocities_unknown", "velocities = \"bath\"", "velocities = \"hot\"", "",
     "system.velocities"},
    {"gamma_zero", "gamma = 0.08", "gamma = 0", "", "collisions.gamma"},
    {"scheme_unknown", "scheme = \"exact\"", "scheme = \"gillespie\"", "", "collisions.scheme"},
    {"cells_zero", "cells = 400", "cells = 0", "", "numerics.cells"},
    {"dt_zero", "dt = 0.01", "dt = 0.0", "", "numerics.dt"},
    {"dt_negative", "dt = 0.01", "dt = -0.01", "", "numerics.dt"},
    {"dt_too_many_steps", "dt = 0.01", "dt = 1e-12", "", "numerics.dt"},
    {"realizations_negative", "realizations = 10", "realizations = -5", "",
     "numerics.realizations"},
    {"seed_negative", "seed = 1", "seed = -1", "", "numerics.seed"},
    {"times_not_increasing", "times = \\[0.0, 50.0\\]", "times = [50.0, 0.0]", "",
     "numerics.times"},
    {"times_empty", "times = \\[0.0, 50.0\\]", "times = []", "", "numerics.times"},
    {"times_negative", "times = \\[0.0, 50.0\\]", "times = [-1.0, 50.0]", "", "numerics.times"},
    {"times_not_array", "times = \\[0.0, 50.0\\]", "times = 50.0", "", "numerics.times"},
    {"bins_zero", "bins = 100", "bins = 0", "", "numerics.bins"},
    // one end of the velocity range alone: the other was 0, silently ([0, 10] for [-10, 10])
    {"velocity_max_alone", "", "", "--set numerics.velocity_max=10.0", "numerics.velocity_min"},
    {"velocity_min_alone", "", "", "--set numerics.velocity_min=-10.0", "numerics.velocity_max"},
    {"backend_unknown", "backend = \"cpu\"", "backend = \"tpu\"", "", "numerics.backend"},
    {"rho_max_below_min", "rho_max = 4.0", "rho_max = 0.0", "", "theory.rho_max"},
    {"points_one", "points = 50", "points = 1", "", "theory.points"},
    {"section_not_table", "\\[theory\\]", "theory = 3\n[other]", "", "theory"},
    {"syntax_error", "gamma = 0.08", "gamma = = 0.08", "", "line"},
    {"set_unknown_key", "", "", "--set numerics.foo=1", "numerics.foo"},
    {"set_bad_type", "", "", "--set numerics.dt=abc", "numerics.dt"},
    {"set_no_equals", "", "", "--set numerics.dt", "--set"},
    {"set_bad_path", "", "", "--set dt=0.1", "dt"},
};

class ConfigErrors : public ::testing::TestWithParam<BadConfig> {};

TEST_P(ConfigErrors, RejectedWithExitTwoNamingTheKeyAndNothingWritten) {
  const BadConfig& c = GetParam();
  vswap::test::ScratchDir dir(c.name);
  std::string text = kValid;
  if (*c.replace) {
    const std::string before = text;
    text = std::regex_replace(text, std::regex(c.replace), c.with);
    ASSERT_NE(text, before) << "test case does not change the config";
  }
  const std::string cfg = dir.write("bad.toml", text);
  const std::string out = dir.file("out.h5");
  const auto r = vswap::test::run_vswap("theory " + cfg + " -o " + out + " " + c.set);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(c.key), std::string::npos) << "message does not name " << c.key
                                                     << ":\n" << r.output;
  EXPECT_FALSE(std::filesystem::exists(out));
}

INSTANTIATE_TEST_SUITE_P(Table, ConfigErrors, ::testing::ValuesIn(kCases),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(ConfigValid, BaseConfigParsesWithEveryValue) {
  const auto c = vswap::app::parse_config(kValid);
  EXPECT_EQ(c.system.statistics, vswap::Statistics::fermi);
  EXPECT_EQ(c.system.particles, 1600);
  EXPECT_DOUBLE_EQ(c.bath.lambda_B, 5.9);
  EXPECT_EQ(c.collisions.scheme, vswap::Scheme::exact);
  EXPECT_EQ(c.numerics.times.size(), 2u);
  EXPECT_EQ(c.numerics.backend, vswap::Backend::cpu);
}

TEST(ConfigValid, OverridesApplyAndSchemeDefaultsFollowStatistics) {
  const auto c = vswap::app::parse_config(
      kValid, {"numerics.dt=0.005", "system.statistics=classical", "bath.kind=thermal"});
  EXPECT_DOUBLE_EQ(c.numerics.dt, 0.005);
  EXPECT_EQ(c.system.statistics, vswap::Statistics::classical);
  EXPECT_EQ(c.bath.kind, vswap::BathKind::thermal);
  // the effective config text records the overrides
  EXPECT_NE(c.toml_text.find("0.005"), std::string::npos);
  std::string no_scheme = std::regex_replace(std::string(kValid), std::regex("scheme = \"exact\""), "");
  EXPECT_EQ(vswap::app::parse_config(no_scheme).collisions.scheme, vswap::Scheme::exact);
  EXPECT_EQ(vswap::app::parse_config(no_scheme, {"system.statistics=\"classical\""})
                .collisions.scheme,
            vswap::Scheme::event);
}

// `--set collisions.gamma=.08` is a bare word, so a string: the message shows it and says how
// TOML writes the number (it said only "got a string").
TEST(ConfigValid, ANumberWrittenAsTomlDoesNotIsShownWithTheFix) {
  try {
    vswap::app::parse_config(kValid, {"collisions.gamma=.08"});
    ADD_FAILURE() << "accepted";
  } catch (const vswap::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("got the string \".08\" (TOML numbers have a digit on both sides"),
              std::string::npos) << e.what();
  }
  try {
    vswap::app::parse_config(kValid, {"collisions.gamma=fast"});
    ADD_FAILURE() << "accepted";
  } catch (const vswap::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("got the string \"fast\""), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("TOML numbers"), std::string::npos) << e.what();
  }
}

// The effective config (the outputs' `config` attribute) lists every key the run reads and
// parses back to the same config, for every bath kind; keys the kind does not read and an
// automatic velocity range are left out, so that reading it back warns of nothing.
TEST(ConfigValid, EffectiveTomlHasEveryKeyAndParsesBackToTheSameConfig) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("vswap-effective-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  { std::ofstream(dir / "bath.txt") << "-3 0\n0 1\n2 0.5\n4 0\n"; }
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"bath.kind=\"thermal\"", "bath.boost=0.7", "system.statistics=\"classical\"",
       "numerics.velocity_min=-4.5", "numerics.velocity_max=5.25", "numerics.velocity_bins=33"},
      {"bath.kind=\"bragg_thermal\"", "bath.temperature=2.5", "numerics.seed=9223372036854775807"},
      {"bath.kind=\"table\"", "bath.file=\"bath.txt\"", "system.velocities=\"thermal\"",
       "numerics.times=[0.0, 1e-3, 0.1, 7.25]"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto c = vswap::app::parse_config(kValid, cases[i], (dir / "c.toml").string());
    const auto back = vswap::app::parse_config(c.toml_text, {}, (dir / "c.toml").string(), c.bath.table_text);
    EXPECT_EQ(back.toml_text, c.toml_text) << "case " << i;
    EXPECT_EQ(vswap::app::effective_toml(back), c.toml_text) << "case " << i;
    EXPECT_EQ(back.bath.kind, c.bath.kind);
    EXPECT_EQ(back.bath.b, c.bath.b);
    EXPECT_EQ(back.bath.temperature, c.bath.temperature);
    EXPECT_EQ(back.bath.boost, c.bath.boost);
    EXPECT_EQ(back.system.statistics, c.system.statistics);
    EXPECT_EQ(back.system.velocities, c.system.velocities);
    EXPECT_EQ(back.collisions.scheme, c.collisions.scheme);
    EXPECT_EQ(back.numerics.seed, c.numerics.seed);
    EXPECT_EQ(back.numerics.times, c.numerics.times);
    EXPECT_EQ(back.numerics.velocity_min, c.numerics.velocity_min);
    EXPECT_EQ(back.numerics.velocity_max, c.numerics.velocity_max);
    EXPECT_EQ(back.numerics.velocity_bins, c.numerics.velocity_bins);
    EXPECT_EQ(back.bath.table_text, c.bath.table_text);
    for (const char* key : {"temperature = ", "particles = ", "velocity_bins = ", "rho_min = ", "backend = "})
      EXPECT_NE(c.toml_text.find(key), std::string::npos) << key << " in case " << i;
    EXPECT_EQ(c.toml_text.find("velocity_min") != std::string::npos, i == 1) << c.toml_text;
    EXPECT_EQ(c.toml_text.find("sigma") != std::string::npos, i == 0) << c.toml_text;
  }
  fs::remove_all(dir);
}

// `event` has no time step: dt does not limit how long it may run (a slow swap rate over a
// long time was refused as "more than 2^30 steps").
TEST(ConfigValid, EventIgnoresTheTimeStepLimit) {
  const std::vector<std::string> event = {"system.statistics=\"classical\"", "collisions.scheme=\"event\"",
                                          "numerics.times=[0.0, 1e8]"};
  EXPECT_NO_THROW(vswap::app::parse_config(kValid, event));
  std::vector<std::string> exact = event;
  exact[1] = "collisions.scheme=\"exact\"";
  EXPECT_THROW(vswap::app::parse_config(kValid, exact), vswap::InputError);
}

TEST(CommandLine, UnknownSubcommandAndMissingConfigExitTwo) {
  EXPECT_EQ(vswap::test::run_vswap("frobnicate").exit_code, 2);
  EXPECT_EQ(vswap::test::run_vswap("theory /nonexistent/config.toml").exit_code, 2);
  EXPECT_EQ(vswap::test::run_vswap("").exit_code, 2);
}

TEST(CommandLine, HelpListsSubcommands) {
  const auto r = vswap::test::run_vswap("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* sub : {"run", "theory", "burgers", "merge"}) {
    EXPECT_NE(r.output.find(sub), std::string::npos) << sub;
  }
}

}  // namespace
