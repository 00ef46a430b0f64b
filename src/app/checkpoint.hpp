#pragma once
/// @brief Checkpoints of a Monte Carlo run, and the byte encoding of `RunSums` they share
/// with the MPI reduction.
///
/// Realizations are independent and every sum is exact, so the state needed to continue a
/// run is just the sums over the realizations already done and the list of those
/// realizations: a resumed run adds the rest and gets the very bits of an uninterrupted run.
/// The file (docs/PRODUCTION.md) is a small binary format: magic, format version, the run
/// identity (config without numerics.backend, program version, seed, realization range),
/// the done intervals, the encoded sums and an FNV-1a checksum over all of it. It is written
/// to `FILE.tmp.PID`, fsync'ed and renamed onto FILE, so a kill at any moment leaves either
/// the previous checkpoint or the new one.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <vswap/config.hpp>

#include "engine/engine.hpp"

namespace vswap::app {

/// RunSums <-> bytes (exact: integers, ExactSum words, doubles by bit pattern).
std::string encode_sums(const engine::RunSums& sums);
/// Throws InputError(`origin`, ...) on truncated or malformed bytes.
engine::RunSums decode_sums(const std::string& bytes, const std::string& origin);

/// The config as it determines the numbers: the effective config (effective_toml of the
/// parsed text, so that a key given at its default equals the key left out; the text as it
/// is if it does not parse) with numerics.backend removed (every backend gives the same
/// bits) and, for a table bath, bath.file removed and the file's text (`bath.table_text`)
/// appended, each line marked "bath table: ".
std::string run_identity(const std::string& config_toml, const std::optional<std::string>& table_text);
inline std::string run_identity(const Config& cfg) { return run_identity(cfg.toml_text, cfg.bath.table_text); }

/// Realization intervals [first, last).
using Interval = std::pair<std::int64_t, std::int64_t>;

struct Checkpoint {
  std::string identity;        ///< run_identity(config)
  std::string version;         ///< program version that wrote it
  std::uint64_t seed = 0;
  Interval range{0, 0};        ///< the realizations this run (shard / rank) owns
  std::vector<Interval> done;  ///< sorted, disjoint, inside `range`
  engine::RunSums sums;        ///< over exactly the `done` realizations

  std::int64_t done_count() const;
};

/// Writes atomically (temp file, fsync, rename, fsync of the directory); throws
/// OutputError(path, ...) when it cannot (a full disk, a file size limit, permissions), and
/// the previous file at `path`, if any, is then left as it was.
void write_checkpoint(const std::string& path, const Checkpoint& ck);
/// Reads and verifies the checksum; InputError(path, ...) when unreadable or corrupt.
Checkpoint read_checkpoint(const std::string& path);

/// Removes `<path>.tmp.<pid>` files left by a killed process of this host (pid not alive)
/// that are older than a minute. Returns how many were removed.
int remove_stale_temporaries(const std::string& path);

}  // namespace vswap::app
