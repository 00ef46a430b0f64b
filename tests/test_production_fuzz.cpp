// The malformed-input table for `vswap run` and `vswap merge` (complements
// test_config_errors.cpp, which drives `vswap theory`): types, ranges, NaN/inf, empty files,
// huge sizes, unreadable bath tables, bad command lines, shards and checkpoints that do not
// match. Each must exit with code 2, name the key or file, and leave no file behind.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "production_helpers.hpp"

namespace {

namespace fs = std::filesystem;

struct BadInput {
  const char* name;
  const char* replace;  ///< regex on the tiny config ("" = none; "^[^]*$" = whole text)
  const char* with;
  const char* args;     ///< "run {cfg} -o {out} -q --threads 2 " + args, or a whole command
                        ///< when it starts with "merge", "run", "theory" or "burgers";
                        ///< {fix} = the shared fixture directory
  const char* key;      ///< must appear in the message
};

std::string huge_times() {
  std::string t = "times = [0.0";
  for (int i = 1; i < 1000; ++i) t += ", " + std::to_string(i) + ".0";
  return t + "]\nbins = 10000000";
}

const BadInput kCases[] = {
    // --- the config file itself
    {"empty_file", "^[^]*$", "", "", "bad.toml"},
    {"only_comments", "^[^]*$", "# nothing here\n# at all\n", "", "bad.toml"},
    {"invalid_utf8", "^[^]*$", "\x01\x02\xff\xfe", "", "bad.toml"},
    {"syntax_unclosed_table", "\\[system\\]", "[system", "", "line"},
    {"duplicate_key", "gamma = 0.08", "gamma = 0.08\ngamma = 0.09", "", "line"},
    {"section_array_of_tables", "\\[bath\\]", "[[bath]]", "", "bath"},
    {"unknown_key_in_system", "particles = 100", "particles = 100\nparticle = 3", "",
     "system.particle"},
    // --- types
    {"particles_string", "particles = 100", "particles = \"many\"", "", "system.particles"},
    {"particles_negative", "particles = 100", "particles = -100", "", "system.particles"},
    {"realizations_zero", "realizations = 12", "realizations = 0", "", "numerics.realizations"},
    {"realizations_float", "realizations = 12", "realizations = 12.5", "",
     "numerics.realizations"},
    {"realizations_string", "realizations = 12", "realizations = \"12\"", "",
     "numerics.realizations"},
    {"realizations_bool", "realizations = 12", "realizations = true", "", "numerics.realizations"},
    {"seed_string", "seed = 3", "seed = \"three\"", "", "numerics.seed"},
    {"seed_float", "seed = 3", "seed = 3.5", "", "numerics.seed"},
    {"backend_integer", "backend = \"cpu\"", "backend = 3", "", "numerics.backend"},
    {"statistics_integer", "statistics = \"fermi\"", "statistics = 1", "", "system.statistics"},
    {"velocities_integer", "velocities = \"bath\"", "velocities = 0", "", "system.velocities"},
    {"times_strings", "times = \\[0.0, 1.0, 2.0\\]", "times = [\"a\", \"b\"]", "",
     "numerics.times"},
    {"times_mixed", "times = \\[0.0, 1.0, 2.0\\]", "times = [0.0, \"1\"]", "", "numerics.times"},
    {"bins_string", "bins = 10", "bins = \"ten\"", "", "numerics.bins"},
    {"cells_array", "cells = 20", "cells = [20]", "", "numerics.cells"},
    // --- ranges, NaN, inf
    {"dt_nan", "dt = 0.05", "dt = nan", "", "numerics.dt"},
    {"dt_inf", "dt = 0.05", "dt = inf", "", "numerics.dt"},
    {"gamma_nan", "gamma = 0.08", "gamma = nan", "", "collisions.gamma"},
    {"gamma_negative", "gamma = 0.08", "gamma = -0.08", "", "collisions.gamma"},
    {"length_nan", "length = 100.0", "length = nan", "", "system.length"},
    {"length_zero", "length = 100.0", "length = 0.0", "", "system.length"},
    {"width_nan", "width = 20.0", "width = nan", "", "system.width"},
    {"density_inf", "density = 50.0", "density = inf", "", "bath.density"},
    {"density_negative_inf", "density = 50.0", "density = -inf", "", "bath.density"},
    {"sigma_nan", "sigma = 6.0", "sigma = nan", "", "bath.sigma"},
    {"times_nan", "times = \\[0.0, 1.0, 2.0\\]", "times = [0.0, nan]", "", "numerics.times"},
    {"times_inf", "times = \\[0.0, 1.0, 2.0\\]", "times = [0.0, inf]", "", "numerics.times"},
    {"bins_negative", "bins = 10", "bins = -10", "", "numerics.bins"},
    {"cells_huge", "cells = 20", "cells = 1000000000", "", "numerics.cells"},
    {"event_scheme_for_fermions", "scheme = \"exact\"", "scheme = \"event\"", "",
     "collisions.scheme"},
    {"too_many_fermions_for_lattice", "particles = 100", "particles = 100000", "", "system"},
    {"velocity_max_below_min", "bins = 10", "bins = 10\nvelocity_min = 2.0\nvelocity_max = 1.0",
     "", "numerics.velocity_max"},
    // --- huge sizes: refused before anything is allocated
    {"particles_beyond_memory", "statistics = \"fermi\"", "statistics = \"classical\"",
     "--set collisions.scheme=\"event\" --set system.particles=2000000000", "system.particles"},
    {"histograms_beyond_memory", "times = \\[0.0, 1.0, 2.0\\]\nbins = 10", "HUGE_TIMES", "",
     "numerics.bins"},
    {"realizations_beyond_range", "realizations = 12", "realizations = 99999999999", "",
     "numerics.realizations"},
    // --- bath tables
    {"table_missing_file", "kind = \"bragg\"", "kind = \"table\"\nfile = \"nonexistent.txt\"", "",
     "bath.file"},
    {"table_is_directory", "kind = \"bragg\"", "kind = \"table\"\nfile = \".\"", "", "bath.file"},
    {"table_garbage", "kind = \"bragg\"", "kind = \"table\"\nfile = \"{fix}/garbage.txt\"", "",
     "bath.file"},
    {"table_negative_density", "kind = \"bragg\"",
     "kind = \"table\"\nfile = \"{fix}/negative.txt\"", "", "bath.file"},
    {"table_nan", "kind = \"bragg\"", "kind = \"table\"\nfile = \"{fix}/nan.txt\"", "",
     "bath.file"},
    {"table_empty", "kind = \"bragg\"", "kind = \"table\"\nfile = \"{fix}/empty.txt\"", "",
     "bath.file"},
    // --- command lines
    {"shard_no_slash", "", "", "--shard 3", "--shard"},
    {"shard_zero", "", "", "--shard 0/3", "--shard"},
    {"shard_index_beyond", "", "", "--shard 4/3", "--shard"},
    {"shard_words", "", "", "--shard a/b", "--shard"},
    {"shard_trailing_junk", "", "", "--shard 1/3x", "--shard"},
    {"shard_negative", "", "", "--shard -1/3", "--shard"},
    {"shard_more_than_realizations", "", "", "--shard 1/100", "--shard"},
    {"backend_unknown", "", "", "--backend tpu", "--backend"},
    {"threads_negative", "", "", "--threads -1", "--threads"},
    {"threads_text", "", "", "--threads many", "--threads"},
    {"set_nan_dt", "", "", "--set numerics.dt=nan", "numerics.dt"},
    {"set_unknown_section", "", "", "--set foo.bar=1", "foo"},
    {"unknown_option", "", "", "--frobnicate", "--frobnicate"},
    {"output_directory_missing", "", "", "-o /nonexistent-vswap/dir/out.h5", "-o"},
    {"output_is_directory", "", "", "-o {fix}", "-o"},
    {"missing_config", "", "", "run {fix}/no-such-config.toml -o {out}", "no-such-config.toml"},
    {"config_is_directory", "", "", "run {fix} -o {out}", "{fix}"},
    // --- checkpoints
    {"checkpoint_every_zero", "", "", "--checkpoint {dir}/c.ckpt --checkpoint-every 0",
     "--checkpoint-every"},
    {"checkpoint_every_text", "", "", "--checkpoint {dir}/c.ckpt --checkpoint-every soon",
     "--checkpoint-every"},
    {"checkpoint_every_nan", "", "", "--checkpoint {dir}/c.ckpt --checkpoint-every nan",
     "--checkpoint-every"},
    // the output spelled differently: removing the checkpoint would delete the output
    {"checkpoint_same_as_output_spelled_differently", "", "", "--checkpoint {dir}./out.h5",
     "--checkpoint"},
    {"checkpoint_directory_missing", "", "", "--checkpoint /nonexistent-vswap/c.ckpt",
     "--checkpoint"},
    {"checkpoint_same_as_output", "", "", "--checkpoint {out}", "--checkpoint"},
    {"checkpoint_garbage", "", "", "--checkpoint {fix}/garbage.ckpt", "garbage.ckpt"},
    {"checkpoint_truncated", "", "", "--checkpoint {fix}/truncated.ckpt", "truncated.ckpt"},
    {"checkpoint_other_seed", "", "", "--checkpoint {fix}/seed4.ckpt", "seed4.ckpt"},
    {"checkpoint_other_shard", "", "", "--shard 1/2 --checkpoint {fix}/seed3.ckpt", "seed3.ckpt"},
    // --- merge
    // --- theory and burgers outputs (the same writer as run and merge)
    {"theory_output_is_directory", "", "", "theory {fix}/c.toml -o {fix}", "-o"},
    {"burgers_output_is_directory", "", "", "burgers {fix}/c.toml -o {dir}", "-o"},
    // --- merge
    {"merge_missing_file", "", "", "merge {out} {fix}/s1.h5 {fix}/nope.h5 {fix}/s3.h5", "nope.h5"},
    {"merge_not_hdf5", "", "", "merge {out} {fix}/s1.h5 {fix}/garbage.txt {fix}/s3.h5",
     "garbage.txt"},
    {"merge_truncated_hdf5", "", "", "merge {out} {fix}/s1.h5 {fix}/cut.h5 {fix}/s3.h5", "cut.h5"},
    {"merge_theory_file", "", "", "merge {out} {fix}/s1.h5 {fix}/theory.h5 {fix}/s3.h5",
     "theory.h5"},
    {"merge_gap", "", "", "merge {out} {fix}/s1.h5 {fix}/s3.h5", "missing"},
    {"merge_doubled", "", "", "merge {out} {fix}/s1.h5 {fix}/s2.h5 {fix}/s2.h5 {fix}/s3.h5",
     "doubled"},
    {"merge_other_seed", "", "", "merge {out} {fix}/s1.h5 {fix}/x2.h5 {fix}/s3.h5", "x2.h5"},
    {"merge_output_is_input", "", "", "merge {fix}/s1.h5 {fix}/s1.h5 {fix}/s2.h5 {fix}/s3.h5",
     "s1.h5"},
    {"merge_no_inputs", "", "", "merge {out}", "inputs"},
    {"merge_output_directory_missing", "", "",
     "merge /nonexistent-vswap/m.h5 {fix}/s1.h5 {fix}/s2.h5 {fix}/s3.h5", "-o"},
};

/// Files every case may use: shards, checkpoints, bath tables, broken files. CTest runs
/// each case in its own process, so they are made once per vswap binary (keyed by its
/// modification time) in a shared temp directory, under a lock.
class Fixture {
 public:
  static const Fixture& get() {
    static const Fixture f;
    return f;
  }
  std::string dir() const { return dir_.string(); }

