#pragma once
// Baths shared by the theory tests: the paper's Fig. 5 (symmetric and asymmetric), Fig. 2,
// a boosted thermal bath and the Bragg split of Fig. 3(b).
#include <string>
#include <vector>
#include <vswap/theory/bath_state.hpp>

namespace vswap::theory::testing {

struct NamedBath {
  std::string name;
  BathState state;
};

inline std::vector<NamedBath> paper_baths() {
  return {{"fig5_symmetric", BathState::bragg(50.0, 6.0, 5.9, 1.0)},
          {"fig5_asymmetric", BathState::bragg(50.0, 6.0, 5.9, 0.3)},
          {"fig2", BathState::bragg(100.0, 0.2, 0.4, 0.5)},
          {"thermal_boosted", BathState::thermal(50.0, 4.0, 0.7)},
          {"bragg_thermal_fig3b", BathState::bragg_thermal(50.0, 1.0, 3.9, 9.0)}};
}

/// Exact moments of a normalised Gaussian mixture: integral lambda^k rho_b / density, k <= 2.
inline double mixture_moment(const BathState& bath, int k) {
  double m = 0.0;
  for (const auto& g : bath.components())
    m += g.weight * (k == 0 ? 1.0 : k == 1 ? g.mean : g.mean * g.mean + g.sd * g.sd);
  return m;
}

/// Fermions fit on the grid only below sum w / (2 pi) (the Fig. 2 bath is narrow: ~0.53);
/// tests use densities well below it.
inline bool fermions_fit(const DiscreteBath& bath, double rho) {
  return rho < 0.75 * bath.grid.weight.sum() / (2.0 * 3.141592653589793);
}

}  // namespace vswap::theory::testing
