// The command line's own consistency: every error line begins "vswap: error:" (CLI11's parse
// errors too) and is exit 2 with nothing written; options that mean nothing without another
// are refused instead of ignored; an unknown subcommand is named; every --help is exit 0;
// -q silences progress and tables, never a warning (those go to stderr).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "cli_helpers.hpp"
#include "production_helpers.hpp"

namespace {

namespace fs = std::filesystem;
using vswap::test::run_vswap;
using vswap::test::run_vswap_stderr;
using vswap::test::ScratchDir;

/// Exit 2, the first line begins "vswap: error:" and names `what`, no output file.
void expect_refused(const std::string& args, const std::string& what, const std::string& out) {
  const auto r = run_vswap(args);
  EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
  EXPECT_EQ(r.output.rfind("vswap: error: ", 0), 0u) << args << "\n" << r.output;
  EXPECT_NE(r.output.find(what), std::string::npos) << args << "\n" << r.output;
  if (!out.empty()) {
    EXPECT_FALSE(fs::exists(out)) << args;
  }
}

TEST(Cli, CheckpointOptionsWithoutACheckpointAreRefused) {
  ScratchDir dir("cli-checkpoint-options");
  const auto cfg = dir.write("c.toml", vswap::test::tiny_config(2));
  const auto out = dir.file("out.h5");
  const std::string run = "run " + cfg + " -q -o " + out + " ";
  expect_refused(run + "--checkpoint-every 5", "--checkpoint-every requires --checkpoint", out);
  expect_refused(run + "--keep-checkpoint", "--keep-checkpoint requires --checkpoint", out);
  expect_refused(run + "--checkpoint \"\"", "--checkpoint: the checkpoint file name is empty", out);
  EXPECT_EQ(
      run_vswap(run + "--checkpoint " + dir.file("c.ckpt") + " --checkpoint-every 5").exit_code, 0);
}

TEST(Cli, TheoryCsvWithAnOutputFileIsRefused) {
  ScratchDir dir("cli-csv-output");
  const auto cfg = dir.write("c.toml", vswap::test::tiny_config(2));
  const auto out = dir.file("t.h5");
  expect_refused("theory " + cfg + " --csv -o " + out, "--csv", out);
  expect_refused("theory " + cfg + " -o " + out + " --csv", "-o " + out, out);
  const auto r = run_vswap("theory " + cfg + " --csv");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.rfind("rho,u,du_drho,D\n", 0), 0u) << r.output;
}

TEST(Cli, EveryErrorBeginsWithTheVswapErrorPrefix) {
  ScratchDir dir("cli-prefix");
  const auto cfg = dir.write("c.toml", vswap::test::tiny_config(2));
  const auto out = dir.file("out.h5");
  expect_refused("", "A subcommand is required", "");
  expect_refused("run", "config is required", "");
  expect_refused("run " + dir.file("missing.toml"), "missing.toml", "");
  expect_refused("run " + cfg + " --no-such-option -o " + out, "--no-such-option", out);
  expect_refused("run " + cfg + " -o " + out + " stray", "stray", out);
  expect_refused("run " + cfg + " --backend gpu -o " + out, "--backend", out);
  expect_refused("run " + cfg + " --set numerics.bins=0 -o " + out, "numerics.bins", out);
  expect_refused("burgers " + cfg + " --cells 99999999 -o " + out, "--cells", out);
  expect_refused("merge " + out, "no shard files", out);
  expect_refused("theory " + cfg + " -o \"\"", "the output file name is empty", "");
}

TEST(Cli, AnUnknownSubcommandIsNamed) {
  expect_refused("frobnicate x.toml",
                 "unknown subcommand \"frobnicate\" (run, theory, burgers or merge)", "");
  expect_refused("runn x.toml", "\"runn\"", "");
}

TEST(Cli, HelpOfEverySubcommandIsExitZero) {
  for (const char* args : {"--help", "-h", "run --help", "theory --help", "burgers --help",
                           "merge --help", "run -h", "--version"}) {
    const auto r = run_vswap(args);
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.output;
    EXPECT_EQ(r.output.find("vswap: error"), std::string::npos) << args << "\n" << r.output;
  }
  EXPECT_NE(run_vswap("run --help").output.find("--threads"), std::string::npos);
}

/// -q silences progress and the chi^2 table; a warning goes to stderr all the same.
TEST(Cli, QuietKeepsTheWarningsOnStderr) {
  ScratchDir dir("cli-quiet");
  const auto cfg = dir.write("c.toml", vswap::test::tiny_config(2));
  // gamma rho_bath dt = 0.08 * 50 * 0.1 = 0.4: the step grid's bias on D is a warning
  auto r = run_vswap_stderr("run " + cfg + " -q --set numerics.dt=0.1 -o " + dir.file("a.h5"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("vswap run: warning: gamma rho_bath dt = 0.4"), std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("chi2/dof"), std::string::npos) << r.output;
  // a mean free path longer than the profile: (2) does not describe the run
  r = run_vswap_stderr("run " + cfg + " -q --set collisions.gamma=1e-5 -o " + dir.file("b.h5"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("vswap run: warning: Knudsen number"), std::string::npos) << r.output;
  // a bath key the kind does not read (classical: the fermions' thermal bath is too narrow)
  r = run_vswap_stderr("run " + cfg + " -q --set bath.kind=thermal --set bath.sigma=6 " +
                       "--set system.statistics=classical -o " + dir.file("c.h5"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("vswap: warning:"), std::string::npos) << r.output;
}

}  // namespace
