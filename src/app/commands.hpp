#pragma once
/// @brief The subcommands of `vswap`, each a function of its parsed arguments.
///
/// All of them throw `vswap::InputError` for bad input (exit code 2, nothing written).

#include <optional>
#include <string>
#include <vector>

namespace vswap::app {

/// Options every subcommand that reads a config shares.
struct CommonArgs {
  std::string config;
  std::vector<std::string> overrides;  ///< --set key.path=value
  std::string output;                  ///< -o FILE ("" = the command's default)
};

struct TheoryArgs {
  CommonArgs common;
  std::optional<std::string> rho_list;  ///< --rho 0.25,1,2
  bool csv = false;      ///< --csv: print the table instead of writing HDF5
  bool lattice = false;  ///< --lattice: fermions on the run's velocity lattice, not the continuum
};
int theory_command(const TheoryArgs&);

struct BurgersArgs {
  CommonArgs common;
  int cells = 0;  ///< --cells: solver grid (0 = automatic)
};
int burgers_command(const BurgersArgs&);

struct RunArgs {
  CommonArgs common;
  std::string backend;   ///< --backend auto|cpu|cuda (overrides numerics.backend)
  int threads = 0;       ///< --threads (0 = OpenMP default)
  bool check_steps = false;
  bool quiet = false;
  std::string shard;     ///< --shard I/N
  std::string checkpoint;        ///< --checkpoint FILE ("" = none)
  double checkpoint_every = 300;  ///< --checkpoint-every SECONDS
  bool keep_checkpoint = false;  ///< --keep-checkpoint: keep FILE after the output is written
  std::string command_line;      ///< argv, recorded in the output
};
int run_command(const RunArgs&);

struct MergeArgs {
  std::string output;
  std::vector<std::string> inputs;
  std::vector<std::string> overrides;  ///< --set theory.key=value: only the prediction changes
  bool quiet = false;
  std::string command_line;
};
int merge_command(const MergeArgs&);

/// Parses "0.25,1,2" into numbers; InputError(`what`) on a malformed entry.
std::vector<double> parse_number_list(const std::string& text, const std::string& what);

}  // namespace vswap::app
