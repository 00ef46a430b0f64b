#pragma once
/// @brief The initial state of one realization (host; the CUDA backend uploads it), drawn
/// from the streams init_position / init_velocity / init_stationary of that realization.
///
/// Fermions are placed class by class into the cells floor(x / ell) (the comoving cells at
/// t = 0, also the paper's fixed cells) respecting Pauli: `bath` and `thermal` redraw a
/// taken class (Plan::max_redraws times, then the free classes are drawn directly with the
/// same law; InputError only when no free class has weight). `stationary` is (40) at the
/// profile's mean density in each cell, conditioned on N particles in all: the cell counts
/// k_c are drawn from their laws under independent occupations n_j (Poisson-binomial) until
/// they sum to N, the positions from the profile within the cell, and the k_c classes with
/// probability proportional to prod P_j (the occupations (40) conditioned on k_c: A cancels).

#include <cstdint>
#include <vector>

#include "engine/plan.hpp"

namespace vswap::engine {

struct InitialState {
  std::vector<double> x;         ///< positions in [0, L)
  std::vector<double> v;         ///< classical velocities
  std::vector<std::int32_t> cls; ///< fermion classes
};

InitialState initial_state(const Plan& plan, std::uint32_t realization);

/// Fills Plan::count_cdf, count_offset and count_sigma (fermions, velocities =
/// "stationary"); InputError when a cell's mean occupation exceeds what the lattice holds.
void plan_stationary_counts(Plan& plan);

}  // namespace vswap::engine
