#pragma once
/// @brief The fermion velocity lattice and the comoving Pauli cells (SPEC section 2).
///
/// Velocities lambda_j = j dl, dl = 2 pi / ell, ell = L / M; class k = j - j_lo in [0, K).
/// A particle of class k with comoving coordinate y = x - lambda t (in [0, L), constant
/// between swaps) sits in cell c = floor(y / ell) mod M of its class, so streaming moves a
/// whole class rigidly and never creates a duplicate. `PauliTable` occ[k][c] holds the
/// index of the particle in (k, c) or `kPauliEmpty`.

#include <cstdint>

#include <vswap/hd.hpp>
#include <vswap/math.hpp>

namespace vswap {

inline constexpr std::int32_t kPauliEmpty = -1;

/// The ring, its M cells and the velocity lattice (classical runs use L, ell, M only).
struct Lattice {
  double length = 0;  ///< L
  double ell = 0;     ///< L / M
  double dl = 0;      ///< 2 pi / ell
  std::int32_t cells = 0;      ///< M
  std::int32_t j_lo = 0;       ///< lattice index of class 0
  std::int32_t classes = 0;    ///< K
};

VSWAP_HD_INLINE double class_velocity(const Lattice& g, std::int32_t k) {
  return static_cast<double>(g.j_lo + k) * g.dl;
}

/// x mod L in [0, L).
VSWAP_HD_INLINE double wrap(double x, double length) {
  double y = x - length * math::floor(x / length);
  if (y >= length) y -= length;
  if (y < 0.0) y += length;
  return y;
}

/// floor(y / ell) for y in [0, L), mapped into [0, M).
VSWAP_HD_INLINE std::int32_t cell_of(double y, const Lattice& g) {
  std::int32_t c = static_cast<std::int32_t>(y / g.ell);
  if (c >= g.cells) c -= g.cells;
  if (c < 0) c = 0;
  return c;
}

/// occ[k * M + c]: one realization's table (K x M entries).
struct PauliTable {
  std::int32_t* occ = nullptr;
  std::int32_t classes = 0;
  std::int32_t cells = 0;
  VSWAP_HD_INLINE std::int32_t& at(std::int32_t k, std::int32_t c) const {
    return occ[static_cast<std::int64_t>(k) * cells + c];
  }
};

}  // namespace vswap
