#pragma once
/// @brief Per-particle contributions to the observables (SPEC section 5), in integers so
/// that any summation order (threads, GPU reductions, MPI shards) gives the same bits.
///
/// Density: counts per bin of [0, L). Velocity: counts per lattice class (fermions) or per
/// bin of [vmin, vmax) (classical; outside: not counted). Energy: lambda^2 / 2 in fixed
/// point, in units of 1 / scale, summed per realization as int64. The scale is a power of
/// two chosen per run (energy_scale_for): the largest for which N particles at the fastest
/// velocity the run can produce sum below 2^62, so the resolution follows the run's own
/// velocity scale (a fixed 2^-16 biased slow gases: -0.8% of e at T = 1e-4).

#include <cmath>
#include <cstdint>

#include <vswap/hd.hpp>
#include <vswap/math.hpp>

namespace vswap {

/// Fixed-point units per unit energy for N particles whose speed never exceeds v_max: the
/// largest power of two with N (v_max^2 / 2) scale <= 2^62 (the int64 sum cannot overflow,
/// rounding included). Host only (the plan computes it once).
inline double energy_scale_for(std::int64_t particles, double v_max) {
  const double e_max = 0.5 * v_max * v_max > 1e-300 ? 0.5 * v_max * v_max : 1e-300;
  const double target = 4611686018427387904.0 / (static_cast<double>(particles) * e_max);  // 2^62
  int exponent = 0;
  std::frexp(target, &exponent);          // target = m 2^exponent, m in [0.5, 1)
  return std::ldexp(1.0, exponent - 1);  // 2^(exponent - 1) <= target
}

VSWAP_HD_INLINE std::int32_t density_bin(double x, double length, std::int32_t bins) {
  std::int32_t b = static_cast<std::int32_t>(x / length * static_cast<double>(bins));
  return b >= bins ? bins - 1 : (b < 0 ? 0 : b);
}

/// Bin of v in [vmin, vmin + bins dv), or -1 outside.
VSWAP_HD_INLINE std::int32_t velocity_bin(double v, double vmin, double dv, std::int32_t bins) {
  const double f = math::floor((v - vmin) / dv);
  return (f >= 0.0 && f < static_cast<double>(bins)) ? static_cast<std::int32_t>(f) : -1;
}

/// The unit of the realization energy sums (RunSums::energy_unit): the least power of two
/// >= v_max^2 / 2, so every energy per particle is at most one unit. Host only.
inline double energy_unit_for(double v_max) {
  const double e_max = 0.5 * v_max * v_max > 1e-300 ? 0.5 * v_max * v_max : 1e-300;
  int exponent = 0;
  const double m = std::frexp(e_max, &exponent);  // e_max = m 2^exponent, m in [0.5, 1)
  return std::ldexp(1.0, m == 0.5 ? exponent - 1 : exponent);
}

/// lambda^2 / 2 in fixed point, units of 1 / scale (a power of two: exact), round half up.
VSWAP_HD_INLINE std::int64_t energy_fixed(double v, double scale) {
  return static_cast<std::int64_t>(math::floor(0.5 * v * v * scale + 0.5));
}

/// One realization's kinetic energy per particle from its sum of energy_fixed.
VSWAP_HD_INLINE double energy_per_particle(std::int64_t sum, double scale, std::int64_t particles) {
  return static_cast<double>(sum) / scale / static_cast<double>(particles);
}

}  // namespace vswap
