#pragma once
/// @brief One realization of each scheme on the CPU: thin drivers around the shared
/// physics of include/vswap/ (particle_step.hpp, paper_cell.hpp, observables.hpp).

#include <cstdint>
#include <vector>

#include "engine/plan.hpp"

namespace vswap::engine {

/// One realization's observations (integers: exact sums in any order).
struct RealizationObs {
  std::vector<std::int64_t> density;   ///< T x B counts
  std::vector<std::int64_t> velocity;  ///< T x K counts
  std::vector<std::int64_t> energy;    ///< T, sum of lambda^2/2 in fixed point (observables.hpp)
  std::vector<std::int64_t> swaps, rejected, rescattered, saturated;  ///< T, cumulative
  void reset(std::size_t times, std::size_t bins, std::size_t classes);
};

/// Simulates realization r into obs. `check_every_step`: verify particle number and Pauli
/// after every step (std::logic_error on violation); they are always checked at observations.
void simulate_realization(const Plan& plan, std::uint32_t r, bool check_every_step, RealizationObs& obs);

}  // namespace vswap::engine
