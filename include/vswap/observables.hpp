#pragma once
/// @brief Per-particle contributions to the observables (SPEC section 5), in integers so
/// that any summation order (threads, GPU reductions, MPI shards) gives the same bits.
///
/// Density: counts per bin of [0, L). Velocity: counts per lattice class (fermions) or per
/// bin of [vmin, vmax) (classical; outside: not counted). Energy: lambda^2 / 2 in fixed
/// point with 2^-16 resolution, summed as int64 (exact for lambda^2/2 < 2^16 with N < 2^31).

#include <cstdint>

#include <vswap/hd.hpp>
#include <vswap/math.hpp>

namespace vswap {

inline constexpr double kEnergyScale = 65536.0;  ///< fixed-point units per unit energy

VSWAP_HD_INLINE std::int32_t density_bin(double x, double length, std::int32_t bins) {
  std::int32_t b = static_cast<std::int32_t>(x / length * static_cast<double>(bins));
  return b >= bins ? bins - 1 : (b < 0 ? 0 : b);
}

/// Bin of v in [vmin, vmin + bins dv), or -1 outside.
VSWAP_HD_INLINE std::int32_t velocity_bin(double v, double vmin, double dv, std::int32_t bins) {
  const double f = math::floor((v - vmin) / dv);
  return (f >= 0.0 && f < static_cast<double>(bins)) ? static_cast<std::int32_t>(f) : -1;
}

/// lambda^2 / 2 in fixed point (round half up).
VSWAP_HD_INLINE std::int64_t energy_fixed(double v) {
  return static_cast<std::int64_t>(math::floor(0.5 * v * v * kEnergyScale + 0.5));
}

}  // namespace vswap
