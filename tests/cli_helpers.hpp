#pragma once
// Runs the vswap binary in tests: exit code and combined output, in a scratch directory.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace vswap::test {

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

/// Runs `vswap <args> <redirect>` through the shell, capturing what reaches stdout.
inline CommandResult run_vswap_redirected(const std::string& args, const std::string& redirect) {
  const std::string cmd = std::string(VSWAP_BINARY) + " " + args + " " + redirect;
  CommandResult r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) r.output += buf.data();
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// Runs `vswap <args>` through the shell, capturing stdout and stderr together.
inline CommandResult run_vswap(const std::string& args) { return run_vswap_redirected(args, "2>&1"); }

/// Runs `vswap <args>`, capturing only its stderr (stdout is discarded).
inline CommandResult run_vswap_stderr(const std::string& args) {
  return run_vswap_redirected(args, "2>&1 >/dev/null");
}

/// A fresh scratch directory under the system temp dir, removed at scope exit.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(std::filesystem::temp_directory_path() /
              ("vswap-test-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(file(name)) << text;
    return file(name);
  }

 private:
  std::filesystem::path path_;
};

}  // namespace vswap::test
