#pragma once
/// @brief A Monte Carlo run in chunks of realizations with a checkpoint file (docs/PRODUCTION.md,
/// "Checkpoints"): resumed from the file when it belongs to this run, written every few
/// seconds and on SIGTERM/SIGINT, complete before the output is written.

#include <string>

#include "app/progress.hpp"
#include "engine/engine.hpp"

namespace vswap::app {

/// Runs `setup`'s realizations in chunks (eng.checkpoint_chunks, next_chunk_size), keeping
/// a checkpoint at `path`:
/// the engine works on a worker thread; this thread writes the checkpoint every
/// `every` seconds and, on SIGTERM/SIGINT (StopSignals::pending()), writes it once more
/// (the chunk in flight is abandoned: it is redone on restart) and exits with 128 + the
/// signal number. A checkpoint that cannot be written during the run is exit 1, saying what
/// is on disk. The complete checkpoint written at the end, that a kill while the output is
/// written loses nothing: when it cannot be written the run goes on to its output (the
/// realizations are in memory) after a warning, and `on_disk` says what the file holds
/// ("" when it is complete). InputError when the file at `path` belongs to another run.
/// The next chunk's realizations: what takes about every / 4 at the last chunk's
/// `seconds_per_realization` (a checkpoint then loses at most that to a signal), within
/// [sizes.fill, sizes.most]; the first chunk takes sizes.fill.
std::int64_t next_chunk_size(engine::ChunkSizes sizes, double seconds_per_realization, double every);

engine::RunSums run_checkpointed(engine::Engine& eng, engine::RunSetup setup,
                                 const std::string& path, double every, int threads,
                                 ProgressReporter& progress, bool quiet, std::string& on_disk);

}  // namespace vswap::app
