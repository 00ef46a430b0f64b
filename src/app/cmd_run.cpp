// `vswap run`: the Monte Carlo run (engine: src/engine), with its theory and comparison;
// shards (--shard), MPI ranks and checkpoints (docs/PRODUCTION.md).
#include <omp.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include <fmt/format.h>

#include <vswap/error.hpp>

#include "app/checkpoint.hpp"
#include "app/checkpointed_run.hpp"
#include "app/commands.hpp"
#include "app/config_io.hpp"
#include "app/h5_file.hpp"
#include "app/mpi_ranks.hpp"
#include "app/output_error.hpp"
#include "app/predictions.hpp"
#include "app/progress.hpp"
#include "app/run_output.hpp"
#include "app/stop_signals.hpp"
#include "engine/engine.hpp"

namespace vswap::app {
namespace {

/// "I/N" (1-based) -> realization range [first, last) of block I of N equal blocks.
Interval shard_range(const std::string& text, std::int64_t realizations) {
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

/// Refuses, before anything is allocated, a run whose per-thread working set (particles
/// and histograms, a generous estimate) exceeds the physical memory of this machine.
void check_memory(const Config& cfg, int threads) {
  // a thread holds particles only while it runs a realization
  threads = static_cast<int>(std::min<std::int64_t>(threads, cfg.numerics.realizations));
  const double pages = static_cast<double>(sysconf(_SC_PHYS_PAGES));
  const double page = static_cast<double>(sysconf(_SC_PAGE_SIZE));
  if (!(pages > 0 && page > 0)) return;
  const double memory = pages * page;
  const double T = static_cast<double>(cfg.numerics.times.size());
  const double hist = T * static_cast<double>(cfg.numerics.bins + cfg.numerics.velocity_bins) * 8.0;
  const double per_thread_particles = static_cast<double>(cfg.system.particles) * 48.0;
  const double histograms = hist * 3.0 * (threads + 2);
  const auto gib = [](double b) { return b / (1024.0 * 1024.0 * 1024.0); };
  if (per_thread_particles * threads > memory) {
    throw InputError("system.particles",
                     fmt::format("{} particles on {} threads need about {:.1f} GiB; this machine "
                                 "has {:.1f} GiB (use fewer particles or --threads)",
                                 cfg.system.particles, threads,
                                 gib(per_thread_particles * threads), gib(memory)));
  }
  if (histograms > memory) {
    throw InputError("numerics.bins",
                     fmt::format("{} times x {} bins need about {:.1f} GiB of histograms; this "
                                 "machine has {:.1f} GiB",
                                 cfg.numerics.times.size(), cfg.numerics.bins, gib(histograms),
                                 gib(memory)));
  }
}

/// Refuses an output path whose directory does not exist or is not writable, before the run.
void check_writable(const std::string& path, const std::string& key) {
  auto dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (!std::filesystem::is_directory(dir) || ::access(dir.c_str(), W_OK) != 0) {
    throw InputError(key, fmt::format("cannot write {}: directory {} does not exist or is not "
                                      "writable",
                                      path, dir.string()));
  }
  if (std::filesystem::is_directory(path)) {
    throw InputError(key, fmt::format("{} is a directory", path));
  }
}


/// Refuses a checkpoint path that is a symbolic link to nowhere (the checkpoint would be
/// renamed over the link, not written where it points; a link to an output not written yet
/// is one) or to the output file (removing the checkpoint at the end would delete it).
void check_not_a_dangling_link(const std::string& checkpoint, const std::string& output) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_symlink(fs::symlink_status(checkpoint, ec))) return;
  const std::string target = fs::read_symlink(checkpoint, ec).string();
  if (same_file(checkpoint, output) || same_file(fs::absolute(checkpoint).parent_path() / target, output)) {
    throw InputError("--checkpoint", fmt::format("{} is a symbolic link to the output file {}: "
                                                 "use another checkpoint file",
                                                 checkpoint, output));
  }
  if (!fs::exists(checkpoint, ec)) {
    throw InputError("--checkpoint", fmt::format("{} is a dangling symbolic link (to {}): remove "
                                                 "it or use another checkpoint file",
                                                 checkpoint, target));
  }
}

}  // namespace

