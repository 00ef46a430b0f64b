#pragma once
/// @brief Hydrodynamic transport coefficients of the velocity-swap gases: the advection
/// velocity u(rho) (88), its derivative u'(rho) (SPEC section 3, correcting (89)) and the
/// diffusion coefficient D(rho) (99), for classical particles and fermions.

#include <vector>
#include <vswap/theory/stationary.hpp>

namespace vswap::theory {

struct TransportCoefficients {
  double rho;      ///< density
  double u;        ///< (88)
  double du_drho;  ///< u' = -2 chi (h1 - u | n_st)_st / (h0|h0)_st^2
  double D;        ///< (99)
};

/// Coefficients at one density; at rho == 0 the exact rho -> 0 limits: u and D of the
/// classical gas (100), (101) for both statistics, and for fermions
/// u'(0) = -4 pi / rho_bath^2 * integral rho_b^2 (lambda - u).
TransportCoefficients transport_coefficients(const DiscreteBath& bath, Statistics statistics,
                                             double rho, double gamma);

/// The same from a stationary state already computed at its density (> 0).
TransportCoefficients transport_coefficients(const DiscreteBath& bath, const StationaryState& state,
                                             double gamma);

/// `points` equidistant densities on [rho_min, rho_max] (points == 1: rho_min only). The
/// fermion root finder is warm-started from the previous density's A.
std::vector<TransportCoefficients> coefficient_table(const DiscreteBath& bath,
                                                     Statistics statistics, double rho_min,
                                                     double rho_max, int points, double gamma);

/// Classical limits, computed from the bath alone: (100) u = <lambda>_b and
/// (101) D = integral (lambda - u)^2 rho_b / (gamma rho_bath^2).
double classical_u(const DiscreteBath& bath);
double classical_D(const DiscreteBath& bath, double gamma);

}  // namespace vswap::theory
