#pragma once
/// @brief Everything a backend needs, derived once from the Config and validated: the
/// lattice, the bath samplers' host tables, rates, observation steps, histogram layouts.
/// Shared by the CPU backend and the CUDA backend (which uploads the tables).

#include <cstdint>
#include <utility>
#include <vector>

#include <vswap/bath_sampler.hpp>
#include <vswap/config.hpp>
#include <vswap/paper_cell.hpp>
#include <vswap/pauli.hpp>
#include <vswap/streams.hpp>

namespace vswap::theory {
class BathState;
}

namespace vswap::engine {

struct Plan {
  Config config;
  bool fermi = false;
  Scheme scheme = Scheme::exact;
  std::int32_t particles = 0;
  Lattice lattice;         ///< ring, cells and (fermions) velocity classes
  double rate = 0;         ///< gamma rho_bath: each particle's swap (attempt) rate
  double dt = 0;
  double rate_dt = 0;
  std::vector<double> obs_times;        ///< as simulated
  std::vector<std::uint32_t> obs_steps; ///< step of each observation (event: unused)
  // bath
  std::vector<double> class_prob;  ///< fermions: P_k on the lattice classes
  AliasTable class_alias;          ///< fermions: draws classes with P_k
  ContinuousBath continuous;       ///< classical: continuous velocities
  std::int32_t paper_bath_count = 0;  ///< paper: N_bath = max(1, round(rho_bath ell))
  double paper_bath_length = 0;       ///< paper: ell_b = N_bath / rho_bath (paper_cell.hpp)
  // observables
  std::int32_t density_bins = 0;
  std::int32_t velocity_bins = 0;  ///< fermions: = classes
  double velocity_min = 0, velocity_width = 0;  ///< classical bins
  double max_speed = 0;     ///< no particle of the run is ever faster (bath, initial state)
  double energy_scale = 0;  ///< energy_fixed's units per unit energy: energy_scale_for(N, max_speed)
  double energy_unit = 1;   ///< RunSums::energy_unit: the power of two >= max_speed^2 / 2
  // initial state
  std::int32_t max_redraws = 1000;  ///< bath/thermal fermions: redraws before the direct draw
  /// Fermions, velocities = "stationary": per cell c the law of its particle number under
  /// (40) at the cell's mean density (independent occupations n_j of its classes), as a
  /// cumulative table count_cdf[count_offset[c] + k] = P(k_c <= k); count_sigma is the
  /// standard deviation of the total, sum_c k_c (initial_state.cpp).
  std::vector<double> count_cdf;
  std::vector<std::size_t> count_offset;
  double count_sigma = 0;

  PaperParams paper_params() const;
  StreamKey key(std::uint32_t realization) const { return StreamKey{config.numerics.seed, realization}; }
};

/// Builds and validates. InputError (with the config key) for: event with fermions, dt
/// where paper's R dt can exceed 1, more fermions per cell than the lattice can hold, ...
Plan make_plan(const Config& config);

/// The ring's lattice of a config: cells of ell = L / M, dl = 2 pi / ell, and for fermions
/// the velocity classes j_lo dl .. j_hi dl covering `bath_support` (a thermal start: also
/// +-8.5 sqrt T). make_plan's; InputError (numerics.cells) beyond 2^20 classes. The cell
/// count must already be validated (>= 1).
Lattice lattice_of(const Config& config, std::pair<double, double> bath_support);

/// P_k, the bath at the lattice's class velocities normalised to sum 1 (fermions).
/// InputError (numerics.cells) when the bath has no weight on any class.
std::vector<double> lattice_class_probabilities(const Lattice& lattice, const theory::BathState& bath);

/// Estimated largest mean number of particles in one cell of length ell at t = 0.
double peak_cell_occupation(const Config& config, double ell);

}  // namespace vswap::engine
