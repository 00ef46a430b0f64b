#pragma once
/// @brief Turning the engine's raw sums into the run file (docs/OUTPUT.md): realization
/// means and errors, the matching theory, the chi^2 comparison, provenance.
///
/// `vswap run` and `vswap merge` both end here, so a merged file holds exactly the datasets
/// an unsharded run writes.

#include <string>

#include <vswap/config.hpp>

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
};

/// Computes the predictions and writes `path` atomically; prints the chi^2 table unless
/// `quiet`.
void write_run_file(const std::string& path, const Config& cfg, const engine::RunSums& sums,
                    const RunProvenance& provenance, bool quiet);

/// Reads the raw sums (and the config text) back from a run file written above.
engine::RunSums read_run_sums(const std::string& path);

}  // namespace vswap::app