int run_command(const RunArgs& args) {
  MpiRanks ranks;
  const auto start_time = utc_now();
  engine::RunSums sums;
  Config cfg;
  RunProvenance prov;
  std::string output, checkpoint;
  std::string checkpoint_state;  // what the checkpoint holds after the run: "" complete
  // What survives an output that is not written.
  const auto lost_or_kept = [&]() -> std::string {
    if (checkpoint.empty()) return "without --checkpoint the realizations are lost";
    if (!checkpoint_state.empty()) return checkpoint_state;
    return "the checkpoint " + checkpoint + " is complete: run the same command again to write the output";
  };
  std::optional<MonteCarloTheory> theory;
  double wall = 0;
  std::exception_ptr failure;
  int code = 0;
  // From the start, so that a signal during the theory prediction says what it stopped.
  StopSignals signals("before the simulation: nothing was written");
  try {
    std::vector<std::string> overrides = args.common.overrides;
    if (!args.backend.empty()) overrides.push_back("numerics.backend=\"" + args.backend + "\"");
    cfg = load_config(args.common.config, overrides);
    output = output_path(args.common.output, "run.h5", args.common.config);
    check_writable(output, "-o");
    // --threads sets OpenMP's count for everything the run does (and what `device` reports)
    if (args.threads > 0) omp_set_num_threads(args.threads);
    const int threads = omp_get_max_threads();
    check_memory(cfg, threads);

    engine::RunSetup setup;
    setup.config = cfg;
    Interval range{0, cfg.numerics.realizations};
    if (!args.shard.empty()) {
      range = shard_range(args.shard, cfg.numerics.realizations);
      prov.shard = args.shard;
    }
    std::tie(setup.first_realization, setup.last_realization) =
        ranks.block(range.first, range.second);
    setup.options.check_every_step = args.check_steps;
    setup.options.threads = args.threads;
    if (!args.checkpoint.empty()) {
      checkpoint = args.checkpoint;
      if (ranks.size() > 1) checkpoint += fmt::format(".rank{}of{}", ranks.rank(), ranks.size());
      check_writable(checkpoint, "--checkpoint");
      check_not_a_dangling_link(checkpoint, output);
      if (same_file(checkpoint, output)) {
        throw InputError("--checkpoint", "must differ from the output file " + output);
      }
      remove_stale_temporaries(checkpoint);
      signals.exit_at_once(fmt::format("before the simulation: nothing was written; {}",
                                       std::filesystem::exists(checkpoint)
                                           ? "the checkpoint " + checkpoint + " is as it was"
                                           : "no checkpoint yet"));
    }
    if (ranks.rank() == 0) remove_stale_temporaries(output);

    std::string note;
    auto engine = engine::make_engine(cfg.numerics.backend, note);
    const bool talk = !args.quiet && ranks.rank() == 0;
    // the backend's fallback (no GPU, or one the runtime cannot use) is said with -q too: a
    // quiet production run that silently ran on the CPU costs hours
    if (!note.empty() && ranks.rank() == 0) std::cerr << "vswap: " << note << "\n";
    // The prediction before the Monte Carlo: a config whose theory cannot be computed is
    // refused now, not after hours of simulation (and it is not computed twice).
    theory = theory_before_run(cfg, *engine);
    if (checkpoint.empty()) {
      signals.exit_at_once("during the simulation: nothing was written (without --checkpoint "
                           "the realizations done are lost)");
    } else {
      signals.note_only();  // the checkpoint loop saves the finished chunks and exits
    }
    prov.backend = engine->backend_name();
    prov.device = engine->device_name();
    prov.threads = threads;  // the CPU threads used (host side of the CUDA backend too)
    prov.ranks = ranks.size();
    prov.command_line = args.command_line;
    prov.start_time = start_time;
    if (talk) {
      std::cerr << fmt::format("vswap run: {} realizations [{}, {}) of {} on {} ({}){}\n",
                               range.second - range.first, range.first, range.second,
                               cfg.numerics.realizations, prov.backend, prov.device,
                               ranks.size() > 1 ? fmt::format(", {} MPI ranks", ranks.size())
                                                : "");
    }

    ProgressReporter progress("vswap run", talk);
    if (checkpoint.empty()) {
      sums = engine->run(setup, [&](double f) { progress.update(f); });
    } else {
      sums = run_checkpointed(*engine, setup, checkpoint, args.checkpoint_every, threads,
                              progress, !talk, checkpoint_state);
    }
    signals.exit_at_once(
        fmt::format("after the simulation, while the output was made: {} was not written; {}",
                    output, lost_or_kept()),
        temporary_path(output));
    progress.finish();
    wall = progress.elapsed_seconds();
  } catch (const InputError&) {
    failure = std::current_exception();
    code = 2;
  } catch (...) {
    failure = std::current_exception();
    code = 1;
  }
  // Every rank learns whether any failed (that one says why) before the reduction.
  const int worst = ranks.agree(code);
  if (failure) std::rethrow_exception(failure);
  if (worst != 0) return worst;

  sums = ranks.reduce(sums);
  if (ranks.rank() == 0) {
    try {
      prov.wall_time_s = wall;
      write_run_file(output, cfg, sums, prov, args.quiet, theory);
      signals.note_only();  // the output is complete: a signal now changes nothing
    } catch (const InputError&) {
      failure = std::current_exception();
      code = 2;
    } catch (const OutputError& e) {
      // the Monte Carlo is not lost with a checkpoint: it holds every realization by now
      failure = checkpoint.empty()
                    ? std::current_exception()
                    : std::make_exception_ptr(OutputError(e.file(), e.message() + "; " + lost_or_kept()));
      code = 1;
    } catch (...) {
      failure = std::current_exception();
      code = 1;
    }
  }
  const int written = ranks.agree(code);  // the checkpoints go only once the file exists
  if (failure) std::rethrow_exception(failure);
  if (written != 0) return written;
  if (!checkpoint.empty() && !args.keep_checkpoint) std::remove(checkpoint.c_str());
  return 0;
}

}  // namespace vswap::app
