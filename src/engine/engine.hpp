#pragma once
/// @brief The Monte Carlo engine: one interface, a CPU backend (always), a CUDA backend
/// (when built with VSWAP_WITH_CUDA and a device exists), chosen at run time.
///
/// `run` simulates realizations [first, last) and returns raw sums over them. Every sum is
/// exact (integers, or `ExactSum` fixed point), so sums of disjoint realization ranges
/// merge (`RunSums::merge`) to the very bits a single run gives: same seed, same output
/// for any thread count, backend, shard or MPI rank layout. `summarize` turns sums into
/// realization means and standard errors of the mean.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <vswap/config.hpp>

namespace vswap::engine {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

/// A sum of doubles, each rounded to a multiple of 2^-60 and added as a 128-bit integer:
/// associative, so the result does not depend on summation order. Range |sum| < 2^67.
class ExactSum {
 public:
  void add(double x);
  void merge(const ExactSum& o) { q_ += o.q_; }
  double value() const;
  /// For serialisation: the 128-bit integer as two words (value = (hi 2^64 + lo) 2^-60).
  std::int64_t hi() const { return static_cast<std::int64_t>(q_ >> 64); }
  std::uint64_t lo() const { return static_cast<std::uint64_t>(q_); }
  static ExactSum from_words(std::int64_t hi, std::uint64_t lo);
  bool operator==(const ExactSum& o) const { return q_ == o.q_; }

 private:
  Int128 q_ = 0;
};

/// Engine options that do not change the result.
struct EngineOptions {
  bool check_every_step = false;  ///< check particle number and Pauli after every step
  int threads = 0;                ///< CPU threads; 0: OpenMP's default
};

struct RunSetup {
  Config config;
  std::int64_t first_realization = 0;
  std::int64_t last_realization = -1;  ///< -1: config.numerics.realizations
  EngineOptions options;
};

/// The validated realization range [first, last) of a setup (last = -1: all).
std::pair<std::int64_t, std::int64_t> realization_range(const RunSetup& setup);

/// Raw sums over realizations [first, last). Arrays are row-major (time, bin).
struct RunSums {
  std::int64_t first = 0, last = 0;
  std::int64_t particles = 0;               ///< N per realization
  double length = 0;                        ///< L
  std::vector<double> times;                ///< observation times as simulated (step * dt, or the requested time where that is step * dt but for rounding)
  std::vector<std::int64_t> steps;          ///< their steps (event: -1)
  std::vector<double> density_edges;        ///< B + 1 bin edges over [0, L)
  std::vector<double> velocity_edges;       ///< K + 1 (fermions: class centre -+ dl/2)
  std::vector<double> velocity_centres;     ///< K (fermions: the lattice velocities)
  std::vector<std::int64_t> density_count, density_count_sq;    ///< T x B
  std::vector<std::int64_t> velocity_count, velocity_count_sq;  ///< T x K
  /// T: each realization's energy per particle e_r in units of energy_unit, and e_r^2 in
  /// units of energy_unit^2 (e_r / energy_unit <= 1: the ExactSums neither overflow nor lose
  /// the small energies of a slow gas to their 2^-60 resolution).
  std::vector<ExactSum> energy, energy_sq;
  double energy_unit = 1.0;  ///< a power of two >= the largest energy per particle (Plan)
  /// Cumulative from t = 0 to each observation, summed over realizations (T each).
  std::vector<std::int64_t> swaps, rejected, rescattered, saturated;
  std::string scheme;  ///< the scheme that ran

  std::int64_t realizations() const { return last - first; }
  /// Adds the sums of a disjoint realization range of the same configuration.
  void merge(const RunSums& other);
};

/// Means and standard errors of the mean over realizations (stderr NaN for 1 realization).
struct RunSummary {
  std::int64_t realizations = 0;
  std::vector<double> times;
  std::vector<double> density_x, velocity_lambda;  ///< bin centres
  std::vector<double> density_mean, density_stderr;    ///< T x B, particles per unit length
  std::vector<double> velocity_mean, velocity_stderr;  ///< T x K, per unit length and lambda
  std::vector<double> energy_mean, energy_stderr;      ///< T
  std::vector<double> swaps_mean, rejected_mean, rescattered_mean, saturated_mean;  ///< T
};
RunSummary summarize(const RunSums& sums);

/// Called with the fraction of realizations done, from the calling (master) thread only.
using ProgressCallback = std::function<void(double done_fraction)>;

/// How many realizations one `run` call of a checkpointed run should take: at least
/// `fill` (fewer leave the backend's cores or SMs idle), at most `most` (what it holds at
/// once). app/checkpointed_run.cpp sizes its chunks between the two.
struct ChunkSizes {
  std::int64_t fill = 1;
  std::int64_t most = 1;
};

class Engine {
 public:
  virtual ~Engine();
  virtual std::string backend_name() const = 0;
  virtual std::string device_name() const = 0;
  /// Throws InputError (a key) for configurations the engine refuses, std::logic_error when
  /// an invariant (particle number, Pauli) breaks.
  virtual RunSums run(const RunSetup& setup, ProgressCallback progress) = 0;
  /// Chunk sizes for a checkpointed run of `setup` on `threads` host threads. The CPU's:
  /// two realizations a thread, fill = most (its cost per realization does not depend on
  /// the chunk). InputError as `run` for a configuration the engine refuses.
  virtual ChunkSizes checkpoint_chunks(const RunSetup& setup, int threads) const;
};

/// auto: CUDA when compiled in and a device exists that runs this build's kernels, else the
/// CPU with `note` saying why ("no CUDA device found; running on the CPU", or what is wrong
/// with the device). cuda unavailable or unusable: InputError("numerics.backend").
std::unique_ptr<Engine> make_engine(Backend requested, std::string& note);

/// The CPU backend (OpenMP across realizations).
std::unique_ptr<Engine> make_cpu_engine();

}  // namespace vswap::engine
