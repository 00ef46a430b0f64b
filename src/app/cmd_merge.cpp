// `vswap merge OUT.h5 SHARD.h5...`: adds the exact sums of shard files (vswap run --shard)
// and writes exactly the file one unsharded run writes (docs/PRODUCTION.md).
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <hdf5.h>

#include <vswap/error.hpp>

#include "app/checkpoint.hpp"
#include "app/commands.hpp"
#include "app/config_io.hpp"
#include "app/predictions.hpp"
#include "app/run_output.hpp"

namespace vswap::app {
namespace {

struct Shard {
  std::string file;
  RunFileInfo info;
};

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

/// Names the first differing line of two config texts.
// The first differing line of two run identities, with its [section] (both list every key
// in the same order, so this is the first key whose value differs).
std::string config_difference(const std::string& a, const std::string& b) {
  std::istringstream sa(a), sb(b);
  std::string la, lb, section;
  while (true) {
    const bool ga = static_cast<bool>(std::getline(sa, la));
    const bool gb = static_cast<bool>(std::getline(sb, lb));
    if (!ga && !gb) return "";
    if (la != lb || ga != gb) {
      const std::string where = section.empty() ? "" : "in " + section + ": ";
      return fmt::format("{}\"{}\" vs \"{}\"", where, ga ? la : "<end>", gb ? lb : "<end>");
    }
    if (!la.empty() && la.front() == '[') section = la;
  }
}

/// Checks the shards cover [0, realizations) exactly once; lists every gap and overlap.
void check_coverage(std::vector<Shard>& shards, std::int64_t realizations) {
  std::sort(shards.begin(), shards.end(), [](const Shard& a, const Shard& b) {
    return std::make_pair(a.info.sums.first, a.info.sums.last) <
           std::make_pair(b.info.sums.first, b.info.sums.last);
  });
  std::vector<std::string> problems;
  std::int64_t covered = 0;  // [0, covered) seen so far
  std::string cover_file;    // the file that reaches `covered`
  for (const auto& s : shards) {
    const auto a = s.info.sums.first, b = s.info.sums.last;
    if (a > covered) problems.push_back(fmt::format("realizations [{}, {}) are missing", covered, a));
    if (a < covered) {
      problems.push_back(fmt::format("realizations [{}, {}) are doubled: in {} and in {}", a,
                                     std::min(b, covered), cover_file, s.file));
    }
    if (b > covered) {
      covered = b;
      cover_file = s.file;
    }
  }
  if (covered < realizations) {
    problems.push_back(fmt::format("realizations [{}, {}) are missing", covered, realizations));
  }
  if (covered > realizations) {
    problems.push_back(fmt::format("{} holds realizations up to {}, beyond numerics.realizations "
                                   "= {}",
                                   cover_file, covered, realizations));
  }
  if (!problems.empty()) {
    throw InputError("merge", fmt::format("the shards do not cover realizations [0, {}) exactly "
                                          "once: {}",
                                          realizations, join(problems, "; ")));
  }
}

}  // namespace

int merge_command(const MergeArgs& args) {
  namespace fs = std::filesystem;
  std::vector<Shard> shards;
  for (const auto& file : args.inputs) {
    std::error_code ec;
    if (fs::exists(args.output) && fs::equivalent(file, args.output, ec)) {
      throw InputError(file, "is also the merge output");
    }
    if (!fs::is_regular_file(file)) throw InputError(file, "does not exist or is not a file");
    shards.push_back({file, read_run_info(file)});
  }
  if (fs::path(args.output).filename().empty() || fs::is_directory(args.output)) {
    throw InputError(args.output, "is not a file name");
  }
  // `vswap merge CONFIG.toml SHARD.h5 ...` (by analogy with `vswap run CONFIG`) overwrote
  // the config with HDF5: merge replaces only an HDF5 file, never the shards' config
  if (fs::exists(args.output)) {
    for (const auto& s : shards)
      if (!s.info.config_path.empty() && same_file(args.output, s.info.config_path))
        throw InputError(args.output, "is the shards' config file (vswap merge OUT.h5 SHARD.h5 ...)");
    if (H5Fis_hdf5(args.output.c_str()) <= 0)
      throw InputError(args.output, "exists and is not an HDF5 file: merge replaces only an HDF5 output "
                                    "(vswap merge OUT.h5 SHARD.h5 ...)");
  }

  // Same config (numerics.backend may differ: every backend gives the same bits; this
  // includes the seed), same program version.
  const Shard& ref = shards.front();
  const std::string identity = run_identity(ref.info.config, ref.info.bath_table);
  std::set<std::string> backends, devices, commits;
  double wall = 0;
  std::int64_t ranks = 0, threads = 0;
  for (const auto& s : shards) {
    const std::string id = run_identity(s.info.config, s.info.bath_table);
    if (id != identity) {
      throw InputError(s.file, fmt::format("comes from a different config than {}: {}", ref.file,
                                           config_difference(identity, id)));
    }
    if (s.info.version != ref.info.version) {
      throw InputError(s.file, fmt::format("written by vswap {}, {} by vswap {}", s.info.version,
                                           ref.file, ref.info.version));
    }
    backends.insert(s.info.backend);
    devices.insert(s.info.device);
    commits.insert(s.info.git_commit);
    wall += s.info.wall_time_s;
    ranks = std::max(ranks, s.info.ranks);
    threads = std::max(threads, s.info.threads);
  }
  if (commits.size() > 1) {  // a warning: on stderr even with -q
    std::cerr << fmt::format("vswap merge: warning: the shards come from different git commits "
                             "({}) of version {}\n",
                             join({commits.begin(), commits.end()}, ", "), ref.info.version);
  }
  // --set may change the prediction (theory.*), never what the shards simulated.
  for (const auto& o : args.overrides) {
    const std::string key = o.substr(0, o.find('='));
    if (key.rfind("theory.", 0) != 0) {
      throw InputError(key, "merge --set can change only theory.* keys (the prediction): the "
                            "shards fixed the rest of the run");
    }
  }
  // The shards' config attribute is the effective config (a fixed point of parsing), its
  // bath.file already resolved against the run's config directory: parsed again from that
  // directory it gained it once more per merge (tb/tb/bath.txt). Older shards' partial
  // texts still hold the config's own relative path.
  const bool effective =
      parse_config(ref.info.config, {}, "", ref.info.bath_table).toml_text == ref.info.config;
  Config cfg = parse_config(ref.info.config, args.overrides, effective ? "" : ref.info.config_path,
                            ref.info.bath_table);
  cfg.source_path = ref.info.config_path;
  check_coverage(shards, cfg.numerics.realizations);

  engine::RunSums sums = shards.front().info.sums;
  for (std::size_t i = 1; i < shards.size(); ++i) sums.merge(shards[i].info.sums);

  RunProvenance prov;
  prov.command = "merge";
  prov.backend = join({backends.begin(), backends.end()}, ",");
  prov.device = join({devices.begin(), devices.end()}, "; ");
  prov.shard = fmt::format("merged from {} shards", shards.size());
  prov.ranks = ranks;
  prov.threads = threads;
  prov.wall_time_s = wall;
  prov.command_line = args.command_line;
  std::vector<std::string> files;
  for (const auto& s : shards) files.push_back(s.file);
  prov.sources = join(files, ",");
  write_run_file(args.output, cfg, sums, prov, args.quiet);
  return 0;
}

}  // namespace vswap::app
