#pragma once
/// @brief Stationary states of the kinetic equations: (20) classical, (40) fermions with
/// the fugacity-like constant A(rho) fixed by integral rho_st = rho, and d rho_st / d rho (87).

#include <vswap/config.hpp>
#include <vswap/theory/bath_state.hpp>

namespace vswap::theory {

/// rho_st on the bath's grid at density rho.
struct StationaryState {
  Eigen::VectorXd rho_p;  ///< rho_p^st(lambda_i)
  Eigen::VectorXd n;      ///< occupation n = 2 pi rho_p
  double density;         ///< rho = sum w rho_p (requested)
  double A;               ///< (40); classical: rho_bath / rho (infinite at rho = 0)
  int chi;                ///< 0 classical, 1 fermions
  Eigen::VectorXd hole;   ///< 1 - chi n = A / (rho_b + A), computed without cancellation
  double residual;        ///< sum w rho_p - rho
};

/// The bracketed root of sum w rho_st(A) = rho (fermions).
struct FugacitySolution {
  double A;
  double residual;  ///< sum w rho_st(A) - rho
  int iterations;
};

/// A(rho) of (40) for fermions: safeguarded Newton in log A inside a bracket found from
/// `A_guess` (<= 0: the bound rho_bath / (2 pi rho), which always lies above the root). The
/// density is monotone decreasing in A, d rho / d log A = -(h0|h0)_st (85), so the root is
/// unique. Throws std::invalid_argument unless below_pauli_limit(bath, rho); below it the root
/// always exists, with A > A_min = kBathTailCutoff max rho_b.
FugacitySolution solve_fugacity(const DiscreteBath& bath, double rho, double A_guess = 0.0);

/// The highest fermion density the theory gives `bath`'s grid: (40) at the least fugacity it
/// admits, A_min = kBathTailCutoff max rho_b. States of bath weight >> A_min are full there
/// (n = 1), those far below it empty: they are outside the bath's support (its 1e-17 cut-off),
/// far tails and lattice classes the bath never populates ((39) fills them at the rate
/// gamma rho_b; D (99) ~ 1/A would overflow). For a bath of compact support it is the
/// measure of the support / 2 pi up to ~1e-17 relative. Every density below it is solvable.
double pauli_limit(const DiscreteBath& bath);

/// Whether solve_fugacity accepts rho: rho < pauli_limit(bath). Callers that check a user's
/// density use this.
bool below_pauli_limit(const DiscreteBath& bath, double rho);

/// A(rho) of (40); classical: irrelevant, returns rho_bath / rho.
double fugacity(const DiscreteBath& bath, Statistics statistics, double rho);

/// (20) classical, (40) fermions at density rho >= 0. `A_guess` warm-starts the fermion root
/// finder (e.g. the previous density's A in a table).
StationaryState stationary_state(const DiscreteBath& bath, Statistics statistics, double rho,
                                 double A_guess = 0.0);

/// (87): d rho_st / d rho = rho_st (1 - chi n_st) / (h0|h0)_st; at rho = 0 its limit
/// rho_b / rho_bath (both statistics).
Eigen::VectorXd drho_st_drho(const DiscreteBath& bath, const StationaryState& state);

/// (86): (phi|psi)_st = sum w rho_st (1 - chi n_st) phi psi, with phi psi given as one vector.
double st_product(const DiscreteBath& bath, const StationaryState& state,
                  const Eigen::VectorXd& phi_psi);

/// The fixed-N correction (docs/VALIDATION.md section 11). A fermion state of independent
/// Pauli cells j, each occupied with probability n_j, holds a random number of particles;
/// the Monte Carlo holds exactly N = sum_j n_j. To first order in 1/N (the Edgeworth
/// expansion of the law conditioned on the count) an additive observable
/// A = sum_j a_j eta_j has
///   E[A | N] - E[A] = -(1/2) (sum_j a_j t_j / V - (sum_j a_j v_j) T / V^2),
/// v_j = n_j (1 - n_j), t_j = v_j (1 - 2 n_j) the second and third cumulants of eta_j, V and
/// T their sums. The shift of the whole system's A is O(1), so O(1/N) per particle; it is 0
/// for Poisson cells (t_j = v_j: classical particles, whose fixed-N law is multinomial with
/// unchanged means). The sums may carry any common weight (a sum over the solver's cells in
/// place of one over the lattice's).
struct FixedNSums {
  double V = 0, T = 0;
  /// Adds Pauli cells of occupation n (hole 1 - n, computed without cancellation) with
  /// weight `w`.
  void add(double n, double hole, double w = 1.0) {
    const double v = n * hole;
    V += w * v;
    T += w * v * (hole - n);
  }
  /// E[A | N] - E[A] for an observable with sum a_j t_j = `a_t`, sum a_j v_j = `a_v` (with
  /// the same weights); 0 when no cell fluctuates (V = 0).
  double shift(double a_t, double a_v) const { return V > 0 ? -0.5 * (a_t / V - a_v * T / (V * V)) : 0.0; }
};

/// The same conditioned means exactly, for a uniform gas: `cells` lattice cells, each with
/// one Pauli cell per class k occupied independently with probability n[k] (hole[k] = 1 -
/// n[k]), conditioned on `particles` in all. Returns each class's conditioned occupation
/// per Pauli cell, from the law of the other Pauli cells (the classes' binomial laws
/// convolved, truncated at the particle number); empty where classes x particles^2 > 5e7
/// (about 1.5e8 operations; 26 classes: up to 1386 particles) or classes x particles > 4e6
/// (64 MB of laws), where the first order (FixedNSums) is within O(1/N) of the shift anyway.
Eigen::VectorXd fixed_n_occupations(const Eigen::VectorXd& n, const Eigen::VectorXd& hole, long cells,
                                    long particles);

}  // namespace vswap::theory
