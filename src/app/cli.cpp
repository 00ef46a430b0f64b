// The `vswap` command line: CLI11 subcommands dispatching to src/app/cmd_*.cpp.
#include "app/cli.hpp"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <exception>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <vswap/error.hpp>
#include <vswap/version.hpp>

#include "app/commands.hpp"
#include "app/h5_file.hpp"
#include "app/output_error.hpp"
#include "app/run_output.hpp"

namespace vswap::app {
namespace {

/// -o FILE: an empty name would silently mean the command's default file.
const CLI::Validator kFileName(
    [](std::string& text) -> std::string {
      return text.empty() ? std::string("the output file name is empty") : std::string();
    },
    "");

/// --checkpoint FILE: an empty name would silently mean no checkpoint.
const CLI::Validator kCheckpointName(
    [](std::string& text) -> std::string {
      return text.empty() ? std::string("the checkpoint file name is empty") : std::string();
    },
    "");

/// The subcommands, for naming an unknown one (CLI11 says only "A subcommand is required").
const char* const kSubcommands[] = {"run", "theory", "burgers", "merge"};

/// Returns the -o option.
CLI::Option* add_common(CLI::App& sub, CommonArgs& args, const std::string& output_help) {
  sub.add_option("config", args.config, "Run configuration (TOML, see configs/)")
      ->required()
      ->check(CLI::ExistingFile);
  sub.add_option("--set", args.overrides,
                 "Override a config value, e.g. --set numerics.dt=0.005 (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  return sub.add_option("-o,--output", args.output, output_help)->type_name("FILE")->check(kFileName);
}

}  // namespace

int main(int argc, char** argv) {
  // A file size limit (`ulimit -f`, a batch system's) would kill the process with SIGXFSZ:
  // no message, a temporary file left behind (exit 153). Ignored, the write fails with EFBIG
  // and takes the full-disk path (exit 1 naming the file).
  std::signal(SIGXFSZ, SIG_IGN);
  prepare_hdf5();
  CLI::App app{fmt::format(
      "vswap {} - stochastic velocity-swap gases coupled to a frozen bath, and the Burgers\n"
      "hydrodynamics predicted for them (Lisiak, Lebek, Panfil). Exit codes: 0 success,\n"
      "2 bad input (nothing written), 1 a file that could not be written (a full disk)\n"
      "or an internal error, 143 / 130 `run` stopped by SIGTERM / SIGINT.",
      vswap::version)};
  app.require_subcommand(1);
  // every error line begins "vswap: error:", CLI11's too
  app.failure_message([](const CLI::App* a, const CLI::Error& e) {
    return "vswap: error: " + CLI::FailureMessage::simple(a, e);
  });
  app.set_version_flag("--version", fmt::format("vswap {} ({})", vswap::version,
                                                vswap::git_commit));

  TheoryArgs theory;
  auto* theory_cmd = app.add_subcommand(
      "theory", "Transport coefficients u(rho), u'(rho), D(rho) and stationary states (HDF5 or CSV)");
  auto* theory_output = add_common(*theory_cmd, theory.common, "HDF5 output (default: theory.h5)");
  theory_cmd->add_option("--rho", theory.rho_list,
                         "Comma-separated densities to tabulate (the CSV rows, or the HDF5 table) instead "
                         "of [theory] rho_min..rho_max")
      ->type_name("LIST");
  theory_cmd->add_flag("--csv", theory.csv,
                       "Print the CSV table rho,u,du_drho,D on stdout instead of writing HDF5 "
                       "(not with -o)");
  theory_cmd->add_flag("--lattice", theory.lattice,
                       "Fermions: evaluate the theory on the run's velocity lattice (the classes of "
                       "dl = 2 pi numerics.cells / system.length, as `vswap run` and `vswap burgers` "
                       "do) instead of the bath's continuum");

  BurgersArgs burgers;
  auto* burgers_cmd = app.add_subcommand(
      "burgers", "Solve the Burgers equation (2) from the configured initial profile");
  add_common(*burgers_cmd, burgers.common, "HDF5 output (default: burgers.h5)");
  burgers_cmd->add_option("--cells", burgers.cells, "Solver cells, a multiple of numerics.bins, at most 2^22 (default: automatic)")
      ->check(CLI::Range(0, 1 << 22));

  RunArgs run;
  auto* run_cmd = app.add_subcommand(
      "run", "Monte Carlo run with its hydrodynamic prediction and chi^2 comparison (HDF5)");
  add_common(*run_cmd, run.common, "HDF5 output (default: run.h5)");
  run_cmd->add_option("--backend", run.backend, "auto | cpu | cuda (overrides numerics.backend)")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  // at most 4096: a mistyped count would start that many OpenMP threads
  run_cmd->add_option("--threads", run.threads, "CPU threads, 0 .. 4096 (default 0: all cores)")
      ->check(CLI::Range(0, 4096));
  run_cmd->add_flag("--check-steps", run.check_steps,
                    "Check particle number and the Pauli invariant after every step (slow)");
  run_cmd->add_flag("-q,--quiet", run.quiet,
                    "No progress output or chi^2 table (warnings still go to stderr)");
  run_cmd->add_option("--shard", run.shard,
                      "Run only block I of N of the realizations (combine with vswap merge)")
      ->type_name("I/N");
  auto* checkpoint_option = run_cmd->add_option("--checkpoint", run.checkpoint,
                      "Keep a checkpoint in FILE: the realizations run in chunks of 2 per "
                      "thread, and the sums of the finished chunks are saved; the same command "
                      "run again continues from it (bitwise-identical result). SIGTERM/SIGINT "
                      "save it and exit with 128+signal. Removed after the output is written")
      ->type_name("FILE")
      ->check(kCheckpointName);
  run_cmd->add_option("--checkpoint-every", run.checkpoint_every,
                      "Seconds between checkpoints (default 300; written when a chunk ends)")
      ->type_name("SECONDS")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            double v = 0;
            std::size_t used = 0;
            try {
              v = std::stod(text, &used);
            } catch (const std::exception&) {
              used = 0;
            }
            // NaN passes CLI::PositiveNumber; it would silently disable the periodic writes.
            if (used != text.size() || !std::isfinite(v) || !(v > 0)) {
              return "must be a positive, finite number of seconds, got " + text;
            }
            return {};
          },
          "SECONDS > 0"))
      ->needs(checkpoint_option);
  run_cmd->add_flag("--keep-checkpoint", run.keep_checkpoint,
                    "Keep the checkpoint file after the output is written")
      ->needs(checkpoint_option);

  MergeArgs merge;
  auto* merge_cmd = app.add_subcommand(
      "merge",
      "Merge shard files into one run file: vswap merge OUT.h5 SHARD.h5... (or -o OUT.h5 "
      "SHARD.h5...)");
  std::vector<std::string> merge_files;
  merge_cmd->add_option("files", merge_files,
                        "OUT.h5 then the shard files (vswap run --shard I/N) of one config and "
                        "seed, covering every realization exactly once; with -o, only the shards")
      ->required()
      ->expected(1, -1)
      ->type_name("FILE");
  auto* merge_output = merge_cmd->add_option("-o,--output", merge.output, "Merged output file")
                           ->type_name("FILE")
                           ->check(kFileName);
  merge_cmd->add_option("--set", merge.overrides,
                        "Override a theory.* key of the shards' config, e.g. --set "
                        "theory.points=400: the prediction is recomputed; the Monte Carlo is the "
                        "shards' (other keys are refused). The file is the one vswap run with "
                        "the same --set writes (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  merge_cmd->add_flag("-q,--quiet", merge.quiet, "No chi^2 table (warnings still go to stderr)");

  if (argc > 1 && argv[1][0] != '-' &&
      std::find(std::begin(kSubcommands), std::end(kSubcommands), std::string(argv[1])) ==
          std::end(kSubcommands)) {
    std::cerr << fmt::format("vswap: error: unknown subcommand \"{}\" (run, theory, burgers or "
                             "merge)\nRun with --help for more information.\n",
                             argv[1]);
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  if (*theory_cmd && theory.csv && theory_output->count() > 0) {
    std::cerr << "vswap: error: --csv: prints the table on stdout and writes no file; -o "
              << theory.common.output << " would be ignored (drop one of them)\n";
    return 2;
  }
  run.command_line = joined_command_line(argc, argv);
  merge.command_line = run.command_line;
  if (*merge_cmd) {
    if (merge_output->count() == 0) {
      merge.output = merge_files.front();
      merge_files.erase(merge_files.begin());
    }
    merge.inputs = merge_files;
    if (merge.inputs.empty()) {
      std::cerr << "vswap: error: inputs: no shard files (vswap merge OUT.h5 SHARD.h5 ..., or "
                   "vswap merge -o OUT.h5 SHARD.h5 ...)\n";
      return 2;
    }
  }
  try {
    if (*theory_cmd) return theory_command(theory);
    if (*burgers_cmd) return burgers_command(burgers);
    if (*run_cmd) return run_command(run);
    if (*merge_cmd) return merge_command(merge);
  } catch (const InputError& e) {
    std::cerr << "vswap: error: " << e.what() << "\n";
    return 2;
  } catch (const OutputError& e) {
    std::cerr << "vswap: error: " << e.what() << "\n";
    return 1;
  } catch (const ResourceError& e) {
    std::cerr << "vswap: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "vswap: error: internal error: " << e.what() << "\n";
    return 1;
  }
  return 1;
}

}  // namespace vswap::app
