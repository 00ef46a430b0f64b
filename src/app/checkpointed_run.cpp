// `vswap run --checkpoint FILE`: the realizations in chunks, with a checkpoint (see
// checkpointed_run.hpp, docs/PRODUCTION.md).
#include "app/checkpointed_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vswap/error.hpp>
#include <vswap/version.hpp>

#include "app/checkpoint.hpp"
#include "app/output_error.hpp"
#include "app/stop_signals.hpp"

namespace vswap::app {
namespace {

/// The first line where two config texts differ, for messages.
std::string first_difference(const std::string& a, const std::string& b) {
  std::istringstream sa(a), sb(b);
  std::string la, lb;
  for (int line = 1;; ++line) {
    const bool ga = static_cast<bool>(std::getline(sa, la));
    const bool gb = static_cast<bool>(std::getline(sb, lb));
    if (!ga && !gb) return "";
    if (!ga) la = "<end>";
    if (!gb) lb = "<end>";
    if (la != lb) return fmt::format("\"{}\" here, \"{}\" there", la, lb);
  }
}

/// Loads the checkpoint at `path` when it exists and checks it belongs to this run.
std::optional<Checkpoint> load_matching_checkpoint(const std::string& path, const Config& cfg,
                                                   Interval range) {
  if (!std::filesystem::exists(path)) return std::nullopt;
  Checkpoint ck = read_checkpoint(path);
  const std::string why = " (delete it to start afresh, or use another --checkpoint)";
  const std::string identity = run_identity(cfg);
  if (ck.identity != identity) {
    throw InputError(
        path, "checkpoint of a different config: " + first_difference(identity, ck.identity) + why);
  }
  if (ck.version != vswap::version) {
    throw InputError(path, fmt::format("checkpoint written by vswap {}, this is {}{}", ck.version,
                                       vswap::version, why));
  }
  if (ck.seed != cfg.numerics.seed) {
    throw InputError(path, fmt::format("checkpoint of seed {}, this run has seed {}{}", ck.seed,
                                       cfg.numerics.seed, why));
  }
  if (ck.range != range) {
    throw InputError(path,
                     fmt::format("checkpoint of realizations [{}, {}), this run (shard/rank) "
                                 "owns [{}, {}){}",
                                 ck.range.first, ck.range.second, range.first, range.second, why));
  }
  return ck;
}

/// Adds [a, b) to a sorted list of disjoint intervals, joining neighbours.
void add_interval(std::vector<Interval>& done, Interval iv) {
  done.push_back(iv);
  std::sort(done.begin(), done.end());
  std::vector<Interval> joined;
  for (const auto& d : done) {
    if (!joined.empty() && joined.back().second == d.first)
      joined.back().second = d.second;
    else
      joined.push_back(d);
  }
  done = std::move(joined);
}

}  // namespace

std::int64_t next_chunk_size(engine::ChunkSizes sizes, double seconds_per_realization, double every) {
  const std::int64_t most = std::max<std::int64_t>(1, sizes.most);
  const std::int64_t fill = std::clamp<std::int64_t>(sizes.fill, 1, most);
  const double fit = 0.25 * every / seconds_per_realization;  // inf or NaN for a zero time
  if (!(fit < static_cast<double>(most))) return most;
  return std::max(fill, static_cast<std::int64_t>(fit));
}

engine::RunSums run_checkpointed(engine::Engine& eng, engine::RunSetup setup,
                                 const std::string& path, double every, int threads,
                                 ProgressReporter& progress, bool quiet, std::string& on_disk) {
  const Interval range{setup.first_realization, setup.last_realization};
  auto resumed = load_matching_checkpoint(path, setup.config, range);
  Checkpoint ck;
  if (resumed) {
    ck = std::move(*resumed);
    if (!quiet) {
      std::cerr << fmt::format("vswap run: resuming from {}: {} of {} realizations done\n", path,
                               ck.done_count(), range.second - range.first);
    }
  } else {
    ck.identity = run_identity(setup.config);
    ck.version = vswap::version;
    ck.seed = setup.config.numerics.seed;
    ck.range = range;
    engine::RunSetup none = setup;  // the shaped, empty sums
    none.last_realization = none.first_realization;
    ck.sums = eng.run(none, nullptr);
  }

  // The gaps still to do, run in chunks the engine fills and the checkpoint interval bounds.
  std::vector<Interval> todo;
  std::int64_t at = range.first;
  for (std::size_t i = 0; i <= ck.done.size(); ++i) {
    const std::int64_t stop = i < ck.done.size() ? ck.done[i].first : range.second;
    if (at < stop) todo.emplace_back(at, stop);
    if (i < ck.done.size()) at = ck.done[i].second;
  }
  const engine::ChunkSizes sizes = eng.checkpoint_chunks(setup, threads);
  const double total = static_cast<double>(range.second - range.first);

  std::mutex mutex;
  std::condition_variable changed;
  bool finished = false;
  std::int64_t chunks_done = 0;
  std::exception_ptr error;
  std::thread worker([&] {
    try {
      std::int64_t size = sizes.fill;
      for (const auto& gap : todo) {
        for (std::int64_t a = gap.first; a < gap.second;) {
          const Interval iv{a, std::min(gap.second, a + size)};
          engine::RunSetup part = setup;
          part.first_realization = iv.first;
          part.last_realization = iv.second;
          const double before = static_cast<double>(ck.done_count());
          const double len = static_cast<double>(iv.second - iv.first);
          const auto start = std::chrono::steady_clock::now();
          auto sums = eng.run(part, [&](double f) { progress.update((before + f * len) / total); });
          const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          size = next_chunk_size(sizes, seconds / len, every);
          a = iv.second;
          std::lock_guard<std::mutex> lock(mutex);
          ck.sums.merge(sums);
          add_interval(ck.done, iv);
          ++chunks_done;
          changed.notify_all();
        }
      }
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mutex);
    finished = true;
    changed.notify_all();
  });

  // What the checkpoint file on disk holds: a failed write leaves it as it was.
  std::int64_t saved = resumed ? ck.done_count() : -1;  // -1: no file
  const auto saved_note = [&] {
    return saved < 0 ? std::string("there is no previous checkpoint: nothing of this run is saved")
                     : fmt::format(
                           "the previous checkpoint {} is intact ({} of {} realizations): "
                           "run the same command again to continue from it",
                           path, saved, range.second - range.first);
  };
  // A write that fails while the engine works: the chunk in flight is abandoned, as on a
  // signal (an MPI job ends at once instead of waiting in the reduction for the other ranks).
  const auto write_or_exit = [&](const Checkpoint& snapshot) {
    try {
      write_checkpoint(path, snapshot);
      saved = snapshot.done_count();
    } catch (const OutputError& e) {
      std::fflush(stdout);
      std::cerr << fmt::format("\nvswap: error: {}; {} (exit 1)\n", e.what(), saved_note());
      std::_Exit(1);
    }
  };

  auto last_write = std::chrono::steady_clock::now();
  std::int64_t written_chunks = 0;
  std::unique_lock<std::mutex> lock(mutex);
  while (!finished) {
    changed.wait_for(lock, std::chrono::milliseconds(50));
    if (StopSignals::pending() != 0) {
      const int sig = StopSignals::pending();
      const Checkpoint snapshot = ck;
      lock.unlock();
      write_or_exit(snapshot);
      std::fflush(stdout);
      std::cerr << fmt::format(
          "\nvswap run: {} received: checkpoint {} holds {} of {} "
          "realizations; run the same command again to continue (exit {})\n",
          sig == SIGTERM ? "SIGTERM" : "SIGINT", path, snapshot.done_count(),
          range.second - range.first, 128 + sig);
      std::_Exit(128 + sig);  // the chunk in flight is abandoned; it is redone on restart
    }
    const auto now = std::chrono::steady_clock::now();
    if (chunks_done > written_chunks &&
        std::chrono::duration<double>(now - last_write).count() >= every) {
      const Checkpoint snapshot = ck;
      written_chunks = chunks_done;
      lock.unlock();
      write_or_exit(snapshot);
      last_write = std::chrono::steady_clock::now();
      lock.lock();
    }
  }
  lock.unlock();
  worker.join();
  if (error) std::rethrow_exception(error);
  on_disk.clear();
  try {
    write_checkpoint(path, ck);  // complete: a kill while the output is written loses nothing
  } catch (const OutputError& e) {
    // the output may still be written (the realizations are here): go on, and say so
    on_disk = saved_note();
    std::fflush(stdout);
    std::cerr << fmt::format("vswap run: warning: {}; {}; the output is written all the same\n",
                             e.what(), on_disk);
  }
  ck.sums.first = range.first;
  ck.sums.last = range.second;
  return ck.sums;
}

}  // namespace vswap::app
