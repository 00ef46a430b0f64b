// `vswap run`: the Monte Carlo run (engine: src/engine), with its theory and comparison.
#include <chrono>
#include <iostream>

#include <fmt/format.h>

#include <vswap/error.hpp>

#include "app/commands.hpp"
#include "app/config_io.hpp"
#include "app/predictions.hpp"
#include "app/progress.hpp"
#include "app/run_output.hpp"
#include "engine/engine.hpp"

namespace vswap::app {
namespace {

/// "I/N" (1-based) -> realization range [first, last) of block I of N equal blocks.
std::pair<std::int64_t, std::int64_t> shard_range(const std::string& text,
                                                  std::int64_t realizations) {
  const auto slash = text.find('/');
  long long i = 0, n = 0;
  std::size_t used_i = 0, used_n = 0;
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    i = std::stoll(text.substr(0, slash), &used_i);
    n = std::stoll(text.substr(slash + 1), &used_n);
  } catch (const std::exception&) {
    throw InputError("--shard", fmt::format("expected I/N (e.g. 2/8), got \"{}\"", text));
  }
  if (used_i != slash || used_n != text.size() - slash - 1 || n < 1 || i < 1 || i > n) {
    throw InputError("--shard", fmt::format("expected I/N with 1 <= I <= N, got \"{}\"", text));
  }
  if (n > realizations) {
    throw InputError("--shard", fmt::format("{} shards for only {} realizations", n, realizations));
  }
  const std::int64_t first = (i - 1) * realizations / n;
  const std::int64_t last = i * realizations / n;
  return {first, last};
}

}  // namespace

int run_command(const RunArgs& args) {
  std::vector<std::string> overrides = args.common.overrides;
  if (!args.backend.empty()) overrides.push_back("numerics.backend=\"" + args.backend + "\"");
  const Config cfg = load_config(args.common.config, overrides);
  const std::string output = output_path(args.common.output, "run.h5");

  engine::RunSetup setup;
  setup.config = cfg;
  setup.first_realization = 0;
  setup.last_realization = cfg.numerics.realizations;
  RunProvenance prov;
  if (!args.shard.empty()) {
    std::tie(setup.first_realization, setup.last_realization) =
        shard_range(args.shard, cfg.numerics.realizations);
    prov.shard = args.shard;
  }
  setup.options.check_every_step = args.check_steps;
  setup.options.threads = args.threads;

  std::string note;
  auto engine = engine::make_engine(cfg.numerics.backend, note);
  if (!note.empty() && !args.quiet) std::cerr << "vswap: " << note << "\n";
  prov.backend = engine->backend_name();
  prov.device = engine->device_name();
  prov.threads = args.threads;
  if (!args.quiet) {
    std::cerr << fmt::format("vswap run: {} realizations [{}, {}) of {} on {} ({})\n",
                             setup.last_realization - setup.first_realization,
                             setup.first_realization, setup.last_realization,
                             cfg.numerics.realizations, prov.backend, prov.device);
  }

  ProgressReporter progress("vswap run", !args.quiet);
  const auto sums = engine->run(setup, [&](double f) { progress.update(f); });
  progress.finish();
  prov.wall_time_s = progress.elapsed_seconds();
  write_run_file(output, cfg, sums, prov, args.quiet);
  return 0;
}

int merge_command(const MergeArgs&) { throw InputError("merge", "not available yet"); }

}  // namespace vswap::app