 private:
  Fixture() {
    const auto stamp = fs::last_write_time(VSWAP_BINARY).time_since_epoch().count();
    dir_ = fs::temp_directory_path() /
           ("vswap-fuzz-fixture-" + std::to_string(std::hash<std::string>{}(
                                        std::string(VSWAP_BINARY) + std::to_string(stamp))));
    fs::create_directories(dir_);
    const int lock = ::open((dir_ / "lock").c_str(), O_CREAT | O_RDWR, 0644);
    ::flock(lock, LOCK_EX);
    if (!fs::exists(dir_ / "complete")) make();
    ::flock(lock, LOCK_UN);
    ::close(lock);
  }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(file(name)) << text;
    return file(name);
  }
  void make() const {
    using vswap::test::run_vswap;
    const auto cfg = write("c.toml", vswap::test::tiny_config(12));
    const auto cfg4 = write("c4.toml", vswap::test::tiny_config(12, "[0.0, 1.0, 2.0]", 4));
    for (int i = 1; i <= 3; ++i) {
      run_vswap("run " + cfg + " -q --shard " + std::to_string(i) + "/3 -o " +
                file("s" + std::to_string(i) + ".h5"));
    }
    run_vswap("run " + cfg4 + " -q --shard 2/3 -o " + file("x2.h5"));
    run_vswap("run " + cfg + " -q --keep-checkpoint --checkpoint " + file("seed3.ckpt") + " -o " +
              file("full3.h5"));
    run_vswap("run " + cfg4 + " -q --keep-checkpoint --checkpoint " + file("seed4.ckpt") +
              " -o " + file("full4.h5"));
    run_vswap("theory " + cfg + " -o " + file("theory.h5"));
    const auto s1 = vswap::test::read_text(file("s1.h5"));
    write("cut.h5", s1.substr(0, s1.size() / 2));
    const auto ck = vswap::test::read_text(file("seed3.ckpt"));
    write("truncated.ckpt", ck.substr(0, ck.size() - 40));
    write("garbage.ckpt", "this is not a checkpoint at all, just some text\n");
    write("garbage.txt", "abc def\nghi\n");
    write("negative.txt", "1.0 -2.0\n2.0 1.0\n");
    write("nan.txt", "1.0 nan\n2.0 1.0\n");
    write("empty.txt", "");
    write("complete", "");
  }
  fs::path dir_;
};

