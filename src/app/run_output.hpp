#pragma once
/// @brief Turning the engine's raw sums into the run file (docs/OUTPUT.md): realization
/// means and errors, the matching theory, the chi^2 comparison, provenance.
///
/// `vswap run` and `vswap merge` both end here, so a merged file holds exactly the datasets
/// an unsharded run writes.

#include <optional>
#include <string>

#include <vswap/config.hpp>

#include "app/mc_theory.hpp"
#include "engine/engine.hpp"

namespace vswap::app {

/// How a run was made (root attributes).
struct RunProvenance {
  std::string command = "run";
  std::string backend, device;
  std::int64_t threads = 0;
  std::string shard = "1/1";
  std::int64_t ranks = 1;
  double wall_time_s = 0;
  std::string hostname;      ///< "" = this host
  std::string start_time;    ///< UTC, ISO 8601; "" = now
  std::string command_line;  ///< argv joined
  std::string sources;       ///< merge: the shard files, comma-separated
};

/// This host's name; the current UTC time as ISO 8601; argv joined with spaces.
std::string host_name();
std::string utc_now();
std::string joined_command_line(int argc, char** argv);

/// Computes the predictions (or takes `theory`, computed before the run by
/// `theory_before_run`) and writes `path` atomically; prints the chi^2 table unless `quiet`.
void write_run_file(const std::string& path, const Config& cfg, const engine::RunSums& sums,
                    const RunProvenance& provenance, bool quiet,
                    const std::optional<MonteCarloTheory>& theory = std::nullopt);

/// The predictions of a run, computed from its config and layout before any realization
/// runs, so that a config whose theory fails is refused before the Monte Carlo, not after
/// it. Empty where the theory needs the run's own results (homogeneous fermions started
/// with Pauli redraws: (39) from the first histogram); the coefficient table is computed
/// (and can refuse) then all the same.
std::optional<MonteCarloTheory> theory_before_run(const Config& cfg, engine::Engine& engine);

/// Reads the raw sums back from a run file written above (InputError naming the file when
/// it is missing, not HDF5 or not a run file).
engine::RunSums read_run_sums(const std::string& path);

/// A run file's sums with the root attributes `vswap merge` checks and records.
struct RunFileInfo {
  engine::RunSums sums;
  std::string config, config_path, version, git_commit, backend, device, shard;
  std::optional<std::string> bath_table;  ///< a table bath's file text (`bath_table`)
  std::int64_t ranks = 1;
  std::int64_t threads = 0;
  double wall_time_s = 0;
};
RunFileInfo read_run_info(const std::string& path);

}  // namespace vswap::app
