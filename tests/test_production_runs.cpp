// Production runs (docs/PRODUCTION.md): shards + merge, MPI ranks and checkpoints give the
// very datasets of one uninterrupted run; kills and signals lose nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <regex>
#include <thread>

#include <sys/stat.h>
#include <sys/wait.h>

#include <fmt/format.h>

#include "app/h5_file.hpp"
#include "production_helpers.hpp"

namespace {

namespace fs = std::filesystem;
using vswap::test::h5_datasets;
using vswap::test::run_vswap;
using vswap::test::ScratchDir;

/// Every dataset of `b` equals `a`'s bit for bit (attributes such as wall time may differ).
void expect_same_datasets(const std::string& a, const std::string& b) {
  const auto da = h5_datasets(a), db = h5_datasets(b);
  ASSERT_GT(da.size(), 20u) << a;
  ASSERT_EQ(da.size(), db.size()) << a << " vs " << b;
  for (const auto& [name, bytes] : da) {
    ASSERT_TRUE(db.count(name)) << name << " missing in " << b;
    EXPECT_TRUE(db.at(name) == bytes) << name << " differs between " << a << " and " << b;
  }
}

std::string attr(const std::string& file, const std::string& name) {
  return vswap::app::h5_read_attribute(file, "/", name);
}

TEST(ShardMerge, MergedShardsEqualOneRunAndRecordProvenance) {
  ScratchDir dir("shards");
  const auto cfg = dir.write("c.toml", vswap::test::tiny_config(13));
  ASSERT_EQ(run_vswap("run " + cfg + " -q -o " + dir.file("full.h5")).exit_code, 0);
  for (int i = 1; i <= 3; ++i) {
    const auto r = run_vswap("run " + cfg + " -q --threads " + std::to_string(i) + " --shard " +
                             std::to_string(i) + "/3 -o " + dir.file("s" + std::to_string(i) + ".h5"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  // any order of the inputs
  const auto r = run_vswap("merge -q " + dir.file("m.h5") + " " + dir.file("s3.h5") + " " +
                           dir.file("s1.h5") + " " + dir.file("s2.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_same_datasets(dir.file("full.h5"), dir.file("m.h5"));
  EXPECT_EQ(attr(dir.file("m.h5"), "config"), attr(dir.file("full.h5"), "config"));
  EXPECT_NE(attr(dir.file("m.h5"), "merged_from").find("s2.h5"), std::string::npos);
  for (const char* a : {"config", "version", "git_commit", "backend", "device", "shard",
                        "hostname", "start_time", "command_line"}) {
    EXPECT_FALSE(attr(dir.file("s2.h5"), a).empty()) << a;
  }
  EXPECT_EQ(attr(dir.file("s2.h5"), "shard"), "2/3");
  EXPECT_NE(attr(dir.file("s2.h5"), "command_line").find("--shard 2/3"), std::string::npos);
}

// A table bath's file given relative to a config in another directory, the run started
// with a relative config path: the shards record bath.file resolved once (sub/bath.txt from
// here). The merge resolved it again against the config's directory (sub/sub/bath.txt, one
// more sub/ per merge, an audit); it now records the shards' config. An output that is the
// shards' config, or any existing file that is not HDF5, is refused and left as it was
// (`vswap merge CONFIG.toml ...` overwrote the config).
TEST(ShardMerge, KeepsTheShardsConfigAndNeverOverwritesAConfig) {
  ScratchDir dir("merge-config");
  fs::create_directories(dir.file("sub"));
  std::string table;
  for (int i = 0; i <= 80; ++i) {  // a Gaussian of sd 4
    const double l = -16.0 + 0.4 * i;
    table += fmt::format("{:.6g} {:.4g}\n", l, std::exp(-l * l / 32));
  }
  dir.write("sub/bath.txt", table);
  std::string text = vswap::test::tiny_config(4);
  text = std::regex_replace(text, std::regex("kind = \"bragg\"\n"), "kind = \"table\"\nfile = \"bath.txt\"\n");
  text = std::regex_replace(text, std::regex("sigma = 6.0\nlambda_B = 5.9\nb = 0.3\n"), "");
  const std::string cfg = fs::relative(dir.write("sub/t.toml", text), fs::current_path()).string();
  for (int i = 1; i <= 2; ++i) {
    const auto r = run_vswap("run " + cfg + " -q --shard " + std::to_string(i) + "/2 -o " +
                             dir.file("s" + std::to_string(i) + ".h5"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  const std::string shards = " " + dir.file("s1.h5") + " " + dir.file("s2.h5");
  ASSERT_EQ(run_vswap("merge -q " + dir.file("m.h5") + shards).exit_code, 0);
  EXPECT_EQ(attr(dir.file("m.h5"), "config"), attr(dir.file("s1.h5"), "config"));
  EXPECT_NE(attr(dir.file("m.h5"), "config").find("sub/bath.txt"), std::string::npos);
  EXPECT_EQ(attr(dir.file("m.h5"), "config").find("sub/sub/"), std::string::npos);
  EXPECT_EQ(attr(dir.file("m.h5"), "config_path"), cfg);

  const auto onto_config = run_vswap("merge -q " + cfg + shards);
  EXPECT_EQ(onto_config.exit_code, 2) << onto_config.output;
  EXPECT_NE(onto_config.output.find("is the shards' config file"), std::string::npos) << onto_config.output;
  const std::string other = dir.write("notes.txt", "my notes\n");
  const auto onto_text = run_vswap("merge -q " + other + shards);
  EXPECT_EQ(onto_text.exit_code, 2) << onto_text.output;
  EXPECT_NE(onto_text.output.find("exists and is not an HDF5 file"), std::string::npos) << onto_text.output;
  std::ifstream kept(dir.file("sub/t.toml"));
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(kept), {}), text);  // the config is intact
  ASSERT_EQ(run_vswap("merge -q " + dir.file("m.h5") + shards).exit_code, 0);  // an HDF5 output is replaced
}

/// `merge --set theory.*` recomputes the prediction from the shards' Monte Carlo: the file is
/// the one `run --set` with the same override writes. Keys the shards simulated are refused.
/// `-o OUT` is the same as OUT first.
TEST(ShardMerge, SetChangesOnlyThePredictionAndOutputMayBeAnOption) {
  ScratchDir dir("shards-set");
  const auto cfg = dir.write("c.toml", vswap::test::tiny_config(8));
  const std::string finer = " --set theory.points=41 --set theory.rho_max=3.5";
  ASSERT_EQ(run_vswap("run " + cfg + " -q" + finer + " -o " + dir.file("full.h5")).exit_code, 0);
  ASSERT_EQ(run_vswap("run " + cfg + " -q -o " + dir.file("plain.h5")).exit_code, 0);
  for (int i = 1; i <= 2; ++i) {
    ASSERT_EQ(run_vswap("run " + cfg + " -q --shard " + std::to_string(i) + "/2 -o " +
                        dir.file("s" + std::to_string(i) + ".h5")).exit_code, 0);
  }
  const std::string shards = " " + dir.file("s1.h5") + " " + dir.file("s2.h5");
  auto r = run_vswap("merge -q" + finer + " -o " + dir.file("m.h5") + shards);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_same_datasets(dir.file("full.h5"), dir.file("m.h5"));
  EXPECT_EQ(attr(dir.file("m.h5"), "config"), attr(dir.file("full.h5"), "config"));
  // the override changed something: the coefficient table differs from the plain run's
  const auto plain = vswap::test::h5_datasets(dir.file("plain.h5"));
  const auto merged = vswap::test::h5_datasets(dir.file("m.h5"));
  EXPECT_NE(plain.at("theory/coefficients"), merged.at("theory/coefficients"));
  EXPECT_EQ(plain.at("density/mean"), merged.at("density/mean"));
  // -o and the positional form give the same file
  r = run_vswap("merge -q" + finer + " " + dir.file("p.h5") + shards);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_same_datasets(dir.file("m.h5"), dir.file("p.h5"));
  // a key of the simulation: refused, naming it, nothing written
  r = run_vswap("merge -q --set numerics.dt=0.01 -o " + dir.file("x.h5") + shards);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("numerics.dt"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir.file("x.h5")));
  // a bad theory value: the config's own error
  r = run_vswap("merge -q --set theory.points=1 -o " + dir.file("x.h5") + shards);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("theory.points"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir.file("x.h5")));
  // no shard at all, and an empty output name
  EXPECT_EQ(run_vswap("merge -q -o " + dir.file("x.h5")).exit_code, 2);
  EXPECT_EQ(run_vswap("merge -q " + dir.file("x.h5")).exit_code, 2);
  EXPECT_EQ(run_vswap("merge -q -o ''" + shards).exit_code, 2);
  EXPECT_FALSE(fs::exists(dir.file("x.h5")));
}

TEST(ShardMerge, RefusesGapsOverlapsAndForeignShardsNamingThem) {
  ScratchDir dir("shards-bad");
  const auto cfg = dir.write("c.toml", vswap::test::tiny_config(12));
  const auto other = dir.write("o.toml", vswap::test::tiny_config(12, "[0.0, 1.0, 2.0]", 4));
  for (int i = 1; i <= 3; ++i) {
    ASSERT_EQ(run_vswap("run " + cfg + " -q --shard " + std::to_string(i) + "/3 -o " +
                        dir.file("s" + std::to_string(i) + ".h5")).exit_code, 0);
  }
  ASSERT_EQ(run_vswap("run " + other + " -q --shard 2/3 -o " + dir.file("x2.h5")).exit_code, 0);
  ASSERT_EQ(run_vswap("run " + cfg + " -q --shard 2/4 -o " + dir.file("q2.h5")).exit_code, 0);
  const auto out = dir.file("m.h5");
  auto r = run_vswap("merge " + out + " " + dir.file("s1.h5") + " " + dir.file("s3.h5"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("[4, 8) are missing"), std::string::npos) << r.output;
  r = run_vswap("merge " + out + " " + dir.file("s1.h5") + " " + dir.file("s2.h5") + " " +
                dir.file("q2.h5") + " " + dir.file("s3.h5"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("doubled"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("q2.h5"), std::string::npos) << r.output;
  r = run_vswap("merge " + out + " " + dir.file("s1.h5") + " " + dir.file("x2.h5") + " " +
                dir.file("s3.h5"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("x2.h5"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("seed"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out));
}

TEST(ShardMerge, BackendMayDifferBetweenShards) {
  ScratchDir dir("shards-backend");
  const auto cfg = dir.write("c.toml", vswap::test::tiny_config(6));
  ASSERT_EQ(run_vswap("run " + cfg + " -q --shard 1/2 -o " + dir.file("a.h5")).exit_code, 0);
  ASSERT_EQ(run_vswap("run " + cfg + " -q --backend auto --shard 2/2 -o " + dir.file("b.h5"))
                .exit_code, 0);
  ASSERT_EQ(run_vswap("run " + cfg + " -q -o " + dir.file("full.h5")).exit_code, 0);
  const auto r = run_vswap("merge -q " + dir.file("m.h5") + " " + dir.file("a.h5") + " " +
                           dir.file("b.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_same_datasets(dir.file("full.h5"), dir.file("m.h5"));
}

/// Rewrites the string attribute `name` of the root of `file` as a variable-length string
/// (what h5py writes for a Python str) with the value `value`, or as an integer when
/// `as_integer`.
/// Rewrites a root attribute as a script would: a variable-length UTF-8 string (h5py's
/// `attrs[k] = str`), an integer, or a fixed-length string of exactly its characters with no
/// terminating null (h5py's `attrs[k] = np.bytes_(...)`: H5T_STR_NULLPAD).
enum class Rewrite { variable, integer, nullpad };
void rewrite_root_attribute(const std::string& file, const std::string& name,
                            const std::string& value, Rewrite how = Rewrite::variable) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0) << file;
  ASSERT_GE(H5Adelete(f, name.c_str()), 0) << name;
  const hid_t space = H5Screate(H5S_SCALAR);
  const bool as_integer = how == Rewrite::integer;
  const hid_t type = as_integer ? H5Tcopy(H5T_NATIVE_INT64) : H5Tcopy(H5T_C_S1);
  if (how == Rewrite::variable) {
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
  } else if (how == Rewrite::nullpad) {
    H5Tset_size(type, value.size());
    H5Tset_strpad(type, H5T_STR_NULLPAD);
  }
  const hid_t a = H5Acreate2(f, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
  const char* text = value.c_str();
  const long long number = 7;
  EXPECT_GE(as_integer ? H5Awrite(a, type, &number)
                       : how == Rewrite::nullpad ? H5Awrite(a, type, text) : H5Awrite(a, type, &text),
            0);
  H5Aclose(a);
  H5Tclose(type);
  H5Sclose(space);
  H5Fclose(f);
}

// The `config` attribute is the effective config (every key): a shard whose config gives a
// key at its default value is the same run as one that leaves it out (merge refused it,
// naming only `"[numerics]" vs "[collisions]"`, the first line where the texts parted). A
// shard of an older vswap, whose attribute held only the keys given, still merges; a real
// difference is named with its section.
TEST(ShardMerge, AKeyGivenAtItsDefaultIsTheSameRunAndDifferencesNameTheirSection) {
  ScratchDir dir("shards-defaults");
  const auto cfg = dir.write("c.toml", vswap::test::tiny_config(6));
  ASSERT_EQ(run_vswap("run " + cfg + " -q -o " + dir.file("full.h5")).exit_code, 0);
  ASSERT_EQ(run_vswap("run " + cfg + " -q --shard 1/2 -o " + dir.file("a.h5")).exit_code, 0);
  ASSERT_EQ(run_vswap("run " + cfg + " -q --shard 2/2 -o " + dir.file("b.h5") +
                      " --set system.temperature=1.0 --set numerics.velocity_bins=0 --set bath.boost=0")
                .exit_code, 0);
  const std::string effective = attr(dir.file("full.h5"), "config");
  for (const char* key : {"velocity_bins = 0", "temperature = 1.0", "boost = 0.0", "scheme = 'exact'"})
    EXPECT_NE(effective.find(key), std::string::npos) << key << " in\n" << effective;
  EXPECT_EQ(attr(dir.file("b.h5"), "config"), effective);
  auto r = run_vswap("merge -q " + dir.file("m.h5") + " " + dir.file("a.h5") + " " + dir.file("b.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_same_datasets(dir.file("full.h5"), dir.file("m.h5"));
  // an older shard: the config file's text as the attribute
  rewrite_root_attribute(dir.file("a.h5"), "config", vswap::test::tiny_config(6));
  r = run_vswap("merge -q " + dir.file("m2.h5") + " " + dir.file("a.h5") + " " + dir.file("b.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_same_datasets(dir.file("full.h5"), dir.file("m2.h5"));
  // a real difference, named with its section
  ASSERT_EQ(run_vswap("run " + cfg + " -q --shard 2/2 -o " + dir.file("c.h5") + " --set collisions.gamma=0.09")
                .exit_code, 0);
  r = run_vswap("merge -q " + dir.file("m3.h5") + " " + dir.file("a.h5") + " " + dir.file("c.h5"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("in [collisions]: \"gamma = 0.080000000000000002\" vs \"gamma = 0.089999999999999997\""),
            std::string::npos) << r.output;
}

TEST(ShardMerge, StringAttributesRewrittenByAScriptAreReadOrRefusedNamingTheFile) {
  ScratchDir dir("shards-vlen");
  const auto cfg = dir.write("c.toml", vswap::test::tiny_config(6));
  ASSERT_EQ(run_vswap("run " + cfg + " -q -o " + dir.file("full.h5")).exit_code, 0);
  for (int i = 1; i <= 2; ++i) {
    ASSERT_EQ(run_vswap("run " + cfg + " -q --shard " + std::to_string(i) + "/2 -o " +
                        dir.file("s" + std::to_string(i) + ".h5")).exit_code, 0);
  }
  // the same values as variable-length strings (h5py's f.attrs["version"] = "...")
  for (const char* name : {"config", "version", "git_commit", "device"}) {
    rewrite_root_attribute(dir.file("s2.h5"), name, attr(dir.file("s2.h5"), name));
  }
  EXPECT_EQ(attr(dir.file("s2.h5"), "version"), attr(dir.file("s1.h5"), "version"));
  auto r = run_vswap("merge -q " + dir.file("m.h5") + " " + dir.file("s1.h5") + " " +
                     dir.file("s2.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_same_datasets(dir.file("full.h5"), dir.file("m.h5"));
  // fixed-length strings with no terminating null (np.bytes_): every character is read (the
  // last one was lost: "vswap 0.1." for 0.1.9, and the config refused as another run)
  for (const char* name : {"config", "version", "git_commit", "device"})
    rewrite_root_attribute(dir.file("s2.h5"), name, attr(dir.file("s1.h5"), name), Rewrite::nullpad);
  EXPECT_EQ(attr(dir.file("s2.h5"), "version"), attr(dir.file("s1.h5"), "version"));
  EXPECT_EQ(attr(dir.file("s2.h5"), "config"), attr(dir.file("s1.h5"), "config"));
  r = run_vswap("merge -q " + dir.file("mp.h5") + " " + dir.file("s1.h5") + " " + dir.file("s2.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_same_datasets(dir.file("full.h5"), dir.file("mp.h5"));
  // a string attribute that is no string: bad input naming the file, not an internal error
  fs::copy_file(dir.file("s2.h5"), dir.file("n2.h5"));
  rewrite_root_attribute(dir.file("n2.h5"), "version", "", Rewrite::integer);
  r = run_vswap("merge -q " + dir.file("n.h5") + " " + dir.file("s1.h5") + " " +
                dir.file("n2.h5"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("n2.h5"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("version"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir.file("n.h5")));
}

/// A warning is printed with -q too: -q silences the chi^2 table, not what may be wrong.
TEST(ShardMerge, DifferentGitCommitsWarnOnStderrEvenWithQuiet) {
  ScratchDir dir("shards-commits");
  const auto cfg = dir.write("c.toml", vswap::test::tiny_config(6));
  for (int i = 1; i <= 2; ++i) {
    ASSERT_EQ(run_vswap("run " + cfg + " -q --shard " + std::to_string(i) + "/2 -o " +
                        dir.file("s" + std::to_string(i) + ".h5")).exit_code, 0);
  }
  rewrite_root_attribute(dir.file("s2.h5"), "git_commit", "0123456789ab");
  for (const char* quiet : {"", "-q "}) {
    const auto r = vswap::test::run_vswap_stderr("merge " + std::string(quiet) + dir.file("m.h5") +
                                                 " " + dir.file("s1.h5") + " " + dir.file("s2.h5"));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("vswap merge: warning: the shards come from different git commits"),
              std::string::npos) << quiet << ": " << r.output;
    EXPECT_NE(r.output.find("0123456789ab"), std::string::npos) << r.output;
  }
}

TEST(Mpi, RanksOneTwoThreeGiveIdenticalDatasets) {
#ifndef VSWAP_WITH_MPI
  GTEST_SKIP() << "built without MPI (VSWAP_MPI)";
#else
  ScratchDir dir("mpi");
  const auto cfg = dir.write("c.toml", vswap::test::tiny_config(7));
  ASSERT_EQ(run_vswap("run " + cfg + " -q -o " + dir.file("plain.h5")).exit_code, 0);
  for (int k = 1; k <= 3; ++k) {
    const auto out = dir.file("k" + std::to_string(k) + ".h5");
    const std::string cmd = std::string(VSWAP_MPIEXEC) +
                            " --allow-run-as-root --oversubscribe -n " + std::to_string(k) + " " +
                            VSWAP_BINARY + " run " + cfg + " -q --threads 1 -o " + out + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    std::string text;
    char buf[512];
    while (p && fgets(buf, sizeof buf, p)) text += buf;
    ASSERT_EQ(p ? pclose(p) : -1, 0) << cmd << "\n" << text;
    expect_same_datasets(dir.file("plain.h5"), out);
    EXPECT_EQ(vswap::test::h5_int_attribute(out, "ranks"), k);
  }
#endif
}

/// Runs the checkpointed command until it finishes; kills the first attempts. The kills are
/// timed from the moment the running process has written a checkpoint of its own (a new
/// file: checkpoints are renamed into place), not from a fixed delay, so that how fast the
/// machine is decides nothing: the config (4000 realizations, ~0.5 s on 2 cores) leaves
/// work to do long after the first checkpoint (~35 ms in).
class Checkpoints : public ::testing::Test {
 protected:
  ScratchDir dir{"checkpoint"};
  std::string cfg = dir.write("c.toml", vswap::test::tiny_config(4000, "[0.0, 5.0, 10.0]"));
  std::string ckpt = dir.file("run.ckpt");
  std::vector<std::string> command(const std::string& out) {
    return {"run", cfg, "-o", out, "--threads", "2", "--checkpoint", ckpt,
            "--checkpoint-every", "0.02"};
  }
  /// The checkpoint file's inode, 0 if there is none.
  ino_t checkpoint_inode() const {
    struct stat st {};
    return ::stat(ckpt.c_str(), &st) == 0 ? st.st_ino : 0;
  }
  /// Waits until `pid` has renamed a checkpoint into place (the inode differs from
  /// `before`) or has exited (then its exit code is stored in *exited). At most 60 s.
  bool wait_for_new_checkpoint(pid_t pid, ino_t before, int* exited) {
    for (int i = 0; i < 60000; ++i) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        *exited = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return false;
      }
      const ino_t now = checkpoint_inode();
      if (now != 0 && now != before) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  }
  /// The same command again resumes from the checkpoint and writes `ref`'s datasets.
  void expect_resumes_to(const std::string& ref, const std::string& out) {
    const pid_t again = vswap::test::spawn_vswap(command(out), dir.file("log2"));
    ASSERT_EQ(vswap::test::wait_child(again), 0) << vswap::test::read_text(dir.file("log2"));
    EXPECT_NE(vswap::test::read_text(dir.file("log2")).find("resuming"), std::string::npos);
    expect_same_datasets(ref, out);
  }
};

TEST_F(Checkpoints, KillNineAtRandomMomentsThenRestartIsBitwiseIdentical) {
  ASSERT_EQ(run_vswap("run " + cfg + " -q --threads 2 -o " + dir.file("ref.h5")).exit_code, 0);
  std::mt19937 rng(20240611);  // fixed seed: the same delays after the checkpoint every time
  std::uniform_int_distribution<int> delay_ms(0, 15);
  const auto out = dir.file("out.h5");
  int killed = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const ino_t before = checkpoint_inode();
    const pid_t pid = vswap::test::spawn_vswap(command(out), dir.file("log"));
    int exited = -1;
    if (!wait_for_new_checkpoint(pid, before, &exited)) {
      FAIL() << "attempt " << attempt << ": no new checkpoint (exit code " << exited
             << "); log:\n" << vswap::test::read_text(dir.file("log"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    kill(pid, SIGKILL);
    const int code = vswap::test::wait_child(pid);
    if (code == 0) break;  // finished within the delay: nothing left to kill
    EXPECT_EQ(code, 128 + SIGKILL) << vswap::test::read_text(dir.file("log"));
    ++killed;
    EXPECT_FALSE(fs::exists(out)) << "a killed run left an output file";
    EXPECT_TRUE(fs::exists(ckpt)) << "a kill after a checkpoint left none";
  }
  EXPECT_GE(killed, 2) << "the runs finished too soon after their checkpoints";
  const pid_t pid = vswap::test::spawn_vswap(command(out), dir.file("log"));
  ASSERT_EQ(vswap::test::wait_child(pid), 0) << vswap::test::read_text(dir.file("log"));
  EXPECT_NE(vswap::test::read_text(dir.file("log")).find("resuming"), std::string::npos);
  expect_same_datasets(dir.file("ref.h5"), out);
  EXPECT_FALSE(fs::exists(ckpt)) << "checkpoint not removed after success";
}

TEST_F(Checkpoints, SigtermWritesACheckpointAndExitsThenTheRunContinues) {
  ASSERT_EQ(run_vswap("run " + cfg + " -q --threads 2 -o " + dir.file("ref.h5")).exit_code, 0);
  const auto out = dir.file("out.h5");
  const pid_t pid = vswap::test::spawn_vswap(command(out), dir.file("log"));
  // SIGTERM once the first checkpoint exists: the handler is installed by then (a signal
  // before it simply ends the process, with nothing to save).
  int exited = -1;
  ASSERT_TRUE(wait_for_new_checkpoint(pid, 0, &exited))
      << "no checkpoint (exit code " << exited << "): " << vswap::test::read_text(dir.file("log"));
  kill(pid, SIGTERM);
  const int code = vswap::test::wait_child(pid);
  const auto log = vswap::test::read_text(dir.file("log"));
  EXPECT_EQ(code, 128 + SIGTERM) << log;
  EXPECT_NE(log.find("SIGTERM received"), std::string::npos) << log;
  EXPECT_TRUE(fs::exists(ckpt));
  EXPECT_FALSE(fs::exists(out));
  expect_resumes_to(dir.file("ref.h5"), out);
}

TEST_F(Checkpoints, ForeignCheckpointIsRefusedAndKeepFlagKeepsIt) {
  const auto small = dir.write("s.toml", vswap::test::tiny_config(6));
  const auto ck = dir.file("k.ckpt");
  auto r = run_vswap("run " + small + " -q --keep-checkpoint --checkpoint " + ck + " -o " +
                     dir.file("a.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(fs::exists(ck));
  // same command again: everything is done, the output is rewritten identically
  r = run_vswap("run " + small + " -q --checkpoint " + ck + " -o " + dir.file("b.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_same_datasets(dir.file("a.h5"), dir.file("b.h5"));
  EXPECT_FALSE(fs::exists(ck));
  ASSERT_EQ(run_vswap("run " + small + " -q --keep-checkpoint --checkpoint " + ck + " -o " +
                      dir.file("a.h5")).exit_code, 0);
  r = run_vswap("run " + small + " -q --set numerics.seed=9 --checkpoint " + ck + " -o " +
                dir.file("c.h5"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("different config"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("seed"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir.file("c.h5")));
}

/// A checkpoint that cannot be written (a full disk, here RLIMIT_FSIZE below its size) is
/// exit 1 saying so, and the previous checkpoint is left whole: the same command continues
/// from it once there is room, to the very datasets of an uninterrupted run.
class FullDiskCheckpoints : public Checkpoints {
 protected:
  /// A checkpoint of part of the run: SIGTERM once the first one is written.
  void stop_partway(const std::string& out) {
    const pid_t pid = vswap::test::spawn_vswap(command(out), dir.file("log"));
    int exited = -1;
    ASSERT_TRUE(wait_for_new_checkpoint(pid, 0, &exited))
        << "no checkpoint (exit code " << exited << "): " << vswap::test::read_text(dir.file("log"));
    kill(pid, SIGTERM);
    ASSERT_EQ(vswap::test::wait_child(pid), 128 + SIGTERM) << vswap::test::read_text(dir.file("log"));
  }
  std::vector<std::string> leftovers() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(fs::path(ckpt).parent_path())) {
      const auto name = e.path().filename().string();
      if (name.find(".tmp.") != std::string::npos) out.push_back(name);
    }
    return out;
  }
};

TEST_F(FullDiskCheckpoints, FailedWriteIsExitOneAndThePreviousCheckpointResumes) {
  ASSERT_EQ(run_vswap("run " + cfg + " -q --threads 2 -o " + dir.file("ref.h5")).exit_code, 0);
  const auto out = dir.file("out.h5");
  stop_partway(out);
  const auto before = vswap::test::read_text(ckpt);
  ASSERT_GT(before.size(), 2048u);
  // the resumed run's first checkpoint write fails
  const auto r = vswap::test::run_vswap_with_file_limit(command(out), 2048);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("vswap: error: " + ckpt + ": cannot write the checkpoint"),
            std::string::npos) << r.output;
  EXPECT_NE(r.output.find("File too large"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("the previous checkpoint " + ckpt + " is intact"), std::string::npos)
      << r.output;
  EXPECT_EQ(vswap::test::read_text(ckpt), before) << "the previous checkpoint was changed";
  EXPECT_TRUE(leftovers().empty()) << leftovers().front();
  EXPECT_FALSE(fs::exists(out));
  expect_resumes_to(dir.file("ref.h5"), out);
}

TEST_F(FullDiskCheckpoints, WithoutAPreviousCheckpointItSaysNothingIsSaved) {
  const auto out = dir.file("out.h5");
  const auto r = vswap::test::run_vswap_with_file_limit(command(out), 2048);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("vswap: error: " + ckpt + ": cannot write the checkpoint"),
            std::string::npos) << r.output;
  EXPECT_NE(r.output.find("no previous checkpoint"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(ckpt));
  EXPECT_TRUE(leftovers().empty()) << leftovers().front();
  EXPECT_FALSE(fs::exists(out));
}

/// The last checkpoint (all realizations, before the output) fails on a short run too.
// The final checkpoint (the one that makes a kill during the output harmless) fails: the
// run goes on to its output, a warning saying what the checkpoint file holds; here the
// output fails too (the same limit), and its error says that nothing is saved.
TEST_F(FullDiskCheckpoints, TheFinalCheckpointOfAShortRunToo) {
  const auto small = dir.write("s.toml", vswap::test::tiny_config(2));
  const auto r = vswap::test::run_vswap_with_file_limit(
      {"run", small, "-q", "--checkpoint", ckpt, "-o", dir.file("s.h5")}, 2048);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("vswap run: warning: " + ckpt + ": cannot write the checkpoint"),
            std::string::npos) << r.output;
  EXPECT_NE(r.output.find("vswap: error: " + dir.file("s.h5") + ": cannot write the output file"),
            std::string::npos) << r.output;
  EXPECT_NE(r.output.find("nothing was written; there is no previous checkpoint: nothing of this run is saved"),
            std::string::npos) << r.output;
  EXPECT_TRUE(leftovers().empty()) << leftovers().front();
  EXPECT_FALSE(fs::exists(dir.file("s.h5")));
}

// A final checkpoint that cannot be written no longer costs the run: the realizations are
// in memory, and the output is written (it was exit 1, output lost, once the run was done).
// The checkpoint is larger than the output here: its identity holds the table bath's 20 000
// lines with a prefix each, the output the table's text once; a file limit between the two
// fails only the checkpoint.
TEST_F(FullDiskCheckpoints, AFinalCheckpointThatFailsStillLeavesTheOutput) {
  std::string table;
  for (int i = 0; i < 20000; ++i) {
    const double l = -4.0 + 8.0 * i / 19999.0;
    table += fmt::format("{:.6g} {:.4g}\n", l, std::exp(-0.5 * l * l));
  }
  dir.write("bath.txt", table);
  std::string text = vswap::test::tiny_config(4);
  text = std::regex_replace(text, std::regex("kind = \"bragg\"\n"), "kind = \"table\"\nfile = \"bath.txt\"\n");
  text = std::regex_replace(text, std::regex("sigma = 6.0\nlambda_B = 5.9\nb = 0.3\n"), "");
  text = std::regex_replace(text, std::regex("particles = 100"), "particles = 20");
  const auto table_cfg = dir.write("t.toml", text);
  const auto ref = dir.file("ref.h5"), out = dir.file("out.h5");
  const auto full = run_vswap("run " + table_cfg + " -q --keep-checkpoint --checkpoint " + dir.file("full.ckpt") + " -o " + ref);
  ASSERT_EQ(full.exit_code, 0) << full.output;
  const auto checkpoint_bytes = fs::file_size(dir.file("full.ckpt")), output_bytes = fs::file_size(ref);
  ASSERT_GT(checkpoint_bytes, output_bytes + 10000) << "the case needs a checkpoint larger than the output";
  const auto r = vswap::test::run_vswap_with_file_limit(
      {"run", table_cfg, "-q", "--checkpoint", ckpt, "--checkpoint-every", "100000", "-o", out},
      (checkpoint_bytes + output_bytes) / 2);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("vswap run: warning: " + ckpt + ": cannot write the checkpoint"),
            std::string::npos) << r.output;
  EXPECT_NE(r.output.find("nothing of this run is saved; the output is written all the same"),
            std::string::npos) << r.output;
  expect_same_datasets(ref, out);
  EXPECT_TRUE(leftovers().empty()) << leftovers().front();
  EXPECT_FALSE(fs::exists(ckpt));
}

/// A checkpoint path that is a symbolic link to nowhere, or to the output (written or not
/// yet), is refused before the run: exit 2 saying so, nothing written, the link untouched.
TEST(CheckpointPath, DanglingOrOutputSymbolicLinksAreRefusedBeforeTheRun) {
  ScratchDir dir("checkpoint-links");
  const auto cfg = dir.write("c.toml", vswap::test::tiny_config(2));
  const auto out = dir.file("out.h5");
  const auto link = dir.file("link.ckpt");
  const auto refused = [&](const std::string& what) {
    const auto r = run_vswap("run " + cfg + " -q --checkpoint " + link + " -o " + out);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("vswap: error: --checkpoint: " + link + " is a " + what),
              std::string::npos) << r.output;
    EXPECT_TRUE(fs::is_symlink(fs::symlink_status(link))) << "the link was replaced";
  };
  fs::create_symlink(dir.file("nowhere/c.ckpt"), link);
  refused("dangling symbolic link (to " + dir.file("nowhere/c.ckpt") + ")");
  EXPECT_FALSE(fs::exists(out));
  fs::remove(link);
  fs::create_symlink("out.h5", link);  // relative, to the output not yet written
  refused("symbolic link to the output file " + out);
  EXPECT_FALSE(fs::exists(out));
  ASSERT_EQ(run_vswap("run " + cfg + " -q -o " + out).exit_code, 0);
  const auto before = vswap::test::read_text(out);
  refused("symbolic link to the output file " + out);  // the output exists now
  EXPECT_EQ(vswap::test::read_text(out), before);
  // a link to a checkpoint that exists is followed: it is read, and the run continues
  fs::remove(link);
  const auto real = dir.file("real.ckpt");
  ASSERT_EQ(run_vswap("run " + cfg + " -q --keep-checkpoint --checkpoint " + real + " -o " +
                      dir.file("a.h5")).exit_code, 0);
  fs::create_symlink(real, link);
  const auto r = run_vswap("run " + cfg + " --checkpoint " + link + " -o " + dir.file("b.h5"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("resuming"), std::string::npos) << r.output;
}

/// A table bath is read once: its text is recorded in the output (`bath_table`), belongs to
/// the run's identity (shards and checkpoints of another table are refused), and `merge`
/// uses the recorded text, not the file as it is now.
TEST(TableBath, FileTextIsRecordedAndPartOfTheRunIdentity) {
  ScratchDir dir("table-identity");
  std::string rows;
  for (int j = -60; j <= 60; ++j) {  // a Bragg-like split, written with 17 digits
    const double l = 0.25 * j;
    rows += fmt::format("{:.17g} {:.17g}\n", l, std::exp(-(l + 5.9) * (l + 5.9) / 36.0) +
                                                 0.3 * std::exp(-(l - 5.9) * (l - 5.9) / 36.0));
  }
  const std::string first = "# lambda rho_b\n" + rows, second = first + "15.25 1e-3\n";
  const auto table = dir.write("bath.txt", first);
  std::string text = vswap::test::tiny_config(8);
  text.replace(text.find("kind = \"bragg\""), 14, "kind = \"table\"\nfile = \"bath.txt\"");
  const auto cfg = dir.write("c.toml", text);
  ASSERT_EQ(run_vswap("run " + cfg + " -q -o " + dir.file("full.h5")).exit_code, 0);
  EXPECT_EQ(attr(dir.file("full.h5"), "bath_table"), first);
  ASSERT_EQ(run_vswap("run " + cfg + " -q --shard 1/2 -o " + dir.file("s1.h5")).exit_code, 0);
  const auto ck = dir.file("k.ckpt");
  ASSERT_EQ(run_vswap("run " + cfg + " -q --shard 2/2 --keep-checkpoint --checkpoint " + ck + " -o " +
                      dir.file("s2.h5")).exit_code, 0);
  ASSERT_TRUE(fs::exists(ck));

  dir.write("bath.txt", second);  // the file changes: same path, other bath
  auto r = run_vswap("run " + cfg + " -q --shard 2/2 --checkpoint " + ck + " -o " + dir.file("x.h5"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("different config"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("bath table: 15.25 1e-3"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir.file("x.h5")));
  ASSERT_EQ(run_vswap("run " + cfg + " -q --shard 2/2 -o " + dir.file("n2.h5")).exit_code, 0);
  r = run_vswap("merge " + dir.file("m.h5") + " " + dir.file("s1.h5") + " " + dir.file("n2.h5"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("n2.h5"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("bath table"), std::string::npos) << r.output;

  fs::remove(table);  // merge needs only the recorded text
  r = run_vswap("merge -q " + dir.file("m.h5") + " " + dir.file("s1.h5") + " " + dir.file("s2.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_same_datasets(dir.file("full.h5"), dir.file("m.h5"));
  EXPECT_EQ(attr(dir.file("m.h5"), "bath_table"), first);
}

}  // namespace