std::string expand(std::string text, const std::map<std::string, std::string>& vars) {
  for (const auto& [k, v] : vars) {
    for (std::size_t at; (at = text.find(k)) != std::string::npos;) text.replace(at, k.size(), v);
  }
  return text;
}

class Fuzz : public ::testing::TestWithParam<BadInput> {};

TEST_P(Fuzz, RejectedWithExitTwoNamingTheKeyOrFileAndNothingWritten) {
  const BadInput& c = GetParam();
  const auto& fix = Fixture::get();
  vswap::test::ScratchDir dir(std::string("fuzz-") + c.name);
  const std::string fixdir = fix.dir();
  const std::map<std::string, std::string> vars{
      {"{fix}", fixdir}, {"{dir}", dir.file("")}, {"{out}", dir.file("out.h5")}};

  std::string text = vswap::test::tiny_config(12);
  if (*c.replace) {
    const std::string with = std::string(c.with) == "HUGE_TIMES" ? huge_times() : expand(c.with, vars);
    const std::string before = text;
    text = std::regex_replace(text, std::regex(c.replace), with);
    ASSERT_NE(text, before) << "the case does not change the config";
  }
  const auto cfg = dir.write("bad.toml", text);
  const std::string args = expand(c.args, vars);
  const bool whole = args.rfind("merge", 0) == 0 || args.rfind("run", 0) == 0 ||
                     args.rfind("theory", 0) == 0 || args.rfind("burgers", 0) == 0;
  const auto r = vswap::test::run_vswap(whole ? args : "run " + cfg + " -o " + dir.file("out.h5") +
                                                           " -q --threads 2 " + args);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  const std::string key = expand(c.key, vars);
  EXPECT_NE(r.output.find(key), std::string::npos) << "message does not name " << key << ":\n"
                                                   << r.output;
  for (const auto& e : fs::directory_iterator(dir.file(""))) {
    EXPECT_EQ(e.path().filename(), "bad.toml") << "left behind: " << e.path();
  }
}

INSTANTIATE_TEST_SUITE_P(Table, Fuzz, ::testing::ValuesIn(kCases),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(FuzzTable, HasAtLeastFiftyCases) { EXPECT_GE(std::size(kCases), 50u); }

TEST(MissingSections, TakeTheirDefaults) {
  vswap::test::ScratchDir dir("fuzz-defaults");
  std::string text = vswap::test::tiny_config(4);
  text = std::regex_replace(text, std::regex("\\[theory\\][^]*$"), "");
  const auto cfg = dir.write("c.toml", text);
  const auto r = vswap::test::run_vswap("run " + cfg + " -q -o " + dir.file("out.h5"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir.file("out.h5")));
}

}  // namespace
