#pragma once
// Helpers for the production tests: tiny configs, child processes, and a dataset-by-dataset
// bitwise comparison of two HDF5 files.
#include <hdf5.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "cli_helpers.hpp"

namespace vswap::test {

/// A fermion run small enough for a fraction of a second; `realizations` and the last
/// time scale it.
inline std::string tiny_config(int realizations = 12, const char* times = "[0.0, 1.0, 2.0]",
                               int seed = 3) {
  return std::string(R"(
[bath]
kind = "bragg"
density = 50.0
sigma = 6.0
lambda_B = 5.9
b = 0.3
[system]
statistics = "fermi"
particles = 100
length = 100.0
profile = "gaussian"
width = 20.0
velocities = "bath"
[collisions]
gamma = 0.08
scheme = "exact"
[numerics]
cells = 20
dt = 0.05
realizations = )") + std::to_string(realizations) + "\nseed = " + std::to_string(seed) +
         "\ntimes = " + times + R"(
bins = 10
backend = "cpu"
[theory]
rho_min = 0.0
rho_max = 4.0
points = 20
)";
}

/// Every dataset of a file: name -> raw bytes (in the file's own type).
inline std::map<std::string, std::vector<char>> h5_datasets(const std::string& file) {
  std::map<std::string, std::vector<char>> out;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return out;
  struct Visit {
    static herr_t cb(hid_t loc, const char* name, const H5O_info_t* info, void* data) {
      if (info->type != H5O_TYPE_DATASET) return 0;
      auto& m = *static_cast<std::map<std::string, std::vector<char>>*>(data);
      const hid_t set = H5Dopen2(loc, name, H5P_DEFAULT);
      const hid_t type = H5Dget_type(set);
      const hid_t space = H5Dget_space(set);
      const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
      std::vector<char> bytes(n * H5Tget_size(type));
      if (!bytes.empty()) H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
      m[name] = std::move(bytes);
      H5Sclose(space);
      H5Tclose(type);
      H5Dclose(set);
      return 0;
    }
  };
#if H5_VERSION_GE(1, 12, 0)
  H5Ovisit(f, H5_INDEX_NAME, H5_ITER_INC, Visit::cb, &out, H5O_INFO_BASIC);
#else
  H5Ovisit(f, H5_INDEX_NAME, H5_ITER_INC, Visit::cb, &out);
#endif
  H5Fclose(f);
  return out;
}

/// Starts `vswap <args>` as a child process (output to `log`); returns its pid.
inline pid_t spawn_vswap(const std::vector<std::string>& args, const std::string& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv{const_cast<char*>(VSWAP_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    FILE* f = std::fopen(log.c_str(), "w");
    if (f) {
      dup2(fileno(f), 1);
      dup2(fileno(f), 2);
    }
    execv(VSWAP_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

/// Runs `vswap <args>` in a child process whose files may grow to at most `file_bytes`
/// (RLIMIT_FSIZE, as `ulimit -f` or a batch system sets it; SIGXFSZ keeps its default
/// disposition, which kills a process that does not ignore it: vswap ignores it, so a write
/// past the limit fails with EFBIG as on a full disk). stdout and stderr come back through a
/// pipe, which the limit does not touch.
/// exit_code is -1 when a signal (a crash) ended the child.
inline CommandResult run_vswap_with_file_limit(const std::vector<std::string>& args,
                                               rlim_t file_bytes) {
  CommandResult r;
  int fds[2];
  if (pipe(fds) != 0) return r;
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[1]);
    signal(SIGXFSZ, SIG_DFL);  // as a shell leaves it: vswap must ignore it itself
    const rlimit limit{file_bytes, file_bytes};
    setrlimit(RLIMIT_FSIZE, &limit);
    std::vector<char*> argv{const_cast<char*>(VSWAP_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(VSWAP_BINARY, argv.data());
    _exit(127);
  }
  close(fds[1]);
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    r.output.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// Waits for a child; its exit code, or 128 + signal when a signal ended it.
inline int wait_child(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

/// An integer root attribute (-1 when absent).
inline long long h5_int_attribute(const std::string& file, const std::string& name) {
  long long v = -1;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return v;
  const hid_t a = H5Aopen_by_name(f, "/", name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  if (a >= 0) {
    H5Aread(a, H5T_NATIVE_LLONG, &v);
    H5Aclose(a);
  }
  H5Fclose(f);
  return v;
}

/// A double attribute of an object (NaN when absent).
inline double h5_double_attribute(const std::string& file, const std::string& object, const std::string& name) {
  double v = std::nan("");
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return v;
  const hid_t a = H5Aopen_by_name(f, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  if (a >= 0) {
    H5Aread(a, H5T_NATIVE_DOUBLE, &v);
    H5Aclose(a);
  }
  H5Fclose(f);
  return v;
}

inline std::string read_text(const std::string& file) {
  std::ifstream in(file);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace vswap::test
