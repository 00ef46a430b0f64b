#pragma once
/// @brief Host-callable driver of the CUDA backend (src/engine/cuda_engine.cpp calls it).
///
/// Plain argument structs only: this header is compiled by g++ as well as nvcc and pulls in
/// no CUDA, Eigen, TOML or HDF5 header. A `Simulation` owns the device state of a batch of
/// realizations; the kernels behind it (exact.cu, event.cu, paper.cu) call the same
/// `__host__ __device__` physics as the CPU backend (include/vswap/).
///
/// Memory (bytes on the device, `memory_need`): per particle and per realization, see
/// docs/ARCHITECTURE.md ("CUDA backend: memory").

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <vswap/bath_sampler.hpp>
#include <vswap/pauli.hpp>

namespace vswap::cuda {

enum class SchemeKind : std::int32_t { exact_fermi, exact_classical, event, paper_fermi, paper_classical };

/// What does not change between batches. The views point to host arrays (copied to the
/// device by `Simulation`'s constructor; they must live until then).
struct SimulationSetup {
  SchemeKind scheme = SchemeKind::exact_fermi;
  std::int32_t particles = 0;  ///< N per realization
  Lattice lattice;
  double rate = 0, dt = 0, rate_dt = 0;  ///< gamma rho_bath, dt, their product (as Plan)
  double gamma = 0;                      ///< paper: (C1)/(C2)
  std::int32_t paper_bath_count = 0;     ///< paper: N_bath
  double paper_bath_length = 0;          ///< paper: ell_b = N_bath / rho_bath
  AliasView class_alias;                 ///< fermions (host arrays)
  ContinuousBathView continuous;         ///< classical (host arrays)
  std::vector<std::uint32_t> obs_steps;  ///< exact, paper
  std::vector<double> obs_times;         ///< as simulated
  std::int32_t density_bins = 0, velocity_bins = 0;
  double velocity_min = 0, velocity_width = 0;  ///< classical velocity bins
  std::uint64_t seed = 0;
  double energy_scale = 0;  ///< fixed-point units per unit energy (energy_fixed; as Plan)
  bool check_every_step = false;
};

/// Device bytes: `fixed + per_realization * realizations` for a batch.
struct MemoryNeed {
  std::size_t fixed = 0;
  std::size_t per_realization = 0;
  std::size_t per_particle = 0;  ///< the particle part of per_realization, per particle
  std::size_t bytes(std::int64_t realizations) const {
    return fixed + per_realization * static_cast<std::size_t>(realizations);
  }
};
MemoryNeed memory_need(const SimulationSetup& setup);

/// The largest batch the index arithmetic allows (batch x N and batch x cells < 2^31).
std::int64_t max_batch_by_index(const SimulationSetup& setup);

/// Observation results of one batch (summed over its realizations, except `energy`).
struct BatchSums {
  std::vector<std::int64_t> density_count, density_count_sq;    ///< T x B
  std::vector<std::int64_t> velocity_count, velocity_count_sq;  ///< T x K
  std::vector<std::int64_t> energy;  ///< T x batch: each realization's sum of energy_fixed (setup.energy_scale)
  std::vector<std::int64_t> swaps, rejected, rescattered, saturated;  ///< T, cumulative
};

class Simulation {
 public:
  /// Allocates the device state for batches of up to `max_batch` realizations on `device`.
  Simulation(const SimulationSetup& setup, std::int32_t max_batch, int device);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  /// Initial state of batch realizations [offset, offset + count), realization-major with
  /// N entries each: positions x, and velocities v (classical) or classes cls (fermions).
  void upload_initial(std::int32_t offset, std::int32_t count, const double* x, const double* v,
                      const std::int32_t* cls);
  /// Runs the uploaded batch (realizations first .. first + count - 1) through every
  /// observation; `progress(fraction of this batch)` after each observation. Throws what
  /// the CPU backend throws: InputError("system.particles") when a paper cell is full,
  /// std::logic_error when an invariant (Pauli, particle number) breaks; std::runtime_error
  /// for CUDA errors.
  void run(std::uint32_t first_realization, std::int32_t count, BatchSums& out,
           const std::function<void(double)>& progress);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vswap::cuda
