#pragma once
/// @brief The initial state of one realization (host; the CUDA backend uploads it), drawn
/// from the streams init_position / init_velocity / init_stationary of that realization.
///
/// Fermions are placed class by class into the cells floor(x / ell) (the comoving cells at
/// t = 0, also the paper's fixed cells) respecting Pauli: `bath` and `thermal` redraw a
/// taken class (at most Plan::max_redraws times, else InputError), `stationary` fills each
/// cell with k particles by k distinct classes with probability proportional to prod P_j:
/// the law of independent occupations (40) conditioned on k (A cancels).

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

}  // namespace vswap::engine
