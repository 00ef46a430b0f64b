// `vswap run`: the Monte Carlo run (engine: src/engine), with its theory and comparison.
#include "app/commands.hpp"
#include "app/config_io.hpp"

#include <vswap/error.hpp>

namespace vswap::app {

int run_command(const RunArgs& args) {
  (void)load_config(args.common.config, args.common.overrides);
  throw InputError("run", "the Monte Carlo engine is not built yet");
}

int merge_command(const MergeArgs&) { throw InputError("merge", "not available yet"); }

}  // namespace vswap::app
