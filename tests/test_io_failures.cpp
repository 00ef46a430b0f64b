// What the user sees when the files vswap writes cannot be written (a full disk, a file size
// limit): exit code 1, one `vswap: error:` line naming the file, no crash, no HDF5 error
// stack, nothing partial left behind. The full disk is a child process under RLIMIT_FSIZE.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "production_helpers.hpp"

namespace {

namespace fs = std::filesystem;
using vswap::test::run_vswap_with_file_limit;
using vswap::test::ScratchDir;

/// No file of the directory but `keep` (the config) is left.
void expect_only(const ScratchDir& dir, const std::vector<std::string>& keep) {
  for (const auto& e : fs::directory_iterator(dir.file(""))) {
    const auto name = e.path().filename().string();
    EXPECT_NE(std::find(keep.begin(), keep.end(), name), keep.end()) << "left behind: " << name;
  }
}

/// The message of a failed write: one error line naming `file`, no HDF5 diagnostics.
void expect_write_error(const vswap::test::CommandResult& r, const std::string& file) {
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("vswap: error: " + file), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("File too large"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("HDF5-DIAG"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("internal error"), std::string::npos) << r.output;
}

// The tiny config's files are 6 KiB (burgers) to 46 KiB (theory): 2 KiB fails amid the datasets.
constexpr rlim_t kSmall = 2 * 1024;

TEST(FullDisk, RunOutputIsExitOneNamingTheFileAndLeavesNothing) {
  ScratchDir dir("fulldisk-run");
  const auto cfg = dir.write("c.toml", vswap::test::tiny_config(4));
  const auto out = dir.file("out.h5");
  const auto r = run_vswap_with_file_limit({"run", cfg, "-q", "-o", out}, kSmall);
  expect_write_error(r, out);
  expect_only(dir, {"c.toml"});
}

TEST(FullDisk, TheoryBurgersAndMergeOutputsToo) {
  ScratchDir dir("fulldisk-other");
  const auto cfg = dir.write("c.toml", vswap::test::tiny_config(4));
  const auto out = dir.file("out.h5");
  expect_write_error(run_vswap_with_file_limit({"theory", cfg, "-o", out}, kSmall), out);
  expect_write_error(run_vswap_with_file_limit({"burgers", cfg, "-o", out}, kSmall), out);
  const auto shard = dir.file("s.h5");
  ASSERT_EQ(vswap::test::run_vswap("run " + cfg + " -q -o " + shard).exit_code, 0);
  expect_write_error(run_vswap_with_file_limit({"merge", "-q", out, shard}, kSmall), out);
  expect_only(dir, {"c.toml", "s.h5"});
}

/// The previous output stays as it was: the new one is written beside it and renamed.
TEST(FullDisk, AnExistingOutputIsLeftAsItWas) {
  ScratchDir dir("fulldisk-existing");
  const auto cfg = dir.write("c.toml", vswap::test::tiny_config(4));
  const auto out = dir.file("out.h5");
  ASSERT_EQ(vswap::test::run_vswap("run " + cfg + " -q -o " + out).exit_code, 0);
  const auto before = vswap::test::read_text(out);
  expect_write_error(run_vswap_with_file_limit({"run", cfg, "-q", "-o", out}, kSmall), out);
  EXPECT_EQ(vswap::test::read_text(out), before);
  expect_only(dir, {"c.toml", "out.h5"});
}

}  // namespace

namespace {

/// With a checkpoint the Monte Carlo survives a failed output write: the checkpoint (~6 KiB,
/// under the 16 KiB limit) is complete, and the same command continues to the very file.
TEST(FullDisk, WithACheckpointTheRealizationsAreKeptForTheRerun) {
  ScratchDir dir("fulldisk-checkpoint");
  const auto cfg = dir.write("c.toml", vswap::test::tiny_config(4));
  const auto out = dir.file("out.h5");
  const auto ckpt = dir.file("run.ckpt");
  const std::vector<std::string> command{"run", cfg, "-o", out, "--checkpoint", ckpt};
  const auto r = run_vswap_with_file_limit(command, 16 * 1024);
  expect_write_error(r, out);
  EXPECT_NE(r.output.find("the checkpoint " + ckpt + " is complete"), std::string::npos)
      << r.output;
  expect_only(dir, {"c.toml", "run.ckpt"});
  const auto again = run_vswap_with_file_limit(command, RLIM_INFINITY);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("resuming"), std::string::npos) << again.output;
  EXPECT_TRUE(fs::exists(out));
  EXPECT_FALSE(fs::exists(ckpt));
}

}  // namespace
